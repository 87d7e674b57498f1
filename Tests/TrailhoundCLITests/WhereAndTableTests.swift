import Foundation
import Testing

/// `events` as a table sorted by time, `--where` and its count in the summary, and `scan --where`.
@Suite struct WhereAndTableTests {
    func json(_ line: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    /// The count in `records: … (N by --where)`, or 0 when the summary has none.
    func byWhere(_ stderr: String) -> Int {
        guard let range = stderr.range(of: #"\((\d+) by --where\)"#, options: .regularExpression) else { return 0 }
        return Int(stderr[range].dropFirst().prefix { $0.isNumber }) ?? -1
    }

    @Test func theTableIsSortedByTimeAndHoldsEveryEvent() throws {
        let all = try CLI.run(["events", "Fixtures/logs", "--threads", "2"])
        let table = try CLI.run(["events", "Fixtures/logs", "--format", "table", "--threads", "2"])
        #expect(table.status == 0)
        let rows = table.lines.dropFirst()
        #expect(rows.count == all.lines.count)
        let times = rows.map { String($0.prefix { $0 != " " }) }
        #expect(times == times.sorted(), "the table is in time order")
        // The files are not in time order record by record (late delivery), so sorting changed something.
        let streamed = all.lines.compactMap { json($0)?["eventTime"] as? String }
        #expect(streamed != streamed.sorted())
        #expect(Set(streamed) == Set(times))
    }

    @Test func whereDropsAreCountedAndEmptyValuesMeanAbsent() throws {
        let all = try CLI.run(["events", "Fixtures/logs"])
        let total = all.lines.count
        let failed = try CLI.run(["events", "Fixtures/logs", "--where", "errorCode!="])
        let succeeded = try CLI.run(["events", "Fixtures/logs", "--where", "errorCode="])
        #expect(failed.status == 0 && succeeded.status == 0)
        #expect(!failed.lines.isEmpty && !succeeded.lines.isEmpty)
        #expect(failed.lines.count + succeeded.lines.count == total)
        #expect(failed.lines.allSatisfy { (json($0)?["errorCode"] as? String)?.isEmpty == false })
        #expect(succeeded.lines.allSatisfy { json($0)?["errorCode"] == nil })
        // The summary reconciles: what --where dropped is counted, and said so.
        #expect(byWhere(failed.stderr) == succeeded.lines.count, "\(failed.stderr)")
        #expect(failed.stderr.contains("events: \(failed.lines.count) written (\(succeeded.lines.count) dropped by --where)"))
        #expect(byWhere(all.stderr) == 0)
        // Conditions combine with AND, and with the other filters.
        let both = try CLI.run(["events", "Fixtures/logs", "--where", "errorCode!=", "--where", "eventSource=iam.*"])
        #expect(both.lines.allSatisfy { (json($0)?["eventSource"] as? String) == "iam.amazonaws.com" })
        #expect(byWhere(both.stderr) == total - both.lines.count)
        let bad = try CLI.run(["events", "Fixtures/logs", "--where", "eventName"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--where 'eventName' is not FIELD=VALUE"))
    }

    /// `scan --where`: detection sees only the events kept.
    @Test func scanWhereLimitsWhatDetectionSees() throws {
        let all = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl", "--threads", "1"])
        let rules = Set(all.lines.compactMap { (json($0)?["rule"] as? [String: Any])?["file"] as? String })
        #expect(rules.contains("rules/iam/iam_access_key_created_for_other_user.yml"))
        let without = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl", "--threads", "1", "--where", "eventName!=CreateAccessKey"])
        #expect(without.status == 0, "\(without.stderr)")
        let kept = without.lines.compactMap { json($0) }
        #expect(!kept.isEmpty)
        #expect(!kept.contains { ($0["rule"] as? [String: Any])?["file"] as? String == "rules/iam/iam_access_key_created_for_other_user.yml" })
        #expect(kept.allSatisfy { f in ((f["evidence"] as? [[String: Any]]) ?? []).allSatisfy { $0["eventName"] as? String != "CreateAccessKey" } })
        #expect(byWhere(without.stderr) > 0)
        let only = try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl", "--where", "userIdentity.userName=nobody-at-all"])
        #expect(only.status == 0)
        #expect(only.lines.isEmpty)
    }
}
