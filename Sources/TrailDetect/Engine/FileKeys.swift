import TrailReader

/// What the first pass remembers of a file for the second: the keys its events would join windows with (for events
/// that match a `state:` rule's detection, computed before lineage is known, plus `cred:<account>/<key>` for their
/// access keys, whose origin lineage may change), as sorted 32-bit fingerprints, and the time span of those events.
/// After the first pass, only files whose keys may meet an open window in time are read again.
///
/// Fingerprints, not a Bloom filter: a fixed 512-bit filter held about 37 keys per file of the benchmark corpus
/// (a fifth of its bits set), so one file in ten matched some open window by chance and was read again for nothing;
/// fingerprints cost 4 bytes per distinct key and match by chance once in about 2^32 / keys probes.
public struct FileKeys: Sendable {
    /// Sorted and distinct once `seal()`ed; appended to while a file is read.
    private(set) var prints: [UInt32] = []
    private var sealedCount = 0
    /// True for a file whose keys are unknown (a fingerprint from an older state file): it may hold any key.
    public private(set) var saturated = false
    public private(set) var minTime = Int64.max
    public private(set) var maxTime = Int64.min

    public init() {}

    /// The fingerprints as bytes (4 per key, little-endian), and back (for the state file). A one-byte 0xFF blob is a
    /// file whose keys are unknown.
    public var bytes: [UInt8] {
        if saturated { return [0xFF] }
        var sealed = self
        sealed.seal()
        var out: [UInt8] = []
        out.reserveCapacity(sealed.prints.count * 4)
        for p in sealed.prints { withUnsafeBytes(of: p.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    public init?(bytes: [UInt8], minTime: Int64, maxTime: Int64) {
        if bytes == [0xFF] {
            saturated = true
        } else {
            guard bytes.count % 4 == 0 else { return nil }
            prints = stride(from: 0, to: bytes.count, by: 4).map { k in
                UInt32(bytes[k]) | UInt32(bytes[k + 1]) << 8 | UInt32(bytes[k + 2]) << 16 | UInt32(bytes[k + 3]) << 24
            }
            sealedCount = 0
            seal()
        }
        self.minTime = minTime
        self.maxTime = maxTime
    }

    /// A file whose keys are unknown.
    public static func unknown(minTime: Int64, maxTime: Int64) -> FileKeys {
        var k = FileKeys()
        k.saturated = true
        k.minTime = minTime
        k.maxTime = maxTime
        return k
    }

    static let fnvOffset: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always)
    static func fnv(_ h: UInt64, _ b: UInt8) -> UInt64 { (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }

    /// FNV-1a of a key's UTF-8.
    static func fnvString(_ key: String) -> UInt64 {
        var h = fnvOffset
        for b in key.utf8 { h = fnv(h, b) }
        return h
    }

    /// A key's 32-bit fingerprint (FNV-1a mixed down).
    @inline(__always)
    static func fingerprint(hash: UInt64) -> UInt32 {
        var h = hash &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return UInt32(truncatingIfNeeded: h >> 32)
    }

    static func fingerprint(_ key: String) -> UInt32 { fingerprint(hash: fnvString(key)) }

    mutating func insert(_ key: String) { insert(hash: Self.fnvString(key)) }

    mutating func insert(hash: UInt64) {
        prints.append(Self.fingerprint(hash: hash))
        // Keys repeat (one per identity and template); sorting now and then keeps the list near its distinct size.
        if prints.count >= 2 * sealedCount + 64 { seal() }
    }

    /// Sorts and removes repeats.
    mutating func seal() {
        guard prints.count != sealedCount else { return }
        prints.sort()
        var w = 0
        for r in prints.indices where w == 0 || prints[r] != prints[w - 1] {
            prints[w] = prints[r]
            w += 1
        }
        prints.removeLast(prints.count - w)
        sealedCount = prints.count
    }

    /// Whether the file may hold the key with this fingerprint (the keys must be sealed).
    func mayContain(_ print: UInt32) -> Bool {
        if saturated { return true }
        var lo = 0
        var hi = prints.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if prints[mid] < print { lo = mid + 1 } else { hi = mid }
        }
        return lo < prints.count && prints[lo] == print
    }

    mutating func saw(_ time: Int64) {
        if time < minTime { minTime = time }
        if time > maxTime { maxTime = time }
    }

    var isEmpty: Bool { maxTime == .min }

    /// Adds another part of the same file.
    mutating func formUnion(_ other: FileKeys) {
        saturated = saturated || other.saturated
        prints += other.prints
        seal()
        minTime = min(minTime, other.minTime)
        maxTime = max(maxTime, other.maxTime)
    }

    /// True when events of this file may fall between `open` and `close`.
    func overlaps(_ open: Int64, _ close: Int64) -> Bool { !isEmpty && open < maxTime && minTime < close }
}
