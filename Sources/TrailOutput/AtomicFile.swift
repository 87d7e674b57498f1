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
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(OutputError) {
        func failure(_ what: String, _ code: Int32) -> OutputError {
            OutputError(path: path, reason: "\(what): \(String(cString: strerror(code)))")
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(folder == "/" ? "" : folder)/.\(name).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure("cannot create a temporary file in \(folder)", errno) }
        var closed = false
        var done = false
        defer {
            if !closed { close(fd) }
            if !done { unlink(template) }
        }
        // The new file gets the old one's permissions, else those a new file would get (0666 less the umask).
        var old = stat()
        if stat(path, &old) == 0 {
            fchmod(fd, old.st_mode & 0o7777)
        } else {
            let mask = umask(0)
            umask(mask)
            fchmod(fd, 0o666 & ~mask)
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write failed", errno)
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw failure("fsync failed", errno) }
        closed = true
        guard close(fd) == 0 else { throw failure("close failed", errno) }
        guard rename(template, path) == 0 else { throw failure("rename failed", errno) }
        done = true
        // Make the rename itself durable.
        let dir = open(folder, O_RDONLY | O_DIRECTORY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }
}
