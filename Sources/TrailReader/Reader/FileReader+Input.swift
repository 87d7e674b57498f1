// Hot path: the invariants are in FileReader.swift. Reading a file's bytes: plain or gzip members into the buffer.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FileReader {
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
}
