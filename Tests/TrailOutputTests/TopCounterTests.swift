import Testing

@testable import TrailOutput

/// The bounded counting behind `summary`: exact while the table has room, within its stated bounds after.
@Suite struct TopCounterTests {
    /// A reproducible skewed stream: a few heavy values and a long tail of rare ones (as identities in CloudTrail:
    /// a handful of roles make most calls, many sessions make a few).
    static func stream(_ n: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        return (0..<n).map { _ in
            let r = next() % 100
            if r < 30 { return "heavy-a" }
            if r < 45 { return "heavy-b" }
            if r < 52 { return "heavy-c" }
            return "tail-\(next() % 2_000)"
        }
    }

    static func exact(_ values: [String]) -> [String: Int] { values.reduce(into: [:]) { $0[$1, default: 0] += 1 } }

    @Test func exactWhileThereIsRoom() {
        let values = Self.stream(20_000, seed: 1)
        let truth = Self.exact(values)
        var counter = TopCounter<String, NoPayload>(capacity: truth.count)
        for v in values { counter.add(v) }
        #expect(counter.isExact)
        #expect(counter.tracked == truth.count)
        #expect(counter.total == values.count)
        for e in counter.top(truth.count) {
            #expect(e.error == 0)
            #expect(e.count == truth[e.key])
        }
        let top3 = counter.top(3).map(\.key)
        #expect(top3 == ["heavy-a", "heavy-b", "heavy-c"])
    }

    /// Past its capacity: every heavy value is still there, and every count brackets the true one.
    @Test func boundedPastCapacity() {
        let values = Self.stream(50_000, seed: 7)
        let truth = Self.exact(values)
        let capacity = 50
        var counter = TopCounter<String, NoPayload>(capacity: capacity)
        for v in values { counter.add(v) }
        #expect(!counter.isExact)
        #expect(counter.tracked == capacity)
        #expect(counter.total == values.count)
        for e in counter.top(capacity) {
            let real = truth[e.key] ?? 0
            #expect(e.count - e.error <= real && real <= e.count, "\(e.key): \(real) not in [\(e.count - e.error), \(e.count)]")
        }
        // Guaranteed: anything seen more than total / capacity times is tracked.
        let tracked = Set(counter.top(capacity).map(\.key))
        for (value, count) in truth where count > values.count / capacity { #expect(tracked.contains(value), "\(value) (\(count)) dropped") }
        #expect(counter.top(3).map(\.key) == ["heavy-a", "heavy-b", "heavy-c"])
    }

    /// Counting parts of the stream separately and merging them (a summary per file) gives the one-pass counts while
    /// there is room, and the same bounds after.
    @Test func partsMerge() {
        let values = Self.stream(30_000, seed: 3)
        let truth = Self.exact(values)
        for capacity in [truth.count, 64] {
            var merged = TopCounter<String, NoPayload>(capacity: capacity)
            for start in stride(from: 0, to: values.count, by: 1_000) {
                var part = TopCounter<String, NoPayload>(capacity: capacity)
                for v in values[start..<min(start + 1_000, values.count)] { part.add(v) }
                merged.merge(part)
            }
            #expect(merged.total == values.count)
            for e in merged.top(capacity) {
                let real = truth[e.key] ?? 0
                if capacity == truth.count {
                    #expect(e.count == real && e.error == 0)
                } else {
                    #expect(e.count - e.error <= real && real <= e.count, "\(e.key): \(real) vs \(e.count)±\(e.error)")
                }
            }
            #expect(merged.top(2).map(\.key) == ["heavy-a", "heavy-b"])
        }
    }

    @Test func distinctValuesStopAtTheirCap() {
        var d = DistinctValues()
        for k in 0..<10 { d.insert("v\(k % 6)", cap: 4) }
        #expect(d.values.count == 4)
        #expect(d.overflowed)
        #expect(d.countText == "4+")
        var small = DistinctValues()
        for k in 0..<10 { small.insert("v\(k % 3)", cap: 4) }
        #expect(small.countText == "3")
    }
}
