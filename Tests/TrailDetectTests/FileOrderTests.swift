import Testing

@testable import TrailDetect

/// The stages put lines back in discovery order with each file's rank worked out once (`ScaleOut.FileOrder`); it
/// must order exactly as comparing the paths with `ScaleOut.precedes` did.
@Suite struct FileOrderTests {
    @Test func ranksOrderAsComparingThePathsDoes() {
        let root = "/logs/AWSLogs/111122223333/CloudTrail/eu-west-1"
        let paths = [
            "\(root)/2026/12/01/111122223333_CloudTrail_eu-west-1_20261201T0010Z_b.json.gz",
            "\(root)/2026/12/01/111122223333_CloudTrail_eu-west-1_20261201T0010Z_a.json.gz",
            "\(root)/2026/12/01/111122223333_CloudTrail_eu-west-1_20261201T0005Z_z.json.gz",
            "\(root)/2026/11/30/111122223333_CloudTrail_eu-west-1_20261201T0001Z_late.json.gz",
            "\(root)/2026/11/30/notes.json.gz",
            "\(root)/2026/12/02/other.json",
            "/elsewhere/plain.json", "/elsewhere/ключ.json", "", "z", "a",
        ]
        // Lines of several files, each file's lines out of order, the files shuffled.
        var lines: [(file: String, seq: Int)] = []
        for (n, p) in paths.enumerated() { for s in [3, 1, 2] { lines.append((p, s * 10 + n % 3)) } }
        lines.reverse()
        let expected = lines.sorted { a, b in a.file != b.file ? ScaleOut.precedes(a.file, b.file) : a.seq < b.seq }
        let got = ScaleOut.FileOrder.sorted(lines, file: \.file, seq: \.seq)
        #expect(got.map(\.file) == expected.map(\.file))
        #expect(got.map(\.seq) == expected.map(\.seq))
        let order = ScaleOut.FileOrder(paths)
        #expect(paths.sorted { order[$0] < order[$1] } == paths.sorted(by: ScaleOut.precedes))
    }

    /// Lines already in order are kept as they are without a sort (`inOrder`); it must say so exactly when sorting
    /// would change nothing: in order, one swap away, a file's lines split by another file's, a seq repeated.
    @Test func inOrderIsTrueExactlyWhenSortingChangesNothing() {
        let root = "/logs/AWSLogs/111122223333/CloudTrail/eu-west-1"
        let paths = [
            "\(root)/2026/12/01/111122223333_CloudTrail_eu-west-1_20261201T0010Z_b.json.gz",
            "\(root)/2026/12/01/111122223333_CloudTrail_eu-west-1_20261201T0010Z_a.json.gz",
            "\(root)/2026/11/30/111122223333_CloudTrail_eu-west-1_20261201T0001Z_late.json.gz",
            "\(root)/2026/11/30/notes.json.gz", "/elsewhere/plain.json", "", "z",
        ]
        var seed: UInt64 = 7
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        var sortedCases = 0
        for round in 0..<500 {
            var lines: [(file: String, seq: Int)] = (0..<(1 + next(12))).map { _ in (paths[next(paths.count)], next(4)) }
            if round % 2 == 0 { lines = ScaleOut.FileOrder.sorted(lines, file: \.file, seq: \.seq) }
            if round % 4 == 0, lines.count > 1 { lines.swapAt(next(lines.count), next(lines.count)) }
            let sorted = lines.sorted { a, b in a.file != b.file ? ScaleOut.precedes(a.file, b.file) : a.seq < b.seq }
            let unchanged = sorted.map(\.file) == lines.map(\.file) && sorted.map(\.seq) == lines.map(\.seq)
            // A seq repeated within a file is "not in order" (sorted anyway, which keeps such lines as they came).
            let repeated = Set(lines.map { "\($0.file)#\($0.seq)" }).count < lines.count
            #expect(ScaleOut.FileOrder.inOrder(lines, file: \.file, seq: \.seq) == (unchanged && !repeated), "round \(round)")
            if unchanged && !repeated { sortedCases += 1 }
        }
        #expect(sortedCases > 100)
    }
}
