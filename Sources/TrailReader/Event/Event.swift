// Hot path. One CloudTrail record as the reader hands it out: raw bytes plus the offsets of its top-level
// members, which the scanner recorded on its way through, so a lookup never re-reads the record from the start.
//
// Invariants:
// - `bytes` and every `KeyEntry` point into the reader's buffer, which is valid only while the record callback
//   runs; nothing here copies unless a caller asks for a `String`.
// - `keys` lists the record's top-level members in order; offsets are relative to `base`.
// - `slots` is the record's `TopMember` table (see TopMember.swift), filled when the event is made; it lives as long
//   as the reader's buffer and is refilled for the next record.

/// One CloudTrail event, read lazily. Valid only inside the callback that received it.
public struct Event {
    /// The record's JSON text.
    public let bytes: UnsafeRawBufferPointer
    let base: UnsafeRawPointer
    let keys: UnsafeBufferPointer<KeyEntry>
    let slots: UnsafePointer<UInt16>
    /// Position of the record in its file: the element index in `Records` (or `Events`), or the line's value
    /// index for JSON Lines, so `jq '.Records[N]'` finds it.
    public let index: Int
    /// Offset of the record's first byte in the file's decompressed stream.
    public let offset: Int
    /// True when the record's text has line breaks between tokens (pretty-printed input).
    public let hasLineBreaks: Bool
    /// True when a top-level key is written with escapes: names are then compared decoded, as jq compares them.
    let hasEscapedKey: Bool

    init(
        bytes: UnsafeRawBufferPointer, base: UnsafeRawPointer, keys: UnsafeBufferPointer<KeyEntry>,
        slots: UnsafeMutablePointer<UInt16>, index: Int, offset: Int, hasLineBreaks: Bool, hasEscapedKey: Bool = false
    ) {
        self.bytes = bytes
        self.base = base
        self.keys = keys
        self.hasEscapedKey = hasEscapedKey
        TopMember.fill(slots, keys: keys, base: base, decoding: hasEscapedKey)
        self.slots = UnsafePointer(slots)
        self.index = index
        self.offset = offset
        self.hasLineBreaks = hasLineBreaks
    }

    /// The top-level member `m`, if present.
    @inline(__always)
    public func member(_ m: TopMember) -> JSONValue? {
        let k = Int(slots[Int(m.rawValue)])
        guard k != 0 && keys.count <= Int(UInt16.max) else {
            // Only the first 65,535 keys have slots: past them the walk, which sees every key (a later duplicate too).
            if keys.count > Int(UInt16.max) {
                var name = "\(m)"
                return name.withUTF8 { walk(UnsafeRawBufferPointer($0)) }
            }
            return nil
        }
        let entry = keys[k - 1]
        return JSONValue(bytes: UnsafeRawBufferPointer(start: base + entry.valueStart, count: entry.valueEnd - entry.valueStart))
    }

    /// The top-level member named by `key` (raw bytes), if present.
    @inline(__always)
    public func member(_ key: UnsafeRawBufferPointer) -> JSONValue? {
        if let m = TopMember.classify(key) { return member(m) }
        return walk(key)
    }

    /// The member at a path's first component.
    @inline(__always)
    public func member(_ component: FieldPath.Component) -> JSONValue? {
        if let m = component.member { return member(m) }
        return component.bytes.withUnsafeBytes { walk($0) }
    }

    /// Finds a member not in `TopMember` by comparing names; of duplicate keys, the last.
    func walk(_ key: UnsafeRawBufferPointer) -> JSONValue? {
        let n = key.count
        var k = keys.count
        var decoded: [UInt8] = []
        while k > 0 {
            k -= 1
            let entry = keys[k]
            let raw = UnsafeRawBufferPointer(start: base + entry.keyStart, count: entry.keyLength)
            let equal: Bool
            if hasEscapedKey && raw.contains(0x5C) {
                decoded.removeAll(keepingCapacity: true)
                JSONString.unescape(raw, into: &decoded)
                equal = decoded.elementsEqual(key)
            } else {
                equal = entry.keyLength == n && memcmpEqual(raw.baseAddress!, key.baseAddress!, n)
            }
            if equal {
                return JSONValue(bytes: UnsafeRawBufferPointer(start: base + entry.valueStart, count: entry.valueEnd - entry.valueStart))
            }
        }
        return nil
    }

    /// The top-level member `name`, if present.
    public func member(_ name: StaticString) -> JSONValue? {
        member(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    /// The value at `path`; nil when any component is absent or the value there is of another shape.
    /// A JSON `null` is returned as a value whose `isNull` is true.
    public func value(at path: FieldPath) -> JSONValue? {
        let components = path.components
        var current: JSONValue? = member(components[0])
        var k = 1
        while k < components.count, let value = current {
            let component = components[k]
            if value.bytes.first == 0x5B, let index = component.index {
                current = value.element(index)
            } else {
                current = component.bytes.withUnsafeBytes { value.member($0) }
            }
            k += 1
        }
        return current
    }

    /// The decoded string (or number or boolean text) at `path`.
    public func string(at path: FieldPath) -> String? {
        value(at: path)?.scalarText
    }

    /// `eventTime` in seconds since 1970, when present and well-formed.
    public var eventTime: Int64? {
        guard let raw = member(.eventTime)?.rawStringContents else { return nil }
        return Timestamp.parse(raw)
    }

    /// True when `eventTime` is present and well-formed (`eventTime != nil`), checked without computing it.
    @inline(__always)
    public var hasValidTime: Bool {
        guard let raw = member(.eventTime)?.rawStringContents else { return false }
        return Timestamp.isValid(raw)
    }

    /// Top-level member names, in order.
    public var memberNames: [String] {
        keys.map { String(decoding: UnsafeRawBufferPointer(start: base + $0.keyStart, count: $0.keyLength), as: UTF8.self) }
    }

    /// The record as a standalone value.
    public var json: JSONValue { JSONValue(bytes: bytes) }

    /// True when the record has the members every CloudTrail event has.
    public var looksLikeCloudTrail: Bool {
        member(.eventTime) != nil && member(.eventName) != nil && member(.eventSource) != nil
    }
}
