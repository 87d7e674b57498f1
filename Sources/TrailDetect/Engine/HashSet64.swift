/// A set of 64-bit hashes, growing, cleared between files (identities already fingerprinted in a file). One
/// allocation; no reference counting on lookups.
final class HashSet64 {
    private var keys: UnsafeMutablePointer<UInt64>
    private var size: Int
    private(set) var count = 0
    /// 0 marks an empty slot; the key 0 itself is kept apart.
    private var hasZero = false

    init(capacity: Int = 64) {
        size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = .allocate(capacity: size)
        keys.initialize(repeating: 0, count: size)
    }

    deinit { keys.deallocate() }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { HashLists.slot(key, size - 1) }

    @inline(__always)
    func contains(_ key: UInt64) -> Bool {
        if key == 0 { return hasZero }
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return true }
            if k == 0 { return false }
            i = (i + 1) & (size - 1)
        }
    }

    /// Inserts `key`; true when it was not there.
    @inline(__always)
    @discardableResult
    func insert(_ key: UInt64) -> Bool {
        if key == 0 {
            defer { hasZero = true }
            return !hasZero
        }
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return false }
            if k == 0 { break }
            i = (i + 1) & (size - 1)
        }
        keys[i] = key
        count += 1
        if count * 2 > size { grow() }
        return true
    }

    func removeAll() {
        guard count > 0 || hasZero else { return }
        keys.update(repeating: 0, count: size)
        count = 0
        hasZero = false
    }

    private func grow() {
        let old = keys
        let oldSize = size
        size *= 2
        keys = .allocate(capacity: size)
        keys.initialize(repeating: 0, count: size)
        for k in 0..<oldSize where old[k] != 0 {
            var i = slot(old[k])
            while keys[i] != 0 { i = (i + 1) & (size - 1) }
            keys[i] = old[k]
        }
        old.deallocate()
    }
}
