import Foundation
import Testing

/// `trailhound stage`: the four stages as files in and out give the findings of `scan` over the same files, and a
/// bad exchange file is an error naming the file and line.
struct StageCommandTests {
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-stage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The demo's log files, split in two partitions by day folder.
    static func partitions() -> [[String]] {
        let root = CLI.fixtures.appendingPathComponent("logs").path
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".json.gz") }.map { root + "/" + $0 }.sorted()
        func day(_ p: String) -> String { p.range(of: #"/\d{4}/\d{2}/\d{2}/"#, options: .regularExpression).map { String(p[$0]) } ?? "" }
        let first = all.map(day).min() ?? ""
        return [all.filter { day($0) == first }, all.filter { day($0) != first }]
    }

    /// Stages `second` (per partition, with the context) and `reduce` (over both partitions' local parts and
    /// partials), with the files the earlier stages wrote in `dir`; the reduce's result.
    static func secondAndReduce(parts: Int, in dir: URL) throws -> CLI.Result {
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        for n in 0..<parts {
            let second = try CLI.run([
                "stage", "second", "--context", path("context"), "--local", path("local-\(n)"), "--out", path("partials-\(n)"),
                "--files-from", path("files-\(n)"),
            ])
            #expect(second.status == 0, "\(second.stderr)")
        }
        return try CLI.run(
            ["stage", "reduce", "--context", path("context")] + (0..<parts).map { path("local-\($0)") }
                + (0..<parts).map { path("partials-\($0)") })
    }

    @Test func theStagesGiveTheFindingsOfAScanByteForByte() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let parts = Self.partitions()
        #expect(parts.allSatisfy { !$0.isEmpty })
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        for (n, files) in parts.enumerated() {
            try files.joined(separator: "\n").write(toFile: path("files-\(n)"), atomically: true, encoding: .utf8)
            let map = try CLI.run([
                "stage", "map", "--files-from", path("files-\(n)"), "--global", path("global-\(n)"), "--local", path("local-\(n)"),
                "--summary", path("summary-\(n)"),
            ])
            #expect(map.status == 0, "\(map.stderr)")
        }
        let context = try CLI.run(["stage", "context", "--out", path("context"), path("global-0"), path("global-1")])
        #expect(context.status == 0, "\(context.stderr)")
        let reduce = try Self.secondAndReduce(parts: parts.count, in: dir)
        let scan = try CLI.run(["scan", "--format", "jsonl", CLI.fixtures.appendingPathComponent("logs").path])
        #expect(reduce.status == 0, "\(reduce.stderr)")
        #expect(!scan.lines.isEmpty)
        #expect(reduce.stdout == scan.stdout)
        let summaries = try (0..<2).map { n in
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("summary-\(n)")))) as! [String: Any]
        }
        // Every file listed is read or set aside (the digests), as a scan accounts for them.
        let read = summaries.map { $0["files"] as! Int }.reduce(0, +)
        let aside = summaries.map { ($0["setAside"] as! [String: Int]).values.reduce(0, +) }.reduce(0, +)
        #expect(aside > 0)
        #expect(read + aside == parts.map(\.count).reduce(0, +))
    }

    /// With `map --signals`, the correlation matches leave the global parts; routed by group (hash mod 2) to two
    /// `stage correlate` runs, whose outcomes go to `stage context --outcomes`, they give the scan's findings.
    @Test func correlateDecidesTheGroupsApartAndTheFindingsStayTheScans() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let roots = ["access-denied-burst", "secrets-dumped"].map { CLI.fixtures.appendingPathComponent("scenarios/\($0)").path }
        let files = roots.flatMap { root in
            (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json.gz") }
                .map { root + "/" + $0 }
        }.sorted()
        let parts = [files.enumerated().filter { $0.offset % 2 == 0 }.map(\.element), files.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)]
        #expect(parts.allSatisfy { !$0.isEmpty })
        let header = #"{"header":{"format":"trailhound-exchange","stage":"signals","version":1},"kind":"header"}"#
        var routed = [[header], [header]]
        for (n, part) in parts.enumerated() {
            try part.joined(separator: "\n").write(toFile: path("files-\(n)"), atomically: true, encoding: .utf8)
            let map = try CLI.run([
                "stage", "map", "--files-from", path("files-\(n)"), "--global", path("global-\(n)"), "--local", path("local-\(n)"),
                "--signals", path("signals-\(n)"),
            ])
            #expect(map.status == 0, "\(map.stderr)")
            #expect(!(try String(contentsOfFile: path("global-\(n)"), encoding: .utf8)).contains(#""kind":"signal""#))
            for line in try String(contentsOfFile: path("signals-\(n)"), encoding: .utf8).split(separator: "\n").dropFirst() {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                let member = (object["signal"] ?? object["group"]) as! [String: Any]
                let group = (member["group"] as! NSNumber).uint64Value
                routed[Int(group % 2)].append(String(line))
            }
        }
        var outcomes = 0
        for k in 0..<2 {
            // The lines in reverse order: the outcome does not depend on the order they arrive in.
            try ([routed[k][0]] + routed[k].dropFirst().reversed()).joined(separator: "\n")
                .write(toFile: path("routed-\(k)"), atomically: true, encoding: .utf8)
            let correlate = try CLI.run(["stage", "correlate", "--out", path("outcomes-\(k)"), path("routed-\(k)")])
            #expect(correlate.status == 0, "\(correlate.stderr)")
            outcomes += try String(contentsOfFile: path("outcomes-\(k)"), encoding: .utf8).split(separator: "\n").count - 1
        }
        #expect(outcomes >= 2)
        let context = try CLI.run([
            "stage", "context", "--out", path("context"), path("global-0"), path("global-1"), "--outcomes", path("outcomes-0"),
            "--outcomes", path("outcomes-1"),
        ])
        #expect(context.status == 0, "\(context.stderr)")
        let reduce = try Self.secondAndReduce(parts: parts.count, in: dir)
        let scan = try CLI.run(["scan", "--format", "jsonl"] + files)
        #expect(reduce.status == 0, "\(reduce.stderr)")
        #expect(String(decoding: scan.stdout, as: UTF8.self).contains("credential_access_denied_burst"))
        #expect(reduce.stdout == scan.stdout)
        // A correlate given another stage's file refuses it, naming the file.
        let wrong = try CLI.run(["stage", "correlate", "--out", path("o"), path("global-0")])
        #expect(wrong.status == 2 && wrong.stderr.contains(path("global-0")))
    }

    @Test func aBadExchangeFileIsAnErrorNamingItsLine() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("global-0").path
        try "{\"header\":{\"format\":\"trailhound-exchange\",\"stage\":\"map-global\",\"version\":1},\"kind\":\"header\"}\n{\"kind\":\"nonsense\"}\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let run = try CLI.run(["stage", "context", "--out", dir.appendingPathComponent("context").path, bad])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(bad):2"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("context").path))
    }

    /// Hostile values in logs, file names and rules reach the terminal only escaped, from every stage.
    @Test func everyStageKeepsHostileTextInert() throws {
        let logs = try TerminalOutputTests.logs()
        let rules = try TerminalOutputTests.rules()
        let dir = try Self.temporaryFolder()
        defer {
            for url in [logs, rules, dir] { try? FileManager.default.removeItem(at: url) }
        }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let files = try FileManager.default.contentsOfDirectory(atPath: logs.path).map { logs.path + "/" + $0 }
        try files.joined(separator: "\n").write(toFile: path("files"), atomically: true, encoding: .utf8)
        let r = ["--rules", rules.path]
        let runs: [(String, [String])] = [
            ("map", ["stage", "map", "--files-from", path("files"), "--global", path("g"), "--local", path("l"), "--summary", path("s")] + r),
            ("context", ["stage", "context", "--out", path("c"), path("g")] + r),
            ("second", ["stage", "second", "--context", path("c"), "--local", path("l"), "--out", path("p"), "--files-from", path("files")] + r),
            ("reduce", ["stage", "reduce", "--context", path("c"), path("l"), path("p")] + r),
            ("reduce ocsf", ["stage", "reduce", "--context", path("c"), "--format", "ocsf", path("l"), path("p")] + r),
            ("bad exchange file", ["stage", "context", "--out", path("c2"), path("l")] + r),
        ]
        for (what, arguments) in runs {
            let run = try CLI.run(arguments)
            TerminalOutputTests.expectInert(String(decoding: run.stdout, as: UTF8.self), "stage \(what): stdout")
            TerminalOutputTests.expectInert(run.stderr, "stage \(what): stderr")
            #expect(run.status == (what == "bad exchange file" ? 2 : 0), "stage \(what): \(run.stderr)")
            if what.hasPrefix("reduce") { #expect(String(decoding: run.stdout, as: UTF8.self).contains("\\u202e"), "\(what)") }
        }
    }
}
