import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What `scan --state` records about its input: filters do not hide findings from later runs, files that could not
/// be read are read again, a folder named another way is the same folder, and a damaged state file is an error.
@Suite(.serialized) struct StateInputTests {
    typealias Tree = StateTests.Tree

    /// id → count, the last written of each.
    static func counts(_ results: [CLI.Result]) -> [String: Int] {
        var out: [String: Int] = [:]
        for r in results { for f in StateTests.findings(r) { out[f["id"] as! String] = f["count"] as? Int } }
        return out
    }

    static func expectClean(_ results: [CLI.Result], _ what: String) throws {
        let clean = try StateTests.clean()
        let got = counts(results)
        #expect(Set(got.keys) == Set(clean.keys), "\(what): missing \(Set(clean.keys).subtracting(got.keys).sorted())")
        for (id, value) in clean { #expect(got[id] == value.0, "\(what): finding \(id) count \(got[id] ?? -1), clean run \(value.0)") }
    }

    /// Findings below --min-level are not written and stay waiting; a run without it writes them. Only what was
    /// written counts for --fail-on.
    @Test func findingsBelowMinLevelWaitForARunThatShowsThem() throws {
        let tree = try Tree("minlevel")
        defer { tree.remove() }
        try tree.add(Tree.all)
        let high = try tree.scan(["--min-level", "high"])
        #expect(high.status == 0, "\(high.stderr)")
        let levels = Set(StateTests.findings(high).compactMap { ($0["rule"] as? [String: Any])?["level"] as? String })
        #expect(levels.isSubset(of: ["high", "critical"]) && !levels.isEmpty, "\(levels)")
        // Nothing at or above medium that was not written: a medium --fail-on with --min-level critical does not fail.
        let critical = try tree.scan(["--min-level", "critical", "--fail-on", "medium"])
        #expect(critical.status == 0, "\(critical.stderr)")
        #expect(critical.lines.isEmpty)
        let rest = try tree.scan()
        #expect(rest.status == 0)
        #expect(Set(StateTests.ids(high)).isDisjoint(with: StateTests.ids(rest)))
        try Self.expectClean([high, rest], "--min-level high, then none")
        #expect(try tree.scan().lines.isEmpty)
    }

    /// Files read under --since with records before it are read again by a run without it; earlier files are
    /// checked again against the states such a run saw.
    @Test(arguments: [["--since", "2026-11-21T12:00:00Z"], ["--until", "2026-11-21T12:00:00Z"], ["--account", "111122223333"]])
    func eventFiltersDoNotHideFindingsFromALaterRun(_ filter: [String]) throws {
        let tree = try Tree("filter")
        defer { tree.remove() }
        try tree.add(Tree.all)
        let filtered = try tree.scan(filter)
        #expect(filtered.status == 0, "\(filtered.stderr)")
        let full = try tree.scan(["--emit-updates"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(!full.stderr.contains(" 0 new file(s) read"), "\(full.stderr)")
        try Self.expectClean([filtered, full], "\(filter) then none")
        #expect(try tree.scan(["--emit-updates"]).lines.isEmpty)
    }

    /// A file that could not be read, then came back as it was (same size and modification time: a sync that
    /// restored it) is read again: its findings are not lost.
    @Test func aFileThatFailedIsReadAgainEvenWithTheSameStamp() throws {
        let tree = try Tree("failed")
        defer { tree.remove() }
        try tree.add(Tree.all)
        // A file holding evidence of a high finding.
        let clean = try CLI.run(["scan", CLI.fixtures.appendingPathComponent("logs").path, "--format", "jsonl"])
        let high = try #require(StateTests.findings(clean).first { ($0["rule"] as? [String: Any])?["level"] as? String == "high" })
        let evidence = try #require((high["evidence"] as? [[String: Any]])?.first?["file"] as? String)
        let relative = String(evidence[evidence.range(of: "/logs/")!.upperBound...])
        let path = tree.logs.appendingPathComponent(relative).path
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var st = stat()
        #expect(stat(path, &st) == 0)
        var times = [st.st_atim, st.st_mtim]
        // Damaged in place, same size and time.
        var damaged = original
        for k in 10..<min(damaged.count, 200) { damaged[k] ^= 0xFF }
        try damaged.write(to: URL(fileURLWithPath: path))
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let first = try tree.scan()
        #expect(first.status == 2)
        try original.write(to: URL(fileURLWithPath: path))
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let second = try tree.scan(["--emit-updates"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("1 new file(s) read"), "\(second.stderr)")
        try Self.expectClean([first, second], "a failed file restored")
    }

    /// The same folder as `logs`, `logs/`, `x/../logs`, through a symbolic link, or relative: read once.
    @Test func theSameFolderNamedAnotherWayIsNotReadAgain() throws {
        let tree = try Tree("spelling")
        defer { tree.remove() }
        try tree.add(Tree.all.prefix(20))
        #expect(try tree.scan().status == 0)
        let link = tree.root.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: tree.logs.path)
        let relative = String(repeating: "../", count: CLI.repository.pathComponents.count - 1) + String(tree.logs.path.dropFirst())
        for spelling in [tree.logs.path + "/", tree.root.path + "/./logs", tree.logs.path + "/../logs", link, link + "/", relative] {
            let r = try CLI.run(["scan", spelling, "--state", tree.state, "--format", "jsonl"])
            #expect(r.status == 0, "\(spelling): \(r.stderr)")
            #expect(r.stderr.contains("0 new file(s) read, 20 already read"), "\(spelling): \(r.stderr)")
            #expect(r.lines.isEmpty)
        }
    }

    /// A state file cut short (a copy cut off, a full disk), down to nothing: an error naming it, never a silent
    /// reset (a new state file is created whole, so an empty one is never trailhound's own).
    @Test(arguments: [4096, 100, 1, Int.max])
    func aTruncatedStateFileIsAnError(_ cutting: Int) throws {
        let tree = try Tree("truncated")
        defer { tree.remove() }
        try tree.add(Tree.all.prefix(20))
        #expect(try tree.scan().status == 0)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: tree.state)[.size] as? Int)
        let cut = min(cutting, size)
        #expect(truncate(tree.state, off_t(size - cut)) == 0)
        let r = try tree.scan()
        #expect(r.status == 2)
        #expect(r.stderr.contains("state file \(tree.state) is " + (cut == size ? "empty" : "damaged")), "\(r.stderr)")
        #expect(r.lines.isEmpty)
        let after = try #require(try FileManager.default.attributesOfItem(atPath: tree.state)[.size] as? Int)
        #expect(after == size - cut, "the state file was changed")
    }
}
