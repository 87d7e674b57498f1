import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Findings that could not be written (a full disk, a closed pipe, a file-size limit) exit 2 with a message, and with
/// `--state` are not recorded as written: the next run writes them.
@Suite(.serialized) struct WriteFailureTests {
    static let logs = CLI.fixtures.appendingPathComponent("logs").path

    /// Every clean finding, by id, from the run that failed to write and the next one.
    func expectNextRunWritesEverything(_ tree: StateTests.Tree, failed: CLI.Result, sink: String) throws {
        #expect(failed.status == 2, "\(sink): exit \(failed.status)")
        let next = try tree.scan()
        #expect(next.status == 0, "\(next.stderr)")
        let clean = Set(try StateTests.clean().keys)
        let all = StateTests.ids(failed) + StateTests.ids(next)
        #expect(Set(all) == clean, "\(sink): missing \(clean.subtracting(all).sorted())")
        #expect(all.count == Set(all).count, "\(sink): written twice")
        #expect(try tree.scan().lines.isEmpty)
    }

    @Test func standardOutputOnAFullDeviceExitsTwo() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let r = try CLI.run(["scan", Self.logs, "--format", "jsonl"], stdout: full)
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot write the findings to standard output: No space left on device"), "\(r.stderr)")
        for format in ["table", "json", "csv"] {
            let t = try CLI.run(["scan", Self.logs, "--format", format], stdout: full)
            #expect(t.status == 2, "\(format)")
        }
    }

    @Test(arguments: ["jsonl", "json"])
    func aFullDeviceWithStateRecordsNothingAsWritten(_ format: String) throws {
        let tree = try StateTests.Tree("full-\(format)")
        defer { tree.remove() }
        try tree.add(StateTests.Tree.all)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let r = try CLI.run(["scan", tree.logs.path, "--state", tree.state, "--format", format, "--fail-on", "high"], stdout: full)
        #expect(r.status == 2, "a failed write is an error even with new high findings")
        #expect(r.stderr.contains("not written (left for the next run)"), "\(r.stderr)")
        try expectNextRunWritesEverything(tree, failed: r, sink: "/dev/full")
    }

    /// With nothing new, a whole-document format is still written (`[]`), and a failure to write it is still an error.
    @Test func aDocumentWithNothingNewIsWrittenAndChecked() throws {
        let tree = try StateTests.Tree("empty-doc")
        defer { tree.remove() }
        try tree.add(StateTests.Tree.all.prefix(5))
        #expect(try tree.scan().status == 0)
        let again = try tree.scan(["--format", "json"])
        #expect(again.status == 0)
        #expect((try JSONSerialization.jsonObject(with: again.stdout) as? [Any])?.isEmpty == true)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let r = try CLI.run(["scan", tree.logs.path, "--state", tree.state, "--format", "json"], stdout: full)
        #expect(r.status == 2, "\(r.stderr)")
    }

    /// `| head -c 100`: the reader goes away. What went into the pipe before counts as written; the rest waits.
    @Test func aClosedPipeWithStateLeavesTheRestForTheNextRun() throws {
        let tree = try StateTests.Tree("pipe")
        defer { tree.remove() }
        try tree.add(StateTests.Tree.all)
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let r = try CLI.run(["scan", tree.logs.path, "--state", tree.state, "--format", "jsonl"], stdout: pipe.fileHandleForWriting)
        try pipe.fileHandleForWriting.close()
        #expect(r.stderr.contains("Broken pipe"), "\(r.stderr)")
        try expectNextRunWritesEverything(tree, failed: r, sink: "closed pipe")
    }

    /// `--output` that cannot be written (its folder is missing): nothing recorded, the next run writes it all.
    @Test func anOutputFileThatCannotBeWrittenRecordsNothing() throws {
        let tree = try StateTests.Tree("output")
        defer { tree.remove() }
        try tree.add(StateTests.Tree.all)
        let missing = tree.root.appendingPathComponent("no/such/folder/out.jsonl").path
        let r = try tree.scan(["--output", missing])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot write"), "\(r.stderr)")
        let out = tree.root.appendingPathComponent("out.jsonl").path
        let ok = try tree.scan(["--output", out])
        #expect(ok.status == 0, "\(ok.stderr)")
        let written = CLI.Result(status: 0, stdout: try Data(contentsOf: URL(fileURLWithPath: out)), stderr: "")
        #expect(Set(StateTests.ids(written)) == Set(try StateTests.clean().keys))
        #expect(StateTests.ids(written).count == Set(StateTests.ids(written)).count)
        #expect(try tree.scan().lines.isEmpty)
    }

    /// A file-size limit (as a full disk would) stops the write of `--output`: exit 2, the old file as it was.
    @Test func aFileSizeLimitOnTheOutputExitsTwoAndKeepsTheOldFile() throws {
        let tree = try StateTests.Tree("fsize")
        defer { tree.remove() }
        try tree.add(StateTests.Tree.all)
        let out = tree.root.appendingPathComponent("out.jsonl").path
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: out))
        let errors = tree.root.appendingPathComponent("stderr").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [
            "-c", "ulimit -f 8; exec \"$0\" \"$@\" 2> \(errors)", CLI.binary.path, "scan", tree.logs.path, "--format", "jsonl",
            "--output", out,
        ]
        try p.run()
        p.waitUntilExit()
        let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == 2, "\(stderr)")
        #expect(stderr.contains("File too large"), "\(stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "old\n")
    }
}
