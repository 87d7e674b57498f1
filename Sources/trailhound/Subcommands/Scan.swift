import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput
import TrailReader

#if canImport(Glibc)
    import Glibc
#endif

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan CloudTrail logs with the rules and print findings with their containment.",
        discussion: """
            Findings go to stdout (a table on a terminal, JSON Lines otherwise); the reading summary and rule \
            problems to stderr. Exit status: 2 when some input or a rule could not be read, or the command line is \
            wrong (findings are still written); else 1 when --fail-on is given and a finding is at or above that \
            level; else 0.
            """
    )

    @Argument(help: ArgumentHelp("Files or folders to read; - for standard input.", valueName: "path"))
    var paths: [String]

    @Option(help: "Output: jsonl, json, table, csv, ocsf or asff (default: table on a terminal, jsonl otherwise).")
    var format: FindingWriter.Format?

    @Option(help: ArgumentHelp("Write the findings to this file, replaced atomically (exit 2 if it cannot be).", valueName: "file"))
    var output: String?

    @Option(help: "Only findings at or above this level: informational, low, medium, high, critical.")
    var minLevel: SigmaRule.Level = .informational

    @Option(help: "Exit 1 when a finding is at or above this level (by default findings never fail the run).")
    var failOn: SigmaRule.Level?

    @Flag(name: .shortAndLong, help: "Print problems but not the summary on stderr.")
    var quiet = false

    @Flag(help: ArgumentHelp("Kept for compatibility: credential lineage is now always mapped.", visibility: .hidden))
    var lineage = false

    @OptionGroup var rules: RuleFlags
    @OptionGroup var reader: ReaderFlags

    func run() throws {
        let stderr = ByteSink(fd: 2)
        defer { stderr.flush() }
        let options = try reader.readerOptions()
        let (ruleSet, ruleReport) = try rules.load { stderr.write($0) }
        let discovery = Discovery(options: options).discover(paths)
        var summary = RunSummary(discovery: discovery)
        let progress = ProgressMeter(discovery.files, to: stderr, enabled: !quiet && isatty(2) == 1)
        let result = Analysis.run(discovery.files, rules: ruleSet, using: ParallelReader(options: options)) { report in
            summary.add(report)
            progress.add(report)
        }
        progress.finish()
        let evaluated = result.evaluated
        let all = result.findings.filter { (SigmaRule.Level(rawValue: $0.rule.level) ?? .informational) >= minLevel }
        let chosen = format ?? (output == nil && isatty(1) == 1 ? .table : .jsonl)
        let written = FindingWriter(format: chosen, productVersion: Trailhound.configuration.version)
            .write(all, to: output, errors: stderr)
        for (rule, pattern, count) in ruleSet.regexTimeouts() {
            stderr.write(
                "trailhound: warning: rule \(rule.file) (\(rule.id)): the regular expression '\(TerminalText.sanitize(pattern))' "
                    + "ran out of time on \(count) value(s), treated as not matching"
                    + (count >= 3 ? "; it was not run again" : "") + "\n")
        }
        let matchedRules = Set(all.map(\.rule.id)).count
        SummaryWriter.report(
            summary, quiet: quiet,
            extra: [
                "rules: \(ruleReport.loaded) loaded, \(ruleReport.skipped.count) skipped (unsupported), "
                    + "\(ruleReport.errors.count) invalid; \(evaluated) rule evaluations; \(all.count) findings from "
                    + "\(matchedRules) rules"
            ], to: stderr)
        if summary.hasInputProblems || !ruleReport.errors.isEmpty || !written { throw ExitCode(2) }
        if let failOn, all.contains(where: { (SigmaRule.Level(rawValue: $0.rule.level) ?? .informational) >= failOn }) {
            throw ExitCode(1)
        }
    }
}

extension FindingWriter.Format: ExpressibleByArgument {}
extension SigmaRule.Level: ExpressibleByArgument {}
