import TrailDetect

/// Makes log values inert on a terminal: every character that could move the cursor, run a terminal command
/// (ANSI/OSC escapes), reorder what is shown (bidirectional overrides, "Trojan Source") or hide text (zero-width
/// and other invisible format characters) becomes a visible `\u{…}` escape. The one function every writer of
/// text for people uses: tables, trace, the run summary and diagnostics, rule listings and warnings. JSON output
/// (which people page through as often as programs read it) gets the same characters as JSON escapes
/// (`inertJSON`), which leaves every value as it was for a parser.
public enum TerminalText {
    public static func sanitize(_ s: String) -> String { InertText.escape(s) }

    /// True for what a terminal must not receive raw (`InertText.mustEscape`).
    public static func needsEscape(_ s: Unicode.Scalar) -> Bool { InertText.mustEscape(s) }

    /// Rewrites, in JSON text from `start` on (valid UTF-8: run after `UTF8Repair`), every character `needsEscape`
    /// names but the ASCII controls (already escaped in JSON strings) as a JSON `\uXXXX` escape (a surrogate pair above U+FFFF). Such characters can only be inside strings
    /// (raw control characters are not JSON at all), so the text is the same JSON value. ASCII without DEL, the
    /// common case, is checked eight bytes at a time, before and after every other character (findings' own text has
    /// dashes and quotes beyond ASCII in every line), and copied in runs; text with nothing to escape is left untouched.
    public static func inertJSON(_ bytes: inout [UInt8], from start: Int = 0) {
        let n = bytes.count
        guard let first = bytes.withUnsafeBytes({ nextEscape($0, from: start) }) else { return }
        var out: [UInt8] = []
        out.reserveCapacity(n + 64)
        bytes.withUnsafeBufferPointer { buf in
            let raw = UnsafeRawBufferPointer(buf)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[..<first]))
            var i = first
            while i < n {
                // `i` is at a character to escape.
                let (scalar, length) = decode(raw, i)
                let v = scalar!.value
                if v > 0xFFFF {
                    unit(0xD800 + ((v - 0x10000) >> 10), into: &out)
                    unit(0xDC00 + ((v - 0x10000) & 0x3FF), into: &out)
                } else {
                    unit(v, into: &out)
                }
                i += length
                let next = nextEscape(raw, from: i) ?? n
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<next]))
                i = next
            }
        }
        bytes = out
    }

    /// The offset of the first character at or after `from` that `inertJSON` escapes, or nil.
    static func nextEscape(_ raw: UnsafeRawBufferPointer, from: Int) -> Int? {
        let n = raw.count
        var i = from
        while i < n {
            // Eight bytes at a time while they are ASCII without DEL.
            while i + 8 <= n {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let del = w ^ 0x7F7F_7F7F_7F7F_7F7F
                if (w | ((del &- 0x0101_0101_0101_0101) & ~del)) & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < n else { return nil }
            let (scalar, length) = decode(raw, i)
            if let scalar, escapesInJSON(scalar) { return i }
            i += length
        }
        return nil
    }

    /// Appends `\u` and `u`'s four hex digits.
    @inline(__always)
    private static func unit(_ u: UInt32, into out: inout [UInt8]) {
        @inline(__always) func hex(_ d: UInt32) -> UInt8 { d < 10 ? 0x30 + UInt8(d) : 0x57 + UInt8(d) }
        out.append(0x5C)
        out.append(0x75)
        out.append(hex(u >> 12 & 0xF))
        out.append(hex(u >> 8 & 0xF))
        out.append(hex(u >> 4 & 0xF))
        out.append(hex(u & 0xF))
    }

    /// What `inertJSON` escapes: `needsEscape`, but for the ASCII controls, which JSON escapes in strings already
    /// and which outside strings are the line breaks and tabs between tokens.
    @inline(__always)
    static func escapesInJSON(_ s: Unicode.Scalar) -> Bool { s.value >= 0x7F && needsEscape(s) }

    /// The scalar encoded at `i` and its length in bytes; nil (length 1) for a byte that does not start valid UTF-8.
    @inline(__always)
    static func decode(_ b: UnsafeRawBufferPointer, _ i: Int) -> (Unicode.Scalar?, Int) {
        let c = b[i]
        if c < 0x80 { return (Unicode.Scalar(c), 1) }
        let length = UTF8Repair.sequenceLength(b, i)
        guard length > 1 else { return (nil, 1) }
        var v = UInt32(c) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for k in 1..<length { v = v << 6 | UInt32(b[i + k] & 0x3F) }
        return (Unicode.Scalar(v), length)
    }
}
