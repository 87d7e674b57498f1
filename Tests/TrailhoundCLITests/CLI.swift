import Foundation

/// Runs the built `trailhound` binary, as a user would.
enum CLI {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Fixtures")

    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("trailhound")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return repository.appendingPathComponent(".build/debug/trailhound")
    }

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var lines: [String] { String(decoding: stdout, as: UTF8.self).split(separator: "\n").map(String.init) }
        var eventIDs: [String] {
            lines.compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["eventID"] as? String
            }
        }
    }

    /// Runs the binary. `environment`: variables added to this process's; `stdout`: where standard output goes
    /// instead of a pipe read into `Result.stdout` (`/dev/full`, say).
    static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], stdout: FileHandle? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = repository
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe()
        // stderr goes to a file, so neither stream can fill up and block the process while the other is read.
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = stdout ?? out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        try err.close()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        if stdout != nil { try out.fileHandleForWriting.close() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = try Data(contentsOf: errURL)
        return Result(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Rows of a tab-separated fixture file, without its header.
    static func tsv(_ relative: String) throws -> [[String]] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(relative), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// `scan --state` on one thread, SIGKILLed after `delay` seconds if it is still running: what it wrote, and
    /// whether it was killed.
    static func scanKilled(after delay: Double, logs: String, state: String) throws -> (Result, killed: Bool) {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["scan", logs, "--state", state, "--format", "jsonl", "--threads", "1"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(useconds_t(delay * 1_000_000))
        var killed = false
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            killed = true
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (Result(status: process.terminationStatus, stdout: data, stderr: ""), killed)
    }
}
