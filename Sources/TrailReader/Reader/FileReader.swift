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

    func readPlain(_ fd: Int32, firstChunk n: Int, _ body: (Event) -> Void) {
        buffer.copyMemory(from: input, byteCount: n)
        filled = n
        while true {
            guard scanAvailable(body) else { return }
            let free = makeSpace()
            let got = readSome(fd, buffer + filled, free)
            if got < 0 {
                fail(.unreadable, offset: scanner.streamBase + filled, message: String(cString: strerror(errno)))
                return
            }
            if got == 0 { break }
            filled += got
            report.inputBytes += got
        }
        report.jsonBytes = scanner.streamBase + filled
        finishStream()
    }

    func readGzip(_ fd: Int32, firstChunk n: Int, _ body: (Event) -> Void) {
        inflater.reset()
        inflater.setInput(input, count: n)
        var eof = false
        var inMember = true
        var inflated = 0
        var consumed: Int { report.inputBytes - inflater.pendingInput }
        while true {
            if inflater.pendingInput == 0 && !eof {
                let got = readSome(fd, input, sizes.inputCapacity)
                if got < 0 {
                    fail(.unreadable, offset: consumed, message: String(cString: strerror(errno)))
                    return
                }
                if got == 0 {
                    eof = true
                } else {
                    inflater.setInput(input, count: got)
                    report.inputBytes += got
                }
            }
            if !inMember {
                // Between gzip members: another member, zero padding, or the end.
                let pending = inflater.pendingInput
                if pending == 0 {
                    if eof { break }
                    continue
                }
                let next = inflater.nextInput!
                if next[0] == 0x1F && (pending < 2 || next[1] == 0x8B) {
                    inflater.reset()
                    inMember = true
                } else if (0..<pending).allSatisfy({ next[$0] == 0 }) {
                    inflater.setInput(next + pending, count: 0)
                    continue
                } else {
                    fail(
                        .trailingData, offset: consumed,
                        message: "\(report.inputBytes - consumed)+ bytes after the last gzip member are not gzip; ignored")
                    break
                }
            }
            let free = makeSpace()
            let produced: Int
            switch inflater.inflate(into: buffer + filled, capacity: free) {
            case .corrupt(let message, let p):
                filled += p
                inflated += p
                _ = scanAvailable(body)
                fail(.corruptGzip, offset: consumed, message: "\(message) (after \(inflated) bytes inflated)")
                return
            case .progress(let p):
                produced = p
                if p == 0 && inflater.pendingInput == 0 && eof {
                    fail(
                        .truncatedGzip, offset: consumed,
                        message: "the gzip stream ends early (after \(inflated) bytes inflated)")
                    return
                }
            case .memberEnd(let p):
                produced = p
                inMember = false
            }
            inflated += produced
            filled += produced
            if inflated > options.maxInflatedBytes {
                filled -= inflated - options.maxInflatedBytes
                _ = scanAvailable(body)
                fail(
                    .inflateLimit, offset: consumed,
                    message: "inflated past the limit of \(options.maxInflatedBytes) bytes; the rest was not read")
                return
            }
            guard scanAvailable(body) else { return }
        }
        report.jsonBytes = scanner.streamBase + filled
        finishStream()
    }

    /// The input ended cleanly: the JSON must be complete too.
    func finishStream() {
        report.jsonBytes = scanner.streamBase + filled
        if let fault = scanner.finish(at: filled) {
            reportFault(fault)
        } else if scanner.valuesSeen == 0 && report.problemCount == 0 {
            fail(.empty, message: "no JSON content")
        }
    }

    /// Makes room to write at `buffer + filled`; returns the free byte count.
    func makeSpace() -> Int {
        if capacity - filled >= sizes.minimumFree { return capacity - filled }
        let keep = scanner.retainFrom(scanned: scanned)
        if keep > 0 {
            (buffer).copyMemory(from: buffer + keep, byteCount: filled - keep)
            filled -= keep
            scanned -= keep
            scanner.shift(by: keep)
        }
        if capacity - filled < sizes.minimumFree {
            let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
            bigger.copyMemory(from: buffer, byteCount: filled)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
            peakCapacity = max(peakCapacity, capacity)
        }
        return capacity - filled
    }

    /// Scans new bytes, delivering records. Returns false when a fault ends the file.
    func scanAvailable(_ body: (Event) -> Void) -> Bool {
        let base = UnsafePointer(buffer.assumingMemoryBound(to: UInt8.self))
        scanned = scanner.scan(
            base, from: scanned, to: filled,
            onRecord: { rec in
                if rec.index > stopAfter {
                    stopped = true
                    return
                }
                if rec.layout == .lookupEventsEnvelope {
                    unwrapLookupEvent(rec, body)
                } else {
                    deliver(rec, base: UnsafeRawPointer(base), body)
                }
            },
            onNotice: { notice($0) })
        if stopped { return false }
        if let fault = scanner.fault {
            reportFault(fault)
            return false
        }
        if scanner.inRecord && filled - scanner.recordStart > options.maxRecordBytes {
            scanner.dropOversizeRecord(scanned: scanned) { notice($0) }
        }
        return true
    }

    func deliver(_ rec: ScannedRecord, base: UnsafeRawPointer, _ body: (Event) -> Void) {
        let event = Event(
            bytes: UnsafeRawBufferPointer(start: base + rec.start, count: rec.end - rec.start), base: base,
            keys: rec.keys, slots: slots, index: rec.index, offset: rec.streamOffset, hasLineBreaks: rec.hasLineBreaks,
            hasEscapedKey: rec.hasEscapedKey)
        accept(event, notEvent: "an object without eventTime, eventName and eventSource", body)
    }

    /// Counts a record and hands it on if it is a CloudTrail event that passes the filters.
    func accept(_ event: Event, notEvent: String, _ body: (Event) -> Void) {
        guard event.looksLikeCloudTrail else {
            report.rejected += 1
            fail(.notCloudTrail, offset: event.offset, record: event.index, message: notEvent)
            return
        }
        report.records += 1
        if !event.hasValidTime { reportUntimed(event) }
        if event.hasEscapedKey {
            report.escapedKeys += 1
            fail(
                .escapedKey, offset: event.offset, record: event.index,
                message: "a top-level key is written with escapes (as CloudTrail never writes them: the record was "
                    + "edited); read as the name it decodes to, as jq reads it")
        }
        if options.hasEventFilter && !passesFilters(event) {
            report.filtered += 1
            return
        }
        report.delivered += 1
        body(event)
    }

    /// An event whose `eventTime` is there but is not a time (`"yesterday"`, `null`, a number, `2026-13-45…`).
    func reportUntimed(_ event: Event) {
        report.untimed += 1
        // The value as the file holds it (quotes and escapes included: a time spelled with escapes is not read).
        var shown = event.member(.eventTime).map { String(decoding: $0.bytes.prefix(80), as: UTF8.self) } ?? "?"
        if (event.member(.eventTime)?.bytes.count ?? 0) > 80 { shown += "…" }
        fail(
            .invalidEventTime, offset: event.offset, record: event.index,
            message: "\(shown) is not a time; the event is read, but gives no time to findings (first and last seen, "
                + "containment cutoffs) and never passes --since or --until")
    }

    /// `aws cloudtrail lookup-events` wraps each event as a JSON string in `CloudTrailEvent`.
    func unwrapLookupEvent(_ rec: ScannedRecord, _ body: (Event) -> Void) {
        let base = UnsafeRawPointer(buffer)
        let offset = rec.streamOffset
        let wrapper = Event(
            bytes: UnsafeRawBufferPointer(start: base + rec.start, count: rec.end - rec.start), base: base,
            keys: rec.keys, slots: slots, index: rec.index, offset: offset, hasLineBreaks: rec.hasLineBreaks,
            hasEscapedKey: rec.hasEscapedKey)
        guard let raw = wrapper.member("CloudTrailEvent")?.rawStringContents else {
            report.rejected += 1
            fail(.notCloudTrail, offset: offset, record: rec.index, message: "an Events element without CloudTrailEvent")
            return
        }
        embedded.removeAll(keepingCapacity: true)
        JSONString.unescape(raw, into: &embedded)
        embeddedScanner.reset()
        var problem: String?
        embedded.withUnsafeBufferPointer { inner in
            let innerBase = inner.baseAddress!
            var found: ScannedRecord?
            var values = 0
            _ = embeddedScanner.scan(
                innerBase, from: 0, to: inner.count,
                onRecord: { innerRec in
                    values += 1
                    if values == 1 { found = innerRec }
                }, onNotice: { _ in values += 1 })
            if let fault = embeddedScanner.fault ?? embeddedScanner.finish(at: inner.count) {
                problem = "invalid JSON at byte \(fault.offset) of the string"
            } else if embeddedScanner.valuesSeen != 1 || values != 1 || found?.layout != .topLevelObject {
                problem = "not exactly one event object"
            } else if let innerRec = found {
                // The scanner is done with the string, so the record's key table is still as it left it.
                let event = Event(
                    bytes: UnsafeRawBufferPointer(start: innerBase + innerRec.start, count: innerRec.end - innerRec.start),
                    base: UnsafeRawPointer(innerBase), keys: innerRec.keys, slots: slots, index: rec.index, offset: offset,
                    hasLineBreaks: innerRec.hasLineBreaks, hasEscapedKey: innerRec.hasEscapedKey)
                accept(event, notEvent: "CloudTrailEvent is not an event", body)
            }
        }
        if let problem {
            report.rejected += 1
            fail(.invalidJSON, offset: offset, record: rec.index, message: "CloudTrailEvent: \(problem)")
        }
    }

    func notice(_ notice: ScanNotice) {
        if case .repeatedEnvelope(let offset) = notice {
            report.repeatedEnvelopes += 1
            fail(
                .repeatedEnvelope, offset: offset,
                message: "Records appears again in the file (CloudTrail writes it once: the file was edited); every "
                    + "array's records are read, and each array's are numbered from 0 (jq '.Records' shows only the last)")
            return
        }
        report.rejected += 1
        switch notice {
        case .nonObjectElement(let index, let offset, let kind):
            fail(.notCloudTrail, offset: offset, record: index, message: "\(kind) where an event object was expected")
        case .recordTooLarge(let index, let offset):
            fail(.recordTooLarge, offset: offset, record: index, message: "larger than \(options.maxRecordBytes) bytes; skipped")
        case .recovered(let fault):
            reportFault(fault, recovered: true)
        case .repeatedEnvelope:
            break
        }
    }

    func reportFault(_ fault: ScanFault, recovered: Bool = false) {
        let tail = recovered ? "; skipped to the next line" : "; the rest of the file was not read"
        switch fault.kind {
        case .syntax(let what):
            fail(.invalidJSON, offset: fault.offset, record: fault.recordIndex, message: what + tail)
        case .tooDeep(let limit):
            fail(.tooDeep, offset: fault.offset, record: fault.recordIndex, message: "deeper than \(limit) levels" + tail)
        case .notObject(let kind):
            fail(.notCloudTrail, offset: fault.offset, record: fault.recordIndex, message: "a top-level value that is \(kind)" + tail)
        case .unexpectedEnd:
            fail(
                .truncatedJSON, offset: fault.offset, record: fault.recordIndex,
                message: "the JSON ends inside a value (the file is cut short)")
        }
    }

    func passesFilters(_ event: Event) -> Bool {
        if options.since != nil || options.until != nil {
            guard let t = event.eventTime else { return false }
            if let since = options.since, t < since { return false }
            if let until = options.until, t > until { return false }
        }
        if !options.accounts.isEmpty {
            let account = event.member(.recipientAccountId)?.string
                ?? event.member(.userIdentity)?.member("accountId")?.string
            guard let account, options.accounts.contains(account) else { return false }
        }
        if !options.regions.isEmpty {
            guard let region = event.member(.awsRegion)?.string, options.regions.contains(region) else { return false }
        }
        return true
    }
}

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
