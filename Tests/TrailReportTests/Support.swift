import Foundation
import TrailDetect
import TrailReader
import TrailReport
import TrailScan

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let (bundledRules, bundledRuleReport) = RuleSet.load(bundled: repository.appendingPathComponent("rules"))

/// The report of logs at `paths`, made as `trailhound report` makes it.
func report(_ paths: [String], limits: IncidentReport.Limits = IncidentReport.Limits()) -> (IncidentReport, String) {
    // A scan whose spill file fails is not something these tests make.
    let loaded = try! LoadedFindings.scan(paths, rules: bundledRules)
    let activity = Activity.count(
        loaded.files, roots: IncidentReport.drawnRoots(loaded.findings, limits: limits), lineage: loaded.lineage,
        using: ParallelReader(options: ReaderOptions()))
    let report = IncidentReport(
        generatedAt: "2026-12-06T12:00:00Z", findings: loaded.findings, lineage: loaded.lineage, activity: activity,
        run: .init(source: "logs", inputs: paths, summary: loaded.summary, rules: bundledRuleReport, files: loaded.files.map(\.path)),
        catalog: bundledRules.containment, limits: limits, version: "test")
    return (report, report.render())
}

/// Hostile logs written by scripts/report-hostile-logs.py into a new temporary folder.
func hostileLogs() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailreport-\(UUID().uuidString)").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", repository.appendingPathComponent("scripts/report-hostile-logs.py").path, dir]
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    return dir
}

extension String {
    func occurrences(of s: String) -> Int { components(separatedBy: s).count - 1 }
}
