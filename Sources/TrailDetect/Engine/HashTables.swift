/// An immutable map from 64-bit hashes to lists of small integers (rule indexes), in two allocations made once.
/// Hot path: a lookup hands out a pointer into the lists, so reading a rule index's candidates costs no reference
/// counting (a `U64Table<[Int]>` read copied the table's arrays and the list, a dozen atomic operations per event).
final class HashLists: @unchecked Sendable {
    typealias List = UnsafeBufferPointer<Int32>

    private struct Slot {
        var key: UInt64
        var start: Int32
        /// 0 for an empty slot (lists are never empty).
        var count: Int32
    }

    private let slots: UnsafeMutablePointer<Slot>
    private let items: UnsafeMutablePointer<Int32>
    private let mask: Int
    let count: Int

    init(_ lists: [UInt64: [Int]]) {
        let lists = lists.filter { !$0.value.isEmpty }
        var size = 16
        while size < lists.count * 2 { size <<= 1 }
        mask = size - 1
        count = lists.count
        slots = .allocate(capacity: size)
        slots.initialize(repeating: Slot(key: 0, start: 0, count: 0), count: size)
        let total = lists.values.reduce(0) { $0 + $1.count }
        items = .allocate(capacity: max(total, 1))
        var next = 0
        for (key, list) in lists.sorted(by: { $0.key < $1.key }) {
            var i = Self.slot(key, mask)
            while slots[i].count != 0 { i = (i + 1) & mask }
            slots[i] = Slot(key: key, start: Int32(next), count: Int32(list.count))
            for v in list {
                items[next] = Int32(v)
                next += 1
            }
        }
    }

    deinit {
        slots.deallocate()
        items.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    /// A hash table slot for a key that is already a hash, mixed once more (both tables here use it).
    @inline(__always)
    static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    /// The list for `key`; valid as long as this object lives.
    @inline(__always)
    subscript(key: UInt64) -> List? {
        var i = Self.slot(key, mask)
        while true {
            let s = slots[i]
            if s.count == 0 { return nil }
            if s.key == key { return List(start: items + Int(s.start), count: Int(s.count)) }
            i = (i + 1) & mask
        }
    }
}

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
