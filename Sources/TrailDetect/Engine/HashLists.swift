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
