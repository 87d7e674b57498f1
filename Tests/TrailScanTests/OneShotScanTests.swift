import Foundation
import Testing
import TrailDetect
import TrailReader
import TrailScan

/// OneShotScan without the CLI: the findings of `Analysis.run` over what discovery finds, filtered by level, with a
/// summary that accounts for every file.
struct OneShotScanTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let rules = RuleSet.load(bundled: repository.appendingPathComponent("rules")).0
    /// Every scenario's logs (not its `expected.json`).
    static let scenarios = ((try? FileManager.default.contentsOfDirectory(
        atPath: repository.appendingPathComponent("Fixtures/scenarios").path)) ?? []).sorted()
        .map { repository.appendingPathComponent("Fixtures/scenarios/\($0)/AWSLogs").path }

    @Test func givesTheFindingsOfTheAnalysisWithASummaryOfTheFilesRead() {
        let outcome = OneShotScan(rules: Self.rules, options: ReaderOptions()).run(paths: Self.scenarios)
        let files = Discovery(options: ReaderOptions()).discover(Self.scenarios).files
        let analysis = Analysis.run(files, rules: Self.rules, using: ParallelReader(options: ReaderOptions())) { _ in }
        #expect(Self.scenarios.count >= 10)
        #expect(!outcome.findings.isEmpty)
        #expect(outcome.findings.map(\.id) == analysis.findings.map(\.id))
        #expect(outcome.evaluated == analysis.evaluated)
        #expect(outcome.summary.filesRead == files.count)
        #expect(!outcome.summary.hasInputProblems)
    }

    @Test func keepsOnlyFindingsAtOrAboveTheLevelAskedFor() {
        let all = OneShotScan(rules: Self.rules, options: ReaderOptions()).run(paths: Self.scenarios).findings
        let high = OneShotScan(rules: Self.rules, options: ReaderOptions(), minLevel: .high).run(paths: Self.scenarios).findings
        let level = { (f: Finding) in SigmaRule.Level(rawValue: f.rule.level) ?? .informational }
        #expect(high.map(\.id) == all.filter { level($0) >= .high }.map(\.id))
        #expect(high.count < all.count)
    }

    @Test func reportsEachFileAsItIsRead() {
        var reports = 0
        let outcome = OneShotScan(rules: Self.rules, options: ReaderOptions()).run(paths: Self.scenarios) { _ in reports += 1 }
        #expect(reports == outcome.summary.filesRead + outcome.summary.filesPartial + outcome.summary.filesFailed)
    }
}
