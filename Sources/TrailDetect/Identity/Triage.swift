/// Findings grouped by the long-lived identity behind them, in triage order: the one model the terminal's triage view,
/// the per-identity summary and the HTML report all draw (one grouping, one order, wherever an analyst looks).
///
/// Order: a group's worst level first (critical before high), then its earliest finding, then the identity itself so
/// that equal groups always print in the same order. Inside a group: level, then first seen, then finding id.
public struct TriageGroup: Sendable, Equatable {
    /// The IAM user whose key minted the sessions, the root user, the Identity Center user, or the actor itself.
    public let root: RootIdentity
    /// The group's findings in triage order.
    public let findings: [Finding]
    /// The worst level among them.
    public let level: SigmaRule.Level
    /// The earliest `firstSeen` and the latest `lastSeen` among them (ISO 8601 text as the logs have it).
    public let firstSeen: String
    public let lastSeen: String

    /// How many findings of each level the group holds, worst first, levels without findings left out.
    public var levelCounts: [(level: SigmaRule.Level, count: Int)] {
        SigmaRule.Level.allCases.reversed().compactMap { level in
            let n = findings.count(where: { $0.level == level })
            return n == 0 ? nil : (level, n)
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.root == b.root && a.findings == b.findings
    }
}

extension Finding {
    /// The rule's level as a value that orders; a level the rule set does not know sorts as informational.
    public var level: SigmaRule.Level { SigmaRule.Level(rawValue: rule.level) ?? .informational }

    /// The triage order of two findings: worse level first, then earlier, then by id (a total order).
    public static func triageOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.level != b.level { return a.level > b.level }
        return (a.firstSeen, a.id) < (b.firstSeen, b.id)
    }
}

public enum Triage {
    /// The findings grouped by `RootIdentity(of:)`, groups and findings in triage order.
    public static func groups(_ findings: [Finding]) -> [TriageGroup] {
        var byRoot: [RootIdentity: [Finding]] = [:]
        for finding in findings { byRoot[RootIdentity(of: finding), default: []].append(finding) }
        let groups = byRoot.map { root, members -> TriageGroup in
            let sorted = members.sorted(by: Finding.triageOrder)
            return TriageGroup(
                root: root, findings: sorted, level: sorted[0].level,
                firstSeen: members.map(\.firstSeen).min()!, lastSeen: members.map(\.lastSeen).max()!)
        }
        return groups.sorted { a, b in
            if a.level != b.level { return a.level > b.level }
            if a.firstSeen != b.firstSeen { return a.firstSeen < b.firstSeen }
            return a.root < b.root
        }
    }
}

extension TriageGroup {
    /// Every access key the group's findings involve (the actors' keys, the keys their sessions were minted from,
    /// the credentials to contain): long-term keys first, then temporary ones, each set sorted.
    public var accessKeyIds: [String] {
        var keys: Set<String> = []
        for f in findings {
            keys.formUnion(f.actor.accessKeyIds)
            keys.formUnion(f.actor.originAccessKeyIds)
            for c in f.credentials ?? [] { keys.insert(c.accessKeyId) }
        }
        return keys.sorted { a, b in
            let (la, lb) = (a.hasPrefix("AKIA"), b.hasPrefix("AKIA"))
            return la != lb ? la : a < b
        }
    }
}

extension Triage {
    /// The shortest prefix of each id, at least `minimum` characters, that no other id in `ids` shares: the id a
    /// person reads in the triage view and passes to `show` or `contain --finding` (as git abbreviates hashes).
    public static func shortIds(_ ids: [String], minimum: Int = 8) -> [String: String] {
        let sorted = Array(Set(ids)).sorted()
        func common(_ a: String, _ b: String) -> Int { zip(a, b).prefix { $0 == $1 }.count }
        var out: [String: String] = [:]
        for (k, id) in sorted.enumerated() {
            var needed = minimum
            if k > 0 { needed = max(needed, common(id, sorted[k - 1]) + 1) }
            if k + 1 < sorted.count { needed = max(needed, common(id, sorted[k + 1]) + 1) }
            out[id] = String(id.prefix(needed))
        }
        return out
    }
}
