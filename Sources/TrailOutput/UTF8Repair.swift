/// Keeps output valid UTF-8 (and so valid JSON) when a log record held bytes that are not: each invalid sequence
/// becomes U+FFFD. Log content is attacker-chosen; a consumer's JSON parser must never choke on what we print.
public enum UTF8Repair {
    /// Repairs `bytes[from...]` in place. ASCII-only input (the common case) is checked eight bytes at a time.
    public static func repair(_ bytes: inout [UInt8], from start: Int) {
        var k = start
        let n = bytes.count
        var clean = true
        bytes.withUnsafeBytes { raw in
            while k + 8 <= n {
                if raw.loadUnaligned(fromByteOffset: k, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
                k += 8
            }
            var i = k
            while i < n {
                let length = sequenceLength(raw, i)
                if length == 0 {
                    clean = false
                    return
                }
                i += length
            }
        }
        guard !clean else { return }
        var out = Array(bytes[..<k])
        out.reserveCapacity(bytes.count + 16)
        var i = k
        bytes.withUnsafeBytes { raw in
            while i < n {
                let length = sequenceLength(raw, i)
                if length == 0 {
                    out += [0xEF, 0xBF, 0xBD]
                    i += 1
                } else {
                    out += raw[i..<(i + length)]
                    i += length
                }
            }
        }
        bytes = out
    }

    /// The length of the valid UTF-8 sequence at `i`, or 0 when the bytes there are not valid UTF-8.
    @inline(__always)
    static func sequenceLength(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let c = b[i]
        if c < 0x80 { return 1 }
        func cont(_ k: Int) -> Bool { i + k < b.count && b[i + k] & 0xC0 == 0x80 }
        switch c {
        case 0xC2...0xDF:
            return cont(1) ? 2 : 0
        case 0xE0:
            return cont(1) && b[i + 1] >= 0xA0 && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return cont(1) && cont(2) ? 3 : 0
        case 0xED:  // no UTF-16 surrogates
            return cont(1) && b[i + 1] < 0xA0 && cont(2) ? 3 : 0
        case 0xF0:
            return cont(1) && b[i + 1] >= 0x90 && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3:
            return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4:
            return cont(1) && b[i + 1] < 0x90 && cont(2) && cont(3) ? 4 : 0
        default:
            return 0
        }
    }
}
