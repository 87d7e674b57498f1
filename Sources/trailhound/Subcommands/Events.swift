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

    @Option(help: "Output format: jsonl (one event per line), table (sorted by eventTime) or csv (default: table on a terminal, jsonl otherwise).")
    var format: EventWriter.Format?

    @OptionGroup var filter: WhereFlag

    @Option(help: ArgumentHelp("Only these fields, comma-separated dotted paths (e.g. eventTime,eventName,userIdentity.arn).", valueName: "fields"))
    var fields: String?

    @OptionGroup var time: TimeZoneFlag

    @Flag(name: .shortAndLong, help: "Print problems but not the summary on stderr.")
    var quiet = false

    @OptionGroup var reader: ReaderFlags

    /// What one file gave: JSON Lines or CSV text in file order, or table rows with their times (sorted at the end).
    struct Chunk: Sendable {
        var bytes: [UInt8] = []
        var rows: [EventWriter.TimedRow] = []
        var written = 0
    }

    func run() throws {
        var options = try reader.readerOptions()
        options.conditions = try filter.matches()
        let projection = try (fields ?? "").split(separator: ",").map { name in
            guard let path = FieldPath(String(name)) else { throw ValidationError("--fields: '\(name)' is not a field path") }
            return path
        }
        let discovery = Discovery(options: options).discover(paths)
        var summary = RunSummary(discovery: discovery)
        let chosen = format ?? (isatty(1) == 1 ? .table : .jsonl)
        let writer = EventWriter(format: chosen, fields: projection, time: try time.tableTime())
        let stdout = ByteSink(fd: 1)
        var header: [UInt8] = []
        writer.header(into: &header)
        stdout.write(header)
        var written = 0
        var rows: [EventWriter.TimedRow] = []
        ParallelReader(options: options).run(
            discovery.files,
            process: { file, fileReader, emit in
                var chunk = Chunk()
                chunk.bytes.reserveCapacity(1 << 16)
                let report = fileReader.read(file) { event in
                    if chosen == .table {
                        chunk.rows.append(writer.timedRow(event))
                    } else {
                        writer.write(event, into: &chunk.bytes)
                    }
                    chunk.written += 1
                    if chunk.bytes.count >= 1 << 16 {
                        emit(chunk, chunk.bytes.count)
                        chunk = Chunk()
                        chunk.bytes.reserveCapacity(1 << 16)
                    }
                }
                if chunk.written > 0 { emit(chunk, chunk.bytes.count + chunk.rows.count * 160) }
                return report
            },
            consume: { _, item in
                switch item {
                case .output(let chunk):
                    stdout.write(chunk.bytes)
                    rows += chunk.rows
                    written += chunk.written
                case .done(let report):
                    summary.add(report)
                }
            })
        // A table is sorted by time (stable: files in the order of their names, records in file order); the
        // streaming formats keep that reading order.
        for row in EventWriter.sorted(rows) { stdout.write(row.bytes) }
        stdout.flush()
        let stderr = ByteSink(fd: 2)
        let whereNote = options.conditions.isEmpty ? "" : " (\(summary.filteredByWhere) dropped by --where)"
        SummaryWriter.report(summary, quiet: quiet, extra: ["events: \(written) written\(whereNote)"], to: stderr)
        // Output cut short (a full disk, a closed pipe) is an error of the run, not of the command line: no usage.
        if let code = stdout.failed {
            stderr.write("trailhound: cannot write the events to standard output: \(String(cString: strerror(code)))\n")
        }
        stderr.flush()
        if summary.hasInputProblems || stdout.failed != nil { throw ExitCode(2) }
    }
}

extension EventWriter.Format: ExpressibleByArgument {}
