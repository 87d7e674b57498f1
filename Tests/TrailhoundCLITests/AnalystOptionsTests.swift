import Foundation
import Testing

/// The analyst's options: `-o`, `--tz`, `--version`, the findings schema, completions.
@Suite struct AnalystOptionsTests {
    func text(_ r: CLI.Result) -> String { String(decoding: r.stdout, as: UTF8.self) }

    @Test func shortOutputWritesTheFindingsFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-o-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let short = folder.appendingPathComponent("short.jsonl").path
        let long = folder.appendingPathComponent("long.jsonl").path
        let a = try CLI.run(["scan", "Fixtures/logs", "-o", short, "--format", "jsonl", "-q"])
        let b = try CLI.run(["scan", "Fixtures/logs", "--output", long, "--format", "jsonl", "-q"])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout.isEmpty)
        let written = try Data(contentsOf: URL(fileURLWithPath: short))
        #expect(written.count > 1000)
        #expect(written == (try Data(contentsOf: URL(fileURLWithPath: long))))
        #expect(b.status == 0)
    }

    /// Times in tables follow --tz; JSON stays UTC; a bad zone is a clear usage error.
    @Test func timeZonesChangeTablesOnly() throws {
        let utc = try CLI.run(["events", "Fixtures/logs", "--format", "table", "--threads", "1"])
        let berlin = try CLI.run(["events", "Fixtures/logs", "--format", "table", "--threads", "1", "--tz", "Europe/Berlin"])
        let plusTwo = try CLI.run(["events", "Fixtures/logs", "--format", "table", "--threads", "1", "--tz", "+02:00"])
        #expect(utc.status == 0 && berlin.status == 0 && plusTwo.status == 0, "\(berlin.stderr)")
        let rows = { (r: CLI.Result) in r.lines.dropFirst().map { String($0.prefix { $0 != " " }) } }
        let utcTimes = rows(utc)
        #expect(utcTimes.count > 700)
        #expect(utcTimes.allSatisfy { $0.hasSuffix("Z") })
        let formatter = ISO8601DateFormatter()
        let berlinZone = try #require(TimeZone(identifier: "Europe/Berlin"))
        for (u, (b, p)) in zip(utcTimes, zip(rows(berlin), rows(plusTwo))) {
            let instant = try #require(formatter.date(from: u))
            // The same instant, written with the zone's offset at that instant (CET or CEST).
            #expect(formatter.date(from: b) == instant, "\(u) vs \(b)")
            #expect(formatter.date(from: p) == instant, "\(u) vs \(p)")
            #expect(p.hasSuffix("+02:00"))
            let offset = berlinZone.secondsFromGMT(for: instant) / 3600
            #expect(b.hasSuffix("+0\(offset):00"), "\(b)")
        }
        // The findings table too; the JSON formats do not change.
        // A negative offset is given with `=` (else it reads as an option).
        let table = try CLI.run(["scan", "Fixtures/logs", "--format", "table", "--tz=-05:30", "-q"])
        #expect(text(table).contains("-05:30"))
        #expect(!text(table).contains(":00Z →"))
        let json = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl", "--tz", "Asia/Tokyo", "-q", "--threads", "1"])
        let plain = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl", "-q", "--threads", "1"])
        #expect(json.stdout == plain.stdout)
        for bad in ["Mars/Olympus", "+25:00", "../../etc/passwd", ""] {
            let r = try CLI.run(["events", "Fixtures/logs", "--tz", bad])
            #expect(r.status == 2, "\(bad)")
            #expect(r.stderr.contains("--tz") && r.stderr.contains("is not a time zone"), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func versionNamesTheInflater() throws {
        let r = try CLI.run(["--version"])
        #expect(r.status == 0)
        #expect(text(r).hasPrefix("trailhound 0."))
        #expect(text(r).contains("gzip inflater: ISA-L ") || text(r).contains("gzip inflater: zlib "), "\(text(r))")
        // The build and --inflater agree: what --version offers, --inflater accepts.
        if text(r).contains("gzip inflater: ISA-L") {
            #expect(try CLI.run(["events", "Fixtures/logs", "--inflater", "isal", "-q"]).status == 0)
        }
        #expect(try CLI.run(["events", "Fixtures/logs", "--inflater", "zlib", "-q"]).status == 0)
    }

    /// Every finding carries schemaVersion; `trailhound schema` is the committed schema; each finding's keys are the
    /// schema's (its required ones present, no other).
    @Test func findingsFollowTheirSchema() throws {
        let schemaText = try CLI.run(["schema"])
        #expect(schemaText.status == 0)
        let committed = try Data(contentsOf: CLI.fixtures.appendingPathComponent("schema/finding.schema.json"))
        #expect(
            String(decoding: schemaText.stdout, as: UTF8.self) == String(decoding: committed, as: UTF8.self),
            "Fixtures/schema/finding.schema.json is stale: regenerate it with `swift run trailhound schema > Fixtures/schema/finding.schema.json`")
        let schema = try #require(try JSONSerialization.jsonObject(with: committed) as? [String: Any])
        let properties = try #require(schema["properties"] as? [String: Any])
        let required = try #require(schema["required"] as? [String])
        let version = try #require((properties["schemaVersion"] as? [String: Any])?["const"] as? Int)

        let lines = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl", "-q"]).lines
        let array = try CLI.run(["scan", "Fixtures/logs", "--format", "json", "-q"])
        let fromArray = try #require(try JSONSerialization.jsonObject(with: array.stdout) as? [[String: Any]])
        #expect(lines.count == fromArray.count && lines.count > 5)
        for line in lines {
            let finding = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(finding["schemaVersion"] as? Int == version)
            #expect(Set(finding.keys).isSubset(of: Set(properties.keys)), "\(Set(finding.keys).subtracting(properties.keys))")
            #expect(Set(required).isSubset(of: Set(finding.keys)), "\(Set(required).subtracting(finding.keys))")
        }
        #expect(fromArray.allSatisfy { $0["schemaVersion"] as? Int == version })
    }

    @Test func completionScriptsCoverEveryCommand() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try CLI.run(["--generate-completion-script", shell])
            #expect(r.status == 0, "\(shell)")
            for word in ["scan", "events", "trace", "contain", "schema"] {
                #expect(text(r).contains(word), "\(shell): \(word)")
            }
            for option in ["tz", "where", "writes-only", "user-agent"] {
                #expect(text(r).contains(shell == "fish" ? "-l '\(option)'" : "--\(option)"), "\(shell): \(option)")
            }
        }
    }
}
