/// ISO 8601 / RFC 3339 timestamps as CloudTrail writes them (`2026-11-20T10:00:00Z`), parsed without Foundation.
public enum Timestamp {
    /// Parses `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH:MM|±HHMM]` into seconds since 1970 (UTC when no offset is
    /// given). Returns nil for anything else.
    public static func parse(_ raw: UnsafeRawBufferPointer) -> Int64? {
        let n = raw.count
        if n == 20, let seconds = parseCloudTrail(raw) { return seconds }
        return parseGeneral(raw)
    }

    static func parseGeneral(_ raw: UnsafeRawBufferPointer) -> Int64? {
        let n = raw.count
        guard n >= 10 else { return nil }
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= n else { return nil }
            var v = 0
            for k in at..<(at + count) {
                let c = raw[k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard let year = digits(0, 4), raw[4] == 0x2D, let month = digits(5, 2), raw[7] == 0x2D,
            let day = digits(8, 2), (1...12).contains(month), day >= 1, day <= daysIn(month, year)
        else { return nil }
        var seconds = Int64(daysFromCivil(year, month, day)) * 86_400
        var i = 10
        if i == n { return seconds }
        guard raw[i] == 0x54 || raw[i] == 0x20 || raw[i] == 0x74 else { return nil }
        guard let hour = digits(i + 1, 2), i + 3 < n, raw[i + 3] == 0x3A, let minute = digits(i + 4, 2),
            hour < 24, minute < 60
        else { return nil }
        seconds += Int64(hour * 3600 + minute * 60)
        i += 6
        if i < n && raw[i] == 0x3A {
            guard let second = digits(i + 1, 2), second <= 60 else { return nil }
            seconds += Int64(second)
            i += 3
            if i < n && (raw[i] == 0x2E || raw[i] == 0x2C) {
                i += 1
                let start = i
                while i < n && raw[i] >= 0x30 && raw[i] <= 0x39 { i += 1 }
                guard i > start else { return nil }
            }
        }
        if i == n { return seconds }
        switch raw[i] {
        case 0x5A, 0x7A:
            return i + 1 == n ? seconds : nil
        case 0x2B, 0x2D:
            let sign: Int64 = raw[i] == 0x2B ? 1 : -1
            guard let oh = digits(i + 1, 2) else { return nil }
            var j = i + 3
            if j < n && raw[j] == 0x3A { j += 1 }
            guard let om = digits(j, 2), j + 2 == n, oh < 24, om < 60 else { return nil }
            return seconds - sign * Int64(oh * 3600 + om * 60)
        default:
            return nil
        }
    }

    /// Hot path: `YYYY-MM-DDTHH:MM:SSZ` exactly, the form of every `eventTime` (parsed once or more per event).
    /// Nil for anything else, which the general parser then reads.
    @inline(__always)
    static func parseCloudTrail(_ raw: UnsafeRawBufferPointer) -> Int64? {
        guard raw[4] == 0x2D, raw[7] == 0x2D, raw[10] == 0x54, raw[13] == 0x3A, raw[16] == 0x3A, raw[19] == 0x5A
        else { return nil }
        var bad: UInt8 = 0
        @inline(__always)
        func d(_ k: Int) -> Int {
            let v = raw[k] &- 0x30
            bad |= v > 9 ? 1 : 0
            return Int(v)
        }
        let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)
        let month = d(5) * 10 + d(6)
        let day = d(8) * 10 + d(9)
        let hour = d(11) * 10 + d(12)
        let minute = d(14) * 10 + d(15)
        let second = d(17) * 10 + d(18)
        guard bad == 0, month >= 1, month <= 12, day >= 1, day <= daysIn(month, year), hour < 24, minute < 60,
            second <= 60
        else { return nil }
        return Int64(daysFromCivil(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// True when `raw` parses (`parse(raw) != nil`). Hot path (the reader checks every event's `eventTime`):
    /// CloudTrail's own form is checked digit by digit without computing the time.
    @inline(__always)
    public static func isValid(_ raw: UnsafeRawBufferPointer) -> Bool {
        if raw.count == 20, raw[4] == 0x2D, raw[7] == 0x2D, raw[10] == 0x54, raw[13] == 0x3A, raw[16] == 0x3A,
            raw[19] == 0x5A
        {
            @inline(__always) func d(_ k: Int) -> UInt8 { raw[k] &- 0x30 }
            let digits = d(0) <= 9 && d(1) <= 9 && d(2) <= 9 && d(3) <= 9 && d(5) <= 9 && d(6) <= 9 && d(8) <= 9
                && d(9) <= 9 && d(11) <= 9 && d(12) <= 9 && d(14) <= 9 && d(15) <= 9 && d(17) <= 9 && d(18) <= 9
            if digits {
                @inline(__always) func two(_ k: Int) -> Int { Int(d(k)) * 10 + Int(d(k + 1)) }
                let month = two(5)
                let day = two(8)
                if month >= 1 && month <= 12 && day >= 1 && two(11) < 24 && two(14) < 60 && two(17) <= 60
                    && (day <= 28 || day <= daysIn(month, two(0) * 100 + two(2)))
                {
                    return true
                }
            }
        }
        return parseGeneral(raw) != nil
    }

    /// `raw` (which parses as `seconds`) as text in CloudTrail's form: itself when it is in that form already,
    /// else formatted from `seconds`, so an offset, a fraction or a space never reaches what is made from it.
    public static func text(_ raw: UnsafeRawBufferPointer, _ seconds: Int64) -> String {
        raw.count == 20 && parseCloudTrail(raw) == seconds ? String(decoding: raw, as: UTF8.self) : format(seconds)
    }

    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Formats seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func format(_ seconds: Int64) -> String {
        let days = Int(seconds.floorDiv(86_400))
        let rest = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = civilFromDays(days)
        // Years 0-9999 (every CloudTrail time): twenty bytes written in place, without string interpolation (a
        // finding formats dozens of times, and interpolation cost ~5,000 instructions each).
        if (0...9999).contains(y) {
            return String(unsafeUninitializedCapacity: 20) { buffer in
                func put(_ at: Int, _ v: Int) {
                    buffer[at] = UInt8(48 + v / 10)
                    buffer[at + 1] = UInt8(48 + v % 10)
                }
                put(0, y / 100)
                put(2, y % 100)
                buffer[4] = 0x2D
                put(5, m)
                buffer[7] = 0x2D
                put(8, d)
                buffer[10] = 0x54
                put(11, rest / 3600)
                buffer[13] = 0x3A
                put(14, rest / 60 % 60)
                buffer[16] = 0x3A
                put(17, rest % 60)
                buffer[19] = 0x5A
                return 20
            }
        }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        return "\(String(repeating: "0", count: max(0, 4 - year.count)))\(year)-\(two(m))-\(two(d))T"
            + "\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z: Int) -> (Int, Int, Int) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

extension Int64 {
    func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
