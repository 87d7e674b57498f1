import ArgumentParser
import TrailOutput
import TrailReader

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Summarise who did what: per identity and the top keys, addresses, regions, user agents, event names and errors.",
        discussion: """
            One pass over the events, in bounded memory: each table tracks at most --track distinct values (exact \
            counts until it is full; after that a new value replaces the least counted one and its count, shown as \
            ≤N, may include up to that one's count), and each identity remembers up to 16 distinct keys, \
            addresses, regions and user agents (then shown as 16+). Identities are actor ARNs (or, without one, the \
            identity type and the service or principal); with --by issuer, sessions count under the role or IAM user \
            that issued them. A summary of what was read goes to stderr; the exit \
            status is 2 when some input could not be read.
            """
    )

    @Argument(help: ArgumentHelp("Files or folders to read; - for standard input.", valueName: "path"))
    var paths: [String]

    @Option(help: "How many rows of each table.")
    var top: Int = 10

    @Option(help: ArgumentHelp("Distinct values tracked per table (identities, keys, ...): memory is bounded by this.", valueName: "n"))
    var track: Int = 5_000

    @Option(help: "An identity is the actor (its ARN: each role session apart) or the issuer of its session (the role, the IAM user that minted a federation token).")
    var by: ActivitySummary.Grouping = .actor

    @Option(help: "Output: table (default) or json.")
    var format: SummaryFormat = .table

    @Flag(name: .shortAndLong, help: "Print problems but not the reading summary on stderr.")
    var quiet = false

    @OptionGroup var color: ColorFlag
    @OptionGroup var reader: ReaderFlags

    enum SummaryFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard track >= 1 else { throw ValidationError("--track must be at least 1") }
    }

    func run() throws {
        let options = try reader.readerOptions()
        let discovery = Discovery(options: options).discover(paths)
        var reading = RunSummary(discovery: discovery)
        var chosen = ActivitySummary.Limits()
        chosen.identities = track
        chosen.values = track
        let limits = chosen
        let grouping = by
        var activity = ActivitySummary(limits: limits, grouping: grouping)
        ParallelReader(options: options).run(
            discovery.files,
            process: { file, fileReader, emit in
                var part = ActivitySummary(limits: limits, grouping: grouping)
                let report = fileReader.read(file) { part.add($0) }
                emit(part, part.identities.tracked * 256)
                return report
            },
            consume: { _, item in
                switch item {
                case .output(let part): activity.merge(part)
                case .done(let report): reading.add(report)
                }
            })
        let report = ActivityReport(activity, top: top)
        let stdout = ByteSink(fd: 1)
        switch format {
        case .table: stdout.write(report.text(style: color.style()))
        case .json: stdout.write(report.json())
        }
        stdout.flush()
        let stderr = ByteSink(fd: 2)
        SummaryWriter.report(reading, quiet: quiet, extra: [], to: stderr)
        if stdout.failed != nil { stderr.write("trailhound: cannot write the summary to standard output\n") }
        stderr.flush()
        if reading.hasInputProblems || stdout.failed != nil { throw ExitCode(2) }
    }
}

extension ActivitySummary.Grouping: ExpressibleByArgument {}
