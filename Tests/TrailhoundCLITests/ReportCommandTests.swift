import Foundation
import Testing

/// `trailhound report`: from logs and from a state file, with the same findings `scan` gives.
@Suite struct ReportCommandTests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-report-\(UUID().uuidString)-\(name)").path
    }

    static func levelCards(_ page: String) -> [String: Int] {
        var cards: [String: Int] = [:]
        for m in page.matches(of: /data-level="([a-z]+)" data-count="([0-9]+)"/) { cards[String(m.output.1)] = Int(m.output.2) }
        return cards
    }

    static func jsonLevels(_ lines: [String]) -> [String: Int] {
        var levels: [String: Int] = [:]
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if let level = (object?["rule"] as? [String: Any])?["level"] as? String { levels[level, default: 0] += 1 }
        }
        return levels
    }

    @Test func fromLogsAndFromAStateFileTheCardsCountWhatScanFinds() throws {
        let logs = CLI.fixtures.appendingPathComponent("logs").path
        let html = Self.temporary("logs.html")
        let state = Self.temporary("state.sqlite")
        let fromState = Self.temporary("state.html")
        defer { for p in [html, state, fromState] { try? FileManager.default.removeItem(atPath: p) } }

        let scan = try CLI.run(["scan", logs, "--format", "jsonl"])
        let levels = Self.jsonLevels(scan.lines)
        #expect(!levels.isEmpty)

        let report = try CLI.run(["report", logs, "-o", html])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stderr.contains("report: \(scan.lines.count) findings written"))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        for (level, n) in Self.levelCards(page) { #expect(n == levels[level, default: 0], "\(level)") }

        // A cron job: scan --state, then the report of what the state file holds (no logs read again).
        #expect(try CLI.run(["scan", logs, "--state", state, "--format", "jsonl"]).status == 0)
        let daily = try CLI.run(["report", "--state", state, "--output", fromState])
        #expect(daily.status == 0, "\(daily.stderr)")
        let statePage = try String(contentsOfFile: fromState, encoding: .utf8)
        for (level, n) in Self.levelCards(statePage) { #expect(n == levels[level, default: 0], "\(level)") }
        #expect(statePage.contains("from state file"))
        #expect(!statePage.contains("class=\"bar\""))
        // With the logs as well, the state file's findings get their timelines' call counts.
        let withLogs = try CLI.run(["report", "--state", state, logs, "-o", fromState])
        #expect(withLogs.status == 0, "\(withLogs.stderr)")
        let timelines = try String(contentsOfFile: fromState, encoding: .utf8)
        #expect(timelines.contains("class=\"bar\""))
        for (level, n) in Self.levelCards(timelines) { #expect(n == levels[level, default: 0], "\(level)") }
        // --findings-since keeps what was last seen at or after a time: nothing after the demo's last event.
        let none = try CLI.run(["report", "--state", state, "-o", fromState, "--findings-since", "2030-01-01"])
        #expect(none.status == 0)
        #expect(Self.levelCards(try String(contentsOfFile: fromState, encoding: .utf8)).values.allSatisfy { $0 == 0 })
    }

    @Test func wrongUsageAndUnwritableOutputExitTwo() throws {
        let logs = CLI.fixtures.appendingPathComponent("logs").path
        #expect(try CLI.run(["report", "-o", Self.temporary("x.html")]).status == 2)
        let missing = try CLI.run(["report", "--state", Self.temporary("missing.sqlite"), "-o", Self.temporary("x.html")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no state file"))
        let unwritable = try CLI.run(["report", logs, "-o", "/nonexistent-dir/report.html"])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("cannot write"))
    }

    @Test func badInputIsNamedInTheReportAndTheExitStatus() throws {
        let html = Self.temporary("malformed.html")
        defer { try? FileManager.default.removeItem(atPath: html) }
        let malformed = CLI.fixtures.appendingPathComponent("malformed").path
        let result = try CLI.run(["report", malformed, "-o", html])
        #expect(result.status == 2)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<h3>Problems ("))
        #expect(page.contains("truncated gzip") || page.contains("invalid JSON"))
    }
}
