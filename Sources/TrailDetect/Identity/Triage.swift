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
