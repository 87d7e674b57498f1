import TrailReader

/// Runs the rules over events. One per worker thread; findings are gathered per file and merged in file order, so
/// results do not depend on the thread count.
public final class Detector {
    public let rules: RuleSet
    let context: EventContext
    /// Findings of the current file, in the order first seen; found again through a hash of their group key, so a
    /// repeat match costs no SHA-256 and no allocation.
    var builders: [FindingBuilder] = []
    var keys: [[UInt8]] = []
    var byHash: [Int: [Int]] = [:]
    var scratch: [UInt8] = []
    public private(set) var evaluated = 0

    static let defaultGroupBy: [RuleField] = [
        RuleField("recipientAccountId")!, RuleField("userIdentity.arn")!, .derived(.targetUserName),
    ]

    public init(rules: RuleSet, lineage: LineageMap? = nil) {
        self.rules = rules
        context = EventContext(catalog: rules.catalog, lineage: lineage)
    }

    /// Checks one event against the rules that can match it.
    public func process(_ event: Event, file: String) {
        let byName = event.member("eventName")?.rawStringContents.flatMap { rules.index[RuleSet.hash($0)] }
        let bySource = rules.sourceIndex.isEmpty
            ? nil : event.member("eventSource")?.rawStringContents.flatMap { rules.sourceIndex[RuleSet.hash($0)] }
        guard byName != nil || bySource != nil || !rules.unindexed.isEmpty else { return }
        context.reset(event)
        if let byName { for i in byName { check(i, file) } }
        if let bySource { for i in bySource { check(i, file) } }
        for i in rules.unindexed { check(i, file) }
    }

    @inline(__always)
    func check(_ i: Int, _ file: String) {
        evaluated += 1
        guard rules.detections[i].matches(context) else { return }
        let rule = rules.rules[i]
        let groupBy = rule.groupBy.isEmpty ? Self.defaultGroupBy : rule.groupBy
        scratch.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: UInt32(i).littleEndian) { scratch.append(contentsOf: $0) }
        for field in groupBy {
            _ = context.anyValue(field) { bytes in
                scratch.append(contentsOf: bytes)
                return true
            }
            scratch.append(0x1F)
        }
        let h = scratch.withUnsafeBytes { raw -> Int in
            var hasher = Hasher()
            hasher.combine(bytes: raw)
            return hasher.finalize()
        }
        if let candidates = byHash[h], let found = candidates.first(where: { keys[$0] == scratch }) {
            builders[found].add(context, file: file)
            return
        }
        let values = groupBy.map { context.strings($0).first ?? "" }
        var builder = FindingBuilder(id: FindingBuilder.id(rule: rule.id, values: values), ruleIndex: i, title: title(rule))
        builder.add(context, file: file)
        byHash[h, default: []].append(builders.count)
        keys.append(scratch)
        builders.append(builder)
    }

    func title(_ rule: SigmaRule) -> String {
        guard let template = rule.titleTemplate else {
            let who = context.strings(.derived(.actorArn)).first ?? context.strings(.derived(.actorType)).first
            return who.map { "\(rule.title): \($0)" } ?? rule.title
        }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            out += RuleField(name).flatMap { context.strings($0).first } ?? "?"
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The findings gathered since the last call, in the order first seen.
    public func take() -> [FindingBuilder] {
        defer {
            builders = []
            keys = []
            byHash = [:]
        }
        return builders
    }
}

/// Findings merged across files.
public struct FindingSet: Sendable {
    var builders: [String: FindingBuilder] = [:]
    var order: [String] = []

    public init() {}

    public mutating func merge(_ partial: [FindingBuilder]) {
        for b in partial {
            if builders[b.id] == nil {
                builders[b.id] = b
                order.append(b.id)
            } else {
                builders[b.id]!.merge(b)
            }
        }
    }

    public var count: Int { order.count }

    /// The findings, ordered by first event time, then rule id and finding id.
    public func findings(_ rules: RuleSet) -> [Finding] {
        order.map { builders[$0]! }
            .sorted { a, b in
                if a.firstTime != b.firstTime { return a.firstTime < b.firstTime }
                let ra = rules.rules[a.ruleIndex].id
                let rb = rules.rules[b.ruleIndex].id
                return ra != rb ? ra < rb : a.id < b.id
            }
            .map { $0.finding(rules) }
    }
}
