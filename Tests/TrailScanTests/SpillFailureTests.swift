import Foundation
import Testing

@testable import TrailDetect
import TrailReader
import TrailScan
import TrailState

/// A spill file that fails under a `--state` run: the analysis is not recorded, so the files stay unfinished and the
/// next run analyses them again (as after a kill between the passes), and the run says why.
@Test func anAnalysisWhoseSpillFileFailedIsNotRecorded() throws {
    let tree = try IncrementalScanTests.tree.get()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-spill-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let state = dir.appendingPathComponent("state.db").path
    _ = try IncrementalScanTests.run(tree, state: state, stop: .evaluated)
    let store = try StateStore(path: state)
    let unfinished = try store.unfinished()
    #expect(!unfinished.isEmpty)

    let rules = IncrementalScanTests.rules
    let spill = SpillFile()
    var set = FindingSet(spill: spill, heldLimit: 1)
    set.merge([FindingBuilder(id: "a", ruleIndex: 0, title: "a"), FindingBuilder(id: "b", ruleIndex: 0, title: "b")])
    var result = Analysis.Result(rules: rules)
    result.made = set.stream(rules)
    result.stateful = set
    spill.discardForTesting()
    #expect(throws: Analysis.Incomplete.self) { try store.finish(result, rules: rules) }
    #expect(result.unreadable >= 2)
    #expect(try store.unfinished() == unfinished)
    #expect("\(Analysis.Incomplete(unreadable: 2))".contains("the findings are incomplete; scan again"))
}
