import Foundation
import GRDB
import TrailDetect
import TrailReader

/// What earlier runs kept that this run needs: lineage, trigger events, correlation matches, fingerprints.
extension StateStore {
    /// What earlier runs kept that this run's files may need.
    public func carryover() throws -> Analysis.Carryover {
        var c = Analysis.Carryover()
        c.issuances = try issuances()
        return try queue.read { db in
            for row in try Row.fetchAll(db, sql: "SELECT * FROM triggers ORDER BY time, event_id, file, record") {
                let json: Data = row["json"]
                c.triggers.append(
                    Analysis.StoredTrigger(
                        ruleId: row["rule_id"], json: Array(json), file: row["file"], index: row["record"], time: row["time"],
                        eventID: row["event_id"]))
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM signals") {
                let group: Int64 = row["grp"]
                let value: Int64 = row["value"]
                let event: Int64 = row["event"]
                c.signals.append(
                    Analysis.StoredSignal(
                        correlationId: row["correlation_id"], baseId: row["base_id"], group: UInt64(bitPattern: group),
                        value: UInt64(bitPattern: value), time: row["time"], event: UInt64(bitPattern: event), file: row["file"],
                        record: row["record"]))
            }
            for row in try Row.fetchAll(db, sql: "SELECT grp, vals FROM signal_groups") {
                let group: Int64 = row["grp"]
                let text: String = row["vals"]
                c.groupValues[UInt64(bitPattern: group)] = (try? decoder.decode([String].self, from: Data(text.utf8))) ?? []
            }
            for row in try Row.fetchAll(db, sql: "SELECT path, keys, min_time, max_time FROM objects WHERE keys IS NOT NULL") {
                let keys: Data = row["keys"]
                if let fk = FileKeys(bytes: Array(keys), minTime: row["min_time"], maxTime: row["max_time"]) {
                    c.earlierFiles[row["path"]] = fk
                }
            }
            c.knownWindows = Set(try String.fetchAll(db, sql: "SELECT identity FROM windows"))
            c.latest = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'latest'").flatMap { Int64($0) } ?? .min
            // Files of a run that did not finish: the latest event time decides absences and open windows.
            if let unfinished = try Int64.fetchOne(db, sql: "SELECT MAX(latest) FROM objects WHERE analysed = 0") {
                c.latest = max(c.latest, unfinished)
            }
            return c
        }
    }

    /// The credential issuances kept (lineage), for rendering findings without reading anything else.
    public func issuances() throws -> [CredentialIssuance] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM issuances").map { row in
                CredentialIssuance(
                    api: row["api"], account: row["account"], childKey: row["child_key"], parentKey: row["parent_key"],
                    parentPrincipal: row["parent_principal"], childPrincipal: row["child_principal"],
                    issuedAt: row["issued_at"], expiresAt: row["expires_at"], eventID: row["event_id"])
            }
        }
    }

    /// True when some finding at or above `minLevel` is waiting to be written (with `updates`, also one whose count
    /// changed since).
    public func hasPending(updates: Bool, minLevel: SigmaRule.Level = .informational, rules: RuleSet) throws -> Bool {
        try queue.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT DISTINCT rule_id FROM findings WHERE emitted_count IS NULL" + (updates ? " OR emitted_count != count" : ""))
        }.contains { Self.level(of: $0, rules) >= minLevel }
    }

    /// A rule's level (a rule no longer loaded: informational).
    static func level(of ruleID: String, _ rules: RuleSet) -> SigmaRule.Level {
        rules.index(ofRule: ruleID).map { rules.rules[$0].level } ?? .informational
    }

    /// True when a run of an earlier trailhound committed files but did not finish deciding its stateful findings
    /// (this one marks its files instead: `unfinished`).
    public func analysisPending() throws -> Bool {
        try queue.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'analysis'") == "pending" }
    }

    /// The files an earlier run committed but did not finish analysing (it was killed before `finish`).
    public func unfinished() throws -> Set<String> {
        try queue.read { db in Set(try String.fetchAll(db, sql: "SELECT path FROM objects WHERE analysed = 0")) }
    }
}
