import TrailReader

/// One event as rules see it: CloudTrail fields by path (arrays fanned out, as Sigma does) and derived
/// `trailhound.*` fields, computed at most once per event. One per worker thread, reset for each event.
public final class EventContext {
    public let catalog: PolicyCatalog
    /// Credential lineage from a first pass over the logs, when a rule reads `trailhound.origin.*`.
    public let lineage: LineageMap?
    public private(set) var event: Event?
    var partial = Enrichment()
    /// The members of the event's `userIdentity`, read once per event (unindexed rules read them on every event).
    let identityMembers = MemberCache()

    public init(catalog: PolicyCatalog, lineage: LineageMap? = nil) {
        self.catalog = catalog
        self.lineage = lineage
    }

    /// Points the context at a new event. The event is valid only while the reader's callback runs.
    public func reset(_ event: Event) {
        self.event = event
        identityMembers.reset()
        if partial.done != 0 { partial.clear() }
    }

    /// The derived fields, every section computed.
    public var enrichment: Enrichment {
        for section in [Enrichment.Section.actor, .target, .policy, .denial, .origin] {
            partial.ensure(section, event!, catalog, lineage, identity: identityMembers)
        }
        return partial
    }

    /// The values of one derived field, computing only its section.
    public func derived(_ field: DerivedField) -> [String] {
        partial.ensure(field.section, event!, catalog, lineage, identity: identityMembers)
        return partial.values(field)
    }

    /// Calls `body` with each non-null value of `field` (strings decoded; numbers and booleans as written; objects
    /// as JSON text) until it returns true. Returns whether it did.
    /// With `scalars`, objects are skipped (rules compare values with strings, numbers and booleans only).
    public func anyValue(_ field: RuleField, scalars: Bool = false, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        switch field {
        case .derived(let d):
            for var v in derived(d) where v.withUTF8({ body(UnsafeRawBufferPointer($0)) }) { return true }
            return false
        case .json(let path):
            guard let event else { return false }
            let first = path.components[0]
            guard let top = event.member(first) else { return false }
            let steps = ComponentSteps(components: path.components)
            if first.member == .userIdentity, path.components.count > 1, top.kind == .object {
                let next = path.components[1].bytes.withUnsafeBytes { identityMembers.member(of: top, $0) }
                guard let next else { return false }
                return Self.visit(next, steps, 2, path.components.count, scalars: scalars, body)
            }
            return Self.visit(top, steps, 1, path.components.count, scalars: scalars, body)
        }
    }

    /// True when `field` has a non-null value.
    public func isPresent(_ field: RuleField) -> Bool { anyValue(field) { _ in true } }

    /// True when `field` is in the event, with any value (a JSON null too): Sigma's `exists`.
    public func exists(_ field: RuleField) -> Bool {
        switch field {
        case .derived: return isPresent(field)
        case .json(let path):
            guard let event, let top = event.member(path.components[0]) else { return false }
            return Self.reach(top, ComponentSteps(components: path.components), 1, path.components.count)
        }
    }

    /// True when the path's steps `k..<end` lead somewhere below `value` (fanning out over arrays).
    static func reach<P: PathSteps>(_ value: JSONValue, _ path: P, _ k: Int, _ end: Int) -> Bool {
        guard k < end else { return true }
        switch value.kind {
        case .array:
            if let index = path.index(at: k) {
                guard let element = value.element(index) else { return false }
                return reach(element, path, k + 1, end)
            }
            var hit = false
            value.forEachElement { element in
                hit = reach(element, path, k, end)
                return !hit
            }
            return hit
        case .object:
            guard let member = path.member(of: value, at: k) else { return false }
            return reach(member, path, k + 1, end)
        default:
            return false
        }
    }

    /// The scalar values of `field` as strings.
    func scalarStrings(_ field: RuleField) -> [String] {
        var out: [String] = []
        _ = anyValue(field, scalars: true) { bytes in
            out.append(String(decoding: bytes, as: UTF8.self))
            return false
        }
        return out
    }

    /// Calls `body` with every scalar anywhere in the event (strings decoded; not member names) until it returns
    /// true: keyword detections.
    func anyScalar(_ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        guard let event else { return false }
        func walk(_ v: JSONValue) -> Bool {
            switch v.kind {
            case .object:
                var hit = false
                v.forEachMember { _, member in
                    hit = walk(member)
                    return !hit
                }
                return hit
            case .array:
                var hit = false
                v.forEachElement { element in
                    hit = walk(element)
                    return !hit
                }
                return hit
            default:
                return Self.visit(v, ComponentSteps(components: []), 0, 0, scalars: true, body)
            }
        }
        return walk(event.json)
    }

    /// The values of `field` as strings.
    public func strings(_ field: RuleField) -> [String] {
        var out: [String] = []
        _ = anyValue(field) { bytes in
            out.append(String(decoding: bytes, as: UTF8.self))
            return false
        }
        return out
    }

    /// Walks `path`'s steps `k..<end` below `value`, fanning out over arrays (a step that is a number indexes one),
    /// and calls `body` with each non-null value reached (strings decoded) until it returns true.
    static func visit<P: PathSteps>(
        _ value: JSONValue, _ path: P, _ k: Int, _ end: Int, scalars: Bool = false, _ body: (UnsafeRawBufferPointer) -> Bool
    ) -> Bool {
        switch value.kind {
        case .array:
            if k < end, let index = path.index(at: k) {
                guard let element = value.element(index) else { return false }
                return visit(element, path, k + 1, end, scalars: scalars, body)
            }
            var hit = false
            value.forEachElement { element in
                hit = visit(element, path, k, end, scalars: scalars, body)
                return !hit
            }
            return hit
        case .object:
            guard k < end else { return scalars ? false : body(value.bytes) }
            guard let member = path.member(of: value, at: k) else { return false }
            return visit(member, path, k + 1, end, scalars: scalars, body)
        case .null:
            return false
        case .string:
            guard k == end, let raw = value.rawStringContents else { return false }
            if !raw.contains(0x5C) { return body(raw) }
            var decoded: [UInt8] = []
            JSONString.unescape(raw, into: &decoded)
            return decoded.withUnsafeBytes { body($0) }
        default:
            guard k == end else { return false }
            return body(value.bytes)
        }
    }
}

/// The steps of a path below its top-level member, for `EventContext.visit`: a rule field's components, or a
/// detection's flat copy of them (`TestProgram`).
protocol PathSteps {
    /// Step `k` as an array index, when it is all digits.
    func index(at k: Int) -> Int?
    /// The member of `value` that step `k` names.
    func member(of value: JSONValue, at k: Int) -> JSONValue?
}

struct ComponentSteps: PathSteps {
    let components: [FieldPath.Component]

    @inline(__always)
    func index(at k: Int) -> Int? { components[k].index }

    @inline(__always)
    func member(of value: JSONValue, at k: Int) -> JSONValue? { components[k].bytes.withUnsafeBytes { value.member($0) } }
}
