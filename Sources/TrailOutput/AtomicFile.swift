#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A write to an output file that failed, naming the path and the reason.
public struct OutputError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(TerminalText.sanitize(path)): \(reason)" }
}

/// Replaces a file all at once: the bytes go to a temporary file in the same folder, which is flushed to disk and
/// renamed over the target, so a reader (or a run killed half-way) sees the old file or the new one, never a part.
/// On failure the temporary file is removed and the old file is left as it was.
///
/// Only a regular file (or nothing) is replaced. A symbolic link (dangling or not), a device, a FIFO, a socket or a
/// folder at the path is refused before anything is written: renaming over a link would silently break it, and
/// following it would let whoever planted it choose the file that gets overwritten (a link in a shared folder to
/// someone's `~/.bashrc`, with attacker-chosen log values in the findings). A regular file swapped for a link after
/// the check is still never written through: `rename` replaces the link itself.
public enum AtomicFile {
    /// The system calls that move the bytes, replaceable in tests (a full disk, a flush that fails).
    struct System: Sendable {
        var write: @Sendable (Int32, UnsafeRawPointer, Int) -> Int
        var fsync: @Sendable (Int32) -> Int32
        static let live = System(write: { Glibc.write($0, $1, $2) }, fsync: { Glibc.fsync($0) })
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(OutputError) {
        try write(bytes, to: path, system: .live)
    }

    static func write(_ bytes: [UInt8], to path: String, system: System) throws(OutputError) {
        try write(to: path, system: system) { (put: ([UInt8]) throws(OutputError) -> Void) throws(OutputError) in try put(bytes) }
    }

    /// Replaces the file with what `produce` puts, chunk by chunk (so a large output is never all in memory): the
    /// chunks go to the temporary file as they come, and the file is renamed over the target only once `produce`
    /// has returned and everything is on disk.
    public static func write(
        to path: String, _ produce: (_ put: ([UInt8]) throws(OutputError) -> Void) throws(OutputError) -> Void
    ) throws(OutputError) {
        try write(to: path, system: .live, produce)
    }

    static func write(
        to path: String, system: System, _ produce: (_ put: ([UInt8]) throws(OutputError) -> Void) throws(OutputError) -> Void
    ) throws(OutputError) {
        func failure(_ what: String, _ code: Int32) -> OutputError {
            OutputError(path: path, reason: "\(what): \(String(cString: strerror(code)))")
        }
        guard !path.isEmpty else { throw OutputError(path: path, reason: "the path is empty") }
        // What is there now: nothing, or a regular file (whose permissions the new file takes).
        var old = stat()
        let exists: Bool
        if lstat(path, &old) == 0 {
            let kind = old.st_mode & S_IFMT
            guard kind == S_IFREG else {
                throw OutputError(
                    path: path,
                    reason: "it is \(describe(kind)), not a regular file; --output only creates or replaces regular "
                        + "files (it never follows or replaces a link): give the path of a file, or leave --output "
                        + "out to write to standard output")
            }
            exists = true
        } else if errno == ENOENT {
            exists = false
        } else {
            throw failure("cannot look at it", errno)
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(folder == "/" ? "" : folder)/.\(name).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure("cannot create a temporary file in \(TerminalText.sanitize(folder))", errno) }
        var closed = false
        var done = false
        defer {
            if !closed { close(fd) }
            if !done { unlink(template) }
        }
        // The new file gets the old one's permissions, else those a new file would get (0666 less the umask).
        if exists {
            fchmod(fd, old.st_mode & 0o7777)
        } else {
            let mask = umask(0)
            umask(mask)
            fchmod(fd, 0o666 & ~mask)
        }
        func put(_ bytes: [UInt8]) throws(OutputError) {
            var written = 0
            while written < bytes.count {
                let n = bytes.withUnsafeBytes { system.write(fd, $0.baseAddress! + written, bytes.count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure("write failed (the old file is left as it was)", errno)
                }
                if n == 0 { throw OutputError(path: path, reason: "write failed: no progress (the old file is left as it was)") }
                written += n
            }
        }
        try produce(put)
        guard system.fsync(fd) == 0 else { throw failure("fsync failed (the old file is left as it was)", errno) }
        closed = true
        guard close(fd) == 0 else { throw failure("close failed (the old file is left as it was)", errno) }
        guard rename(template, path) == 0 else { throw failure("rename failed (the old file is left as it was)", errno) }
        done = true
        // Make the rename itself durable.
        let dir = open(folder, O_RDONLY | O_DIRECTORY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }

    /// What a file of type `kind` (`st_mode & S_IFMT`) is, for a message.
    static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFLNK: return "a symbolic link"
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        default: return "a file of an unknown kind"
        }
    }
}
