import TrailReader

/// Rules by the `eventName` values they can match; then, for rules that do not pin `eventName` down, by
/// `eventSource`; the rest are checked against every event.
/// Immutable once made (`unindexed` points into `unindexedStore`), hence `@unchecked Sendable`.
final class RuleIndex: @unchecked Sendable {
    let byName: HashLists
    let bySource: HashLists
    let unindexed: HashLists.List
    private let unindexedStore: HashLists

    init(_ rules: [SigmaRule], only chosen: [Int]) {
        var names: [UInt64: [Int]] = [:]
        var sources: [UInt64: [Int]] = [:]
        var rest: [Int] = []
        for i in chosen {
            let rule = rules[i]
            if let list = rule.eventNames {
                for name in list { names[RuleSet.hash(Array(name.utf8)), default: []].append(i) }
            } else if let list = rule.eventSources {
                for source in list { sources[RuleSet.hash(Array(source.utf8)), default: []].append(i) }
            } else {
                rest.append(i)
            }
        }
        byName = HashLists(names)
        bySource = HashLists(sources)
        unindexedStore = HashLists([0: rest])
        unindexed = rest.isEmpty ? HashLists.List(start: nil, count: 0) : unindexedStore[0]!
    }

    var isEmpty: Bool { byName.isEmpty && bySource.isEmpty && unindexed.isEmpty }

    /// Calls `body` with each rule that can match `event`.
    @inline(__always)
    func candidates(_ event: Event, _ body: (Int) -> Void) {
        candidates(event, nameHash: Self.nameHash(event), body)
    }

    /// As `candidates(_:_:)`, with the event's `eventName` hash already computed (`nameHash(_:)`).
    @inline(__always)
    func candidates(_ event: Event, nameHash: UInt64?, _ body: (Int) -> Void) {
        if let h = nameHash, let named = byName[h] { for i in named { body(Int(i)) } }
        if !bySource.isEmpty, let h = Self.sourceHash(event), let sourced = bySource[h] {
            for i in sourced { body(Int(i)) }
        }
        for i in unindexed { body(Int(i)) }
    }

    /// The index key of the event's `eventName`.
    @inline(__always)
    static func nameHash(_ event: Event) -> UInt64? { event.member(.eventName).flatMap(keyHash) }

    /// The index key of the event's `eventSource`.
    @inline(__always)
    static func sourceHash(_ event: Event) -> UInt64? { event.member(.eventSource).flatMap(keyHash) }

    /// The index key of a value: its decoded text as rules compare it (a string's escapes resolved, a number or
    /// boolean as written), hashed with ASCII folded to lower case as rule literals are. Objects, arrays and null
    /// have none (no rule literal equals them).
    @inline(__always)
    static func keyHash(_ value: JSONValue) -> UInt64? {
        if let raw = value.rawStringContents {
            // Most values have no escape: hash the raw text (one pass that also looks for a backslash). `\u0055` and
            // the like hash as what they stand for.
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            var escaped = false
            for b in raw {
                escaped = escaped || b == 0x5C
                h ^= UInt64(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
                h = h &* 0x0000_0100_0000_01B3
            }
            if !escaped { return h }
            var decoded: [UInt8] = []
            JSONString.unescape(raw, into: &decoded)
            return RuleSet.hash(decoded)
        }
        switch value.kind {
        case .number, .bool: return RuleSet.hash(value.bytes)
        default: return nil
        }
    }

    /// True when some rule may match `event` (cheap: no enrichment).
    @inline(__always)
    func mayMatch(_ event: Event) -> Bool { mayMatch(event, nameHash: Self.nameHash(event)) }

    @inline(__always)
    func mayMatch(_ event: Event, nameHash: UInt64?) -> Bool {
        if !unindexed.isEmpty { return true }
        if let h = nameHash, byName[h] != nil { return true }
        if !bySource.isEmpty, let h = Self.sourceHash(event), bySource[h] != nil { return true }
        return false
    }
}
