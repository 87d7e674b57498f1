import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// The stateful and correlation rules against the scenario fixtures (Fixtures/scenarios, written by
/// `scripts/ctgen.py fixtures`): each scenario's expected.json names, for each such rule, the findings it must give —
/// their evidence event ids and the event that opened the state. Every other finding of those rules is a failure, so
/// the negative scenarios (which expect none) check that nothing fires.
@Suite struct ScenarioTests {
    static let folder = repository.appendingPathComponent("Fixtures/scenarios")
    static let names: [String] = (try? FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()) ?? []

    struct Expected: Decodable {
        struct Item: Decodable {
            let rule: String
            let evidence: [String]
            let opened: String?
        }
        let findings: [Item]
    }

    /// A finding reduced to what the fixtures state: rule name, evidence ids, opening event.
    struct Seen: Hashable, CustomStringConvertible {
        let rule: String
        let evidence: [String]
        let opened: String?
        var description: String { "\(rule) evidence \(evidence) opened \(opened ?? "-")" }
    }

    static func scan(_ paths: [String], threads: Int = 1) -> Analysis.Result {
        var options = ReaderOptions()
        options.threads = threads
        let discovery = Discovery(options: options).discover(paths)
        return Analysis.run(discovery.files, rules: bundled.0, using: ParallelReader(options: options)) { _ in }
    }

    static func stateful(_ findings: [Finding]) -> [Seen] {
        let byId = Dictionary(uniqueKeysWithValues: bundled.0.rules.map { ($0.id, $0) })
        return findings.compactMap { f in
            guard let rule = byId[f.rule.id], !rule.isPerEvent else { return nil }
            return Seen(
                rule: rule.name ?? rule.id, evidence: f.evidence.compactMap(\.eventID).sorted(),
                opened: f.state?.opened?.eventID)
        }
    }

    @Test func everyStatefulRuleHasAScenario() throws {
        var covered = Set<String>()
        for name in Self.names {
            let data = try Data(contentsOf: Self.folder.appendingPathComponent(name).appendingPathComponent("expected.json"))
            for item in try JSONDecoder().decode(Expected.self, from: data).findings {
                covered.insert(String(item.rule.split(separator: "#")[0]))
            }
        }
        let stateful = bundled.0.rules.filter { !$0.isPerEvent }.map { $0.name ?? $0.id }
        #expect(!stateful.isEmpty)
        for rule in stateful { #expect(covered.contains(rule), "no scenario gives a finding of \(rule)") }
        #expect(Self.names.filter { $0.hasPrefix("negative-") }.count >= 3)
    }

    @Test(arguments: names)
    func scenario(_ name: String) throws {
        let dir = Self.folder.appendingPathComponent(name)
        let data = try Data(contentsOf: dir.appendingPathComponent("expected.json"))
        let expected = try JSONDecoder().decode(Expected.self, from: data).findings.map {
            Seen(rule: String($0.rule.split(separator: "#")[0]), evidence: $0.evidence.sorted(), opened: $0.opened)
        }
        let result = Self.scan([dir.path])
        let seen = Self.stateful(result.findings)
        #expect(Set(seen) == Set(expected), "\(name): got \(seen.sorted { $0.description < $1.description })")
        #expect(seen.count == expected.count)
        if name.hasPrefix("negative-") { #expect(seen.isEmpty) }
    }

    /// Every finding carries what a responder needs to verify it: the opening event for states, and evidence that
    /// names a file and record.
    @Test func findingsOfStatesNameTheirOpeningAndCloseEvents() throws {
        let result = Self.scan([Self.folder.appendingPathComponent("quarantine-gap").path])
        let gap = try #require(result.findings.first { $0.rule.file.hasSuffix("user_activity_after_containment_succeeded.yml") })
        #expect(gap.rule.level == "high")
        let state = try #require(gap.state)
        #expect(state.kind == "inside")
        #expect(state.opened?.eventName == "AttachUserPolicy")
        #expect(state.key == "111122223333/user/etl-bot")
        #expect(gap.evidence.allSatisfy { $0.file.hasSuffix(".json.gz") && $0.eventID != nil })
        // The role session the key assumed before the quarantine is attributed to the user through lineage.
        #expect(gap.evidence.contains { $0.eventName == "GetObject" })
        // Containment lists every live credential: the long-term key and the role session it minted.
        let creds = try #require(gap.credentials)
        #expect(creds.contains { $0.kind == "long-term" && $0.accessKeyId.hasPrefix("AKIA") })
        #expect(creds.contains { $0.kind == "temporary" && $0.mintedBy == "AssumeRole" })
        let denyAll = try #require(gap.containment.first { $0.id == "iam-user-deny-all" })
        #expect(denyAll.steps.flatMap(\.commands).contains { $0.contains("--user-name etl-bot") })
        #expect(denyAll.steps.flatMap(\.commands).contains { $0.hasPrefix("# live: ASIA") })
        let denied = try #require(result.findings.first { $0.rule.file.hasSuffix("user_activity_after_containment_denied.yml") })
        #expect(denied.containment.contains { $0.id == "iam-user-deactivate-keys" })
        #expect(denied.containment.flatMap { $0.steps.flatMap(\.commands) }.contains { $0.contains("etl-bot") })
    }

    @Test func reassumptionNamesTheOriginCredential() throws {
        let result = Self.scan([Self.folder.appendingPathComponent("role-revoked-reassumed").path])
        let f = try #require(result.findings.first { $0.rule.file.hasSuffix("role_reassumed_after_revocation.yml") })
        #expect(f.title.contains("AppAdmin"))
        #expect(f.title.contains("AKIA"))
        #expect(f.containment.contains { $0.id == "iam-user-deactivate-keys" })
    }

    @Test func absenceWaitsForTheLogsToCoverItsWindow() throws {
        // Only the files up to 15:30 (the removal at 15:10 plus 20 minutes): the hour has not passed, so no finding.
        let dir = Self.folder.appendingPathComponent("permissions-removed-keys-active")
        var options = ReaderOptions()
        options.until = Timestamp.parse("2026-11-24T15:30:00Z")
        let discovery = Discovery(options: options).discover([dir.path])
        let result = Analysis.run(discovery.files, rules: bundled.0, using: ParallelReader(options: options)) { _ in }
        #expect(Self.stateful(result.findings).isEmpty)
        #expect(result.pendingAbsences >= 1)
    }

    @Test func correlationCountsPerGroup() throws {
        let result = Self.scan([Self.folder.appendingPathComponent("access-denied-burst").path])
        let bursts = result.findings.filter { $0.rule.file.hasSuffix("credential_access_denied_burst.yml") }
        #expect(bursts.count == 1)
        #expect(bursts.first?.count == 12)
        #expect(bursts.first?.state?.measure?.hasPrefix("event_count: 12 events") == true)
        #expect(bursts.first?.actor.userName == "analytics-ro")
    }

    /// The same findings, byte for byte, whatever the order the scenario folders and files are named in and the
    /// thread count.
    @Test func findingsDoNotDependOnOrderOrThreads() throws {
        let dirs = Self.names.map { Self.folder.appendingPathComponent($0).path }
        var files: [String] = []
        for d in dirs {
            let walker = FileManager.default.enumerator(atPath: d)
            while let p = walker?.nextObject() as? String { if p.hasSuffix(".json.gz") { files.append(d + "/" + p) } }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func render(_ r: Analysis.Result) throws -> Data { try encoder.encode(r.findings) }
        let reference = try render(Self.scan(dirs, threads: 1))
        // A fixed order unrelated to time or folders: by the path read backwards.
        let shuffled = files.sorted { String($0.reversed()) < String($1.reversed()) }
        #expect(try render(Self.scan(Array(dirs.reversed()), threads: 4)) == reference)
        #expect(try render(Self.scan(shuffled, threads: 1)) == reference)
        #expect(try render(Self.scan(shuffled, threads: 3)) == reference)
        #expect(try render(Self.scan(files.reversed(), threads: 2)) == reference)
    }
}
