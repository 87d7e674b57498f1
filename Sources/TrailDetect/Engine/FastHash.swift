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
