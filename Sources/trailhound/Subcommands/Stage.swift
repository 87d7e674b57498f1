import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput
import TrailReader

/// `trailhound stage`: the pieces of a scan scaled out over many machines (scripts/spark runs them).
struct Stage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The stages of a scan split over many machines (the Spark job in scripts/spark runs them).",
        discussion: """
            map (per partition of files) -> correlate (per partition of correlation groups, with `map --signals`) \
            -> context (once) -> second (per partition, with the context) -> reduce (per partition of finding ids). Files in and out are the exchange format (JSON Lines, versioned; see the \
            README's "Scale out"). Together they give exactly the findings of one `trailhound scan` over all the files. \
            Exit status 2 when an input, a rule or an output could not be used (unreadable logs are counted in the map's \
            summary, as a scan counts them, and are not an error of the stage).
            """,
        subcommands: [StageMap.self, StageCorrelate.self, StageContext.self, StageSecond.self, StageReduce.self])
}

/// Files named on the command line and in `--files-from`.
struct StageFiles: ParsableArguments {
    @Option(help: ArgumentHelp("Read the log file paths from this file, one per line.", valueName: "file"))
    var filesFrom: String?

    @Argument(help: ArgumentHelp("Log files of this partition.", valueName: "path"))
    var paths: [String] = []

    func all() throws -> [String] {
        var out = paths
        if let list = filesFrom {
            guard let data = FileManager.default.contents(atPath: list) else {
                throw StageFailure("cannot read the file list \(list)")
            }
            out += String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        }
        return out
    }
}

struct StageFailure: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}

enum StageIO {
    /// Runs a stage: rules loaded (an invalid rule fails the stage: every stage must see the same rules), errors
    /// reported on stderr with exit 2.
    static func run(_ rules: RuleFlags, _ body: (RuleSet) throws -> Void) throws {
        let stderr = ByteSink(fd: 2)
        defer { stderr.flush() }
        do {
            let (set, report) = try rules.load { stderr.write($0) }
            if !report.errors.isEmpty { throw StageFailure("\(report.errors.count) rule(s) invalid: every stage must load the same rules") }
            try body(set)
        } catch let error as ValidationError {
            throw error
        } catch {
            stderr.write("trailhound: stage: \(TerminalText.sanitize("\(error)"))\n")
            throw ExitCode(2)
        }
    }

    static func read(_ path: String, stages: Set<String>) throws -> [ExchangeLine] {
        guard let data = FileManager.default.contents(atPath: path) else { throw StageFailure("cannot read \(path)") }
        return try Exchange.decode(data, path: path, stages: stages)
    }

    /// Writes `data` to `path`, replacing it whole (a retried task overwrites what a failed attempt left).
    static func write(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw StageFailure("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

struct StageMap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Stage 1: the first pass over a partition's files; writes its global part, local part and summary.")

    @Option(help: ArgumentHelp("Global part: issuances, trigger events, correlation matches, latest time.", valueName: "file"))
    var global: String
    @Option(help: ArgumentHelp("Local part: per-file partial findings, key fingerprints and reports.", valueName: "file"))
    var local: String
    @Option(help: ArgumentHelp("The partition's reading summary (JSON: files, records, bad files named).", valueName: "file"))
    var summary: String?
    @Option(
        help: ArgumentHelp(
            "Write the correlation matches and group values here (for `stage correlate`) instead of in the global part.",
            valueName: "file"))
    var signals: String?
    @OptionGroup var files: StageFiles
    @OptionGroup var rules: RuleFlags
    @OptionGroup var reader: ReaderFlags

    func run() throws {
        try StageIO.run(rules) { set in
            let (inputs, setAside) = ScaleOut.inputFiles(try files.all())
            var summary = RunSummary()
            for s in setAside { summary.setAside[s.reason, default: 0] += 1 }
            var bad: [[String: Any]] = []
            let parts = ScaleOut.map(inputs, rules: set, using: ParallelReader(options: try reader.readerOptions())) { r in
                summary.add(r)
                if r.status != .read || r.problemCount > 0 {
                    bad.append(["path": r.path, "status": r.status.rawValue, "problems": r.diagnostics.map { "\($0)" }])
                }
            }
            if let signals {
                let (rest, matches) = ScaleOut.splitSignals(parts.global)
                try StageIO.write(try Exchange.encode(rest, stage: "map-global"), to: global)
                try StageIO.write(try Exchange.encode(matches, stage: "signals"), to: signals)
            } else {
                try StageIO.write(try Exchange.encode(parts.global, stage: "map-global"), to: global)
            }
            try StageIO.write(try Exchange.encode(parts.local, stage: "map-local"), to: local)
            if let path = self.summary {
                let object: [String: Any] = [
                    "files": inputs.count, "read": summary.filesRead, "partial": summary.filesPartial, "failed": summary.filesFailed,
                    "setAside": Dictionary(uniqueKeysWithValues: summary.setAside.map { ($0.key.rawValue, $0.value) }),
                    "records": summary.records, "delivered": summary.delivered, "rejected": summary.rejected,
                    "inputBytes": summary.inputBytes, "bad": bad,
                ]
                try StageIO.write(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), to: path)
            }
        }
    }
}

struct StageContext: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "Stage 2: from every map's global part, the context: lineage, windows, absences, correlation outcomes.")

    @Option(help: ArgumentHelp("The context file to write.", valueName: "file"))
    var out: String
    @Argument(help: ArgumentHelp("Global parts written by `stage map`.", valueName: "global"))
    var globals: [String] = []
    @Option(help: ArgumentHelp("Read the global parts' paths from this file, one per line.", valueName: "file"))
    var globalsFrom: String?
    @Option(help: ArgumentHelp("Correlation outcomes written by `stage correlate` (repeatable).", valueName: "file"))
    var outcomes: [String] = []
    @OptionGroup var rules: RuleFlags

    func run() throws {
        try StageIO.run(rules) { set in
            var paths = globals
            if let list = globalsFrom {
                guard let data = FileManager.default.contents(atPath: list) else { throw StageFailure("cannot read \(list)") }
                paths += String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            }
            var lines: [ExchangeLine] = []
            for p in paths { lines += try StageIO.read(p, stages: ["map-global"]) }
            var decided: [ExchangeLine] = []
            for p in outcomes { decided += try StageIO.read(p, stages: ["outcomes"]) }
            try StageIO.write(
                try Exchange.encode(ScaleOut.context(lines, outcomes: decided, rules: set), stage: "context"), to: out)
        }
    }
}

struct StageCorrelate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correlate",
        abstract: "Decides the correlation groups of the matches given (`map --signals` parts, shuffled by group).",
        discussion: """
            Every match of a group must be in the inputs (the job sends a line to partition group mod N). Writes \
            the outcomes of the groups that reach their condition, sorted by id, for `stage context --outcomes`.
            """)

    @Option(help: ArgumentHelp("The outcomes to write.", valueName: "file"))
    var out: String
    @Argument(help: ArgumentHelp("Correlation matches: `signals` files (from `stage map --signals`).", valueName: "signals"))
    var signals: [String] = []
    @OptionGroup var rules: RuleFlags

    func run() throws {
        try StageIO.run(rules) { set in
            var lines: [ExchangeLine] = []
            for p in signals { lines += try StageIO.read(p, stages: ["signals"]) }
            try StageIO.write(try Exchange.encode(ScaleOut.correlate(lines, rules: set), stage: "outcomes"), to: out)
        }
    }
}

struct StageSecond: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "second",
        abstract: "Stage 3: with the context, the second pass and correlation evidence over a partition's files.")

    @Option(help: ArgumentHelp("The context written by `stage context`.", valueName: "file"))
    var context: String
    @Option(help: ArgumentHelp("This partition's local part written by `stage map`.", valueName: "file"))
    var local: String
    @Option(help: ArgumentHelp("The partials to write.", valueName: "file"))
    var out: String
    @OptionGroup var files: StageFiles
    @OptionGroup var rules: RuleFlags
    @OptionGroup var reader: ReaderFlags

    func run() throws {
        try StageIO.run(rules) { set in
            let ctx = try StageIO.read(context, stages: ["context"])
            let loc = try StageIO.read(local, stages: ["map-local"])
            let (inputs, _) = ScaleOut.inputFiles(try files.all())
            let partials = ScaleOut.second(
                inputs, context: ctx, local: loc, rules: set, using: ParallelReader(options: try reader.readerOptions()))
            try StageIO.write(try Exchange.encode(partials, stage: "partials"), to: out)
        }
    }
}

struct StageReduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduce",
        abstract: "Stage 4: merges the partials of each finding and writes the findings.")

    @Option(help: ArgumentHelp("The context written by `stage context`.", valueName: "file"))
    var context: String
    @Option(help: ArgumentHelp("Only the finding ids of reduce partition K of N (first 8 hex digits of the id mod N).", valueName: "K/N"))
    var partition: String = "0/1"
    @Option(help: "Output: jsonl or ocsf.")
    var format: FindingWriter.Format = .jsonl
    @Option(help: ArgumentHelp("Write the findings to this file, replaced atomically (default: stdout).", valueName: "file"))
    var output: String?
    @Argument(help: ArgumentHelp("Partials: local parts of `stage map` and outputs of `stage second`.", valueName: "partials"))
    var partials: [String] = []
    @Option(help: ArgumentHelp("Read the partials' paths from this file, one per line.", valueName: "file"))
    var partialsFrom: String?
    @OptionGroup var rules: RuleFlags

    func validate() throws {
        let p = partition.split(separator: "/").compactMap { Int($0) }
        guard p.count == 2, p[1] > 0, p[0] >= 0, p[0] < p[1] else { throw ValidationError("--partition must be K/N with 0 <= K < N") }
        guard [.jsonl, .ocsf].contains(format) else { throw ValidationError("--format must be jsonl or ocsf") }
    }

    func run() throws {
        try StageIO.run(rules) { set in
            let p = partition.split(separator: "/").compactMap { Int($0) }
            var paths = partials
            if let list = partialsFrom {
                guard let data = FileManager.default.contents(atPath: list) else { throw StageFailure("cannot read \(list)") }
                paths += String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            }
            var lines: [ExchangeLine] = []
            for path in paths { lines += try StageIO.read(path, stages: ["map-local", "partials"]) }
            let ctx = try StageIO.read(context, stages: ["context"])
            let findings = try ScaleOut.reduce(lines, context: ctx, rules: set, part: p[0], parts: p[1])
            let writer = FindingWriter(format: format, productVersion: Trailhound.productVersion)
            let stderr = ByteSink(fd: 2)
            defer { stderr.flush() }
            guard writer.write(findings, to: output, errors: stderr) else { throw StageFailure("the findings could not be written") }
        }
    }
}
