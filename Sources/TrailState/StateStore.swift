import Foundation
import GRDB
import TrailDetect
import TrailReader

#if canImport(Glibc)
    import Glibc
#endif

/// Problems with the state file, each naming it.
public struct StateError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case locked, corrupt, foreign, newer, io }
    public let kind: Kind
    public let message: String
    public var description: String { message }
}

/// The state file of incremental scans (`scan --state FILE`): a SQLite database, through GRDB, holding
///
/// - `objects`: the log files already read (canonical path, size, modification time) with their key fingerprint,
///   how the reading went (`status`: only `read` files are not read again; `partial`, `failed` and `filtered` ones —
///   some records excluded by `--since`, `--until`, `--account` or `--region` — are read again by the next run), and
///   whether the run that read them finished analysing them (`analysed`), and their latest event time;
/// - `issuances`, `triggers`, `signals`, `signal_groups`, `windows`: the lineage, state events, correlation matches
///   and known states that later files need (a late file still meets what earlier runs saw);
/// - `findings`: every finding, as its builder (so later events merge in with their ids counted once), the count at
///   which it was last written (`emitted_count`, null until written).
///
/// Each new file's results commit in one transaction (`commit`), marked as not analysed; the end of the analysis
/// (`finish`) records the stateful findings and marks them analysed in one more, so a run killed in between leaves
/// files the next run analyses again (`unfinished`). Findings are recorded as written (`markEmitted`) only after
/// they were written, so a run killed at any point loses nothing, and can write a finding twice only if the kill fell
/// between writing and recording it. One run at a time holds the lock file `FILE.lock`.
public final class StateStore {
    /// 3: `objects.analysed`, and paths stored canonical (a schema-2 file is migrated on open: its paths are
    /// resolved with `realpath`, and when its last run did not finish, every file is marked not analysed).
    /// 2: `objects.keys` holds sorted 32-bit key fingerprints (1 held a 512-bit Bloom filter; a schema-1 file is
    /// migrated on open, its files marked as holding unknown keys, `0xFF`).
    public static let schemaVersion = 3
    /// `PRAGMA application_id`: "THND".
    static let applicationID: Int32 = 0x5448_4E44

    public let path: String
    let queue: DatabaseQueue
    let lockDescriptor: Int32
    let encoder = JSONEncoder()
    let decoder = JSONDecoder()

    /// Opens (or creates) the state file, taking its lock. `lockWait`: seconds to wait for another run to finish.
    public init(path: String, lockWait: Double = 0) throws {
        self.path = path
        lockDescriptor = try Self.lock(path + ".lock", wait: lockWait, state: path)
        do {
            let existed = FileManager.default.fileExists(atPath: path)
            if !existed { try Self.createFile(path) }
            try Self.checkLength(path)
            var config = Configuration()
            config.label = "trailhound-state"
            config.busyMode = .timeout(5)
            // WAL with synchronous=NORMAL: a commit survives the process being killed at any point (it can lose the
            // last commits only if the machine itself loses power), and costs no fsync per finding recorded.
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            queue = try DatabaseQueue(path: path, configuration: config)
            try Self.check(queue, path: path, existed: existed)
            try queue.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
        } catch let e as StateError {
            Self.unlock(lockDescriptor)
            throw e
        } catch {
            Self.unlock(lockDescriptor)
            throw StateError(kind: .corrupt, message: "state file \(path) is not a trailhound state file or is damaged: \(error)")
        }
    }

    deinit { Self.unlock(lockDescriptor) }

    // MARK: Lock

    static func lock(_ lockPath: String, wait: Double, state: String) throws -> Int32 {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StateError(kind: .io, message: "cannot open lock file \(lockPath): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(fd)
                throw StateError(kind: .io, message: "cannot lock \(lockPath): \(String(cString: strerror(errno)))")
            }
            if Date() >= deadline {
                var buffer = [UInt8](repeating: 0, count: 32)
                let n = pread(fd, &buffer, 31, 0)
                let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
                close(fd)
                throw StateError(
                    kind: .locked,
                    message: "state file \(state) is in use by another trailhound run (lock \(lockPath), last taken by pid \(holder))"
                        + (wait > 0 ? "; waited \(Int(wait)) s" : "; use --lock-wait SECONDS to wait for it"))
            }
            usleep(100_000)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        return fd
    }

    static func unlock(_ fd: Int32) {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }

    static func now() -> String { Timestamp.format(Int64(Date().timeIntervalSince1970)) }

    // MARK: Objects

    /// A file's identity: size and modification time (ns).
    public struct ObjectStamp: Equatable, Sendable {
        public let size: Int64
        public let mtime: Int64
        public init(size: Int64, mtime: Int64) {
            self.size = size
            self.mtime = mtime
        }

        /// The stamp of a file on disk, nil when it cannot be read.
        public static func of(_ path: String) -> ObjectStamp? {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            return ObjectStamp(size: Int64(st.st_size), mtime: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
        }
    }

    /// The files already read whole, by path (files read in part, not at all, or with records excluded by a filter
    /// are read again).
    public func processed() throws -> [String: ObjectStamp] {
        try queue.read { db in
            var out: [String: ObjectStamp] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, size, mtime FROM objects WHERE status = 'read'") {
                out[row["path"]] = ObjectStamp(size: row["size"], mtime: row["mtime"])
            }
            return out
        }
    }

    // MARK: Carryover

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
            // Files of a run that did not finish: the latest event time decides absences and open states.
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

    // MARK: Per-file commit

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

    // MARK: End of run

    /// Records the stateful findings and states of a finished analysis, and forgets what no later file can need:
    /// credentials expired two days before the latest event, correlation matches older than the longest
    /// correlation time span plus a day. `checkedAll`: every file was read whole (no `--since` or other event
    /// filter), so the states seen count as checked against every file. `stillUnfinished`: files an earlier run did
    /// not finish that this run did not analyse either (not named this time, but still there).
    public func finish(_ result: Analysis.Result, rules: RuleSet, checkedAll: Bool = true, stillUnfinished: Set<String> = []) throws {
        let longest = rules.rules.compactMap { $0.correlation?.timespan }.max() ?? 0
        try queue.inTransaction { db in
            try merge(result.statefulBuilders, rules: rules, db)
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

    // MARK: Findings to write

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
