import TrailReader

/// What the first pass remembers of a file for the second: the keys its events would join states with (for events
/// that match a `state:` rule's detection, computed before lineage is known, plus `cred:<account>/<key>` for their
/// access keys, whose origin lineage may change), as sorted 32-bit fingerprints, and the time span of those events.
/// After the first pass, only files whose keys may meet an open state in time are read again.
///
/// Fingerprints, not a Bloom filter: a fixed 512-bit filter held about 37 keys per file of the benchmark corpus
/// (a fifth of its bits set), so one file in ten matched some open state by chance and was read again for nothing;
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

/// Chooses the files the second pass must read: those whose keys may meet an open state while it is open, directly
/// or through a temporary key minted from a credential the states name.
struct SecondPassSelection {
    struct Window {
        let print: UInt32
        let open: Int64
        let close: Int64
    }
    var windows: [Window] = []
    /// Temporary keys whose lineage leads to a credential or user a state names: `cred:` fingerprints and validity.
    var derived: [Window] = []

    /// With `skipping`, the states with those identities are left out (earlier files were checked against them).
    init(states: StateIndex, lineage: LineageMap, skipping known: Set<String> = [], rules: RuleSet? = nil) {
        var tokens = Set<String>()
        // A rule's events must be inside a state of each of its `state:` entries, so the first entry's states are
        // enough to choose files, and a rule with an entry that never opened can match nothing.
        for (rule, specs) in states.windows where specs.allSatisfy({ !$0.isEmpty }) {
            for (key, list) in specs[0] {
                let print = FileKeys.fingerprint(key)
                for w in list {
                    if !known.isEmpty, let rules, known.contains(StateIndex.identity(rules.rules[rule].id, 0, w)) { continue }
                    windows.append(Window(print: print, open: w.open, close: w.close))
                    for t in key.split(separator: "/") { tokens.insert(String(t)) }
                }
            }
        }
        guard !windows.isEmpty else { return }
        // A temporary key is related when a link of its chain was minted by a key a state names, or its chain's
        // root is a user a state names. Worked out once per issuance, each from its parent's answer (a chain per
        // issuance cost more than the rest of the selection).
        let all = lineage.all
        var memo = [UInt8](repeating: 0, count: all.count)  // 0 unknown, 1 related, 2 not, 3 being worked out
        func related(_ n: Int, depth: Int) -> Bool {
            switch memo[n] {
            case 1: return true
            case 2: return false
            case 3: return true  // a cycle: ends the chain; read files rather than miss one
            default: break
            }
            // Past the length `chain` follows, answer yes without keeping it (only longer chains get here).
            if depth >= 16 { return true }
            memo[n] = 3
            let x = all[n]
            var answer: Bool
            if let k = x.parentKey, tokens.contains(k) {
                answer = true
            } else if let k = x.parentKey, let parent = lineage.issuanceIndex(of: k, account: x.account, at: x.issuedAt) {
                answer = related(parent, depth: depth + 1)
            } else {
                answer = Enrichment.lastSegment(x.parentPrincipal, after: ":user/").map { tokens.contains($0) } ?? false
            }
            memo[n] = answer ? 1 : 2
            return answer
        }
        for n in all.indices where related(n, depth: 0) {
            let issuance = all[n]
            derived.append(
                Window(
                    print: FileKeys.fingerprint("cred:\(issuance.account)/\(issuance.childKey)"),
                    open: issuance.issuedAt - 1, close: issuance.expiresAt + 1))
        }
    }

    func needs(_ file: FileKeys) -> Bool {
        for w in windows where file.overlaps(w.open, w.close) && file.mayContain(w.print) { return true }
        for d in derived where file.overlaps(d.open, d.close) && file.mayContain(d.print) { return true }
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

    /// As `mix`, 32 bytes at a time in four independent lanes (the per-event identity hash, over a kilobyte of
    /// `userIdentity` for role sessions; never kept between runs, so it may differ from `mix`).
    @inline(__always)
    static func mixWide(_ seed: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress else { return seed }
        let n = bytes.count
        var a = seed ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
        var b = seed &+ 0x6A09_E667_F3BC_C908
        var c = seed &+ 0xBB67_AE85_84CA_A73B
        var d = seed &+ 0x3C6E_F372_FE94_F82B
        var i = 0
        while i + 32 <= n {
            a = (a ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            b = (b ^ base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
            c = (c ^ base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            d = (d ^ base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
            a ^= a >> 32
            b ^= b >> 29
            c ^= c >> 31
            d ^= d >> 33
            i += 32
        }
        let lanes = a ^ (b &* 0x9E37_79B9_7F4A_7C15) ^ (c &* 0xC2B2_AE3D_27D4_EB4F) ^ (d &* 0x1656_67B1_9E37_79F9)
        return mix(lanes, UnsafeRawBufferPointer(start: base + i, count: n - i))
    }
}
