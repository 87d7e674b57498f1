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
}
