import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput
import TrailReader
import TrailScan
import TrailState

#if canImport(Glibc)
    import Glibc
#endif

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan CloudTrail logs with the rules and print findings with their containment.",
        discussion: """
            Findings go to stdout: on a terminal, the triage view (one line per finding, grouped by the identity \
            behind it, worst first; `trailhound show ID` prints one in full); JSON Lines otherwise. `--format table` \
            prints every finding in full (evidence, credentials, containment commands). The reading summary and rule \
            problems go to stderr. Exit status: 2 when some input or a rule could not be read, the findings could not \
            be written (with --state they wait for the next run), the state file could not be used, or the command \
            line is wrong (findings are still written); else 1 when --fail-on is given and a finding written is at or \
            above that level; else 0.
            """
    )

    @Argument(help: ArgumentHelp("Files or folders to read; - for standard input.", valueName: "path"))
    var paths: [String]

    @Option(help: "Output: triage, table (every finding in full), jsonl, json, csv, ocsf or asff (default: triage on a terminal, jsonl otherwise).")
    var format: FindingWriter.Format?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the findings to this file, replaced atomically (exit 2 if it cannot be).", valueName: "file"))
    var output: String?

    @Option(help: "Only findings at or above this level: informational, low, medium, high, critical.")
    var minLevel: SigmaRule.Level = .informational

    @Option(help: "Exit 1 when a finding is at or above this level (by default findings never fail the run).")
    var failOn: SigmaRule.Level?

    @Flag(name: .shortAndLong, help: "Print problems but not the summary on stderr.")
    var quiet = false

    @Flag(help: ArgumentHelp("Kept for compatibility: credential lineage is now always mapped.", visibility: .hidden))
    var lineage = false

    @Option(help: ArgumentHelp(
        "Incremental scan: read only files this state file has not seen, and write only findings not written before (SQLite; created if missing).",
        valueName: "file"))
    var state: String?

    @Flag(help: "With --state: also write known findings whose count or last-seen time grew (by default only new ones).")
    var emitUpdates = false

    @Option(help: ArgumentHelp("With --state: seconds to wait for another run that holds the state file (default 0: exit 2 at once).", valueName: "seconds"))
    var lockWait: Double = 0

    @OptionGroup var color: ColorFlag
    @OptionGroup var rules: RuleFlags
    @OptionGroup var reader: ReaderFlags
    /// `scan --where`: detection sees only the events kept (rules, lineage and correlations alike).
    @OptionGroup var filter: WhereFlag
    @OptionGroup var time: TimeZoneFlag

    func run() throws {
        // A closed pipe or a file-size limit makes write() fail (EPIPE, EFBIG), reported with exit 2, instead of a
        // signal ending the run before it can say what was not written (or record what was).
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        let stderr = ByteSink(fd: 2)
        defer { stderr.flush() }
        var options = try reader.readerOptions()
        options.conditions = try filter.matches()
        let (ruleSet, ruleReport) = try rules.load { stderr.write($0) }
        if paths.contains(InputFile.stdinPath) {
            // A scan may read its input twice (states, correlations' evidence): a pipe is kept in a temporary file.
            do { try StandardInput.makeRereadable() } catch {
                stderr.write("trailhound: \(error)\n")
                throw ExitCode(2)
            }
        }
        // With a state file, the same folder named another way (`logs/`, `./logs`, a link) is the same folder.
        let discovery = Discovery(options: options).discover(state == nil ? paths : IncrementalScan.canonicalRoots(paths))
        var summary = RunSummary(discovery: discovery)
        let chosen = format ?? (output == nil && isatty(1) == 1 ? .triage : .jsonl)
        var writer = FindingWriter(
            format: chosen, productVersion: Trailhound.productVersion, time: try time.tableTime(),
            style: color.style(toFile: output != nil))
        writer.threads = options.threads
        // What the summary and the exit code need of the findings (a one-shot scan never holds them all).
        let findingCount: Int
        let matchedRules: Int
        let failingLevels: [SigmaRule.Level]
        let written: Bool
        let evaluated: Int
        var stateLine: String?
        if let statePath = state {
            let store: StateStore
            do { store = try StateStore(path: statePath, lockWait: lockWait) } catch {
                stderr.write("trailhound: \(error)\n")
                throw ExitCode(2)
            }
            var scanOptions = IncrementalScan.Options()
            scanOptions.updates = emitUpdates
            scanOptions.minLevel = minLevel
            // Tests stop a run at a checkpoint as SIGKILL would (`committed:N`, `evaluated`, `finished`, `written:N`,
            // `recorded:N`).
            let stopAt = ProcessInfo.processInfo.environment["TRAILHOUND_TEST_KILL_AT"].flatMap(IncrementalScan.Checkpoint.init)
            let scan = IncrementalScan(
                store: store, rules: ruleSet, reader: ParallelReader(options: options), options: scanOptions,
                checkpoint: { point in if point == stopAt { raise(SIGKILL) } })
            var progress: ProgressMeter?
            let outcome: IncrementalScan.Outcome
            do {
                // Under an event filter (--since, --account, ...) files are not read whole: the states seen are not
                // recorded as checked against every file, and files with excluded records are read again.
                // A finding is recorded as written only once written and flushed: a kill between the two writes it
                // again next time, with the same id; a failed write leaves it (and those after it) waiting. One line
                // per finding on stdout, each recorded as it goes; a file (--output) or a whole-document format is
                // written at once, then recorded.
                outcome = try scan.run(
                    discovery.files, checkedAll: !options.hasEventFilter,
                    oneByOne: output == nil && [.jsonl, .ocsf, .asff].contains(chosen),
                    reading: { selection in
                        summary.setAside[.alreadyRead] = selection.earlier.isEmpty ? nil : selection.earlier.count
                        progress = ProgressMeter(selection.fresh, to: stderr, enabled: !quiet && isatty(2) == 1)
                    },
                    report: { report in
                        summary.add(report)
                        progress?.add(report)
                    },
                    read: { progress?.finish() },
                    write: { writer.write($0, to: output, errors: stderr) })
            } catch let error as IncrementalScan.RecordingError where error.underlying is Analysis.Incomplete {
                stderr.write("trailhound: \(error.underlying) (nothing of this analysis was recorded in \(statePath); the next run does it again)\n")
                throw ExitCode(2)
            } catch let error as IncrementalScan.RecordingError {
                stderr.write("trailhound: cannot write state file \(statePath): \(error.underlying)\n")
                throw ExitCode(2)
            } catch {
                stderr.write("trailhound: state file \(statePath): \(error)\n")
                throw ExitCode(2)
            }
            evaluated = outcome.evaluated
            findingCount = outcome.emissions.count
            matchedRules = Set(outcome.emissions.map(\.finding.rule.id)).count
            failingLevels = outcome.failing.map { SigmaRule.Level(rawValue: $0.rule.level) ?? .informational }
            written = outcome.complete
            stateLine = outcome.stateLine(path: statePath)
        } else {
            let progress = ProgressMeter(discovery.files, to: stderr, enabled: !quiet && isatty(2) == 1)
            let outcome = OneShotScan(rules: ruleSet, options: options, minLevel: minLevel).run(discovery) { progress.add($0) }
            progress.finish()
            summary = outcome.summary
            evaluated = outcome.evaluated
            findingCount = outcome.made.count
            matchedRules = outcome.made.ruleIds.count
            failingLevels = outcome.made.levels
            written = writer.write(outcome.made, to: output, errors: stderr)
        }
        for (rule, pattern, count) in ruleSet.regexTimeouts() {
            stderr.write(
                "trailhound: warning: rule \(rule.file) (\(rule.id)): the regular expression '\(TerminalText.sanitize(pattern))' "
                    + "ran out of time on \(count) value(s), treated as not matching"
                    + (count >= 3 ? "; it was not run again" : "") + "\n")
        }
        SummaryWriter.report(
            summary, quiet: quiet,
            extra: [
                "rules: \(ruleReport.loaded) loaded, \(ruleReport.skipped.count) skipped (unsupported), "
                    + "\(ruleReport.errors.count) invalid; \(evaluated) rule evaluations; \(findingCount) findings from "
                    + "\(matchedRules) rules"
            ] + (stateLine.map { [$0] } ?? []), to: stderr)
        if summary.hasInputProblems || !ruleReport.errors.isEmpty || !written { throw ExitCode(2) }
        if let failOn, failingLevels.contains(where: { $0 >= failOn }) {
            throw ExitCode(1)
        }
    }
}

extension FindingWriter.Format: ExpressibleByArgument {}
extension SigmaRule.Level: ExpressibleByArgument {}
