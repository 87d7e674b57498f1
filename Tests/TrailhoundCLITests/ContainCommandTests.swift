import Foundation
import Testing

/// `trailhound contain`: the playbook for an identity, as a shell script that is valid and filled in.
@Suite struct ContainCommandTests {
    static let identities: [[String]] = [
        ["--user", "build-bot", "--access-key", "AKIAEXAMPLEF5N6ISUMN"],
        ["--role", "Deploy"],
        ["--federated-user", "maint", "--parent-user", "build-bot"],
        ["--identity-center-user", "9067abcd-1234-5678-9abc-def012345678"],
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
        // The shell accepts it (syntax only; nothing runs).
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("playbook-\(UUID().uuidString).sh")
        defer { try? FileManager.default.removeItem(at: url) }
        try script.write(to: url, atomically: true, encoding: .utf8)
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/bin/sh")
        check.arguments = ["-n", url.path]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
    }

    @Test func valuesAreTheIdentitysOwn() throws {
        let user = String(decoding: try CLI.run(["contain", "--account", "111122223333", "--user", "build-bot", "--access-key", "AKIAEXAMPLEF5N6ISUMN"]).stdout, as: UTF8.self)
        #expect(user.contains("aws iam attach-user-policy --user-name build-bot --policy-arn arn:aws:iam::aws:policy/AWSDenyAll"))
        #expect(user.contains("aws iam update-access-key --user-name build-bot --access-key-id AKIAEXAMPLEF5N6ISUMN --status Inactive"))
        let role = String(decoding: try CLI.run(["contain", "--account", "111122223333", "--role", "Deploy", "--cutoff", "2026-11-21T08:00:00Z"]).stdout, as: UTF8.self)
        #expect(role.contains("put-role-policy --role-name Deploy --policy-name AWSRevokeOlderSessions"))
        #expect(role.contains("\"aws:TokenIssueTime\":\"2026-11-21T08:00:00Z\""))
        #expect(!role.contains("identitystore"))
        let idc = String(decoding: try CLI.run(["contain", "--account", "111122223333", "--identity-center-user", "u-123"]).stdout, as: UTF8.self)
        #expect(idc.contains("u-123"))
        #expect(idc.contains("identitystore:userId") || idc.contains("identitystore:UserId"))
    }

    @Test func wrongUsageExitsTwo() throws {
        #expect(try CLI.run(["contain", "--account", "111122223333"]).status == 2)
        #expect(try CLI.run(["contain", "--account", "1234", "--user", "a"]).status == 2)
        #expect(try CLI.run(["contain", "--account", "111122223333", "--user", "a", "--role", "b"]).status == 2)
        #expect(try CLI.run(["contain", "--account", "111122223333", "--federated-user", "x"]).status == 2)
    }
}
