/// Bytes for the spill file: LEB128 integers (zig-zag for signed ones), length-prefixed UTF-8 strings, an optional
/// string as 0 for nil else its length plus one. Only this process reads them back.
struct SpillWriter {
    var out: [UInt8]

    mutating func uint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    mutating func int(_ value: Int64) { uint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func fixed(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func flag(_ value: Bool) { out.append(value ? 1 : 0) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { bytes in
            uint(UInt64(bytes.count))
            out.append(contentsOf: bytes)
        }
    }

    mutating func optional(_ s: String?) {
        guard var s else { return out.append(0) }
        s.withUTF8 { bytes in
            uint(UInt64(bytes.count) + 1)
            out.append(contentsOf: bytes)
        }
    }

    mutating func strings(_ list: [String]) {
        uint(UInt64(list.count))
        for s in list { string(s) }
    }
}

/// Reads what `SpillWriter` wrote; each read is nil when the bytes are not what it expects (cut short, or other).
struct SpillReader {
    let bytes: UnsafeRawBufferPointer
    var at = 0
    /// The last evidence file read: a builder's evidence is mostly from one file, kept as one string.
    var lastFile: String?

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { at == bytes.count }

    mutating func uint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while at < bytes.count && shift < 64 {
            let b = bytes[at]
            at += 1
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    mutating func int() -> Int64? {
        guard let u = uint() else { return nil }
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    /// A count of items that follow (each at least one byte: more than the bytes left is not a count).
    mutating func count() -> Int? {
        guard let n = uint(), n <= UInt64(bytes.count - at) else { return nil }
        return Int(n)
    }

    mutating func fixed() -> UInt64? {
        guard bytes.count - at >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[at + i]) << UInt64(8 * i) }
        at += 8
        return v
    }

    mutating func flag() -> Bool? {
        guard at < bytes.count, bytes[at] <= 1 else { return nil }
        at += 1
        return bytes[at - 1] == 1
    }

    mutating func text(_ length: Int) -> String? {
        guard length <= bytes.count - at else { return nil }
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<at + length]), as: UTF8.self)
        at += length
        return s
    }

    mutating func string() -> String? {
        guard let n = count() else { return nil }
        return text(n)
    }

    /// nil when the bytes are not an optional string; `.some(nil)` for a nil one.
    mutating func optional() -> String?? {
        guard let n = count() else { return nil }
        return n == 0 ? .some(nil) : text(n - 1).map { .some($0) }
    }

    mutating func strings() -> [String]? {
        guard let n = count() else { return nil }
        var list: [String] = []
        list.reserveCapacity(n)
        for _ in 0..<n {
            guard let s = string() else { return nil }
            list.append(s)
        }
        return list
    }
}
