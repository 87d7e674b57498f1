/// What a path in CloudTrail's S3 layout says:
/// `AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json.gz`.
public struct LogPath: Sendable, Equatable {
    public var account: String?
    public var region: String?
    public var nameTime: Int64?
    public var folderDay: Int64?
    public var isDigest = false
    /// Whether the folder (`AWSLogs/…/<account>/CloudTrail/<region>/`) and the file name say the same account and
    /// region, as AWS writes them: only then may a filter trust the path to skip a file unread. An export that
    /// renamed or moved files (a flat folder, names that disagree) is read and filtered by its records.
    public var accountConfirmed = false
    public var regionConfirmed = false

    public init(_ path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if let a = parts.lastIndex(of: "AWSLogs") {
            var k = a + 1
            if k < parts.count, parts[k].hasPrefix("o-") { k += 1 }
            if k < parts.count, Self.isAccount(parts[k]) {
                account = parts[k]
                k += 1
            }
            if k < parts.count, parts[k].hasPrefix("CloudTrail") {
                isDigest = parts[k] == "CloudTrail-Digest"
                k += 1
                if k < parts.count - 1 {
                    region = parts[k]
                    k += 1
                }
                if k + 2 < parts.count, let y = Int(parts[k]), let m = Int(parts[k + 1]), let d = Int(parts[k + 2]),
                    parts[k].count == 4, (1...12).contains(m), (1...31).contains(d)
                {
                    folderDay = Int64(Timestamp.daysFromCivil(y, m, d)) * 86_400
                }
            }
        }
        let name = parts.last ?? ""
        let fields = name.split(separator: "_").map(String.init)
        if fields.count >= 4, Self.isAccount(fields[0]), fields[1].hasPrefix("CloudTrail") {
            accountConfirmed = account == fields[0]
            regionConfirmed = region == fields[2]
            account = account ?? fields[0]
            if fields[1] == "CloudTrail-Digest" { isDigest = true }
            region = region ?? fields[2]
        }
        nameTime = fields.lazy.compactMap { Self.compactTime(String($0.prefix { $0 != "." })) }.first
    }

    static func isAccount(_ s: String) -> Bool {
        s.utf8.count == 12 && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Parses `YYYYMMDDTHHMMZ` or `YYYYMMDDTHHMMSSZ`.
    static func compactTime(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard b.count == 14 || b.count == 16, b[8] == 0x54, b.last == 0x5A else { return nil }
        var digits: [Int] = []
        for (k, c) in b.enumerated() where k != 8 && k != b.count - 1 {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            digits.append(Int(c - 0x30))
        }
        func num(_ from: Int, _ n: Int) -> Int { digits[from..<(from + n)].reduce(0) { $0 * 10 + $1 } }
        let (y, mo, d, h, mi) = (num(0, 4), num(4, 2), num(6, 2), num(8, 2), num(10, 2))
        let sec = digits.count == 14 ? num(12, 2) : 0
        guard (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61 else { return nil }
        return Int64(Timestamp.daysFromCivil(y, mo, d)) * 86_400 + Int64(h * 3600 + mi * 60 + sec)
    }

    /// True for names a log walk reads: `.json`, `.json.gz`, `.jsonl`, `.jsonl.gz`, `.ndjson`, `.gz`; not hidden
    /// files or partial downloads.
    public static func isLogFileName(_ name: String) -> Bool {
        if name.hasPrefix(".") { return false }
        let lower = name.lowercased()
        return [".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz"].contains {
            lower.hasSuffix($0)
        }
    }
}
