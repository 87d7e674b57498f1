import Foundation
import Testing

/// `trailhound contain`: the playbook for an identity, as a shell script that is valid and filled in.
@Suite struct ContainCommandTests {
    static let identities: [[String]] = [
        ["--user", "build-bot", "--access-key", "AKIAEXAMPLEF5N6ISUMN"],
        ["--role", "Deploy"],
        ["--federated-user", "maint", "--parent-user", "build-bot"],
        ["--identity-center-user", "906757b8-d0b1-7010-4e04-bd1d2c8dd8f4"],
        ["--root"],
    ]

    @Test(arguments: identities)
    func playbookIsAValidFilledInScript(_ identity: [String]) throws {
        let r = try CLI.run(["contain", "--account", "111122223333", "--cutoff", "2026-11-21T08:00:00Z"] + identity)
        #expect(r.status == 0, "\(r.stderr)")
        let script = String(decoding: r.stdout, as: UTF8.self)
        #expect(script.hasPrefix("#!/bin/sh"))
        #expect(!script.contains("{{"))
        #expect(script.contains("# == 1."))
        #expect(script.contains("aws "))
        #expect(try Self.shellAccepts(script))
    }

    /// Whether `sh -n` accepts the script (syntax only; nothing runs).
    static func shellAccepts(_ script: String) throws -> Bool {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("playbook-\(UUID().uuidString).sh")
        defer { try? FileManager.default.removeItem(at: url) }
        try script.write(to: url, atomically: true, encoding: .utf8)
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/bin/sh")
        check.arguments = ["-n", url.path]
        try check.run()
        check.waitUntilExit()
        return check.terminationStatus == 0
    }

    @Test func valuesAreTheIdentitysOwn() throws {
        let user = String(decoding: try CLI.run(["contain", "--account", "111122223333", "--user", "build-bot", "--access-key", "AKIAEXAMPLEF5N6ISUMN"]).stdout, as: UTF8.self)
        #expect(user.contains("aws iam attach-user-policy --user-name build-bot --policy-arn arn:aws:iam::aws:policy/AWSDenyAll"))
        #expect(user.contains("aws iam update-access-key --user-name build-bot --access-key-id AKIAEXAMPLEF5N6ISUMN --status Inactive"))
        let role = String(decoding: try CLI.run(["contain", "--account", "111122223333", "--role", "Deploy", "--cutoff", "2026-11-21T08:00:00Z"]).stdout, as: UTF8.self)
        #expect(role.contains("put-role-policy --role-name Deploy --policy-name AWSRevokeOlderSessions"))
        #expect(role.contains("\"aws:TokenIssueTime\":\"2026-11-21T08:00:00Z\""))
        #expect(!role.contains("identitystore"))
        let idc = String(decoding: try CLI.run(["contain", "--account", "111122223333", "--identity-center-user", "906757b8-d0b1-7010-4e04-bd1d2c8dd8f4"]).stdout, as: UTF8.self)
        #expect(idc.contains("\"906757b8-d0b1-7010-4e04-bd1d2c8dd8f4\""))
        #expect(idc.contains("identitystore:userId") || idc.contains("identitystore:UserId"))
    }

    @Test func wrongUsageExitsTwo() throws {
        #expect(try CLI.run(["contain", "--account", "111122223333"]).status == 2)
        #expect(try CLI.run(["contain", "--account", "1234", "--user", "a"]).status == 2)
        #expect(try CLI.run(["contain", "--account", "111122223333", "--user", "a", "--role", "b"]).status == 2)
        #expect(try CLI.run(["contain", "--account", "111122223333", "--federated-user", "x"]).status == 2)
        // What the responder types goes into commands too: it must be in AWS's grammar.
        let hostile = try CLI.run(["contain", "--account", "111122223333", "--user", "a;touch PWNED"])
        #expect(hostile.status == 2)
        #expect(hostile.stderr.contains("--user 'a;touch PWNED' is not valid"))
        #expect(try CLI.run(["contain", "--account", "111122223333", "--role", "R", "--region", "us-east-1 x"]).status == 2)
        #expect(try CLI.run(["contain", "--account", "111122223333", "--identity-center-user", "u-123"]).status == 2)
    }

    /// `contain LOGS --finding ID`: the incident's playbook straight from the logs, no state file needed.
    @Test func playbookForAFindingFromTheLogs() throws {
        let logs = CLI.fixtures.appendingPathComponent("logs").path
        let scan = try CLI.run(["scan", logs, "--format", "jsonl"])
        let federated = try #require(scan.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { (($0["rule"] as? [String: Any])?["file"] as? String)?.hasSuffix("federated_session_after_parent_contained.yml") == true })
        let id = try #require(federated["id"] as? String)
        let r = try CLI.run(["contain", logs, "--finding", String(id.prefix(10)), "--cutoff", "2026-11-22T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let script = String(decoding: r.stdout, as: UTF8.self)
        #expect(script.hasPrefix("#!/bin/sh\n# trailhound containment playbook: IAM user build-bot in 111122223333:"))
        #expect(script.contains("#   \(id) high"))
        #expect(script.contains("change aws iam put-user-policy --user-name build-bot --policy-name IR-DenyGetFederationToken"))
        #expect(script.contains("\"aws:TokenIssueTime\":\"2026-11-22T00:00:00Z\""))
        #expect(try Self.shellAccepts(script))
        let missing = try CLI.run(["contain", logs, "--finding", "0123456789abcdef"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no finding 0123456789abcdef in the logs given"))
        #expect(try CLI.run(["contain", logs]).status == 2)
        #expect(try CLI.run(["contain", logs, "--finding", "0123"]).status == 2)
    }
}
