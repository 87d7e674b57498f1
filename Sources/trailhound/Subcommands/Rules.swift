import ArgumentParser
import TrailDetect
import TrailOutput

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, test and check rules.",
        subcommands: [List.self, Test.self, Check.self]
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
}
