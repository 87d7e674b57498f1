#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The strings of credential lineage, as bytes in chunks that never move, each named by a 32-bit id.
///
/// Written by hand because it is what lineage is made of: a year of STS calls is hundreds of thousands of issuances,
/// each with a new key, session ARN and event id. As `String`s those are three heap objects per issuance (about
/// 450 bytes with their record) and a retain/release on every copy of a record; here they are their bytes and a
/// 12-byte reference, and a record of ids holds no reference at all. The principals and keys that mint many
/// credentials (a user's key, an account id, an API name) are stored once (`intern`).
///
/// A value owner (`LineageMap`) copies it before mutating when it is shared, so the map keeps value semantics; many
/// threads may read one at once.
final class LineageText: @unchecked Sendable {
    struct Ref {
        var chunk: UInt32
        var offset: UInt32
        var count: UInt32
    }

    /// No text (an optional field that is nil).
    static let none = UInt32.max
    static let chunkSize = 64 << 10

    private var chunks: [UnsafeMutableRawPointer] = []
    /// The chunk being filled (-1 before the first) and its bytes used. A text longer than a quarter chunk gets a
    /// chunk of its own, so the one being filled stays.
    private var current = -1
    private var used = 0
    private var refs: [Ref] = []
    /// Interned texts by hash: the first id with that hash (a different text with the same hash is just stored again).
    private var interned: [UInt64: UInt32] = [:]
    /// The sizes of chunks made for one long text.
    private var bigSizes: [Int: Int] = [:]

    init() {}

    deinit { for c in chunks { c.deallocate() } }

    /// An independent copy (before a shared map is mutated).
    func copy() -> LineageText {
        let other = LineageText()
        for (n, c) in chunks.enumerated() {
            let size = chunkSize(n)
            let mine = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            mine.copyMemory(from: c, byteCount: size)
            other.chunks.append(mine)
        }
        other.current = current
        other.used = used
        other.refs = refs
        other.interned = interned
        other.bigSizes = bigSizes
        return other
    }

    private func chunkSize(_ n: Int) -> Int { bigSizes[n] ?? Self.chunkSize }

    /// Stores `text` and names it; with `intern`, a text stored before with `intern` is named again instead.
    func add(_ text: String, intern: Bool = false) -> UInt32 {
        var t = text
        return t.withUTF8 { add(UnsafeRawBufferPointer($0), intern: intern) }
    }

    func add(_ bytes: UnsafeRawBufferPointer, intern: Bool) -> UInt32 {
        var h: UInt64 = 0
        if intern {
            h = Self.hash(0x1A7E, bytes)
            if let known = interned[h], equals(known, bytes) { return known }
        }
        let n = bytes.count
        var ref: Ref
        if n == 0 {
            ref = Ref(chunk: 0, offset: 0, count: 0)
        } else if n > Self.chunkSize / 4 {
            let big = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 8)
            big.copyMemory(from: bytes.baseAddress!, byteCount: n)
            chunks.append(big)
            bigSizes[chunks.count - 1] = n
            ref = Ref(chunk: UInt32(chunks.count - 1), offset: 0, count: UInt32(n))
        } else {
            if current < 0 || used + n > Self.chunkSize {
                chunks.append(UnsafeMutableRawPointer.allocate(byteCount: Self.chunkSize, alignment: 8))
                current = chunks.count - 1
                used = 0
            }
            (chunks[current] + used).copyMemory(from: bytes.baseAddress!, byteCount: n)
            ref = Ref(chunk: UInt32(current), offset: UInt32(used), count: UInt32(n))
            used += n
        }
        let id = UInt32(refs.count)
        refs.append(ref)
        if intern && interned[h] == nil { interned[h] = id }
        return id
    }

    /// The bytes of text `id` (valid while this object lives and is not mutated).
    @inline(__always)
    func bytes(_ id: UInt32) -> UnsafeRawBufferPointer {
        let r = refs[Int(id)]
        guard r.count > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: chunks[Int(r.chunk)] + Int(r.offset), count: Int(r.count))
    }

    func string(_ id: UInt32) -> String { String(decoding: bytes(id), as: UTF8.self) }

    func optionalString(_ id: UInt32) -> String? { id == Self.none ? nil : string(id) }

    func equals(_ id: UInt32, _ other: UnsafeRawBufferPointer) -> Bool {
        let mine = bytes(id)
        guard mine.count == other.count else { return false }
        guard mine.count > 0 else { return true }
        return memcmp(mine.baseAddress!, other.baseAddress!, mine.count) == 0
    }

    func equals(_ id: UInt32, _ text: String) -> Bool {
        var t = text
        return t.withUTF8 { equals(id, UnsafeRawBufferPointer($0)) }
    }

    func equals(_ a: UInt32, _ b: UInt32) -> Bool { a == b || equals(a, bytes(b)) }

    /// The hash lineage's indexes use, the same for a text's bytes here and for the same text as a `String`.
    @inline(__always)
    static func hash(_ seed: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        FastHash.mix(seed, bytes.count == 0 ? UnsafeRawBufferPointer(start: nil, count: 0) : bytes)
    }
}
