#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Buffered writes to a file descriptor (stdout, stderr), retrying partial writes.
public final class ByteSink {
    let fd: Int32
    var buffer: [UInt8] = []
    /// Set when a write failed (a closed pipe, a full disk).
    public private(set) var failed: Int32?

    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ bytes: [UInt8]) {
        if buffer.count + bytes.count > 1 << 16 { flush() }
        if bytes.count >= 1 << 16 {
            writeAll(bytes)
        } else {
            buffer += bytes
        }
    }

    public func write(_ text: String) { write(Array(text.utf8)) }

    public func flush() {
        guard !buffer.isEmpty else { return }
        writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func writeAll(_ bytes: [UInt8]) {
        guard failed == nil else { return }
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = errno
                    return
                }
                done += n
            }
        }
    }

    deinit { flush() }
}
