import ArgumentParser
import Foundation
import TrailReader

/// The reader's flags, shared by every command that reads logs.
struct ReaderFlags: ParsableArguments {
    @Option(name: .customLong("account"), help: ArgumentHelp("Only this account (repeatable, or comma-separated).", valueName: "id"))
    var accounts: [String] = []

    @Option(name: .customLong("region"), help: ArgumentHelp("Only this region (repeatable, or comma-separated).", valueName: "name"))
    var regions: [String] = []

    @Option(help: ArgumentHelp("Only events at or after this time: 2026-11-20, 2026-11-20T10:00:00Z, or 6h / 7d / 30m ago.", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only events at or before this time (a date alone means the end of that day).", valueName: "time"))
    var until: String?

    @Option(help: "Files read in parallel (default: all cores).")
    var threads: Int?

    @Option(help: ArgumentHelp("Stop inflating a file past this size, e.g. 4G, 512M (a decompression bomb).", valueName: "size"))
    var maxInflatedBytes: String = "4G"

    @Option(help: ArgumentHelp("Skip, with a diagnostic, records larger than this, e.g. 32M.", valueName: "size"))
    var maxRecordBytes: String = "32M"

    @Option(help: ArgumentHelp("The gzip decoder: isal (default where installed) or zlib.", valueName: "name"))
    var inflater: String?

    mutating func validate() throws {
        _ = try readerOptions()
    }

    func readerOptions(now: Date = Date()) throws -> ReaderOptions {
        var options = ReaderOptions()
        options.accounts = Set(accounts.flatMap { $0.split(separator: ",").map { String($0) } })
        options.regions = Set(regions.flatMap { $0.split(separator: ",").map { String($0) } })
        if let since { options.since = try TimeArgument.parse(since, option: "--since", endOfDay: false, now: now) }
        if let until { options.until = try TimeArgument.parse(until, option: "--until", endOfDay: true, now: now) }
        if let s = options.since, let u = options.until, s > u {
            throw ValidationError("--since (\(Timestamp.format(s))) is after --until (\(Timestamp.format(u)))")
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        options.threads = threads ?? cores
        options.maxInflatedBytes = try SizeArgument.parse(maxInflatedBytes, option: "--max-inflated-bytes")
        options.maxRecordBytes = try SizeArgument.parse(maxRecordBytes, option: "--max-record-bytes")
        if let inflater {
            guard let kind = InflaterKind(rawValue: inflater), InflaterKind.available.contains(kind) else {
                throw ValidationError(
                    "--inflater '\(inflater)' is not available; this build has \(InflaterKind.available.map(\.rawValue).joined(separator: ", "))")
            }
            options.inflater = kind
        }
        return options
    }
}

enum TimeArgument {
    /// A date, a date and time (UTC unless an offset is given), or a duration before now (`90m`, `6h`, `7d`).
    static func parse(_ text: String, option: String, endOfDay: Bool, now: Date) throws -> Int64 {
        if let last = text.last, let unit = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800][String(last)],
            let n = Int64(text.dropLast()), n >= 0
        {
            return Int64(now.timeIntervalSince1970) - n * Int64(unit)
        }
        guard let t = Timestamp.parse(text) else {
            throw ValidationError(
                "\(option) '\(text)' is not a time: use 2026-11-20, 2026-11-20T10:00:00Z, or a duration like 6h or 7d")
        }
        return endOfDay && text.utf8.count == 10 ? t + 86_399 : t
    }
}

enum SizeArgument {
    /// Bytes, with an optional K, M or G suffix (powers of 1024).
    static func parse(_ text: String, option: String) throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(text)
        var unit = 1
        if let last = text.last?.uppercased().first, let u = units[last] {
            unit = u
            digits = digits.dropLast()
        }
        if digits.last == "i" || digits.last == "B" { digits = digits.dropLast() }
        guard let n = Int(digits), n > 0, n <= Int.max / unit else {
            throw ValidationError("\(option) '\(text)' is not a size: use a number of bytes, or 64K, 512M, 4G")
        }
        return n * unit
    }
}
