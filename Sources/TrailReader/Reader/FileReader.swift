// Hot path. Reads one file: raw bytes or gzip members into a reused buffer, then records out of it.
//
// Invariants:
// - `buffer[0..<filled]` holds decompressed bytes not yet discarded; `scanned <= filled`; bytes before
//   `scanner.retainFrom(scanned:)` are no longer needed and may be overwritten after `scanner.shift(by:)`.
// - The buffer grows only while one record does not fit, never past about twice `maxRecordBytes`, and shrinks
//   back after a file that made it grow; input and inflate buffers are fixed.
// - An `Event` handed to the callback points into `buffer` (or `embedded` for lookup-events input) and is
//   used before the buffer is touched again.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads CloudTrail files one at a time, reusing its buffers. One per thread.
public final class FileReader {
    public let options: ReaderOptions

    /// Buffer sizes: 256 KiB of JSON at a time is as fast as whole-file buffers and keeps memory flat.
    struct BufferSizes {
        var initialCapacity = 256 << 10
        var inputCapacity = 128 << 10
        var minimumFree = 64 << 10
    }
    let sizes: BufferSizes

    let inflater: GzipInflater
    var scanner: RecordScanner
    var embeddedScanner: RecordScanner
    var embedded: [UInt8] = []
    /// Scratch bytes for `--where` conditions.
    var whereScratch: [UInt8] = []
    var buffer: UnsafeMutableRawPointer
    var capacity: Int
    let input: UnsafeMutablePointer<UInt8>
    var filled = 0
    var scanned = 0
    var report = FileReport(path: "")
    var memory: UnsafeRawBufferPointer?
    var memoryOffset = 0
    /// The largest the buffer has been (tests check that memory stays bounded by the record limit).
    var peakCapacity = 0
    /// `read(_:through:)`: the last record wanted, and whether it has gone by.
    var stopAfter = Int.max
    var stopped = false
    /// The current record's `TopMember` table (refilled per record).
    let slots = UnsafeMutablePointer<UInt16>.allocate(capacity: TopMember.slotCount)

    public convenience init(options: ReaderOptions) {
        self.init(options: options, sizes: BufferSizes())
    }

    /// Tests use tiny buffers so that records and tokens straddle every possible boundary.
    init(options: ReaderOptions, sizes: BufferSizes) {
        self.options = options
        self.sizes = sizes
        inflater = options.inflater.make()
        scanner = RecordScanner(maxDepth: options.maxDepth, maxRecordBytes: options.maxRecordBytes)
        embeddedScanner = RecordScanner(maxDepth: options.maxDepth, maxRecordBytes: options.maxRecordBytes)
        capacity = sizes.initialCapacity
        buffer = .allocate(byteCount: capacity, alignment: 16)
        input = .allocate(capacity: sizes.inputCapacity)
    }

    deinit {
        buffer.deallocate()
        input.deallocate()
        slots.deallocate()
    }

    /// Reads `file` only up to the record with index `lastRecord` (a caller that wants a few known records: it stops
    /// inflating there). Problems after that point are not seen.
    public func read(_ file: InputFile, through lastRecord: Int, _ body: (Event) -> Void) -> FileReport {
        stopAfter = lastRecord
        defer { stopAfter = .max }
        return read(file, body)
    }

    /// Reads `file`, calling `body` with each CloudTrail event that passes the options' filters, in file order.
    /// Never throws: every problem is in the returned report, and records before a problem are delivered.
    public func read(_ file: InputFile, _ body: (Event) -> Void) -> FileReport {
        report = FileReport(path: file.path)
        stopped = false
        let fd = file.isStdin ? 0 : file.pathBytes.withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_CLOEXEC, 0) }
        }
        guard fd >= 0 else {
            fail(.unreadable, message: String(cString: strerror(errno)))
            return finishReport()
        }
        defer { if !file.isStdin { close(fd) } }
        // Standard input made a file (`StandardInput.makeRereadable`) is read from its start each time; a pipe once.
        if file.isStdin { _ = lseek(fd, 0, SEEK_SET) }
        var before = stat()
        let regular = fstat(fd, &before) == 0 && (before.st_mode & S_IFMT) == S_IFREG
        if (before.st_mode & S_IFMT) == S_IFDIR {
            fail(.notRegularFile, message: "is a folder")
            return finishReport()
        }
        readStream(fd, body)
        var after = stat()
        if regular && fstat(fd, &after) == 0
            && (after.st_size != before.st_size || after.st_mtim.tv_sec != before.st_mtim.tv_sec
                || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)
        {
            // An S3 sync still writing the file: what was read may be incomplete, so it must be read again later.
            fail(.changedDuringRead, message: "the file changed while it was read (\(before.st_size) → \(after.st_size) bytes); read it again")
        }
        return finishReport()
    }

    /// Only inflates `file` (or reads it, if plain) through the same buffers, discarding the output: the benchmark's
    /// "inflate alone with the same library". Returns the bytes produced, or -1 on a fault.
    public func inflateOnly(_ file: InputFile) -> Int {
        let fd = file.pathBytes.withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_CLOEXEC, 0) }
        }
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        var total = 0
        var eof = false
        inflater.reset()
        inflater.setInput(input, count: 0)
        while true {
            if inflater.pendingInput == 0 && !eof {
                let got = readSome(fd, input, sizes.inputCapacity)
                if got <= 0 { eof = true } else { inflater.setInput(input, count: got) }
            }
            switch inflater.inflate(into: buffer, capacity: capacity) {
            case .corrupt: return -1
            case .progress(let p):
                total += p
                if p == 0 && inflater.pendingInput == 0 && eof { return total }
            case .memberEnd(let p):
                total += p
                if inflater.pendingInput == 0 && eof { return total }
                if inflater.pendingInput > 0 { inflater.reset() }
                else {
                    let got = readSome(fd, input, sizes.inputCapacity)
                    if got <= 0 { return total }
                    inflater.setInput(input, count: got)
                    inflater.reset()
                }
            }
        }
    }

    /// Reads a file's content held in memory (fuzzing, tests, content from elsewhere), as `read(_:_:)` reads a file.
    public func read(content: UnsafeRawBufferPointer, path: String, _ body: (Event) -> Void) -> FileReport {
        report = FileReport(path: path)
        memory = content
        memoryOffset = 0
        defer { memory = nil }
        readStream(-1, body)
        return finishReport()
    }

    func readStream(_ fd: Int32, _ body: (Event) -> Void) {
        scanner.reset()
        filled = 0
        scanned = 0
        // Read until two bytes are in (or the input ends) so a pipe that delivers one byte first is still sniffed
        // correctly as gzip.
        var n = readSome(fd, input, sizes.inputCapacity)
        while n == 1 {
            let more = readSome(fd, input + 1, sizes.inputCapacity - 1)
            if more <= 0 { break }
            n += more
        }
        if n < 0 {
            fail(.unreadable, message: String(cString: strerror(errno)))
        } else if n == 0 {
            fail(.empty, message: "the file has no content")
        } else if n >= 2 && input[0] == 0x1F && input[1] == 0x8B {
            report.inputBytes = n
            readGzip(fd, firstChunk: n, body)
        } else {
            report.inputBytes = n
            readPlain(fd, firstChunk: n, body)
        }
        if capacity > sizes.initialCapacity {
            buffer.deallocate()
            capacity = sizes.initialCapacity
            buffer = .allocate(byteCount: capacity, alignment: 16)
        }
    }

    func finishReport() -> FileReport {
        if report.inputBytes > 0 { report.jsonBytes = scanner.streamBase + filled }
        // An event without a valid time or with escaped keys, or a repeated envelope, is still read (and counted
        // apart): alone, it leaves the file read.
        if report.problemCount > report.untimed + report.escapedKeys + report.repeatedEnvelopes && report.status == .read {
            report.status = report.records > 0 ? .partial : .failed
        }
        return report
    }

    func fail(_ kind: Diagnostic.Kind, offset: Int? = nil, record: Int? = nil, message: String) {
        report.add(Diagnostic(kind, path: report.path, offset: offset, recordIndex: record, message: message))
    }

    /// read(2), retrying on EINTR; or the next bytes of `memory`.
    func readSome(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ count: Int) -> Int {
        if let memory {
            let n = min(count, memory.count - memoryOffset)
            if n > 0 { p.copyMemory(from: memory.baseAddress! + memoryOffset, byteCount: n) }
            memoryOffset += n
            return n
        }
        while true {
            let n = Glibc.read(fd, p, count)
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }
}
