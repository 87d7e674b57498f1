// Hot path. Moves through JSON text that the record scanner has already validated.
//
// Invariants:
// - Every function takes a buffer holding one complete, valid JSON value and indexes inside it only; the
//   grammar is not re-checked, so these must never be called on text the scanner did not accept.
// - Nothing recurses: nesting is skipped by counting brackets, so depth cannot exhaust the stack.

@usableFromInline
enum JSONNavigator {
    @inline(__always)
    @usableFromInline
    static func skipSpace(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int {
        var i = i
        while i < p.count {
            let c = p[i]
            if c != 0x20 && c != 0x0A && c != 0x0D && c != 0x09 { break }
            i += 1
        }
        return i
    }

    /// `i` is just after an opening quote; returns the index of the closing quote.
    @inline(__always)
    @usableFromInline
    static func stringEnd(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int {
        var i = i
        let base = p.baseAddress!
        let n = p.count
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let m = quoteOrBackslash(w)
            if m != 0 {
                i += m.trailingZeroBitCount >> 3
                let c = p[i]
                if c == 0x22 { return i }
                if c == 0x5C {
                    i += 2
                    continue
                }
                i += 1
                continue
            }
            i += 8
        }
        while i < n {
            let c = p[i]
            if c == 0x22 { return i }
            i += c == 0x5C ? 2 : 1
        }
        return n
    }

    @inline(__always)
    static func quoteOrBackslash(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let q = w ^ (ones &* 0x22)
        let b = w ^ (ones &* 0x5C)
        return (((q &- ones) & ~q) | ((b &- ones) & ~b)) & 0x8080_8080_8080_8080
    }

    /// `i` is the first byte of a value; returns the index just past it.
    @usableFromInline
    static func valueEnd(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let c = p[i]
        switch c {
        case 0x22:
            return stringEnd(p, i + 1) + 1
        case 0x7B, 0x5B:
            var depth = 0
            var k = i
            while k < p.count {
                let b = p[k]
                if b == 0x22 {
                    k = stringEnd(p, k + 1) + 1
                    continue
                }
                if b == 0x7B || b == 0x5B {
                    depth += 1
                } else if b == 0x7D || b == 0x5D {
                    depth -= 1
                    if depth == 0 { return k + 1 }
                }
                k += 1
            }
            return p.count
        default:
            var k = i + 1
            while k < p.count {
                let b = p[k]
                if b == 0x2C || b == 0x7D || b == 0x5D || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
                    break
                }
                k += 1
            }
            return k
        }
    }

    /// The member named `key` (raw bytes); of duplicate keys the last, as jq, Python's json and most JSON parsers
    /// read them, and as the top-level member table does. So the walk goes on to the end of the object.
    @usableFromInline
    static func member(in p: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) -> JSONValue? {
        var found: JSONValue?
        forEachMember(in: p) { k, v in
            if k.count == key.count && memcmpEqual(k.baseAddress!, key.baseAddress!, k.count) { found = v }
            return true
        }
        return found
    }

    /// `p` holds an object; calls `body` with each key and value until it returns false. A key is its raw bytes,
    /// or, when written with escapes (`"\u0061rn"`), its decoded name, as jq reads it.
    @usableFromInline
    static func forEachMember(in p: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, JSONValue) -> Bool) {
        var i = skipSpace(p, 1)
        while i < p.count && p[i] == 0x22 {
            let (keyEnd, escaped) = keyEnd(p, i + 1)
            let key = UnsafeRawBufferPointer(rebasing: p[(i + 1)..<keyEnd])
            i = skipSpace(p, keyEnd + 1)  // at ':'
            i = skipSpace(p, i + 1)
            let end = valueEnd(p, i)
            let value = JSONValue(bytes: UnsafeRawBufferPointer(rebasing: p[i..<end]))
            if escaped {
                var decoded: [UInt8] = []
                JSONString.unescape(key, into: &decoded)
                if !decoded.withUnsafeBytes({ body($0, value) }) { return }
            } else if !body(key, value) {
                return
            }
            i = skipSpace(p, end)
            if i < p.count && p[i] == 0x2C { i = skipSpace(p, i + 1) }
        }
    }

    /// As `stringEnd`, for a key: also whether it holds an escape.
    @inline(__always)
    static func keyEnd(_ p: UnsafeRawBufferPointer, _ i: Int) -> (Int, Bool) {
        var i = i
        var escaped = false
        let base = p.baseAddress!
        let n = p.count
        while i + 8 <= n {
            let m = quoteOrBackslash(base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if m != 0 {
                i += m.trailingZeroBitCount >> 3
                if p[i] == 0x22 { return (i, escaped) }
                escaped = true
                i += 2
                continue
            }
            i += 8
        }
        while i < n {
            let c = p[i]
            if c == 0x22 { return (i, escaped) }
            if c == 0x5C {
                escaped = true
                i += 2
            } else {
                i += 1
            }
        }
        return (n, escaped)
    }

    /// `p` holds an array; calls `body` with each element until it returns false.
    @usableFromInline
    static func forEachElement(in p: UnsafeRawBufferPointer, _ body: (JSONValue) -> Bool) {
        var i = skipSpace(p, 1)
        while i < p.count && p[i] != 0x5D {
            let end = valueEnd(p, i)
            if !body(JSONValue(bytes: UnsafeRawBufferPointer(rebasing: p[i..<end]))) { return }
            i = skipSpace(p, end)
            if i < p.count && p[i] == 0x2C { i = skipSpace(p, i + 1) }
        }
    }
}

/// JSON string escapes.
public enum JSONString {
    /// Decodes the escaped contents of a JSON string (between the quotes) and appends the UTF-8 bytes to `out`.
    /// Lone surrogates become U+FFFD.
    public static func unescape(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var i = 0
        let n = raw.count
        out.reserveCapacity(out.count + n)
        while i < n {
            let c = raw[i]
            if c != 0x5C {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < n else { break }
            let e = raw[i + 1]
            i += 2
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard let hi = hex4(raw, i) else { return }
                i += 4
                var scalar = UInt32(hi)
                if hi >= 0xD800 && hi < 0xDC00 {
                    if i + 6 <= n && raw[i] == 0x5C && raw[i + 1] == 0x75, let lo = hex4(raw, i + 2),
                        lo >= 0xDC00 && lo < 0xE000
                    {
                        scalar = 0x10000 + ((UInt32(hi) - 0xD800) << 10) + (UInt32(lo) - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if hi >= 0xDC00 && hi < 0xE000 {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &out)
            default: out.append(e)  // \" \\ \/
            }
        }
    }

    static func hex4(_ raw: UnsafeRawBufferPointer, _ i: Int) -> UInt16? {
        guard i + 4 <= raw.count else { return nil }
        var v: UInt16 = 0
        for k in 0..<4 {
            let c = raw[i + k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt16(d)
        }
        return v
    }

    static func appendUTF8(_ s: UInt32, to out: inout [UInt8]) {
        switch s {
        case 0..<0x80:
            out.append(UInt8(s))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (s >> 6)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (s >> 12)))
            out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (s >> 18)))
            out.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    /// Appends `bytes` to `out` as the contents of a JSON string (no surrounding quotes), escaping what JSON
    /// requires.
    public static func escape(_ bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        for b in bytes {
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hexDigits[Int(b >> 4)], hexDigits[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
    }
}
