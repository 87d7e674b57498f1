import Foundation
import GRDB
import TrailDetect
import TrailReader

/// Recording a run: each new file's results in one transaction, then the end of the analysis.
extension StateStore {
    /// Records one new file and everything it gave, in one transaction.
    public func commit(_ r: Analysis.FileResult, stamp: ObjectStamp?, rules: RuleSet) throws {
        try queue.inTransaction { db in
            if let stamp, !r.file.isStdin {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO objects (path, size, mtime, keys, min_time, max_time, records, status, read_at,
                        analysed, latest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                        """,
                    arguments: [
                        r.file.path, stamp.size, stamp.mtime, Data(r.fileKeys.bytes), r.fileKeys.minTime, r.fileKeys.maxTime,
                        r.report.delivered, Self.status(r.report), Self.now(), r.latest > .min ? r.latest : nil,
                    ])
            }
            for i in r.issuances {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO issuances (account, child_key, issued_at, api, parent_key, parent_principal,
                        child_principal, expires_at, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [i.account, i.childKey, i.issuedAt, i.api, i.parentKey, i.parentPrincipal, i.childPrincipal, i.expiresAt, i.eventID])
            }
            for t in r.triggers {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO triggers (rule_id, file, record, time, event_id, json) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [t.ruleId, t.file, t.index, t.time, t.eventID, Data(t.json)])
            }
            for s in r.signals {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO signals (correlation_id, base_id, grp, value, time, event, file, record)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        s.correlationId, s.baseId, Int64(bitPattern: s.group), Int64(bitPattern: s.value), s.time,
                        Int64(bitPattern: s.event), s.file, s.record,
                    ])
            }
            for (group, values) in r.groupValues {
                let text = String(decoding: try encoder.encode(values), as: UTF8.self)
                try db.execute(sql: "INSERT OR IGNORE INTO signal_groups (grp, vals) VALUES (?, ?)", arguments: [Int64(bitPattern: group), text])
            }
            try merge(r.builders, rules: rules, db)
            return .commit
        }
    }

    /// How a file's reading is recorded: `filtered` when some of its records were excluded by a filter.
    static func status(_ report: FileReport) -> String {
        report.status == .read && report.filtered > 0 ? "filtered" : report.status.rawValue
    }

    /// Merges builders into the findings table (events already counted, by id, count once).
    func merge(_ builders: [FindingBuilder], rules: RuleSet, _ db: Database) throws {
        for b in builders {
            var merged = b
            if let text = try String.fetchOne(db, sql: "SELECT record FROM findings WHERE id = ?", arguments: [b.id]),
                let record = try? decoder.decode(FindingRecord.self, from: Data(text.utf8)),
                var earlier = FindingBuilder(record: record, rules: rules)
            {
                earlier.merge(b)
                merged = earlier
            }
            let record = merged.record(rules)
            let text = String(decoding: try encoder.encode(record), as: UTF8.self)
            try db.execute(
                sql: """
                    INSERT INTO findings (id, rule_id, record, count, first_seen, last_seen, emitted_count)
                    VALUES (?, ?, ?, ?, ?, ?, NULL)
                    ON CONFLICT(id) DO UPDATE SET record = excluded.record, count = excluded.count,
                        first_seen = excluded.first_seen, last_seen = excluded.last_seen
                    """,
                arguments: [record.id, record.ruleId, text, record.count, record.firstSeen, record.lastSeen])
        }
    }

    /// Records the stateful findings and windows of a finished analysis, and forgets what no later file can need:
    /// credentials expired two days before the latest event, correlation matches older than the longest
    /// correlation time span plus a day. `checkedAll`: every file was read whole (no `--since` or other event
    /// filter), so the windows seen count as checked against every file. `stillUnfinished`: files an earlier run did
    /// not finish that this run did not analyse either (not named this time, but still there).
    public func finish(_ result: Analysis.Result, rules: RuleSet, checkedAll: Bool = true, stillUnfinished: Set<String> = []) throws {
        let longest = rules.rules.compactMap { $0.correlation?.timespan }.max() ?? 0
        try queue.inTransaction { db in
            try merge(result.statefulBuilders, rules: rules, db)
            // A spill file that failed under the scan: nothing of this analysis is recorded (the files stay
            // unfinished, and the next run analyses them again).
            if result.unreadable > 0 { throw Analysis.Incomplete(unreadable: result.unreadable) }
            if checkedAll {
                for w in result.windows { try db.execute(sql: "INSERT OR IGNORE INTO windows (identity) VALUES (?)", arguments: [w]) }
            }
            try db.execute(sql: "UPDATE objects SET analysed = 1 WHERE analysed = 0")
            for p in stillUnfinished { try db.execute(sql: "UPDATE objects SET analysed = 0 WHERE path = ?", arguments: [p]) }
            if result.latest > .min {
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('latest', ?)", arguments: ["\(result.latest)"])
                try db.execute(sql: "DELETE FROM issuances WHERE expires_at < ?", arguments: [result.latest - 2 * 86_400])
                try db.execute(sql: "DELETE FROM signals WHERE time < ?", arguments: [result.latest - longest - 86_400])
            }
            try db.execute(sql: "DELETE FROM meta WHERE key = 'analysis'")
            return .commit
        }
    }
}
