import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput
import TrailReader
import TrailState

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

    @Option(help: ArgumentHelp(
        "Incremental scan: read only files this state file has not seen, and write only findings not written before (SQLite; created if missing).",
        valueName: "file"))
    var state: String?

    @Flag(help: "With --state: also write known findings whose count or last-seen time grew (by default only new ones).")
    var emitUpdates = false

    @Option(help: ArgumentHelp("With --state: seconds to wait for another run that holds the state file (default 0: exit 2 at once).", valueName: "seconds"))
    var lockWait: Double = 0

    @OptionGroup var rules: RuleFlags
    @OptionGroup var reader: ReaderFlags

    func run() throws {
        let stderr = ByteSink(fd: 2)
        defer { stderr.flush() }
        let options = try reader.readerOptions()
        let (ruleSet, ruleReport) = try rules.load { stderr.write($0) }
        if paths.contains(InputFile.stdinPath) {
            // A scan may read its input twice (states, correlations' evidence): a pipe is kept in a temporary file.
            do { try StandardInput.makeRereadable() } catch {
                stderr.write("trailhound: \(error)\n")
                throw ExitCode(2)
            }
        }
        let discovery = Discovery(options: options).discover(paths)
        var summary = RunSummary(discovery: discovery)
        var all: [Finding]
        var failing: [Finding]
        var written = true
        var evaluated = 0
        var stateLine: String?
        if let statePath = state {
            let store: StateStore
            do { store = try StateStore(path: statePath, lockWait: lockWait) } catch {
                stderr.write("trailhound: \(error)\n")
                throw ExitCode(2)
            }
            do {
                // Files whose path, size and modification time an earlier run recorded are not read again (a late
                // file, whatever its name's time, is new). Stamps are taken before reading.
                let processed = try store.processed()
                var fresh: [InputFile] = []
                var earlier: [InputFile] = []
                var stamps: [String: StateStore.ObjectStamp] = [:]
                for f in discovery.files {
                    let stamp = f.isStdin ? nil : StateStore.ObjectStamp.of(f.path)
                    if let stamp, processed[f.path] == stamp {
                        earlier.append(f)
                    } else {
                        fresh.append(f)
                        if let stamp { stamps[f.path] = stamp }
                    }
                }
                summary.setAside[.alreadyRead] = earlier.isEmpty ? nil : earlier.count
                var lineageMap: LineageMap?
                let pendingAnalysis = try store.analysisPending()
                if !fresh.isEmpty || pendingAnalysis {
                    let progress = ProgressMeter(fresh, to: stderr, enabled: !quiet && isatty(2) == 1)
                    var commitError: Error?
                    let result = Analysis.run(
                        fresh, rules: ruleSet, using: ParallelReader(options: options), carryover: try store.carryover(),
                        earlier: earlier,
                        onFile: { r in
                            guard commitError == nil else { return }
                            do { try store.commit(r, stamp: stamps[r.file.path], rules: ruleSet) } catch { commitError = error }
                        },
                        report: { report in
                            summary.add(report)
                            progress.add(report)
                        })
                    progress.finish()
                    if let commitError {
                        stderr.write("trailhound: cannot write state file \(statePath): \(commitError)\n")
                        throw ExitCode(2)
                    }
                    try store.finish(result, rules: ruleSet)
                    evaluated = result.evaluated
                    lineageMap = result.lineage
                }
                // Findings left from an earlier run are rendered with the lineage the state keeps.
                if lineageMap == nil, try store.hasPending(updates: emitUpdates) {
                    var map = LineageMap()
                    for i in try store.issuances() { map.add(i) }
                    lineageMap = map
                }
                let emissions = try store.pending(updates: emitUpdates, rules: ruleSet, lineage: lineageMap)
                all = emissions.map(\.finding).filter { (SigmaRule.Level(rawValue: $0.rule.level) ?? .informational) >= minLevel }
                failing = emissions.filter(\.isNew).map(\.finding)
                let chosen = format ?? (output == nil && isatty(1) == 1 ? .table : .jsonl)
                let writer = FindingWriter(format: chosen, productVersion: Trailhound.configuration.version)
                let shown = Set(all.map(\.id))
                // Each finding is recorded as written only once written: a kill between the two writes it again
                // next time, with the same id. One line per finding on stdout, each recorded as it goes; a file
                // (--output) or a whole-document format is written at once, then recorded.
                if output == nil && [.jsonl, .ocsf, .asff].contains(chosen) {
                    let stdout = ByteSink(fd: 1)
                    for e in emissions {
                        if shown.contains(e.finding.id) {
                            stdout.write(writer.render([e.finding]))
                            stdout.flush()
                            if stdout.failed != nil {
                                written = false
                                stderr.write("trailhound: cannot write the findings to standard output\n")
                                break
                            }
                        }
                        try store.markEmitted([e])
                    }
                } else {
                    written = writer.write(all, to: output, errors: stderr)
                    if written { try store.markEmitted(emissions) }
                }
                let counts = try store.counts()
                stateLine = "state: \(fresh.count) new file(s) read, \(earlier.count) already read; "
                    + "\(emissions.filter(\.isNew).count) new finding(s), \(emissions.filter { !$0.isNew }.count) updated; "
                    + "\(counts.objects) files and \(counts.findings) findings in \(statePath)"
            } catch let e as ExitCode {
                throw e
            } catch {
                stderr.write("trailhound: state file \(statePath): \(error)\n")
                throw ExitCode(2)
            }
        } else {
            let progress = ProgressMeter(discovery.files, to: stderr, enabled: !quiet && isatty(2) == 1)
            let result = Analysis.run(discovery.files, rules: ruleSet, using: ParallelReader(options: options)) { report in
                summary.add(report)
                progress.add(report)
            }
            progress.finish()
            evaluated = result.evaluated
            all = result.findings.filter { (SigmaRule.Level(rawValue: $0.rule.level) ?? .informational) >= minLevel }
            failing = all
            let chosen = format ?? (output == nil && isatty(1) == 1 ? .table : .jsonl)
            written = FindingWriter(format: chosen, productVersion: Trailhound.configuration.version)
                .write(all, to: output, errors: stderr)
        }
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
            ] + (stateLine.map { [$0] } ?? []), to: stderr)
        if summary.hasInputProblems || !ruleReport.errors.isEmpty || !written { throw ExitCode(2) }
        if let failOn, failing.contains(where: { (SigmaRule.Level(rawValue: $0.rule.level) ?? .informational) >= failOn }) {
            throw ExitCode(1)
        }
    }
}

extension FindingWriter.Format: ExpressibleByArgument {}
extension SigmaRule.Level: ExpressibleByArgument {}
