import TrailReader

/// What the first pass remembers of a file for the second: a 512-bit Bloom filter of the keys its events would join
/// states with (for events that match a `state:` rule's detection, computed before lineage is known, plus
/// `cred:<account>/<key>` for their access keys, whose origin lineage may change), and the time span of those events.
/// 80 bytes per file, whatever its size: after the first pass, only files whose keys may meet an open state in time
/// are read again.
public struct FileKeys: Sendable {
    var bits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    public private(set) var minTime = Int64.max
    public private(set) var maxTime = Int64.min

    public init() {}

    /// The filter as 64 bytes, and back (for the state file).
    public var bytes: [UInt8] { withUnsafeBytes(of: bits) { Array($0) } }

    public init?(bytes: [UInt8], minTime: Int64, maxTime: Int64) {
        guard bytes.count == 64 else { return nil }
        withUnsafeMutableBytes(of: &bits) { raw in raw.copyBytes(from: bytes) }
        self.minTime = minTime
        self.maxTime = maxTime
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

    /// The three bit positions of a key.
    static func positions(_ key: String) -> (Int, Int, Int) { positions(hash: fnvString(key)) }

    static func positions(hash: UInt64) -> (Int, Int, Int) {
        let h = hash ^ (hash >> 29)
        return (Int(h & 511), Int((h >> 9) & 511), Int((h >> 18) & 511))
    }

    mutating func set(_ bit: Int) {
        withUnsafeMutableBytes(of: &bits) { raw in
            let words = raw.bindMemory(to: UInt64.self)
            words[bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    func isSet(_ bit: Int) -> Bool {
        withUnsafeBytes(of: bits) { raw in raw.load(fromByteOffset: (bit >> 6) * 8, as: UInt64.self) & (1 << UInt64(bit & 63)) != 0 }
    }

    mutating func insert(_ key: String) { insert(hash: Self.fnvString(key)) }

    mutating func insert(hash: UInt64) {
        let (a, b, c) = Self.positions(hash: hash)
        set(a)
        set(b)
        set(c)
    }

    func mayContain(_ positions: (Int, Int, Int)) -> Bool {
        isSet(positions.0) && isSet(positions.1) && isSet(positions.2)
    }

    mutating func saw(_ time: Int64) {
        if time < minTime { minTime = time }
        if time > maxTime { maxTime = time }
    }

    var isEmpty: Bool { maxTime == .min }

    /// Adds another part of the same file.
    mutating func formUnion(_ other: FileKeys) {
        withUnsafeMutableBytes(of: &bits) { mine in
            withUnsafeBytes(of: other.bits) { theirs in
                for k in 0..<64 { mine[k] |= theirs[k] }
            }
        }
        minTime = min(minTime, other.minTime)
        maxTime = max(maxTime, other.maxTime)
    }

    /// True when events of this file may fall between `open` and `close`.
    func overlaps(_ open: Int64, _ close: Int64) -> Bool { !isEmpty && open < maxTime && minTime < close }
}

/// Chooses the files the second pass must read: those whose keys may meet an open state while it is open, directly
/// or through a temporary key minted from a credential the states name.
struct SecondPassSelection {
    struct Window {
        let positions: (Int, Int, Int)
        let open: Int64
        let close: Int64
    }
    var windows: [Window] = []
    /// Temporary keys whose lineage leads to a credential or user a state names: `cred:` positions and validity.
    var derived: [Window] = []

    /// With `skipping`, the states with those identities are left out (earlier files were checked against them).
    init(states: StateIndex, lineage: LineageMap, skipping known: Set<String> = [], rules: RuleSet? = nil) {
        var tokens = Set<String>()
        // A rule's events must be inside a state of each of its `state:` entries, so the first entry's states are
        // enough to choose files, and a rule with an entry that never opened can match nothing.
        for (rule, specs) in states.windows where specs.allSatisfy({ !$0.isEmpty }) {
            for (key, list) in specs[0] {
                let positions = FileKeys.positions(key)
                for w in list {
                    if !known.isEmpty, let rules, known.contains(StateIndex.identity(rules.rules[rule].id, 0, w)) { continue }
                    windows.append(Window(positions: positions, open: w.open, close: w.close))
                    for t in key.split(separator: "/") { tokens.insert(String(t)) }
                }
            }
        }
        guard !windows.isEmpty else { return }
        do {
            for issuance in lineage.issuances {
                let chain = lineage.chain(of: issuance.childKey, account: issuance.account, at: issuance.issuedAt)
                guard let root = chain.last else { continue }
                var related = false
                if let k = root.parentKey, tokens.contains(k) { related = true }
                if let user = Enrichment.lastSegment(root.parentPrincipal, after: ":user/"), tokens.contains(user) { related = true }
                for link in chain where link.parentKey.map({ tokens.contains($0) }) ?? false { related = true }
                guard related else { continue }
                derived.append(
                    Window(
                        positions: FileKeys.positions("cred:\(issuance.account)/\(issuance.childKey)"),
                        open: issuance.issuedAt - 1, close: issuance.expiresAt + 1))
            }
        }
    }

    func needs(_ file: FileKeys) -> Bool {
        for w in windows where file.overlaps(w.open, w.close) && file.mayContain(w.positions) { return true }
        for d in derived where file.overlaps(d.open, d.close) && file.mayContain(d.positions) { return true }
        return false
    }
}

/// A fast 64-bit hash over raw bytes, 8 at a time (the first pass hashes each event's identity to compute a file's
/// keys once per identity; SipHash, the standard library's, cost more than the rest of that step).
enum FastHash {
    @inline(__always)
    static func mix(_ seed: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        guard let base = bytes.baseAddress else { return h }
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 29)
    }

    /// As `mix`, 16 bytes at a time in two lanes (the per-event identity hash; never kept between runs, so it may
    /// differ from `mix`).
    @inline(__always)
    static func mixWide(_ seed: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress else { return seed }
        let n = bytes.count
        var a = seed ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
        var b = seed &+ 0x6A09_E667_F3BC_C908
        var i = 0
        while i + 16 <= n {
            a = (a ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            b = (b ^ base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
            a ^= a >> 32
            b ^= b >> 29
            i += 16
        }
        return mix(a ^ (b &* 0x9E37_79B9_7F4A_7C15), UnsafeRawBufferPointer(start: base + i, count: n - i))
    }
}
