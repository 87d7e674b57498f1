import Foundation
import GRDB
import TrailDetect
import TrailReader

#if canImport(Glibc)
    import Glibc
#endif

/// The state file of incremental scans (`scan --state FILE`): a SQLite database, through GRDB, holding
///
/// - `objects`: the log files already read (canonical path, size, modification time) with their key fingerprint,
///   how the reading went (`status`: only `read` files are not read again; `partial`, `failed` and `filtered` ones —
///   some records excluded by `--since`, `--until`, `--account` or `--region` — are read again by the next run), and
///   whether the run that read them finished analysing them (`analysed`), and their latest event time;
/// - `issuances`, `triggers`, `signals`, `signal_groups`, `windows`: the lineage, trigger events, correlation matches
///   and known windows (of `state:` rules) that later files need (a late file still meets what earlier runs saw);
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
}
