import Foundation
import Testing
import TrailDetect
import TrailReader
import TrailScan
import TrailState

/// IncrementalScan without the CLI: a run stopped at each checkpoint (the checkpoint throws; nothing after it is
/// committed, as after a kill), then a run to the end, give the findings of one scan without a state file.
@Suite(.serialized) struct IncrementalScanTests {
    struct Stop: Error {}

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let rules = RuleSet.load(bundled: repository.appendingPathComponent("rules")).0

    /// The demo logs and the scenarios (which hold the correlations) in one scratch tree.
    final class Tree: Sendable {
        let root: URL
        let files: [InputFile]
        /// id → count from `Analysis.run` without a state.
        let clean: [String: Int]

        init() throws {
            // One folder per checkout, made afresh by each test run (a static value is never released, so a
            // folder per run would be left behind).
            let checkout = IncrementalScanTests.repository.path.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
            root = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-incremental-\(String(checkout, radix: 16))")
            try? FileManager.default.removeItem(at: root)
            let fixtures = IncrementalScanTests.repository.appendingPathComponent("Fixtures")
            for (from, to) in [("logs", "demo"), ("scenarios", "scenarios")] {
                let base = fixtures.appendingPathComponent(from)
                let walker = FileManager.default.enumerator(atPath: base.path)
                while let p = walker?.nextObject() as? String {
                    guard p.hasSuffix(".json.gz") else { continue }
                    let target = root.appendingPathComponent(to).appendingPathComponent(p)
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try FileManager.default.copyItem(at: base.appendingPathComponent(p), to: target)
                }
            }
            files = Discovery(options: ReaderOptions()).discover(IncrementalScan.canonicalRoots([root.path])).files
            let result = Analysis.run(files, rules: IncrementalScanTests.rules, using: ParallelReader(options: ReaderOptions())) { _ in }
            clean = Dictionary(uniqueKeysWithValues: result.findings.map { ($0.id, $0.count) })
        }

        deinit { try? FileManager.default.removeItem(at: root) }
    }

    static let tree = Result { try Tree() }

    /// One run: the findings it wrote (in order), stopping where `stop` says.
    static func run(_ tree: Tree, state: String, stop: IncrementalScan.Checkpoint? = nil, failWrite: Int? = nil) throws -> [Finding] {
        let store = try StateStore(path: state)
        let scan = IncrementalScan(
            store: store, rules: rules, reader: ParallelReader(options: ReaderOptions()),
            checkpoint: { if $0 == stop { throw Stop() } })
        var written: [Finding] = []
        do {
            let analysed = try scan.analyse(try scan.select(tree.files), checkedAll: true) { _ in }
            let emissions = try scan.pending(lineage: analysed.lineage)
            _ = try scan.deliver(emissions, oneByOne: true) { findings in
                guard written.count + 1 != failWrite else { return false }
                written += findings
                return true
            }
        } catch is Stop {}
        return written
    }

    @Test func theTreeHasCorrelationsAndStates() throws {
        let tree = try Self.tree.get()
        #expect(tree.clean.count >= 40)
        let kinds = Set(Analysis.run(tree.files, rules: Self.rules, using: ParallelReader(options: ReaderOptions())) { _ in }
            .findings.compactMap { $0.state?.kind })
        #expect(kinds.isSuperset(of: ["correlation", "absence", "inside"]), "\(kinds)")
    }

    @Test(arguments: [
        IncrementalScan.Checkpoint.committed(1), .committed(40), .committed(-1), .evaluated, .finished, .written(1),
        .written(12), .recorded(12),
    ])
    func aRunStoppedAtACheckpointResumesToTheCleanRun(_ point: IncrementalScan.Checkpoint) throws {
        let tree = try Self.tree.get()
        let at: IncrementalScan.Checkpoint = point == .committed(-1) ? .committed(tree.files.count - 1) : point
        let state = tree.root.appendingPathComponent("state-\(at).db").path
        let first = try Self.run(tree, state: state, stop: at)
        let second = try Self.run(tree, state: state)
        let union = Set((first + second).map(\.id))
        #expect(union == Set(tree.clean.keys), "\(at): missing \(Set(tree.clean.keys).subtracting(union).sorted())")
        let repeated = first.count + second.count - union.count
        if case .written = at { #expect(repeated == 1, "\(at)") } else { #expect(repeated == 0, "\(at)") }
        var last: [String: Int] = [:]
        for f in first + second { last[f.id] = f.count }
        for (id, count) in tree.clean { #expect(last[id] == count, "\(at): finding \(id) count \(last[id] ?? -1), clean \(count)") }
        #expect(try Self.run(tree, state: state).isEmpty)
    }

    /// A writer that fails at the fifth finding: four recorded, the rest written by the next run.
    @Test func aFailedWriteRecordsOnlyWhatWasWritten() throws {
        let tree = try Self.tree.get()
        let state = tree.root.appendingPathComponent("state-failed-write.db").path
        let first = try Self.run(tree, state: state, failWrite: 5)
        #expect(first.count == 4)
        let second = try Self.run(tree, state: state)
        #expect(Set((first + second).map(\.id)) == Set(tree.clean.keys))
        #expect(first.count + second.count == tree.clean.count)
    }

    /// `run`, the whole run in one call: the clean findings once, then nothing new.
    @Test func aWholeRunWritesTheCleanFindingsOnce() throws {
        let tree = try Self.tree.get()
        let state = tree.root.appendingPathComponent("state-whole-run.db").path
        var written: [Finding] = []
        func once() throws -> IncrementalScan.Outcome {
            let scan = IncrementalScan(store: try StateStore(path: state), rules: Self.rules, reader: ParallelReader(options: ReaderOptions()))
            return try scan.run(tree.files, checkedAll: true, oneByOne: false) { findings in
                written += findings
                return true
            }
        }
        let first = try once()
        #expect(Set(written.map(\.id)) == Set(tree.clean.keys))
        #expect(first.complete && first.recorded == written.count && first.failing.count == written.count)
        #expect(first.selection.fresh.count == tree.files.count)
        #expect(first.stateLine(path: state).hasPrefix("state: \(tree.files.count) new file(s) read, 0 already read; \(written.count) new finding(s), 0 updated; "))
        let second = try once()
        #expect(second.emissions.isEmpty && second.selection.earlier.count == tree.files.count)
    }

    @Test func checkpointsReadAsTheyPrint() {
        for text in ["committed:3", "evaluated", "finished", "written:1", "recorded:12"] {
            #expect(IncrementalScan.Checkpoint(text)?.description == text)
        }
        for text in ["committed", "committed:x", "evaluated:1", "", "kill"] { #expect(IncrementalScan.Checkpoint(text) == nil) }
    }
}
