import ArgumentParser
import TrailOutput
import TrailReader

#if canImport(Glibc)
    import Glibc
#endif

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the events in CloudTrail logs: the analyst's grep for CloudTrail.",
        discussion: """
            Reads .json.gz and .json files, JSON Lines, `aws cloudtrail lookup-events` output, arrays and single \
            events (recognised from their content), from files, folders (walked recursively, in the order of the \
            times in their names) or standard input (-). A summary of what was read goes to stderr; the exit \
            status is 2 when some input could not be read.
            """
    )

    @Argument(help: ArgumentHelp("Files or folders to read; - for standard input.", valueName: "path"))
    var paths: [String]

    @Option(help: "Output format: jsonl (one event per line), table or csv.")
    var format: EventWriter.Format = .jsonl

    @Option(name: .customLong("where"), help: ArgumentHelp("Keep events where FIELD=VALUE (or FIELD!=VALUE); * and ? are wildcards, case is ignored. Repeatable: all must hold.", valueName: "field=value"))
    var conditions: [String] = []

    @Option(help: ArgumentHelp("Only these fields, comma-separated dotted paths (e.g. eventTime,eventName,userIdentity.arn).", valueName: "fields"))
    var fields: String?

    @Flag(name: .shortAndLong, help: "Print problems but not the summary on stderr.")
    var quiet = false

    @OptionGroup var reader: ReaderFlags

    func run() throws {
        let options = try reader.readerOptions()
        let matches = try conditions.map { text in
            do { return try FieldMatch(parsing: text) } catch { throw ValidationError("--where \(error)") }
        }
        let projection = try (fields ?? "").split(separator: ",").map { name in
            guard let path = FieldPath(String(name)) else { throw ValidationError("--fields: '\(name)' is not a field path") }
            return path
        }
        let discovery = Discovery(options: options).discover(paths)
        var summary = RunSummary(discovery: discovery)
        let writer = EventWriter(format: format, fields: projection)
        let stdout = ByteSink(fd: 1)
        var header: [UInt8] = []
        writer.header(into: &header)
        stdout.write(header)
        var written = 0
        ParallelReader(options: options).run(
            discovery.files,
            process: { file, fileReader, emit in
                var out: [UInt8] = []
                out.reserveCapacity(1 << 16)
                var scratch: [UInt8] = []
                var count = 0
                let report = fileReader.read(file) { event in
                    for match in matches where !match.matches(event, scratch: &scratch) { return }
                    writer.write(event, into: &out)
                    count += 1
                    if out.count >= 1 << 16 {
                        emit((out, count), out.count)
                        out = []
                        out.reserveCapacity(1 << 16)
                        count = 0
                    }
                }
                if !out.isEmpty || count > 0 { emit((out, count), out.count) }
                return report
            },
            consume: { _, item in
                switch item {
                case .output(let (bytes, count)):
                    stdout.write(bytes)
                    written += count
                case .done(let report):
                    summary.add(report)
                }
            })
        stdout.flush()
        let stderr = ByteSink(fd: 2)
        SummaryWriter.report(summary, quiet: quiet, extra: ["events: \(written) written"], to: stderr)
        // Output cut short (a full disk, a closed pipe) is an error of the run, not of the command line: no usage.
        if let code = stdout.failed {
            stderr.write("trailhound: cannot write the events to standard output: \(String(cString: strerror(code)))\n")
        }
        stderr.flush()
        if summary.hasInputProblems || stdout.failed != nil { throw ExitCode(2) }
    }
}

extension EventWriter.Format: ExpressibleByArgument {}
