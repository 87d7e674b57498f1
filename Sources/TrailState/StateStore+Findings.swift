import Foundation
import GRDB
import TrailDetect
import TrailReader

/// The findings waiting to be written, marking them written, and reading them back.
extension StateStore {
    /// A finding to write, and whether it is new (never written) or an update.
    public struct Emission: Sendable {
        public let finding: Finding
        public let isNew: Bool
        public let count: Int
    }

    /// The findings at or above `minLevel` not yet written (and, with `updates`, those whose count changed since
    /// written), in the order `FindingSet` gives: first event time, rule id, finding id. Those below `minLevel` stay
    /// waiting, for a run that shows them.
    public func pending(updates: Bool, minLevel: SigmaRule.Level = .informational, rules: RuleSet, lineage: LineageMap?) throws -> [Emission] {
        let rows = try queue.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT rule_id, record, emitted_count, count FROM findings WHERE emitted_count IS NULL"
                    + (updates ? " OR emitted_count != count" : ""))
        }
        var items: [(FindingBuilder, Bool, Int)] = []
        for row in rows where Self.level(of: row["rule_id"], rules) >= minLevel {
            let text: String = row["record"]
            guard let record = try? decoder.decode(FindingRecord.self, from: Data(text.utf8)),
                let b = FindingBuilder(record: record, rules: rules)
            else { continue }
            let emitted: Int? = row["emitted_count"]
            items.append((b, emitted == nil, row["count"]))
        }
        var set = FindingSet()
        set.merge(items.map(\.0))
        let info = Dictionary(items.map { ($0.0.id, ($0.1, $0.2)) }, uniquingKeysWith: { a, _ in a })
        return set.findings(rules, lineage: lineage).map { f in Emission(finding: f, isNew: info[f.id]!.0, count: info[f.id]!.1) }
    }

    /// Records findings as written, at the count written.
    public func markEmitted(_ emitted: [Emission]) throws {
        guard !emitted.isEmpty else { return }
        try queue.inTransaction { db in
            for e in emitted {
                try db.execute(sql: "UPDATE findings SET emitted_count = ? WHERE id = ?", arguments: [e.count, e.finding.id])
            }
            return .commit
        }
    }

    /// A finding by id (or a unique prefix of at least 8 characters).
    public func record(id: String) throws -> FindingRecord? {
        try queue.read { db in
            var text = try String.fetchOne(db, sql: "SELECT record FROM findings WHERE id = ?", arguments: [id])
            if text == nil, id.count >= 8 {
                let matches = try String.fetchAll(db, sql: "SELECT record FROM findings WHERE id LIKE ? LIMIT 2", arguments: [id + "%"])
                if matches.count == 1 { text = matches[0] }
            }
            return text.flatMap { try? decoder.decode(FindingRecord.self, from: Data($0.utf8)) }
        }
    }

    /// Every finding the state file holds, by id (a playbook covers the whole incident, not one finding).
    public func records() throws -> [FindingRecord] {
        try queue.read { db in
            try String.fetchAll(db, sql: "SELECT record FROM findings ORDER BY id").compactMap {
                try? decoder.decode(FindingRecord.self, from: Data($0.utf8))
            }
        }
    }

    /// Counts for the summary line: files, findings, and findings never written (held back by `--min-level`, or
    /// not written yet).
    public func counts() throws -> (objects: Int, findings: Int, unwritten: Int) {
        try queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM objects") ?? 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM findings") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM findings WHERE emitted_count IS NULL") ?? 0
            )
        }
    }
}
