import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// Every bundled rule's own tests, one case per rule, in memory and through gzip files in the S3 layout.
@Suite struct BundledRuleTests {
    @Test func bundledRulesLoadCleanly() {
        let (set, report) = bundled
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.skipped.isEmpty, "\(report.skipped)")
        #expect(set.rules.count >= 15)
        #expect(set.containment.count >= 10)
        let runner = RuleTestRunner(rules: set)
        for i in set.rules.indices {
            #expect(runner.lint(i).isEmpty, "\(runner.lint(i))")
        }
    }

    static var ruleFiles: [String] { bundled.0.rules.map(\.file).sorted() }

    @Test(arguments: ruleFiles)
    func ruleTests(_ file: String) throws {
        let set = bundled.0
        let index = try #require(set.rules.firstIndex { $0.file == file })
        let rule = set.rules[index]
        #expect(rule.tests.match.count >= 1, "\(file) has no match test")
        #expect(rule.tests.noMatch.count >= 1, "\(file) has no no_match test")
        let result = RuleTestRunner(rules: set).run(index)
        #expect(result.failures.isEmpty, "\(result.failures)")

        // The same events, written into a gzip log file in the S3 layout and read back through the reader.
        let cases = rule.tests.match.map { ($0, true) } + rule.tests.noMatch.map { ($0, false) }
        let events = cases.enumerated().map { n, c in RuleTestRunner.completed(c.0.json, index: n) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-rule-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_testtesttesttest.json.gz")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(gzip(Array(("{\"Records\":[" + events.joined(separator: ",") + "]}").utf8))).write(to: url)
        let context = EventContext(catalog: set.catalog)
        var verdicts: [Bool] = []
        let report = FileReader(options: ReaderOptions()).read(InputFile(path: url.path)) { event in
            context.reset(event)
            verdicts.append(rule.matches(context))
        }
        #expect(report.status == .read, "\(report.diagnostics)")
        #expect(verdicts == cases.map(\.1), "\(file): verdicts through the reader differ from the expectations")
    }
}
