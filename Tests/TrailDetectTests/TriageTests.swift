import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// The triage grouping every view shares: findings by the identity behind them, worst and earliest first.
@Suite struct TriageTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: IncidentPlaybookTests.invictus.path), "needs ../shared/corpus"))
    func invictusGroupsByTheLeakedKeysUser() throws {
        let findings = IncidentPlaybookTests.scan(IncidentPlaybookTests.invictus)
        let groups = Triage.groups(findings)
        // Nothing lost, nothing counted twice.
        #expect(groups.map(\.findings.count).reduce(0, +) == findings.count)
        #expect(Set(groups.flatMap { $0.findings.map(\.id) }) == Set(findings.map(\.id)))
        // One group per identity; bert-jan's role sessions fall in bert-jan's group.
        #expect(Set(groups.map(\.root)).count == groups.count)
        let bert = try #require(groups.first { $0.root == RootIdentity(account: "123837392027", kind: .iamUser, name: "bert-jan") })
        #expect(bert.findings.contains { $0.actor.type == "AssumedRole" })
        // Groups: worst level first, then earliest; inside a group the same.
        for (a, b) in zip(groups, groups.dropFirst()) {
            #expect(a.level > b.level || (a.level == b.level && a.firstSeen <= b.firstSeen))
        }
        for group in groups {
            #expect(group.level == group.findings.map(\.level).max())
            #expect(group.firstSeen == group.findings.map(\.firstSeen).min())
            for (a, b) in zip(group.findings, group.findings.dropFirst()) { #expect(Finding.triageOrder(a, b)) }
            #expect(group.levelCounts.map(\.count).reduce(0, +) == group.findings.count)
        }
    }

    @Test func orderIsTotalAndStable() throws {
        let findings = IncidentPlaybookTests.scan(repository.appendingPathComponent("Fixtures/logs"))
        #expect(!findings.isEmpty)
        #expect(Triage.groups(findings) == Triage.groups(findings.reversed()))
        #expect(Triage.groups([]).isEmpty)
    }
}
