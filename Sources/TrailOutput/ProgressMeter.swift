import TrailReader

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Progress of a long read, for a person watching stderr: files done, megabytes read, events per second and the time
/// left, redrawn in place on one line at most four times a second once the read has run half a second, and cleared
/// at the end. A disabled meter (stderr not a terminal, or `-q`) writes nothing.
public final class ProgressMeter {
    let sink: ByteSink
    let enabled: Bool
    let clock: () -> Double
    let totalFiles: Int
    /// The files' sizes on disk; 0 when unknown (standard input), and then time left is estimated by files.
    let totalBytes: Int
    let start: Double
    var files = 0
    var bytes = 0
    var events = 0
    var lastDraw = -Double.infinity
    var drawn = false

    public init(
        _ files: [InputFile], to sink: ByteSink, enabled: Bool, clock: @escaping () -> Double = ProgressMeter.seconds
    ) {
        self.sink = sink
        self.enabled = enabled
        self.clock = clock
        totalFiles = files.count
        var total = 0
        if enabled {
            for file in files where !file.isStdin {
                var info = stat()
                let found = file.pathBytes.withUnsafeBufferPointer { p in
                    p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { stat($0, &info) }
                }
                if found == 0 { total += Int(info.st_size) }
            }
        }
        totalBytes = total
        start = clock()
    }

    /// Counts a file read, and redraws the line when it is time to.
    public func add(_ report: FileReport) {
        guard enabled else { return }
        files += 1
        bytes += report.inputBytes
        events += report.records
        let now = clock()
        guard now - start >= 0.5, now - lastDraw >= 0.25 else { return }
        lastDraw = now
        drawn = true
        let text = Self.line(
            files: files, totalFiles: totalFiles, bytes: bytes, totalBytes: totalBytes, events: events,
            elapsed: now - start)
        sink.write("\r" + text + "\u{1B}[K")
        sink.flush()
    }

    /// Clears the line, so what follows on stderr starts clean.
    public func finish() {
        guard drawn else { return }
        sink.write("\r\u{1B}[K")
        sink.flush()
        drawn = false
    }

    /// `trailhound: 120/1846 files, 512/1000 MB, 675.2k events/s, ETA 0:42`.
    public static func line(
        files: Int, totalFiles: Int, bytes: Int, totalBytes: Int, events: Int, elapsed: Double
    ) -> String {
        let megabytes = totalBytes > 0 ? "\(mb(bytes))/\(mb(totalBytes)) MB" : "\(mb(bytes)) MB"
        let rate = elapsed > 0 ? Double(events) / elapsed : 0
        let done =
            totalBytes > 0 ? Double(bytes) / Double(totalBytes) : totalFiles > 0 ? Double(files) / Double(totalFiles) : 0
        let eta = done > 0 && elapsed >= 1 ? duration(elapsed * max(0, 1 - done) / done) : "--:--"
        return "trailhound: \(files)/\(totalFiles) files, \(megabytes), \(count(rate)) events/s, ETA \(eta)"
    }

    /// Megabytes (10^6 bytes): one decimal below 100, whole above.
    static func mb(_ bytes: Int) -> String {
        let value = Double(bytes) / 1_000_000
        if value >= 100 { return String(Int(value.rounded())) }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `950`, `12.3k`, `1.5M`.
    static func count(_ rate: Double) -> String {
        func one(_ v: Double) -> String {
            let tenths = Int((v * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)"
        }
        if rate >= 999_950 { return one(rate / 1_000_000) + "M" }
        if rate >= 1_000 { return one(rate / 1_000) + "k" }
        return String(Int(rate.rounded()))
    }

    /// `0:42`, `12:05`, `2:03:07`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(min(seconds, 359_999).rounded())
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return s >= 3600 ? "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
    }

    /// Seconds on the monotonic clock.
    public static func seconds() -> Double { MonotonicClock.seconds() }
}
