import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput
import TrailReader
import TrailReport
import TrailScan

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a self-contained HTML incident report: triage, timelines, credential lineage, containment.",
        discussion: """
            One HTML file that loads nothing from anywhere (its Content-Security-Policy forbids it), to open offline or \
            attach to a mail. From logs (scanned now), or with --state from the findings a state file of \
            `scan --state` holds (for a cron job's daily report; --findings-since keeps what is new; logs given with \
            --state are read only for the timelines' call counts). Exit status: 2 \
            when some input or rule could not be read (the report is still written and names them) or the report \
            could not be written; else 0.
            """
    )

    @Argument(help: ArgumentHelp(
        "Log files or folders to scan (with --state: only read for the timelines' call counts).", valueName: "path"))
    var paths: [String] = []

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The HTML file to write (replaced atomically).", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("Report the findings this state file of `scan --state` holds instead of scanning logs.", valueName: "file"))
    var state: String?

    @Option(help: ArgumentHelp("Only findings last seen at or after this time (2026-11-20, 2026-11-20T10:00:00Z, or 24h / 7d ago).", valueName: "time"))
    var findingsSince: String?

    @Option(help: ArgumentHelp("The report's title.", valueName: "text"))
    var title = "trailhound incident report"

    @OptionGroup var rules: RuleFlags
    @OptionGroup var reader: ReaderFlags

    func validate() throws {
        if state == nil && paths.isEmpty { throw ValidationError("give the logs to scan, or --state FILE") }
    }

    func run() throws {
        let stderr = ByteSink(fd: 2)
        defer { stderr.flush() }
        let now = Date()
        let options = try reader.readerOptions(now: now)
        let since = try findingsSince.map { try TimeArgument.parse($0, option: "--findings-since", endOfDay: false, now: now) }
        let (ruleSet, ruleReport) = try rules.load { stderr.write($0) }
        var loaded: LoadedFindings
        do {
            loaded = try state.map { try LoadedFindings.state($0, rules: ruleSet) } ?? (try LoadedFindings.scan(paths, rules: ruleSet, options: options))
        } catch {
            stderr.write("trailhound: \(TerminalText.sanitize("\(error)"))\n")
            throw ExitCode(2)
        }
        if state != nil && !paths.isEmpty {
            // The state file's findings, and the logs for their timelines (read once more, by the activity pass).
            let discovery = Discovery(options: options).discover(paths)
            loaded.files = discovery.files
            loaded.summary = RunSummary(discovery: discovery)
        }
        if let since {
            loaded.findings = loaded.findings.filter { (Timestamp.parse($0.lastSeen) ?? .max) >= since }
        }
        let activity = Activity.count(
            loaded.files, roots: IncidentReport.drawnRoots(loaded.findings), lineage: loaded.lineage,
            using: ParallelReader(options: options))
        let report = IncidentReport(
            title: title, generatedAt: Timestamp.format(Int64(now.timeIntervalSince1970)), findings: loaded.findings,
            lineage: loaded.lineage, activity: activity,
            run: .init(
                source: state == nil ? "logs" : "state file", inputs: (state.map { [$0] } ?? []) + paths, summary: loaded.summary,
                rules: ruleReport, files: loaded.files.map(\.path)),
            catalog: ruleSet.containment, version: Trailhound.productVersion)
        do { try AtomicFile.write(Array(report.render().utf8), to: output) } catch {
            stderr.write("trailhound: \(error)\n")
            throw ExitCode(2)
        }
        SummaryWriter.report(
            loaded.summary, quiet: false,
            extra: ["report: \(loaded.findings.count) findings written to \(TerminalText.sanitize(output))"], to: stderr)
        if loaded.summary.hasInputProblems || !ruleReport.errors.isEmpty { throw ExitCode(2) }
    }
}
