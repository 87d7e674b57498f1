// Hot path. A view of one JSON value inside a record that the scanner has already validated.
//
// Invariants:
// - `bytes` covers exactly one complete, valid JSON value (no surrounding whitespace); the scanner
//   validated it, so the navigation here can skip values without re-checking the grammar.
// - A `JSONValue` borrows the record's memory: it is valid only while the record callback runs. Copy what
//   must outlive it (`string`, `rawText`).

/// The kind of a JSON value, from its first byte.
public enum JSONKind: Sendable, Equatable {
    case object, array, string, number, bool, null
}

/// One JSON value inside a record, read lazily.
public struct JSONValue {
    public let bytes: UnsafeRawBufferPointer

    @inlinable
    public init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var kind: JSONKind {
        switch bytes.first {
        case 0x7B: return .object
        case 0x5B: return .array
        case 0x22: return .string
        case 0x74, 0x66: return .bool
        case 0x6E: return .null
        default: return .number
        }
    }

    public var isNull: Bool { bytes.first == 0x6E }

    /// The raw JSON text of the value.
    public var rawText: String { String(decoding: bytes, as: UTF8.self) }

    /// The bytes between the quotes of a string value, still escaped; nil for other kinds.
    public var rawStringContents: UnsafeRawBufferPointer? {
        guard bytes.count >= 2, bytes[0] == 0x22 else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[1..<(bytes.count - 1)])
    }

    /// The decoded value of a string; nil for other kinds.
    public var string: String? {
        guard let raw = rawStringContents else { return nil }
        if !raw.contains(0x5C) { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        JSONString.unescape(raw, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The decoded string, or the raw text of a number or boolean; nil for null, objects and arrays.
    public var scalarText: String? {
        switch kind {
        case .string: return string
        case .number, .bool: return rawText
        default: return nil
        }
    }

    /// Appends the value as text to `out`: strings decoded, other scalars as written. Returns false for null,
    /// objects and arrays.
    public func appendScalar(to out: inout [UInt8]) -> Bool {
        switch bytes.first {
        case 0x22:
            JSONString.unescape(rawStringContents!, into: &out)
            return true
        case 0x7B, 0x5B, 0x6E, nil:
            return false
        default:
            out.append(contentsOf: bytes)
            return true
        }
    }

    /// True when the value is a string equal to `literal` (compared byte for byte, without decoding escapes
    /// unless the string has any).
    public func isString(_ literal: StaticString) -> Bool {
        guard let raw = rawStringContents else { return false }
        let n = literal.utf8CodeUnitCount
        if raw.count == n {
            return memcmpEqual(raw.baseAddress!, UnsafeRawPointer(literal.utf8Start), n)
        }
        guard raw.contains(0x5C) else { return false }
        var out: [UInt8] = []
        JSONString.unescape(raw, into: &out)
        return out.count == n && out.withUnsafeBytes { memcmpEqual($0.baseAddress!, literal.utf8Start, n) }
    }

    public var bool: Bool? {
        switch bytes.first {
        case 0x74: return true
        case 0x66: return false
        default: return nil
        }
    }

    /// The value as an integer, for numbers without fraction or exponent that fit in 64 bits.
    public var int64: Int64? {
        guard kind == .number else { return nil }
        var negative = false
        var value: Int64 = 0
        for (k, b) in bytes.enumerated() {
            if k == 0 && b == 0x2D {
                negative = true
                continue
            }
            guard b >= 0x30 && b <= 0x39 else { return nil }
            // Accumulate negatively: Int64.min has no positive counterpart.
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.subtractingReportingOverflow(Int64(b - 0x30))
            if o1 || o2 { return nil }
            value = a
        }
        if negative { return value }
        return value == Int64.min ? nil : -value
    }

    /// The member named `key` of an object; nil when absent or when this is not an object.
    @inlinable
    public func member(_ key: UnsafeRawBufferPointer) -> JSONValue? {
        guard bytes.first == 0x7B else { return nil }
        return JSONNavigator.member(in: bytes, key: key)
    }

    /// The member named by a literal (no string to bridge).
    @inline(__always)
    public func member(_ name: StaticString) -> JSONValue? {
        member(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    /// The member named by `key` (literals go to the `StaticString` overload).
    @_disfavoredOverload
    public func member(_ key: String) -> JSONValue? {
        var key = key
        return key.withUTF8 { member(UnsafeRawBufferPointer($0)) }
    }

    /// Element `index` of an array; nil when out of range or when this is not an array.
    public func element(_ index: Int) -> JSONValue? {
        guard bytes.first == 0x5B else { return nil }
        var found: JSONValue?
        var k = 0
        forEachElement { v in
            if k == index {
                found = v
                return false
            }
            k += 1
            return true
        }
        return found
    }

    /// Calls `body` with each element of an array, in order, until it returns false.
    public func forEachElement(_ body: (JSONValue) -> Bool) {
        guard bytes.first == 0x5B else { return }
        JSONNavigator.forEachElement(in: bytes, body)
    }

    /// Calls `body` with each member of an object (raw key bytes, still escaped, and value) until it returns
    /// false.
    public func forEachMember(_ body: (UnsafeRawBufferPointer, JSONValue) -> Bool) {
        guard bytes.first == 0x7B else { return }
        JSONNavigator.forEachMember(in: bytes, body)
    }

    /// Number of elements of an array or members of an object; 0 for scalars.
    public var count: Int {
        var n = 0
        if bytes.first == 0x5B {
            forEachElement { _ in
                n += 1
                return true
            }
        } else if bytes.first == 0x7B {
            forEachMember { _, _ in
                n += 1
                return true
            }
        }
        return n
    }
}

@inline(__always)
@usableFromInline
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var k = 0
    while k + 8 <= n {
        if a.loadUnaligned(fromByteOffset: k, as: UInt64.self) != b.loadUnaligned(fromByteOffset: k, as: UInt64.self) {
            return false
        }
        k += 8
    }
    while k < n {
        if a.load(fromByteOffset: k, as: UInt8.self) != b.load(fromByteOffset: k, as: UInt8.self) { return false }
        k += 1
    }
    return true
}

extension UnsafeRawBufferPointer {
    /// True when these bytes are exactly the literal's (a raw JSON key against a member name).
    @inline(__always)
    public func equals(_ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && (count == 0 || memcmpEqual(baseAddress!, UnsafeRawPointer(literal.utf8Start), count))
    }
}
