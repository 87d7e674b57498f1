import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// The state file's schema: checks on open (damage, another program's database, a newer trailhound, a file cut
/// short), creation, and the upgrades of older schemas.
extension StateStore {
    static func check(_ queue: DatabaseQueue, path: String, existed: Bool) throws {
        try queue.write { db in
            let quick = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "?"
            guard quick == "ok" else {
                throw StateError(kind: .corrupt, message: "state file \(path) is damaged (SQLite quick_check: \(quick)); move it aside to start afresh")
            }
            let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            if tables.isEmpty && appID == 0 {
                try create(db)
                return
            }
            guard appID == applicationID, tables.contains("meta") else {
                throw StateError(kind: .foreign, message: "\(path) is a SQLite database but not a trailhound state file; refusing to change it")
            }
            let version = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema_version'").flatMap(Int.init)
            guard let version else {
                throw StateError(kind: .corrupt, message: "state file \(path) has no schema version; it is damaged")
            }
            if version > schemaVersion {
                throw StateError(
                    kind: .newer,
                    message: "state file \(path) was written by a newer trailhound (schema \(version); this one knows \(schemaVersion)); upgrade trailhound or use another state file")
            }
            if version == 1 {
                // Bloom filters cannot be turned into fingerprints: those files may hold any key, so a new state
                // overlapping their time reads them again (as the filter often did anyway).
                try db.execute(sql: "UPDATE objects SET keys = X'FF' WHERE keys IS NOT NULL")
            }
            if version <= 2 {
                try migrateToThree(db)
                try db.execute(sql: "UPDATE meta SET value = '\(schemaVersion)' WHERE key = 'schema_version'")
                return
            }
            guard version == schemaVersion else {
                throw StateError(kind: .foreign, message: "state file \(path) has unknown schema \(version)")
            }
        }
    }

    /// Schema 2 to 3: files get `analysed` (all of them unanalysed when the last run did not finish, as that run's
    /// files cannot be told apart), and paths become canonical (the same file under two spellings is kept once).
    static func migrateToThree(_ db: Database) throws {
        let columns = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(objects)").map { $0["name"] as String })
        if !columns.contains("analysed") { try db.execute(sql: "ALTER TABLE objects ADD COLUMN analysed INTEGER NOT NULL DEFAULT 1") }
        if !columns.contains("latest") { try db.execute(sql: "ALTER TABLE objects ADD COLUMN latest INTEGER") }
        if try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'analysis'") == "pending" {
            try db.execute(sql: "UPDATE objects SET analysed = 0")
        }
        for old in try String.fetchAll(db, sql: "SELECT path FROM objects") {
            guard let canonical = CanonicalPath.resolve(old), canonical != old else { continue }
            try db.execute(sql: "UPDATE OR REPLACE objects SET path = ? WHERE path = ?", arguments: [canonical, old])
            try db.execute(sql: "UPDATE OR REPLACE signals SET file = ? WHERE file = ?", arguments: [canonical, old])
            try db.execute(sql: "UPDATE OR REPLACE triggers SET file = ? WHERE file = ?", arguments: [canonical, old])
        }
    }

    /// Creates a state file whole: the schema is written to `FILE.new`, which is renamed into place, so a file at the
    /// path is always a whole state file (a run killed while creating it leaves none) and an empty one is damage.
    static func createFile(_ path: String) throws {
        let temporary = path + ".new"
        unlink(temporary)
        let queue = try DatabaseQueue(path: temporary)
        try queue.write { db in try create(db) }
        try queue.close()
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw StateError(kind: .io, message: "cannot create state file \(path): \(reason)")
        }
    }

    /// SQLite reads pages missing from the end of a file as if empty; a state file shorter than its header says, or
    /// not a whole number of pages (a copy cut short, a full disk), is damaged, not empty. Not checked while a
    /// write-ahead log is left (a run killed during a checkpoint): SQLite completes the file from it.
    static func checkLength(_ path: String) throws {
        var wal = stat()
        if stat(path + "-wal", &wal) == 0 && wal.st_size > 0 { return }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return }
        if st.st_size == 0 {
            throw StateError(
                kind: .corrupt,
                message: "state file \(path) is empty (cut short?); restore it, or remove it to start afresh")
        }
        guard st.st_size >= 100 else { return }
        var header = [UInt8](repeating: 0, count: 100)
        guard pread(fd, &header, 100, 0) == 100, header.starts(with: Array("SQLite format 3\0".utf8)) else { return }
        func be(_ at: Int, _ n: Int) -> Int { header[at..<(at + n)].reduce(0) { $0 << 8 | Int($1) } }
        let pageSize = be(16, 2) == 1 ? 65_536 : be(16, 2)
        guard pageSize >= 512 else { return }
        let size = Int(st.st_size)
        // The header's page count holds when its change counter matches the one it was written with.
        let pages = be(28, 4)
        let expected = pages > 0 && be(24, 4) == be(92, 4) ? pages * pageSize : nil
        var problem: String?
        if size % pageSize != 0 {
            problem = "\(size) bytes is not a whole number of \(pageSize)-byte pages"
        } else if let expected, size < expected {
            problem = "it is \(size) bytes, its header says \(expected)"
        }
        guard let problem else { return }
        throw StateError(
            kind: .corrupt,
            message: "state file \(path) is damaged (truncated: \(problem)); restore it or move it aside to start afresh")
    }

    static func create(_ db: Database) throws {
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        try db.execute(
            sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE objects (
                    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
                    keys BLOB, min_time INTEGER, max_time INTEGER, records INTEGER NOT NULL, status TEXT NOT NULL,
                    read_at TEXT NOT NULL, analysed INTEGER NOT NULL DEFAULT 1, latest INTEGER);
                CREATE TABLE issuances (
                    account TEXT NOT NULL, child_key TEXT NOT NULL, issued_at INTEGER NOT NULL, api TEXT NOT NULL,
                    parent_key TEXT, parent_principal TEXT NOT NULL, child_principal TEXT, expires_at INTEGER NOT NULL,
                    event_id TEXT, PRIMARY KEY (account, child_key, issued_at));
                CREATE TABLE triggers (
                    rule_id TEXT NOT NULL, file TEXT NOT NULL, record INTEGER NOT NULL, time INTEGER NOT NULL,
                    event_id TEXT NOT NULL, json BLOB NOT NULL, PRIMARY KEY (rule_id, file, record));
                CREATE TABLE signals (
                    correlation_id TEXT NOT NULL, base_id TEXT NOT NULL, grp INTEGER NOT NULL, value INTEGER NOT NULL,
                    time INTEGER NOT NULL, event INTEGER NOT NULL, file TEXT NOT NULL, record INTEGER NOT NULL,
                    PRIMARY KEY (correlation_id, base_id, file, record));
                CREATE TABLE signal_groups (grp INTEGER PRIMARY KEY, vals TEXT NOT NULL);
                CREATE TABLE windows (identity TEXT PRIMARY KEY);
                CREATE TABLE findings (
                    id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, record TEXT NOT NULL, count INTEGER NOT NULL,
                    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, emitted_count INTEGER);
                """)
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('schema_version', ?), ('created_at', ?)",
                       arguments: ["\(schemaVersion)", Self.now()])
    }
}
