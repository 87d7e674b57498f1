/// A hash table keyed by 64-bit hashes, with open addressing and linear probing: the per-event lookups (rule
/// indexes by `eventName` hash, identities seen in a file) without the standard library's SipHash, which cost more
/// than the lookups themselves. Keys are already hashes; they are mixed once more for the slot.
struct U64Table<Value> {
    private var keys: [UInt64]
    private var values: [Value?]
    private var used: [Bool]
    private(set) var count = 0
    private var mask: Int

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: nil, count: size)
        used = Array(repeating: false, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    subscript(key: UInt64) -> Value? {
        @inline(__always) get {
            var i = slot(key)
            while used[i] {
                if keys[i] == key { return values[i] }
                i = (i + 1) & mask
            }
            return nil
        }
        set {
            guard let newValue else { return }  // removal is not needed here
            if (count + 1) * 2 > keys.count { grow() }
            var i = slot(key)
            while used[i] {
                if keys[i] == key {
                    values[i] = newValue
                    return
                }
                i = (i + 1) & mask
            }
            used[i] = true
            keys[i] = key
            values[i] = newValue
            count += 1
        }
    }

    /// Inserts `key` with `value` unless present; true when inserted.
    @inline(__always)
    mutating func insert(_ key: UInt64, _ value: Value) -> Bool {
        if self[key] != nil { return false }
        self[key] = value
        return true
    }

    var isEmpty: Bool { count == 0 }

    mutating func removeAll() {
        guard count > 0 else { return }
        for i in used.indices where used[i] {
            used[i] = false
            values[i] = nil
        }
        count = 0
    }

    private mutating func grow() {
        let old = (keys, values, used)
        let size = keys.count * 2
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: nil, count: size)
        used = Array(repeating: false, count: size)
        mask = size - 1
        count = 0
        for i in old.0.indices where old.2[i] { self[old.0[i]] = old.1[i] }
    }
}

extension U64Table: Sendable where Value: Sendable {}
