#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard input for scans that read their input more than once (a second pass, a correlation's evidence).
public enum StandardInput {
    /// When standard input is a pipe, copies it to an unlinked temporary file and puts that file on descriptor 0,
    /// so it can be read again from the start; evidence still names it `-`. Does nothing for a regular file.
    public static func makeRereadable() throws {
        var st = stat()
        guard fstat(0, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG else { return }
        let folder = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((folder + "/trailhound-stdin-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw StandardInputError(message: "cannot make a temporary file for standard input: \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = read(0, &buffer, buffer.count)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                close(fd)
                throw StandardInputError(message: "cannot read standard input: \(String(cString: strerror(errno)))")
            }
            var written = 0
            while written < n {
                let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + written, n - written) }
                guard w > 0 else {
                    close(fd)
                    throw StandardInputError(message: "cannot copy standard input to a temporary file: \(String(cString: strerror(errno)))")
                }
                written += w
            }
        }
        guard dup2(fd, 0) == 0 else {
            close(fd)
            throw StandardInputError(message: "cannot reopen standard input: \(String(cString: strerror(errno)))")
        }
        close(fd)
    }
}

public struct StandardInputError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
