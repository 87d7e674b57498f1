import ArgumentParser
import TrailDetect
import TrailOutput
import TrailReader

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, test and check rules.",
        subcommands: [List.self, Test.self, Check.self, Match.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the loaded rules, and what was skipped and why.")
        @OptionGroup var rules: RuleFlags

        func run() throws {
            let out = ByteSink(fd: 1)
            defer { out.flush() }
            let (set, report) = try rules.load { out.write($0) }
            for rule in set.rules.sorted(by: { $0.file < $1.file }) {
                let index = rule.eventNames.map { "eventName: " + $0.sorted().joined(separator: ",") }
                    ?? rule.eventSources.map { "eventSource: " + $0.sorted().joined(separator: ",") } ?? "every event"
                let line = "\(rule.level.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(rule.id)  \(rule.title)  [\(rule.file)] checked on \(index)"
                out.write(TerminalText.sanitize(line) + "\n")
            }
            out.write("\(report.files) rule files: \(report.loaded) loaded, \(report.skipped.count) skipped, \(report.errors.count) invalid\n")
            var reasons: [String: Int] = [:]
            for s in report.skipped { reasons[s.message, default: 0] += 1 }
            for (reason, n) in reasons.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) { out.write("  skipped \(n): \(TerminalText.sanitize(reason))\n") }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run every rule's tests (match and no_match events).")
        @OptionGroup var rules: RuleFlags

        func run() throws {
            let out = ByteSink(fd: 1)
            defer { out.flush() }
            let (set, report) = try rules.load { out.write($0) }
            let runner = RuleTestRunner(rules: set)
            var cases = 0
            var failures = 0
            for i in set.rules.indices {
                let result = runner.run(i)
                cases += result.cases
                failures += result.failures.count
                for f in result.failures { out.write("FAIL \(TerminalText.sanitize("\(f)"))\n") }
            }
            out.write("\(set.rules.count) rules, \(cases) test events: \(cases - failures) passed, \(failures) failed\n")
            if failures > 0 || !report.errors.isEmpty { throw ExitCode(1) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check rules: they compile, ids are unique, tests are present, containment ids exist, fields are spelled as CloudTrail spells them.")
        @OptionGroup var rules: RuleFlags

        func run() throws {
            let out = ByteSink(fd: 1)
            defer { out.flush() }
            let (set, report) = try rules.load { out.write($0) }
            let runner = RuleTestRunner(rules: set)
            var problems = report.errors.count
            for i in set.rules.indices {
                for p in runner.lint(i) {
                    out.write("error: \(TerminalText.sanitize("\(p)"))\n")
                    problems += 1
                }
            }
            out.write("\(report.files) rule files, \(set.containment.count) containment actions: \(report.loaded) loaded, \(report.skipped.count) skipped, \(problems) problems\n")
            if problems > 0 { throw ExitCode(1) }
        }
    }

    struct Match: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print which rules' detections match which events (JSON Lines), for checking rules against another Sigma engine.",
            discussion: """
                One line per loaded rule ({"kind":"rule",...}), per skipped or invalid rule file ({"kind":"skipped"|"invalid",...}), \
                then one per rule and event it matches ({"kind":"match","rule":ID,"log":PATH,"eventID":ID}). Detections only: \
                windows (state:, absence:) and correlations are not applied. Used by scripts/sigma-diff.
                """)
        @Argument(help: ArgumentHelp("Files or folders to read; - for standard input.", valueName: "path"))
        var paths: [String]
        @OptionGroup var rules: RuleFlags
        @OptionGroup var reader: ReaderFlags

        func run() throws {
            let out = ByteSink(fd: 1)
            let err = ByteSink(fd: 2)
            defer {
                out.flush()
                err.flush()
            }
            let (set, report) = try rules.load { err.write($0) }
            @Sendable func line(_ pairs: [(String, String?)]) -> [UInt8] {
                var b: [UInt8] = [0x7B]
                for (k, (key, value)) in pairs.enumerated() {
                    if k > 0 { b.append(0x2C) }
                    b += Array("\"\(key)\":".utf8)
                    if let value {
                        b.append(0x22)
                        JSONString.escape(value.utf8, into: &b)
                        b.append(0x22)
                    } else {
                        b += Array("null".utf8)
                    }
                }
                b += [0x7D, 0x0A]
                return b
            }
            for rule in set.rules {
                let extensions = rule.extensionNames
                let derived = Set(rule.fields.compactMap { if case .derived(let d) = $0 { return d.rawValue } else { return nil } }).sorted()
                out.write(line([
                    ("kind", "rule"), ("id", rule.id), ("file", rule.file), ("extensions", extensions.joined(separator: ",")),
                    ("derived", derived.joined(separator: ",")),
                ]))
            }
            for e in report.skipped {
                out.write(line([("kind", "skipped"), ("file", e.file), ("line", e.line.map(String.init)), ("reason", e.message)]))
            }
            for e in report.errors {
                out.write(line([("kind", "invalid"), ("file", e.file), ("line", e.line.map(String.init)), ("reason", e.message)]))
            }
            let options = try reader.readerOptions()
            let discovery = Discovery(options: options).discover(paths)
            var summary = RunSummary(discovery: discovery)
            ParallelReader(options: options).run(
                discovery.files,
                process: { file, fileReader, emit in
                    let matcher = RuleMatcher(rules: set)
                    var bytes: [UInt8] = []
                    let report = fileReader.read(file) { event in
                        let hits = matcher.matches(event)
                        guard !hits.isEmpty else { return }
                        let id = event.string(at: FieldPath("eventID")!) ?? ""
                        for i in hits {
                            bytes += line([("kind", "match"), ("rule", set.rules[i].id), ("log", file.path), ("eventID", id)])
                        }
                    }
                    emit(bytes, bytes.count)
                    return report
                },
                consume: { _, item in
                    switch item {
                    case .output(let bytes): out.write(bytes)
                    case .done(let report): summary.add(report)
                    }
                })
            SummaryWriter.report(summary, quiet: true, extra: [], to: err)
            if summary.hasInputProblems || !report.errors.isEmpty { throw ExitCode(2) }
        }
    }
}
