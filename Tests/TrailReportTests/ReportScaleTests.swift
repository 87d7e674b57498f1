import Foundation
import Testing
@testable import TrailDetect
import TrailReader
import TrailReport
import TrailScan

/// The size bound of a big incident: 10,000 findings of 5,000 IAM users whose keys minted 50,000 role sessions (the
/// demo's real findings, cloned onto generated identities). The page stays under `bound`; its size and the time to
/// render it are printed (measured by scripts/bench-report, not asserted).
@Suite struct ReportScaleTests {
    static let bound = 5_000_000
    static let users = 5_000
    static let findings = 10_000
    static let sessionsPerUser = 10

    static func key(_ prefix: String, _ n: Int) -> String {
        prefix + "EXAMPLE" + String(String(n, radix: 36).uppercased().reversed()).padding(toLength: 9, withPad: "Q", startingAt: 0)
    }

    /// The big incident: each generated finding is a demo finding given another user, key and id.
    static func incident() throws -> ([Finding], LineageMap) {
        let templates = try LoadedFindings.scan([repository.appendingPathComponent("Fixtures/logs").path], rules: bundledRules).findings
        var out: [Finding] = []
        out.reserveCapacity(findings)
        for i in 0..<findings {
            let user = i % users
            let t = templates[i % templates.count]
            var actor = Finding.Actor.blank
            actor.type = "IAMUser"
            actor.userName = "user-\(user)"
            actor.arn = "arn:aws:iam::111122223333:user/user-\(user)"
            actor.accessKeyIds = [key("AKIA", user)]
            actor.sourceIPAddresses = t.actor.sourceIPAddresses
            var clone = Finding(
                id: String(format: "%064x", i), rule: t.rule, title: t.title, firstSeen: t.firstSeen, lastSeen: t.lastSeen,
                count: t.count, account: "111122223333", regions: t.regions, actor: actor, target: t.target,
                evidence: t.evidence, evidenceNotListed: t.evidenceNotListed, containment: t.containment)
            clone.state = t.state
            out.append(clone)
        }
        var lineage = LineageMap()
        for user in 0..<users {
            for s in 0..<sessionsPerUser {
                let t = Int64(1_795_000_000 + user * 60 + s)
                lineage.add(CredentialIssuance(
                    api: "AssumeRole", account: "111122223333", childKey: key("ASIA", user * sessionsPerUser + s),
                    parentKey: key("AKIA", user), parentPrincipal: "arn:aws:iam::111122223333:user/user-\(user)",
                    childPrincipal: "arn:aws:sts::111122223333:assumed-role/Admin/s-\(s)", issuedAt: t, expiresAt: t + 3600,
                    eventID: nil))
            }
        }
        return (out, lineage)
    }

    @Test func aBigIncidentStaysUnderTheBound() throws {
        let (findings, lineage) = try Self.incident()
        #expect(Set(findings.map { RootIdentity(of: $0) }).count == Self.users)
        #expect(lineage.count == Self.users * Self.sessionsPerUser)
        let start = Date()
        let report = IncidentReport(
            generatedAt: "2026-12-06T12:00:00Z", findings: findings, lineage: lineage, activity: Activity(),
            run: .init(source: "logs", inputs: ["generated"], summary: RunSummary(), rules: bundledRuleReport, files: []),
            catalog: bundledRules.containment, version: "test")
        let page = report.render()
        let seconds = Date().timeIntervalSince(start)
        let bytes = page.utf8.count
        print("report-scale: \(findings.count) findings, \(Self.users) identities, \(lineage.count) sessions: \(bytes) bytes, rendered in \(String(format: "%.2f", seconds)) s")
        #expect(bytes < Self.bound)
        // Everything is counted even where it is not drawn.
        #expect(page.contains("data-total=\"\(findings.count)\""))
        #expect(page.contains("data-count=\"\(Self.users)\""))
        #expect(page.contains("+\(Self.users - report.limits.verdicts) more identities"))
        #expect(page.contains("+\(Self.sessionsPerUser - report.limits.childrenPerNode) more"))
        if let out = ProcessInfo.processInfo.environment["TRAILHOUND_REPORT_SCALE_OUT"] {
            try page.write(toFile: out, atomically: true, encoding: .utf8)
        }
    }
}
