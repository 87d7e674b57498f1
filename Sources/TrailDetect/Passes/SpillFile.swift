import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a scan keeps between its passes on disk instead of in memory, in an unlinked temporary file: the trigger
/// events, their text and the rest of them (the events that open and close windows, read again once lineage is
/// complete), correlation matches and group values (read back when correlations are evaluated), each file's key
/// fingerprints (read once more, to choose the files the second pass reads), and the findings' builders (read back
/// when merged again and when made). All grow with the logs: one bundled rule keeps every role assumption as a
/// trigger event (23 MB of text on a day of 100,000 events with 16 % STS), fingerprints are 4 bytes per key of each
/// file, and a builder is one to several kilobytes. Memory keeps only where they are. Read back with `pread`, so the
/// file's pages never count in the process's memory. When no temporary file can be made or written, the bytes stay
/// in memory (nothing is lost).
final class SpillFile: @unchecked Sendable {
    private var fd: Int32 = -1
    private var size: Int64 = 0
    /// Builders, trigger events, matches and group values that could not be read back: the run's findings are
    /// incomplete.
    let unreadable = Atomic<Int>(0)

    init() {
        let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(folder)/trailhound-spill.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard made >= 0 else { return }
        unlink(template)
        fd = made
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether a temporary file was made (without one, `append` keeps nothing and the caller keeps its bytes).
    var writable: Bool { fd >= 0 }

    /// Where `bytes` now are in the file; nil when they could not be written (the caller keeps them).
    func append(_ bytes: [UInt8]) -> (offset: Int64, length: Int)? {
        guard fd >= 0, !bytes.isEmpty else { return nil }
        let start = size
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(start) + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            done += n
        }
        size += Int64(bytes.count)
        return (start, bytes.count)
    }

    /// Empties the file, as a disk failing under the scan would: what was written no longer reads back. For tests of
    /// what a scan does then.
    func discardForTesting() { if fd >= 0 { _ = ftruncate(fd, 0) } }

    /// The bytes at `offset`; nil when they cannot be read back.
    func read(_ offset: Int64, _ length: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, length - done, off_t(offset) + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            done += n
        }
        return out
    }
}
