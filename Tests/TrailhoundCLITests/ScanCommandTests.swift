import Foundation
import Testing

/// `trailhound scan` and `trailhound rules` end to end.
@Suite struct ScanCommandTests {
    func findings(_ r: CLI.Result) throws -> [[String: Any]] {
        try r.lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func demoFindingsAreVerifiableAndContained() throws {
        let r = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl"])
        #expect(r.status == 0, "\(r.stderr)")
        let all = try findings(r)
        #expect(all.count >= 5)
        let manifest = try CLI.tsv("logs/manifest.tsv")
        let known = Dictionary(manifest.map { ($0[2], $0) }, uniquingKeysWith: { a, _ in a })
        for f in all {
            let id = try #require(f["id"] as? String)
            #expect(id.count == 32)
            let containment = try #require(f["containment"] as? [[String: Any]])
            #expect(!containment.isEmpty, "finding \(id) has no containment")
            for action in containment {
                let steps = try #require(action["steps"] as? [[String: Any]])
                for step in steps {
                    for command in try #require(step["commands"] as? [String]) { #expect(!command.contains("{{")) }
                }
            }
            // Every piece of evidence points at a real record: its eventID, file and index agree with the manifest.
            for e in try #require(f["evidence"] as? [[String: Any]]) {
                let eventID = try #require(e["eventID"] as? String)
                let row = try #require(known[eventID], "evidence \(eventID) is not in the demo logs")
                #expect((e["file"] as? String)?.hasSuffix(row[0]) == true)
                #expect(e["recordIndex"] as? Int == Int(row[1]))
                #expect(e["eventTime"] as? String == row[3])
            }
        }
        #expect(r.stderr.contains("findings from"))
    }

    /// The planted incident (Fixtures/logs/README.md): each headline finding, contained for its own user and key.
    @Test func demoIncidentHeadlines() throws {
        let r = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl"])
        let all = try findings(r)
        func finding(_ ruleFile: String, actor: String? = nil) throws -> [String: Any] {
            try #require(all.first { f in
                ((f["rule"] as? [String: Any])?["file"] as? String)?.hasSuffix(ruleFile) == true
                    && (actor == nil || (f["actor"] as? [String: Any])?["arn"] as? String == actor)
            }, "no finding from \(ruleFile)")
        }
        func commands(_ f: [String: Any]) -> [String] {
            ((f["containment"] as? [[String: Any]]) ?? []).flatMap { ($0["steps"] as? [[String: Any]] ?? []).flatMap { $0["commands"] as? [String] ?? [] } }
        }
        func actionIDs(_ f: [String: Any]) -> [String] { ((f["containment"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } }

        // build-bot's leaked key minted an admin federation token: contain build-bot, its key, and the session's parent.
        let federation = try finding("sts/sts_federation_token_with_admin_session_policy.yml")
        #expect(commands(federation).contains("aws iam attach-user-policy --user-name build-bot --policy-arn arn:aws:iam::aws:policy/AWSDenyAll"))
        #expect(commands(federation).contains { $0.contains("update-access-key --user-name build-bot --access-key-id AKIA") })
        // The federated session created a backdoor key for a new user: contain that user and its key, and the parent.
        let backdoor = try finding("iam/iam_access_key_created_for_other_user.yml", actor: "arn:aws:sts::111122223333:federated-user/maint")
        let target = try #require(backdoor["target"] as? [String: Any])
        let newKey = try #require((target["accessKeyIds"] as? [String])?.first)
        #expect(commands(backdoor).contains("aws iam update-access-key --user-name support-admin --access-key-id \(newKey) --status Inactive"))
        #expect(commands(backdoor).contains("aws iam attach-user-policy --user-name build-bot --policy-arn arn:aws:iam::aws:policy/AWSDenyAll"))
        #expect(!actionIDs(backdoor).contains("role-revoke-older-sessions"), "role actions do not fit a federated user")
        // AWS quarantined build-bot, and later the quarantine was taken off again.
        let quarantined = try finding("iam/iam_user_quarantined.yml")
        #expect(commands(quarantined).contains { $0.contains("--user-name build-bot") })
        let undone = try finding("iam/iam_user_containment_policy_removed.yml")
        #expect((undone["target"] as? [String: Any])?["userName"] as? String == "build-bot")
        #expect((undone["rule"] as? [String: Any])?["level"] as? String == "high")
    }

    @Test func findingsAreTheSameWhateverTheThreadsAndFileOrder() throws {
        let one = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl", "--threads", "1"])
        let two = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl", "--threads", "2"])
        let manifest = try CLI.tsv("logs/manifest.tsv")
        let files = Array(Set(manifest.map { "Fixtures/logs/" + $0[0] })).sorted().reversed()
        let named = try CLI.run(["scan", "--format", "jsonl", "--threads", "3"] + files)
        #expect(!one.stdout.isEmpty)
        #expect(one.stdout == two.stdout)
        #expect(one.stdout == named.stdout)
    }

    @Test func formatsAndLevels() throws {
        let table = try CLI.run(["scan", "Fixtures/logs", "--format", "table"])
        #expect(table.status == 0)
        let text = String(decoding: table.stdout, as: UTF8.self)
        #expect(text.contains("contain"))
        #expect(text.contains("aws iam"))
        let json = try CLI.run(["scan", "Fixtures/logs", "--format", "json"])
        let array = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]])
        let jsonl = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl"])
        #expect(array.count == jsonl.lines.count)
        let high = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl", "--min-level", "high"])
        let levels = try findings(high).compactMap { ($0["rule"] as? [String: Any])?["level"] as? String }
        #expect(levels.allSatisfy { $0 == "high" || $0 == "critical" })
        #expect(levels.count < jsonl.lines.count)
    }

    @Test func badInputAndBadRulesExitTwo() throws {
        let bad = try CLI.run(["scan", "Fixtures/logs", "Fixtures/malformed/truncated.json.gz", "--format", "jsonl"])
        #expect(bad.status == 2)
        #expect(!bad.stdout.isEmpty)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-cli-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "title: broken\ndetection:\n  sel: [\n".write(to: folder.appendingPathComponent("broken.yml"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["scan", "Fixtures/logs", "--rules", folder.path, "--format", "jsonl"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("broken.yml:"))
        let check = try CLI.run(["rules", "check", "--rules", folder.path])
        #expect(check.status == 1)
    }

    @Test func failOnSetsTheExitStatus() throws {
        #expect(try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl", "--fail-on", "high"]).status == 1)
        #expect(try CLI.run(["scan", "Fixtures/formats/delivery.json", "--format", "jsonl", "--fail-on", "critical"]).status == 0)
        #expect(try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl"]).status == 0)
        // Input errors take precedence: 2, findings still written.
        let both = try CLI.run(["scan", "Fixtures/logs", "Fixtures/malformed/truncated.json.gz", "--format", "jsonl", "--fail-on", "low"])
        #expect(both.status == 2)
        #expect(!both.stdout.isEmpty)
        #expect(try CLI.run(["scan", "Fixtures/logs", "--fail-on", "severe"]).status == 2)
    }

    @Test func rulesCommands() throws {
        let test = try CLI.run(["rules", "test"])
        #expect(test.status == 0, "\(String(decoding: test.stdout, as: UTF8.self))")
        #expect(String(decoding: test.stdout, as: UTF8.self).contains("0 failed"))
        let check = try CLI.run(["rules", "check"])
        #expect(check.status == 0, "\(String(decoding: check.stdout, as: UTF8.self))")
        let list = try CLI.run(["rules", "list"])
        #expect(list.status == 0)
        #expect(list.lines.count > 10)
    }
}
