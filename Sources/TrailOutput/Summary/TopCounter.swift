/// What a counted value carries besides its count (a summary of the identity's activity, or nothing).
public protocol CountPayload: Sendable {
    init()
    /// Adds what `other` saw (the same value counted over another file).
    mutating func merge(_ other: Self)
}

/// Nothing besides the count.
public struct NoPayload: CountPayload, Equatable {
    public init() {}
    public func merge(_ other: Self) {}
}

/// Counts the values of a stream in bounded memory, with the Space-Saving scheme (Metwally, Agrawal and El Abbadi,
/// 2005): at most `capacity` distinct values are tracked. Until more distinct values than that are seen, every
/// count is exact. Once the table is full, a new value takes the place of the least counted one and starts from
/// that count, which it records as its `error`: its true count is between `count - error` and `count`. Any value
/// seen more than `total / capacity` times is always in the table, so the top of a long stream is right where it
/// matters. Counts from different parts of a stream merge (`merge`) with the same guarantee.
///
/// A min-heap on the count finds the value to replace; a dictionary finds a value's place in it.
public struct TopCounter<Key: Hashable & Comparable & Sendable, Value: CountPayload>: Sendable {
    public struct Entry: Sendable {
        public let key: Key
        /// The count: exact when `error` is 0, else at most this.
        public var count: Int
        /// How much of `count` may belong to values this one replaced (0 while the table never overflowed).
        public var error: Int
        /// What was seen with the value since it entered the table.
        public var value: Value
    }

    public let capacity: Int
    /// Every count added, tracked or not.
    public private(set) var total = 0
    /// Values that took the place of another (0: every count is exact).
    public private(set) var replacements = 0
    var heap: [Entry] = []
    var position: [Key: Int] = [:]

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// The number of distinct values tracked.
    public var tracked: Int { heap.count }

    /// True while every count is exact (no value was ever replaced).
    public var isExact: Bool { replacements == 0 }

    /// Counts `key` `count` more times (with `error` of that possibly not its own, when merging); `update` records
    /// what came with it in its payload.
    public mutating func add(_ key: Key, count: Int = 1, error: Int = 0, update: (inout Value) -> Void = { _ in }) {
        total += count
        if let i = position[key] {
            heap[i].count += count
            heap[i].error += error
            update(&heap[i].value)
            siftDown(i)
            return
        }
        var value = Value()
        update(&value)
        if heap.count < capacity {
            heap.append(Entry(key: key, count: count, error: error, value: value))
            position[key] = heap.count - 1
            siftUp(heap.count - 1)
            return
        }
        // Full: the least counted value makes room, and its count becomes the newcomer's possible overcount.
        let least = heap[0]
        position[least.key] = nil
        replacements += 1
        heap[0] = Entry(key: key, count: least.count + count, error: least.count + error, value: value)
        position[key] = 0
        siftDown(0)
    }

    /// Adds every count of `other` (another part of the stream).
    public mutating func merge(_ other: Self) {
        let before = total
        for e in other.heap { add(e.key, count: e.count, error: e.error) { $0.merge(e.value) } }
        // Counts `other` dropped are in its total but in no entry.
        total = before + other.total
        replacements += other.replacements
    }

    /// The `n` most counted values, most first (ties by value, so the order is always the same).
    public func top(_ n: Int) -> [Entry] {
        Array(heap.sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }.prefix(max(0, n)))
    }

    mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].count < heap[parent].count else { return }
            swapAt(i, parent)
            i = parent
        }
    }

    mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let (l, r) = (2 * i + 1, 2 * i + 2)
            var least = i
            if l < heap.count && heap[l].count < heap[least].count { least = l }
            if r < heap.count && heap[r].count < heap[least].count { least = r }
            guard least != i else { return }
            swapAt(i, least)
            i = least
        }
    }

    mutating func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        position[heap[a].key] = a
        position[heap[b].key] = b
    }
}
