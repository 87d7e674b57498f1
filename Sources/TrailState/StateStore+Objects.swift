import Foundation
import GRDB
import TrailDetect
import TrailReader

#if canImport(Glibc)
    import Glibc
#endif

/// The objects (files) already processed, by path.
extension StateStore {
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
}
