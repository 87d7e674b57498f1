import Foundation
import Testing
import TrailDetect
import TrailReader
import TrailReport

/// What the report shows, checked against the findings it was made from.
@Suite struct ReportContentTests {
    static let demo = repository.appendingPathComponent("Fixtures/logs").path
    static let invictus = repository.deletingLastPathComponent().appendingPathComponent("shared/corpus/invictus-ir-aws_dataset")

    @Test func cardsVerdictsAndFindingsAccountForEveryFinding() throws {
        let (report, page) = report([Self.demo])
        #expect(!report.findings.isEmpty)
        for level in SigmaRule.Level.allCases {
            let n = report.findings.count(where: { $0.level == level })
            #expect(page.contains("data-level=\"\(level.rawValue)\" data-count=\"\(n)\""))
        }
        // Every finding has its section with its evidence; verdicts come in triage order.
        for f in report.findings {
            #expect(page.contains("data-finding=\"\(f.id)\""))
            if let id = f.evidence.first?.eventID { #expect(page.contains(id)) }
        }
        let groups = Triage.groups(report.findings)
        let positions = groups.map { g in page.range(of: "<b>\(HTML.escape(g.root.title))</b>")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(page.occurrences(of: "<details class=\"identity\"") == groups.count)
        // The run record names what was read.
        #expect(page.contains("\(report.run.summary.filesRead) read"))
        #expect(page.contains("\(bundledRuleReport.loaded) loaded"))
    }

    @Test func timelinesCountTheCallsOfTheIdentityAndItsSessions() throws {
        let (report, page) = report([Self.demo])
        let buildBot = RootIdentity(account: "111122223333", kind: .iamUser, name: "build-bot")
        let calls = report.activity.callsPerSlot[buildBot] ?? [:]
        // build-bot's own key and the federation token it minted both count.
        #expect(calls.values.reduce(0, +) > 10)
        #expect(report.activity.attributed <= report.activity.events)
        #expect(page.occurrences(of: "<svg id=\"tl-") == Triage.groups(report.findings).count)
        // The quarantine the demo's responders attached shows as a containment event.
        let all = report.activity.containment.values.flatMap { $0 }
        #expect(all.contains { $0.kind == .quarantine || $0.kind == .keyDeactivated })
        #expect(page.contains("class=\"cont\""))
    }

    @Test func lineageDrawsWhatTheLeakedKeyMinted() throws {
        let (report, page) = report([Self.demo])
        let groups = Triage.groups(report.findings)
        let index = try #require(groups.firstIndex { $0.root.name == "build-bot" })
        let svg = try #require(page.firstMatch(of: try Regex("(?s)<svg id=\"lg-\(index)\".*?</svg>")))
        let text = String(svg.output[0].substring ?? "")
        #expect(text.contains("long-term key"))
        #expect(text.contains("GetFederationToken"))
        #expect(text.contains("key for user support-admin"))
        #expect(text.contains("⚑"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: invictus.path), "needs ../shared/corpus"))
    func aRealIncidentStaysReadableAndBounded() throws {
        var limits = IncidentReport.Limits()
        limits.lineageNodes = 25
        let (report, page) = report([Self.invictus.path], limits: limits)
        #expect(!report.findings.isEmpty)
        let bert = try #require(Triage.groups(report.findings).firstIndex { $0.root.name == "bert-jan" })
        let svg = try #require(page.firstMatch(of: try Regex("(?s)<svg id=\"lg-\(bert)\".*?</svg>")))
        let text = String(svg.output[0].substring ?? "")
        #expect(text.occurrences(of: "<rect") <= 25)
        #expect(text.contains("AssumeRole") || text.contains("GetSessionToken") || text.contains("GetFederationToken"))
    }
}
