import Foundation
import Testing

/// The rules are built into the binary: a copy of it anywhere, run from anywhere, has them, and `--rules` and
/// `--rules-home` still work.
@Suite struct EmbeddedRulesTests {
    /// Runs `binary` in `directory` with TRAILHOOUND_RULES removed from the environment.
    func run(_ binary: URL, _ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> CLI.Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["TRAILHOUND_RULES"] = nil
        process.environment = env.merging(environment) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Small outputs here: read stderr after stdout without risk of blocking.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLI.Result(status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A copy of the binary alone in a fresh folder (no rules/ beside or above it).
    func lonelyCopy() throws -> (binary: URL, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-lonely-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let binary = folder.appendingPathComponent("trailhound")
        try FileManager.default.copyItem(at: CLI.binary, to: binary)
        return (binary, folder)
    }

    @Test func aCopiedBinaryRunFromElsewhereHasTheBundledRules() throws {
        let (binary, folder) = try lonelyCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let logs = CLI.fixtures.appendingPathComponent("logs").path
        let copied = try run(binary, ["scan", logs, "--format", "jsonl", "--threads", "1"], in: URL(fileURLWithPath: "/"))
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.lines.count > 5)
        // The same findings as the build tree's binary reading the checkout's rules/ folder.
        let tree = try run(CLI.binary, ["scan", logs, "--format", "jsonl", "--threads", "1", "--rules-home", "rules"], in: CLI.repository)
        #expect(tree.status == 0, "\(tree.stderr)")
        #expect(copied.stdout == tree.stdout)
        // Every rule file and containment action of the checkout is in the binary, and nothing else.
        let embedded = try run(binary, ["rules", "check"], in: folder)
        let fromFolder = try run(CLI.binary, ["rules", "check", "--rules-home", "rules"], in: CLI.repository)
        #expect(embedded.status == 0, "\(embedded.stderr)")
        #expect(String(decoding: embedded.stdout, as: UTF8.self) == String(decoding: fromFolder.stdout, as: UTF8.self))
        let listed = try run(binary, ["rules", "list"], in: folder)
        #expect(String(decoding: listed.stdout, as: UTF8.self).contains("[rules/iam/"))
    }

    @Test func extraRulesAddToTheEmbeddedOnesAndTheirErrorsNameFileAndLine() throws {
        let (binary, folder) = try lonelyCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let extra = folder.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: extra, withIntermediateDirectories: true)
        try """
            title: Console login without MFA, seen by my team
            id: 5f1a7c2e-2d7b-4a51-9f43-0c9c1f7e8a10
            status: experimental
            logsource:
                product: aws
                service: cloudtrail
            detection:
                selection:
                    eventName: ConsoleLogin
                    additionalEventData.MFAUsed: 'No'
                condition: selection
            level: medium
            """.write(to: extra.appendingPathComponent("console_login_without_mfa.yml"), atomically: true, encoding: .utf8)
        let base = try run(binary, ["rules", "list"], in: folder)
        let more = try run(binary, ["rules", "list", "--rules", "mine"], in: folder)
        func loaded(_ r: CLI.Result) -> Int? {
            let text = String(decoding: r.stdout, as: UTF8.self)
            guard let line = text.split(separator: "\n").last(where: { $0.contains("rule files:") }),
                let n = line.split(separator: " ").firstIndex(of: "loaded,").map({ line.split(separator: " ")[$0 - 1] })
            else { return nil }
            return Int(n)
        }
        let before = try #require(loaded(base))
        #expect(before > 50)
        #expect(loaded(more) == before + 1)
        #expect(String(decoding: more.stdout, as: UTF8.self).contains("[mine/console_login_without_mfa.yml]"))

        // A broken extra rule: the error names its file and line; the embedded rules still load.
        try """
            title: Broken
            id: 0b7e3a51-0d3e-4d7a-8c4b-7c1f2a9d6e21
            logsource:
                product: aws
                service: cloudtrail
            detection:
                selection:
                    eventName: CreateUser
                condition: selection and missing_selection
            level: low
            """.write(to: extra.appendingPathComponent("broken.yml"), atomically: true, encoding: .utf8)
        let broken = try run(binary, ["rules", "list", "--rules", "mine"], in: folder)
        #expect(broken.stdout.count > 0)
        let text = String(decoding: broken.stdout, as: UTF8.self) + broken.stderr
        #expect(text.contains("mine/broken.yml:"), "\(text)")
        #expect(loaded(broken) == before + 1)
    }

    @Test func rulesHomeAndTheEnvironmentStillChooseAFolder() throws {
        let (binary, folder) = try lonelyCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = try run(binary, ["rules", "list", "--rules-home", "no-such-folder"], in: folder)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such-folder"))
        let viaEnv = try run(binary, ["rules", "list"], in: folder, environment: ["TRAILHOUND_RULES": folder.path])
        // An empty folder as the rules home: no rules, and the missing policy catalog is an error naming its file.
        #expect(String(decoding: viaEnv.stdout, as: UTF8.self).contains("0 loaded"))
        #expect(String(decoding: viaEnv.stdout, as: UTF8.self).contains("policies/managed.yml"))
    }
}
