import Foundation
import Testing

@testable import TrailReader

/// Records written into gzip files in the S3 layout read back exactly, in order, on any number of threads.
@Suite struct RoundTripTests {
    /// Writes `perFile` records into each of `files` gzip files in the S3 layout; returns the root and the records
    /// in the order a reader must deliver them.
    func writeTree(files: Int, perFile: Int) throws -> (URL, [String]) {
        let root = try temporaryFolder()
        var all: [(Int64, String, [String])] = []
        var generator = SplitMix(seed: 42)
        for f in 0..<files {
            let minute = Int(generator.next() % 1440)
            let stamp = String(format: "20261120T%02d%02dZ", minute / 60, minute % 60)
            let region = ["us-east-1", "eu-west-1", "ap-southeast-2"][f % 3]
            let records = (0..<perFile).map { k in
                record(
                    id: "f\(f)-r\(k)", name: ["GetObject", "AssumeRole", "DescribeInstances"][k % 3], region: region,
                    extra: ",\"requestParameters2\":{\"bucketName\":\"b\\u0041\(generator.next() % 1000)\",\"key\":\"p\\\"q\"}")
            }
            let name = "AWSLogs/111122223333/CloudTrail/\(region)/2026/11/20/111122223333_CloudTrail_\(region)_\(stamp)_\(String(format: "%016d", f)).json.gz"
            try write(gzip(Array(delivery(records).utf8)), to: root.appendingPathComponent(name))
            all.append((LogPath(name).nameTime!, root.appendingPathComponent(name).path, records))
        }
        all.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
        return (root, all.flatMap(\.2))
    }

    func readAll(_ root: URL, threads: Int) -> ([String], RunSummary) {
        var options = ReaderOptions()
        options.threads = threads
        let discovery = Discovery(options: options).discover([root.path])
        var summary = RunSummary(discovery: discovery)
        var events: [String] = []
        ParallelReader(options: options, aheadLimit: 4096).run(
            discovery.files,
            process: { file, reader, emit in
                reader.read(file) { event in
                    let text = String(decoding: event.bytes, as: UTF8.self)
                    emit(text, text.utf8.count)
                }
            },
            consume: { _, item in
                switch item {
                case .output(let text): events.append(text)
                case .done(let report): summary.add(report)
                }
            })
        return (events, summary)
    }

    @Test func recordsReadBackEqualTheOriginals() throws {
        let (root, expected) = try writeTree(files: 40, perFile: 25)
        defer { try? FileManager.default.removeItem(at: root) }
        for threads in [1, 2, 4] {
            let (events, summary) = readAll(root, threads: threads)
            #expect(events == expected, "threads \(threads)")
            #expect(summary.filesRead == 40)
            #expect(summary.delivered == 1000)
            #expect(!summary.hasInputProblems)
        }
    }

    @Test func timeAndAccountFiltersApplyToEvents() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let records = [
            record(id: "a", time: "2026-11-20T09:59:59Z"), record(id: "b", time: "2026-11-20T10:00:00Z"),
            record(id: "c", time: "2026-11-20T10:30:00Z", account: "444455556666"),
            record(id: "d", time: "2026-11-20T11:00:01Z", region: "eu-west-1"),
        ]
        let url = root.appendingPathComponent("x.json")
        try write(Array(delivery(records).utf8), to: url)
        var options = ReaderOptions()
        options.since = Timestamp.parse("2026-11-20T10:00:00Z")
        options.until = Timestamp.parse("2026-11-20T11:00:00Z")
        var result = readFile(url.path, options: options)
        #expect(result.eventIDs == ["b", "c"])
        #expect(result.report.filtered == 2)
        options = ReaderOptions()
        options.accounts = ["111122223333"]
        options.regions = ["us-east-1"]
        result = readFile(url.path, options: options)
        #expect(result.eventIDs == ["a", "b"])
    }
}

/// A small deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
