import TrailReader

// Hot path. A detection's field tests again, in a flat form that evaluation reads without reference counting.
//
// `FieldTest` holds a `RuleField` (a path of byte arrays and its text) and `ValueMatcher`s (patterns of token
// arrays): reading one out of an array, or binding an enum payload, retains and releases each of those, and a scan
// evaluates about ten tests per event, so those atomic operations cost more than the matching. Here every test,
// path step and literal is a plain value in buffers this object owns, and the common cases (a JSON path or derived
// field, tested for presence or against literal patterns with `*` at the ends) run on them alone.
//
// Invariants:
// - `TestProgram(tests)[t]` answers exactly as `tests[t].matches(context)`: anything not in the flat form (field
//   references, `?` or inner `*` wildcards, regular expressions, CIDR, comparisons) is handed to the original.
// - The buffers are written once, in `init`, and freed in `deinit`; nothing points into them from outside.

final class TestProgram: @unchecked Sendable {
    struct Step {
        /// The component's bytes, `arena[start..<start+count]`.
        var start: Int32
        var count: Int32
        /// The component as an array index, or -1.
        var index: Int32
        /// The component as a `TopMember` (first steps only), or 255.
        var member: UInt8
    }

    enum Kind: UInt8 { case values, absentOrNull, absent, present, original }

    struct Test {
        var kind: Kind
        var all: Bool
        var orNull: Bool
        /// The derived field's ordinal, or -1 for a JSON path `steps[firstStep..<firstStep+stepCount]`.
        var derived: Int16
        var section: UInt8
        var firstStep: Int32
        var stepCount: Int32
        var firstMatcher: Int32
        var matcherCount: Int32
    }

    struct Matcher {
        /// A `WildcardPattern.DirectShape`, or 255: `fallback` indexes `fallbacks`.
        var shape: UInt8
        var cased: Bool
        var start: Int32
        var count: Int32
        var fallback: Int32
    }

    let tests: UnsafeMutableBufferPointer<Test>
    let steps: UnsafeMutableBufferPointer<Step>
    let matchers: UnsafeMutableBufferPointer<Matcher>
    let arena: UnsafeMutableBufferPointer<UInt8>
    let originals: [FieldTest]
    let fallbacks: [ValueMatcher]

    init(_ originals: [FieldTest]) {
        self.originals = originals
        var tests: [Test] = []
        var steps: [Step] = []
        var matchers: [Matcher] = []
        var arena: [UInt8] = []
        var fallbacks: [ValueMatcher] = []
        func bytes(_ b: [UInt8]) -> (Int32, Int32) {
            defer { arena += b }
            return (Int32(arena.count), Int32(b.count))
        }
        for test in originals {
            var t = Test(
                kind: .original, all: false, orNull: false, derived: -1, section: 0, firstStep: Int32(steps.count),
                stepCount: 0, firstMatcher: Int32(matchers.count), matcherCount: 0)
            switch test.field {
            case .derived(let d):
                t.derived = Int16(d.ordinal)
                t.section = UInt8(d.section.rawValue)
            case .json(let path):
                for (k, c) in path.components.enumerated() {
                    let (start, count) = bytes(c.bytes)
                    steps.append(
                        Step(
                            start: start, count: count, index: c.index.map { Int32(clamping: $0) } ?? -1,
                            member: k == 0 ? (c.member?.rawValue ?? 255) : 255))
                }
                t.stepCount = Int32(path.components.count)
            }
            switch test.kind {
            case _ where test.negated: t.kind = .original
            case .absent: t.kind = .absent
            case .present: t.kind = .present
            case .absentOrNull: t.kind = .absentOrNull
            case .values(let list, let all, let orNull):
                t.kind = .values
                t.all = all
                t.orNull = orNull
                for m in list {
                    if case .pattern(let p) = m, let direct = p.direct {
                        let (start, count) = bytes(direct.literal)
                        matchers.append(Matcher(shape: direct.shape.rawValue, cased: p.cased, start: start, count: count, fallback: -1))
                    } else {
                        matchers.append(Matcher(shape: 255, cased: false, start: 0, count: 0, fallback: Int32(fallbacks.count)))
                        fallbacks.append(m)
                    }
                }
                t.matcherCount = Int32(list.count)
            case .fieldref, .keywords:
                t.kind = .original
            }
            tests.append(t)
        }
        self.fallbacks = fallbacks
        self.tests = .allocate(capacity: max(tests.count, 1))
        _ = self.tests.initialize(from: tests)
        self.steps = .allocate(capacity: max(steps.count, 1))
        _ = self.steps.initialize(from: steps)
        self.matchers = .allocate(capacity: max(matchers.count, 1))
        _ = self.matchers.initialize(from: matchers)
        self.arena = .allocate(capacity: max(arena.count, 1))
        _ = self.arena.initialize(from: arena)
    }

    deinit {
        tests.deallocate()
        steps.deallocate()
        matchers.deallocate()
        arena.deallocate()
    }

    /// Test `t` on the context's event.
    @inline(__always)
    func matches(_ t: Int, _ context: EventContext) -> Bool {
        let test = tests[t]
        switch test.kind {
        case .absentOrNull:
            return !anyValue(test, context) { _ in true }
        case .absent:
            return !exists(test, context)
        case .present:
            return exists(test, context)
        case .values:
            if test.orNull && !anyValue(test, context, { _ in true }) { return true }
            let first = Int(test.firstMatcher)
            let end = first + Int(test.matcherCount)
            if test.all {
                for m in first..<end where !anyValue(test, context, scalars: true, { match(m, $0) }) { return false }
                return true
            }
            return anyValue(test, context, scalars: true) { bytes in
                for m in first..<end where match(m, bytes) { return true }
                return false
            }
        case .original:
            return originals[t].matches(context)
        }
    }

    @inline(__always)
    func match(_ m: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let matcher = matchers[m]
        guard let shape = WildcardPattern.DirectShape(rawValue: matcher.shape) else {
            return fallbacks[Int(matcher.fallback)].matches(bytes)
        }
        return WildcardPattern.matchesDirect(
            bytes, shape: shape, literal: UnsafePointer(arena.baseAddress! + Int(matcher.start)), count: Int(matcher.count),
            cased: matcher.cased)
    }

    /// As `EventContext.anyValue`, on the flat form of the test's field.
    @inline(__always)
    func anyValue(
        _ test: Test, _ context: EventContext, scalars: Bool = false, _ body: (UnsafeRawBufferPointer) -> Bool
    ) -> Bool {
        if test.derived >= 0 {
            return context.anyDerived(Int(test.derived), section: Enrichment.Section(rawValue: Int(test.section))!, body)
        }
        guard let top = top(test, context) else { return false }
        let flat = FlatSteps(steps: steps, arena: arena.baseAddress!)
        let (first, end) = (Int(test.firstStep), Int(test.firstStep + test.stepCount))
        if steps[first].member == TopMember.userIdentity.rawValue, test.stepCount > 1, top.kind == .object {
            // userIdentity's members come from the context's per-event cache (see MemberCache), as visit would find them.
            let key = steps[first + 1]
            let raw = UnsafeRawBufferPointer(start: arena.baseAddress! + Int(key.start), count: Int(key.count))
            guard let next = context.identityMembers.member(of: top, raw) else { return false }
            return EventContext.visit(next, flat, first + 2, end, scalars: scalars, body)
        }
        return EventContext.visit(top, flat, first + 1, end, scalars: scalars, body)
    }

    /// As `EventContext.exists`, on the flat form of the test's field.
    @inline(__always)
    func exists(_ test: Test, _ context: EventContext) -> Bool {
        if test.derived >= 0 { return anyValue(test, context) { _ in true } }
        guard let top = top(test, context) else { return false }
        return EventContext.reach(
            top, FlatSteps(steps: steps, arena: arena.baseAddress!), Int(test.firstStep) + 1, Int(test.firstStep + test.stepCount))
    }

    /// The top-level member the test's path starts with.
    @inline(__always)
    func top(_ test: Test, _ context: EventContext) -> JSONValue? {
        guard let event = context.event else { return nil }
        let step = steps[Int(test.firstStep)]
        let top: JSONValue?
        if let m = TopMember(rawValue: step.member) {
            top = event.member(m)
        } else {
            top = event.member(UnsafeRawBufferPointer(start: arena.baseAddress! + Int(step.start), count: Int(step.count)))
        }
        return top
    }

    /// The flat steps as `EventContext.visit` walks them.
    struct FlatSteps: PathSteps {
        let steps: UnsafeMutableBufferPointer<Step>
        let arena: UnsafeMutablePointer<UInt8>

        @inline(__always)
        func index(at k: Int) -> Int? { steps[k].index >= 0 ? Int(steps[k].index) : nil }

        @inline(__always)
        func member(of value: JSONValue, at k: Int) -> JSONValue? {
            value.member(UnsafeRawBufferPointer(start: arena + Int(steps[k].start), count: Int(steps[k].count)))
        }
    }
}

extension EventContext {
    /// Calls `body` with each value of the derived field with this ordinal, in place (no copy of the values), until
    /// it returns true. `body` must not use the context.
    @inline(__always)
    func anyDerived(_ ordinal: Int, section: Enrichment.Section, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        partial.ensure(section, event!, catalog, lineage, identity: identityMembers)
        let n = partial.values[ordinal].count
        for k in 0..<n where partial.values[ordinal][k].withUTF8({ body(UnsafeRawBufferPointer($0)) }) { return true }
        return false
    }
}
