import Foundation
import Testing

/// The triage view of `scan` on a terminal, and `show ID` for one finding in full.
@Suite struct TriageCommandTests {
    static let logs = CLI.fixtures.appendingPathComponent("logs").path
    static let invictus = CLI.repository.deletingLastPathComponent().appendingPathComponent("shared/corpus/invictus-ir-aws_dataset")

    static func findings(_ r: CLI.Result) throws -> [[String: Any]] {
        try r.lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    static let levels = ["informational", "low", "medium", "high", "critical"]
    /// How the triage view names each level, in the same order.
    static let shown = ["INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"]

    /// One line per finding, under its identity, worst first; every finding's short id is one `show` accepts.
    @Test func triageViewOfTheDemo() throws {
        let all = try Self.findings(try CLI.run(["scan", Self.logs, "--format", "jsonl"]))
        let r = try CLI.run(["scan", Self.logs, "--format", "triage"])
        #expect(r.status == 0, "\(r.stderr)")
        let text = String(decoding: r.stdout, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("\(all.count) findings for "))
        #expect(!text.contains("\u{1B}"), "no colour on a pipe")
        // A finding line: two spaces, the level in capitals, its time, its short id, its count, its title.
        let findingLines = lines.filter { line in Self.shown.contains { line.hasPrefix("  \($0) ") } }
        #expect(findingLines.count == all.count)
        #expect(lines.count < all.count + 4 * 10 + 8, "one line per finding plus a few per identity")
        for f in all {
            let id = try #require(f["id"] as? String)
            let title = try #require(f["title"] as? String)
            let line = try #require(findingLines.first { $0.hasSuffix("  \(title)") && $0.contains(" \(id.prefix(8))") }, "no line for \(title)")
            let level = try #require((f["rule"] as? [String: Any])?["level"] as? String)
            #expect(line.hasPrefix("  \(Self.shown[try #require(Self.levels.firstIndex(of: level))]) "))
            #expect(line.contains(try #require(f["firstSeen"] as? String)))
        }
        // Groups: a header naming the identity; inside a group, levels never get worse going down.
        #expect(text.contains("IAM user build-bot in 111122223333"))
        var previous = Int.max
        for line in lines {
            if let k = Self.shown.firstIndex(where: { line.hasPrefix("  \($0) ") }) {
                #expect(k <= previous, "\(line) after a lower level in the same group")
                previous = k
            } else if !line.hasPrefix("  ") {
                previous = Int.max
            }
        }
        #expect(text.contains("trailhound show "))
        #expect(text.contains("trailhound contain LOGS… --finding "))
    }

    @Test func colourOnlyWhenAsked() throws {
        let always = try CLI.run(["scan", Self.logs, "--format", "triage", "--color", "always"])
        let coloured = String(decoding: always.stdout, as: UTF8.self)
        #expect(coloured.contains("\u{1B}[1;31mHIGH"))
        let never = try CLI.run(["scan", Self.logs, "--format", "triage", "--color", "never"])
        #expect(!String(decoding: never.stdout, as: UTF8.self).contains("\u{1B}"))
        // Without the colour sequences, the same text.
        let stripped = coloured.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == String(decoding: never.stdout, as: UTF8.self))
        let auto = try CLI.run(["scan", Self.logs, "--format", "triage", "--color", "auto"], environment: ["NO_COLOR": "1"])
        #expect(!String(decoding: auto.stdout, as: UTF8.self).contains("\u{1B}"))
        #expect(try CLI.run(["scan", Self.logs, "--color", "sometimes"]).status == 2)
    }

    /// `show`: one finding in full, from logs or a state file, by a unique prefix.
    @Test func showOneFinding() throws {
        let all = try Self.findings(try CLI.run(["scan", Self.logs, "--format", "jsonl"]))
        let federated = try #require(all.first {
            (($0["rule"] as? [String: Any])?["file"] as? String)?.hasSuffix("sts_federation_token_with_admin_session_policy.yml") == true
        })
        let id = try #require(federated["id"] as? String)
        let r = try CLI.run(["show", String(id.prefix(8)), Self.logs])
        #expect(r.status == 0, "\(r.stderr)")
        let text = String(decoding: r.stdout, as: UTF8.self)
        #expect(text.contains("finding     \(id)"))
        for section in ["Actor", "Evidence", "Containment"] { #expect(text.contains("\n\(section)\n"), "\(section)") }
        #expect(text.contains("identity    IAM user build-bot in 111122223333"))
        for e in try #require(federated["evidence"] as? [[String: Any]]) {
            let eventID = try #require(e["eventID"] as? String)
            let record = try #require(e["recordIndex"] as? Int)
            #expect(text.contains("\(eventID)  ") && text.contains("record \(record)"), "evidence \(eventID)")
        }
        #expect(text.contains("aws iam attach-user-policy --user-name build-bot --policy-arn arn:aws:iam::aws:policy/AWSDenyAll"))
        for technique in (federated["rule"] as? [String: Any])?["techniques"] as? [String] ?? [] { #expect(text.contains(technique)) }
        // A finding by the federated session: its lineage back to build-bot's key.
        let backdoor = try #require(all.first { f in
            let actor = f["actor"] as? [String: Any]
            return actor?["arn"] as? String == "arn:aws:sts::111122223333:federated-user/maint"
                && (actor?["originAccessKeyIds"] as? [String])?.isEmpty == false
        })
        let shown = try CLI.run(["show", try #require(backdoor["id"] as? String), Self.logs])
        let lineage = String(decoding: shown.stdout, as: UTF8.self)
        #expect(lineage.contains("\nLineage\n"))
        let origin = try #require(((backdoor["actor"] as? [String: Any])?["originAccessKeyIds"] as? [String])?.first)
        #expect(lineage.contains("origin keys \(origin)"))
        #expect(lineage.contains("origin user build-bot"))
        #expect(lineage.contains("(GetFederationToken) ← \(origin)"))
        // JSON: the finding as scan writes it.
        let json = try CLI.run(["show", id, Self.logs, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        #expect(object["id"] as? String == id)
    }

    @Test func showRejectsUnknownShortAndMissing() throws {
        let unknown = try CLI.run(["show", "0123456789abcdef", Self.logs])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no finding 0123456789abcdef in the logs given"))
        let short = try CLI.run(["show", "0123", Self.logs])
        #expect(short.status == 2)
        #expect(short.stderr.contains("at least 8 characters"))
        #expect(try CLI.run(["show", "0123456789abcdef"]).status == 2)
        let noState = try CLI.run(["show", "0123456789abcdef", "--state", "/nonexistent/state.db"])
        #expect(noState.status == 2)
        #expect(noState.stderr.contains("no state file /nonexistent/state.db"))
    }

    /// A cron user's findings, from the state file.
    @Test func showFromState() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-show-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let state = root.appendingPathComponent("state.db").path
        let scan = try CLI.run(["scan", Self.logs, "--state", state, "--format", "jsonl"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let all = try Self.findings(scan)
        let first = try #require(all.first)
        let id = try #require(first["id"] as? String)
        let fromState = try CLI.run(["show", String(id.prefix(12)), "--state", state])
        #expect(fromState.status == 0, "\(fromState.stderr)")
        let fromLogs = try CLI.run(["show", id, Self.logs])
        #expect(fromState.stdout == fromLogs.stdout)
        #expect(try CLI.run(["show", id, Self.logs, "--state", state]).status == 2)
    }

    /// The real capture: a screen or two instead of a thousand lines, every finding listed.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: invictus.path), "needs ../shared/corpus"))
    func triageOfInvictusFitsAScreen() throws {
        let all = try CLI.run(["scan", Self.invictus.path, "--format", "jsonl"])
        let triage = try CLI.run(["scan", Self.invictus.path, "--format", "triage"])
        let count = all.lines.count
        #expect(count > 0)
        #expect(triage.lines.count < count + 40)
        let table = try CLI.run(["scan", Self.invictus.path, "--format", "table"])
        #expect(table.lines.count > triage.lines.count)
    }
}
