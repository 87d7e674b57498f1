import Foundation
import Testing

@testable import TrailDetect

/// Containment commands are pasted by a responder, and every value in them comes from a log an attacker may have
/// written. Each bundled action is rendered with hostile values in every variable, and the result is run by `sh`
/// and `bash` against a stub `aws` that records its arguments: nothing may run but the stub, once per command.
@Suite struct HostileContainmentTests {
    /// Values a failed call or a tampered log can carry.
    static let payloads: [String] = [
        "$(touch PWNED)", "`touch PWNED`", "x; touch PWNED", "x\ntouch PWNED", "x\rtouch PWNED", "x'; touch PWNED; '",
        "x\"; touch PWNED; \"", "x && touch PWNED", "x | touch PWNED", "TRAILHOUND_EOF\ntouch PWNED\nTRAILHOUND_EOF",
        "<userName>", "bob\u{202E}nimda", "\u{1B}]0;touch PWNED\u{7}", "--endpoint-url=http://127.0.0.1/", "-x", "\\",
        "arn:aws:iam::111122223333:user/$(touch PWNED)", "arn:aws:iam::111122223333:user/a'b;touch PWNED",
        "2026-01-01T00:00:00Z\"}]}; touch PWNED", "%s%n%x", "*", "a b", "",
    ]

    /// Every variable set to `payload` (lists: the payload, then a valid value, so both paths of a for-each run).
    static func values(_ payload: String) -> [String: [String]] {
        var v: [String: [String]] = [:]
        for name in ContainmentAction.variables.keys { v[name] = [payload, valid[name] ?? "AKIAEXAMPLEAAAAAAAAA"] }
        return v
    }

    /// A valid value of every variable.
    static let valid: [String: String] = {
        var v: [String: String] = [:]
        for (name, kind) in ContainmentAction.variables {
            switch kind {
            case .accountId: v[name] = "111122223333"
            case .region: v[name] = "eu-west-1"
            case .iamName, .policyName: v[name] = "alice+ops@example.com"
            case .sessionName, .federatedName: v[name] = "ops-session"
            case .accessKeyId: v[name] = "AKIAEXAMPLEAAAAAAAAA"
            case .identityCenterUserId: v[name] = "906757b8-d0b1-7010-4e04-bd1d2c8dd8f4"
            case .time: v[name] = "2026-11-21T08:00:00Z"
            case .arn: v[name] = "arn:aws:iam::111122223333:policy/ops/Weird$Path'Name"
            case .trailName: v[name] = "org-trail"
            case .bucketName: v[name] = "org-trail-logs"
            case .awsId: v[name] = "p-examplepolicy"
            case .text: v[name] = "ASIAEXAMPLE (GetSessionToken)"
            }
        }
        return v
    }()

    static var catalog: [ContainmentAction] { bundled.0.containment.values.sorted { $0.id < $1.id } }

    @Test(arguments: payloads)
    func playbooksRunNothingButAWS(_ payload: String) throws {
        let script = Playbook(identityType: "IAMUser", values: Self.values(payload), actions: Self.catalog).script(title: payload)
        try Self.expectInert(script)
        let expected = script.split(separator: "\n").filter { $0.hasPrefix("check aws ") || $0.hasPrefix("change aws ") }.count
        for shell in ["/bin/sh", "/bin/bash"] {
            let run = try StubAWS.run(script, shell: shell)
            #expect(!run.pwned, "\(shell): a payload ran: \(payload.debugDescription)")
            #expect(run.status == 0, "\(shell): exit \(run.status): \(run.stderr)")
            #expect(run.calls.count == expected, "\(shell): \(run.calls.count) aws calls for \(expected) commands")
            for call in run.calls { #expect(!call.contains { $0.contains("touch PWNED") && !Self.isWholeValue($0, payload) }) }
        }
    }

    @Test(arguments: payloads)
    func findingCommandsRunNothingButAWS(_ payload: String) throws {
        var lines: [String] = []
        for action in Self.catalog {
            let rendered = action.render(Self.values(payload))
            for step in rendered.steps {
                if let doc = step.document {
                    #expect(doc.file.utf8.allSatisfy(TemplateValue.isPlainByte))
                    // A document holds a refused value only as `<name>`; what it holds is valid JSON when complete.
                    if !doc.content.contains("<") {
                        #expect((try? JSONSerialization.jsonObject(with: Data(doc.content.utf8))) != nil, "\(action.id): \(doc.content)")
                    }
                }
                lines += step.commands
            }
        }
        let script = lines.joined(separator: "\n") + "\n"
        try Self.expectInert(script)
        let expected = lines.filter { !$0.hasPrefix("#") }.count
        #expect(lines.allSatisfy { $0.hasPrefix("#") || $0.hasPrefix("aws ") })
        let run = try StubAWS.run(script, shell: "/bin/bash")
        #expect(!run.pwned, "a payload ran: \(payload.debugDescription)")
        #expect(run.calls.count == expected, "\(run.calls.count) aws calls for \(expected) commands")
    }

    /// The harness can fail: the same payloads pasted raw into a command do run.
    @Test func rawPastingIsCaught() throws {
        let run = try StubAWS.run("aws iam list-access-keys --user-name $(touch PWNED)\n", shell: "/bin/sh")
        #expect(run.pwned)
    }

    /// Valid values reach `aws` exactly, as one argument each, however odd (an ARN with `$` and `'` in its path).
    @Test func validValuesArriveExactly() throws {
        let action = try #require(bundled.0.containment["iam-remove-admin-grant"])
        let v = Self.valid.mapValues { [$0] }
        let script = Playbook(identityType: "IAMUser", values: v, actions: [action]).script(title: "t")
        let run = try StubAWS.run(script, shell: "/bin/sh")
        let detach = try #require(run.calls.first { $0.starts(with: ["iam", "detach-user-policy"]) })
        #expect(detach == ["iam", "detach-user-policy", "--user-name", "alice+ops@example.com", "--policy-arn", Self.valid["policyArn"]!])
    }

    /// A value that fails its grammar is shown, escaped, on a NOT RUN line; a missing one on a FILL IN line.
    @Test func refusedAndMissingValuesAreComments() throws {
        let action = try #require(bundled.0.containment["iam-user-deactivate-keys"])
        let refused = action.render(["userName": ["$(touch PWNED)"], "accessKeyId": ["AKIAEXAMPLEAAAAAAAAA"]])
        let commands = refused.steps.flatMap(\.commands)
        for command in commands where command.contains("user-name") {
            #expect(command.hasPrefix("# NOT RUN: {{userName}} from the logs is \"$(touch PWNED)\", not valid"), "\(command)")
        }
        #expect(commands.contains("aws iam get-access-key-last-used --access-key-id AKIAEXAMPLEAAAAAAAAA"))
        let missing = action.render(["accessKeyId": ["AKIAEXAMPLEAAAAAAAAA"]]).steps.flatMap(\.commands)
        #expect(missing.contains { $0.hasPrefix("# FILL IN <userName> and run: aws iam update-access-key --user-name <userName>") })
        // A value that starts with '-' is joined to its option, so the CLI cannot read it as one.
        let dash = action.render(["userName": ["-bob"], "accessKeyId": ["AKIAEXAMPLEAAAAAAAAA"]]).steps.flatMap(\.commands)
        #expect(dash.contains("aws iam list-access-keys --user-name=-bob"))
    }

    @Test func grammars() {
        #expect(TemplateValueKind.region.accepts("us-gov-west-1") && TemplateValueKind.region.accepts("eu-isoe-west-1"))
        #expect(!TemplateValueKind.region.accepts("us-east-1; x") && !TemplateValueKind.region.accepts("useast1"))
        #expect(TemplateValueKind.accountId.accepts("111122223333") && !TemplateValueKind.accountId.accepts("11112222333"))
        #expect(TemplateValueKind.iamName.accepts("a") && !TemplateValueKind.iamName.accepts(String(repeating: "a", count: 65)))
        #expect(!TemplateValueKind.iamName.accepts("bob\u{202E}") && !TemplateValueKind.iamName.accepts("b\u{e9}b"))
        #expect(!TemplateValueKind.sessionName.accepts("a") && TemplateValueKind.sessionName.accepts("ab"))
        #expect(TemplateValueKind.accessKeyId.accepts("ASIAEXAMPLE00000001") && !TemplateValueKind.accessKeyId.accepts("AKIA-EXAMPLE00001"))
        #expect(TemplateValueKind.identityCenterUserId.accepts("9067abcd12-906757b8-d0b1-7010-4e04-bd1d2c8dd8f4"))
        #expect(!TemplateValueKind.identityCenterUserId.accepts("906757b8-d0b1-7010-4e04-bd1d2c8dd8f"))
        #expect(TemplateValueKind.time.accepts("2026-11-21T08:00:00Z") && TemplateValueKind.time.accepts("2026-11-21T08:00:00.123Z"))
        #expect(!TemplateValueKind.time.accepts("2026-11-21T08:00:00Z\"") && !TemplateValueKind.time.accepts("yesterday"))
        #expect(TemplateValueKind.arn.accepts("arn:aws:iam::aws:policy/AWSDenyAll"))
        #expect(TemplateValueKind.arn.accepts("arn:aws-us-gov:sts::111122223333:assumed-role/R/s"))
        #expect(!TemplateValueKind.arn.accepts("arn:aws:iam::1:user/x") && !TemplateValueKind.arn.accepts("arn:aws:iam::111122223333:user/a b"))
        #expect(TemplateValueKind.trailName.accepts("org-trail") && TemplateValueKind.trailName.accepts("arn:aws:cloudtrail:us-east-1:111122223333:trail/t"))
        #expect(!TemplateValueKind.trailName.accepts("-trail") && !TemplateValueKind.bucketName.accepts("Bucket"))
    }

    /// A catalog entry that puts a value where it cannot be quoted is rejected when it loads.
    @Test func unsafeTemplatesDoNotLoad() {
        func load(_ command: String, document: String? = nil) -> String? {
            let doc = document.map { "\n    document:\n      file: p.json\n      content: '\($0)'" } ?? ""
            let yaml = "id: t\ntitle: t\nwhy: w\nsteps:\n  - title: s\(doc)\n    command: \(command)\n"
            do { _ = try ContainmentAction(yaml: yaml, file: "t.yml"); return nil } catch { return "\(error)" }
        }
        #expect(load("aws iam get-user --user-name {{userName}}") == nil)
        #expect(load("aws x --query \"a[?b=='{{actorArn}}']\"")?.contains("inside quotes") == true)
        #expect(load("aws x --y {{liveCredential}}")?.contains("free text") == true)
        #expect(load("aws x --y {{nope}}")?.contains("unknown variable") == true)
        #expect(load("aws x", document: "{\"a\": {{cutoff}}}")?.contains("inside a JSON string") == true)
    }

    /// Every line printed is one line with no control or bidi character, whatever the values.
    static func expectInert(_ script: String) throws {
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(!line.unicodeScalars.contains(where: InertText.mustEscape), "\(line.debugDescription)")
        }
    }

    static func isWholeValue(_ argument: String, _ payload: String) -> Bool {
        argument == payload || argument.hasSuffix("=" + payload) || argument.hasSuffix(":" + payload)
    }
}

/// Runs a script in a fresh folder with a stub `aws` that records each call's arguments.
enum StubAWS {
    struct Run {
        var status: Int32
        var calls: [[String]]
        var pwned: Bool
        var stderr: String
    }

    static func run(_ script: String, shell: String) throws -> Run {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-stub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("calls.log")
        // The stub is a shell function defined before the script (a function is found before PATH), not a file
        // written and then executed: a file just written can fail to exec ("Text file busy") while another test's
        // process is being forked. One line per call: each argument hex-encoded, so nothing in one can fake a call.
        let stub = """
            aws() {
                for a in "$@"; do printf '%s' "$a" | od -An -tx1 -v | tr -d ' \\n'; printf ' '; done >> "$STUB_LOG"
                printf '\\n' >> "$STUB_LOG"
            }

            """
        try (stub + script).write(to: dir.appendingPathComponent("script.sh"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = ["script.sh"]
        process.currentDirectoryURL = dir
        process.environment = ["PATH": "/usr/bin:/bin", "STUB_LOG": log.path, "HOME": dir.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let calls = text.split(separator: "\n").map { line in
            line.split(separator: " ").map { hex -> String in
                var bytes: [UInt8] = []
                var i = hex.startIndex
                while i < hex.endIndex {
                    let j = hex.index(i, offsetBy: 2)
                    bytes.append(UInt8(hex[i..<j], radix: 16)!)
                    i = j
                }
                return String(decoding: bytes, as: UTF8.self)
            }
        }
        let pwned = FileManager.default.fileExists(atPath: dir.appendingPathComponent("PWNED").path)
        return Run(status: process.terminationStatus, calls: calls, pwned: pwned, stderr: String(decoding: errData, as: UTF8.self))
    }
}
