/// A finding as the state file keeps it between runs: everything its builder holds (so later events merge in as if
/// the runs were one), with the rule named by id (rule indexes change between runs).
public struct FindingRecord: Codable, Sendable, Equatable {
    public var id: String
    public var ruleId: String
    public var title: String
    public var firstTime: Int64
    public var firstSeen: String
    public var lastTime: Int64
    public var lastSeen: String
    public var count: Int
    public var account: String?
    public var regions: [String]
    public var actor: Finding.Actor
    public var target: Finding.Target?
    public var evidence: [Finding.Evidence]
    public var state: Finding.State?
    /// The counted events' id hashes, sorted (see `FindingBuilder.eventHash`).
    public var eventHashes: [UInt64]
    public var unidentified: Int
}

extension FindingBuilder {
    /// The builder as a record for the state file.
    public func record(_ rules: RuleSet) -> FindingRecord {
        FindingRecord(
            id: id, ruleId: rules.rules[ruleIndex].id, title: title, firstTime: first.0, firstSeen: first.1,
            lastTime: last.0, lastSeen: last.1, count: count, account: account, regions: regions, actor: actor,
            target: target, evidence: evidence, state: state, eventHashes: eventHashes.sorted(), unidentified: unidentified)
    }

    /// A builder from a record of an earlier run; nil when the record's rule is not loaded now.
    public init?(record r: FindingRecord, rules: RuleSet) {
        guard let index = rules.index(ofRule: r.ruleId) else { return nil }
        self.init(id: r.id, ruleIndex: index, title: r.title)
        first = (r.firstTime, r.firstSeen)
        last = (r.lastTime, r.lastSeen)
        count = r.count
        account = r.account
        regions = r.regions
        actor = r.actor
        target = r.target
        evidence = r.evidence
        state = r.state
        eventHashes = Set(r.eventHashes)
        unidentified = r.unidentified
    }
}
