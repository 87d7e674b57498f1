import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `scan --state`: incremental runs as a cron job makes them, through the real binary.
@Suite(.serialized) struct StateTests {
    /// A scratch folder with a copy of the demo tree's log files (the given ones, or all).
    struct Tree {
        let root: URL
        let logs: URL
        let state: String
        /// Every demo log file, relative to Fixtures/logs, ordered by the time in its name.
        static let all: [String] = {
            let base = CLI.fixtures.appendingPathComponent("logs")
            var out: [String] = []
            let walker = FileManager.default.enumerator(atPath: base.path)
            while let p = walker?.nextObject() as? String {
                if p.hasSuffix(".json.gz") && !p.contains("Digest") { out.append(p) }
            }
            func stamp(_ p: String) -> String { p.split(separator: "_").dropFirst(3).first.map(String.init) ?? p }
            return out.sorted { (stamp($0), $0) < (stamp($1), $1) }
        }()

        init(_ name: String) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-state-\(name)-\(UUID().uuidString)")
            logs = root.appendingPathComponent("logs")
            state = root.appendingPathComponent("state.db").path
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        }

        func add(_ files: some Sequence<String>, copy: Int = 0) throws {
            for f in files {
                let target = logs.appendingPathComponent(copy == 0 ? f : "copy\(copy)/\(f)")
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("logs").appendingPathComponent(f), to: target)
            }
        }

        func scan(_ extra: [String] = []) throws -> CLI.Result {
            try CLI.run(["scan", logs.path, "--state", state, "--format", "jsonl"] + extra)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    static func findings(_ r: CLI.Result) -> [[String: Any]] {
        r.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    static func ids(_ r: CLI.Result) -> [String] { findings(r).compactMap { $0["id"] as? String } }

    /// The findings of one clean scan of the whole demo tree: id → (count, lastSeen).
    static func clean() throws -> [String: (Int, String)] {
        let r = try CLI.run(["scan", CLI.fixtures.appendingPathComponent("logs").path, "--format", "jsonl"])
        var out: [String: (Int, String)] = [:]
        for f in findings(r) { out[f["id"] as! String] = (f["count"] as! Int, f["lastSeen"] as! String) }
        return out
    }

    @Test func twoRunsOverTheSameTreeWriteEachFindingOnce() throws {
        let tree = try Tree("twice")
        defer { tree.remove() }
        try tree.add(Tree.all)
        let first = try tree.scan()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Set(Self.ids(first)) == Set(try Self.clean().keys))
        #expect(first.stderr.contains("\(Tree.all.count) new file(s) read"))
        let second = try tree.scan()
        #expect(second.status == 0)
        #expect(second.lines.isEmpty)
        #expect(second.stderr.contains("0 new file(s) read, \(Tree.all.count) already read"))
        #expect(second.stderr.contains("already read (state)"))
        // The same events under another path (an organisation trail and an account trail): new files, no new finding.
        try tree.add(Tree.all.prefix(20), copy: 1)
        let third = try tree.scan(["--emit-updates"])
        #expect(third.status == 0)
        #expect(third.lines.isEmpty, "duplicated events changed a finding: \(third.lines)")
    }

    /// Files arriving in three batches — the middle of the period, then its end, then (late) its beginning — give,
    /// with --emit-updates, every finding of one clean run with the same count and last-seen time.
    @Test func lateAndOutOfOrderFilesGiveTheFindingsOfOneCleanRun() throws {
        let tree = try Tree("late")
        defer { tree.remove() }
        let n = Tree.all.count
        let batches = [Array(Tree.all[(n / 3)..<(2 * n / 3)]), Array(Tree.all[(2 * n / 3)...]), Array(Tree.all[..<(n / 3)])]
        var latest: [String: (Int, String)] = [:]
        var newIds: [String] = []
        for (k, batch) in batches.enumerated() {
            try tree.add(batch)
            let r = try tree.scan(["--emit-updates"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("\(batch.count) new file(s) read"), "batch \(k): \(r.stderr)")
            for f in Self.findings(r) {
                let id = f["id"] as! String
                if latest[id] == nil { newIds.append(id) }
                latest[id] = (f["count"] as! Int, f["lastSeen"] as! String)
            }
        }
        let clean = try Self.clean()
        #expect(Set(latest.keys) == Set(clean.keys))
        #expect(newIds.count == Set(newIds).count)
        for (id, value) in clean {
            #expect(latest[id]?.0 == value.0, "finding \(id): count \(latest[id]?.0 ?? -1), clean run \(value.0)")
            #expect(latest[id]?.1 == value.1, "finding \(id): last seen \(latest[id]?.1 ?? "-"), clean run \(value.1)")
        }
        // Without --emit-updates a re-run writes nothing.
        #expect(try tree.scan().lines.isEmpty)
    }

    /// A run killed with SIGKILL at several points, then run again to the end: every finding of one clean run, and
    /// none twice beyond the one a kill may interrupt between writing it and recording it.
    @Test func killedRunsResumeWithNothingLostOrRepeated() throws {
        let tree = try Tree("kill")
        defer { tree.remove() }
        // Copies of the demo files under other paths make the run long enough to interrupt; their events are the
        // same events (same ids), so the findings are the demo's.
        try tree.add(Tree.all)
        for copy in 1...12 { try tree.add(Tree.all, copy: copy) }
        var emitted: [String] = []
        var kills = 0
        for delay in [0.15, 0.4, 0.8, 1.5] {
            let (r, killed) = try CLI.scanKilled(after: delay, logs: tree.logs.path, state: tree.state)
            if killed { kills += 1 }
            emitted += Self.ids(r)
        }
        let last = try tree.scan()
        #expect(last.status == 0, "\(last.stderr)")
        emitted += Self.ids(last)
        #expect(kills >= 1, "the run finished before any kill; make the tree larger")
        #expect(Set(emitted) == Set(try Self.clean().keys))
        let repeats = emitted.count - Set(emitted).count
        #expect(repeats <= kills, "\(repeats) findings written twice after \(kills) kills")
        #expect(try tree.scan().lines.isEmpty)
    }

    @Test func aSecondRunOnTheSameStateFileExitsWithAClearMessage() throws {
        let tree = try Tree("lock")
        defer { tree.remove() }
        try tree.add(Tree.all.prefix(5))
        let fd = open(tree.state + ".lock", O_RDWR | O_CREAT, 0o644)
        #expect(flock(fd, LOCK_EX) == 0)
        let r = try tree.scan()
        #expect(r.status == 2)
        #expect(r.stderr.contains("in use by another trailhound run"))
        let waited = try tree.scan(["--lock-wait", "0.3"])
        #expect(waited.status == 2)
        #expect(waited.stderr.contains("waited"))
        flock(fd, LOCK_UN)
        close(fd)
        #expect(try tree.scan().status == 0)
    }

    @Test func foreignNewerAndDamagedStateFilesAreErrorsNeverReset() throws {
        let tree = try Tree("bad")
        defer { tree.remove() }
        try tree.add(Tree.all.prefix(5))
        // Not SQLite at all.
        try Data("not a database at all, just some text that is long enough".utf8).write(to: URL(fileURLWithPath: tree.state))
        var r = try tree.scan()
        #expect(r.status == 2)
        #expect(r.stderr.contains("not a trailhound state file or is damaged"))
        #expect(try String(contentsOfFile: tree.state, encoding: .utf8).hasPrefix("not a database"))
        try FileManager.default.removeItem(atPath: tree.state)
        // A good one, then a newer schema, then another program's database.
        #expect(try tree.scan().status == 0)
        try python("import sqlite3; c = sqlite3.connect('\(tree.state)'); c.execute(\"UPDATE meta SET value = '7' WHERE key = 'schema_version'\"); c.commit()")
        r = try tree.scan()
        #expect(r.status == 2)
        #expect(r.stderr.contains("newer trailhound (schema 7"))
        let other = tree.root.appendingPathComponent("other.db").path
        try python("import sqlite3; c = sqlite3.connect('\(other)'); c.execute('CREATE TABLE t (x)'); c.commit()")
        r = try CLI.run(["scan", tree.logs.path, "--state", other])
        #expect(r.status == 2)
        #expect(r.stderr.contains("not a trailhound state file; refusing to change it"))
    }

    /// A state file of schema 1 (512-bit Bloom filters per file, paths as given) is migrated on open: its files are
    /// marked as holding unknown keys, its paths made canonical (not read again under another spelling), and later
    /// batches still give every finding of one clean run.
    @Test func schemaOneStateFilesAreMigrated() throws {
        let tree = try Tree("migrate")
        defer { tree.remove() }
        let n = Tree.all.count
        var latest: [String: (Int, String)] = [:]
        func take(_ r: CLI.Result) {
            for f in Self.findings(r) { latest[f["id"] as! String] = (f["count"] as! Int, f["lastSeen"] as! String) }
        }
        try tree.add(Tree.all[(n / 2)...])
        take(try tree.scan(["--emit-updates"]))
        // Turn it into what the previous version wrote: schema 1, a 64-byte filter for every file with keys.
        try python(
            "import sqlite3, os; c = sqlite3.connect('\(tree.state)'); "
                + "c.execute(\"UPDATE meta SET value = '1' WHERE key = 'schema_version'\"); "
                + "[c.execute('UPDATE objects SET keys = ? WHERE path = ?', (os.urandom(64), p)) for (p,) in c.execute('SELECT path FROM objects WHERE keys IS NOT NULL').fetchall()]; "
                + "c.execute('ALTER TABLE objects DROP COLUMN analysed'); "
                + "[c.execute(f\"UPDATE {t} SET {k} = replace({k}, '/logs/', '/logs/./')\") for t, k in [('objects', 'path'), ('signals', 'file'), ('triggers', 'file')]]; "
                + "c.commit()")
        try tree.add(Tree.all[..<(n / 2)])
        let r = try tree.scan(["--emit-updates"])
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("\(n / 2) new file(s) read, \(n - n / 2) already read"), "\(r.stderr)")
        take(r)
        let clean = try Self.clean()
        #expect(Set(latest.keys) == Set(clean.keys))
        for (id, value) in clean { #expect(latest[id]?.0 == value.0, "finding \(id)") }
        let out = Process()
        out.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        out.arguments = ["python3", "-c", "import sqlite3; c = sqlite3.connect('\(tree.state)'); print(c.execute(\"SELECT value FROM meta WHERE key = 'schema_version'\").fetchone()[0], c.execute(\"SELECT count(*) FROM objects WHERE keys = X'FF'\").fetchone()[0], c.execute('SELECT count(*) FROM objects WHERE keys IS NOT NULL AND length(keys) % 4 = 0').fetchone()[0])"]
        let pipe = Pipe()
        out.standardOutput = pipe
        try out.run()
        out.waitUntilExit()
        let fields = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ")
            .map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }
        #expect(fields.count == 3 && fields[0] == 3, "schema: \(fields)")
        #expect(fields.count == 3 && fields[1] > 0, "files migrated to unknown keys: \(fields)")
        #expect(fields.count == 3 && fields[2] > 0, "files with fingerprints: \(fields)")
    }

    @Test func exitCodesCountOnlyNewFindings() throws {
        let tree = try Tree("exit")
        defer { tree.remove() }
        try tree.add(Tree.all)
        #expect(try tree.scan(["--fail-on", "high"]).status == 1)
        // Nothing new: 0, even though high findings are known.
        #expect(try tree.scan(["--fail-on", "high"]).status == 0)
    }

    @Test func containAFindingFromTheStateFile() throws {
        let tree = try Tree("contain")
        defer { tree.remove() }
        try tree.add(Tree.all)
        let gap = try #require(Self.findings(try tree.scan()).first { ($0["rule"] as? [String: Any])?["file"].map { "\($0)".contains("containment_succeeded") } == true })
        let id = gap["id"] as! String
        let r = try CLI.run(["contain", String(id.prefix(10)), "--state", tree.state])
        #expect(r.status == 0, "\(r.stderr)")
        let script = String(decoding: r.stdout, as: UTF8.self)
        #expect(script.hasPrefix("#!/bin/sh"))
        #expect(script.contains("# trailhound containment playbook: IAM user build-bot in 111122223333:"))
        #expect(script.contains("#   \(id) high"))
        #expect(script.contains("aws iam attach-user-policy --user-name build-bot --policy-arn arn:aws:iam::aws:policy/AWSDenyAll"))
        #expect(script.contains("aws iam update-access-key --user-name build-bot --access-key-id AKIAEXAMPLEF5N6ISUMN --status Inactive"))
        #expect(script.contains("# live: ASIAEXAMPLEAIG2NYZIC (GetFederationToken"))
        let missing = try CLI.run(["contain", "0123456789abcdef", "--state", tree.state])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no finding 0123456789abcdef"))
        // Looking up a finding in a state file that is not there is an error, and creates nothing.
        let absent = tree.state + ".absent"
        #expect(try CLI.run(["contain", String(id.prefix(10)), "--state", absent]).status == 2)
        #expect(!FileManager.default.fileExists(atPath: absent))
        #expect(try CLI.run(["contain", id]).status != 0)
    }

    func python(_ code: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", code]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }
}

/// Standard input through a pipe is read twice when the rules need it (states, correlations).
@Suite struct StandardInputTests {
    @Test func statefulRulesWorkOnAPipe() throws {
        let dir = CLI.fixtures.appendingPathComponent("scenarios/quarantine-gap")
        var data = Data()
        let walker = FileManager.default.enumerator(atPath: dir.path)
        var files: [String] = []
        while let p = walker?.nextObject() as? String { if p.hasSuffix(".json.gz") { files.append(p) } }
        for f in files.sorted() { data += try Data(contentsOf: dir.appendingPathComponent(f)) }  // gzip members, concatenated
        let r = try CLI.run(["scan", "-", "--format", "jsonl"], stdin: data)
        #expect(r.status == 0, "\(r.stderr)")
        let files_ = r.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let gap = files_.first { (($0["rule"] as? [String: Any])?["file"] as? String)?.hasSuffix("user_activity_after_containment_succeeded.yml") == true }
        #expect(gap?["count"] as? Int == 3)
        let evidence = gap?["evidence"] as? [[String: Any]] ?? []
        #expect(evidence.allSatisfy { $0["file"] as? String == "-" })
    }
}
