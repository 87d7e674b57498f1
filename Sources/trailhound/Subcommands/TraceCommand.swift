import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput
import TrailReader

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "What minted a credential, what it minted, and every call made with it or with what it minted.",
        usage: """
            trailhound trace <key-or-arn> <path> ... [--calls | --no-collapse] [--writes-only] [--ip <address>] [--user-agent <text>]
            trailhound trace --ip <address> <path> ...
            trailhound trace --user-agent <text> <path> ...
            """,
        discussion: """
            Give an access key id (AKIA… or ASIA…) or a principal ARN. The first pass over the logs builds the \
            lineage of temporary credentials (GetFederationToken, GetSessionToken, AssumeRole*); the second \
            collects every call signed by a key of the family (for an ARN, also calls by that principal without a \
            key, such as console sign-ins). For a temporary key, the trace also shows what minted it, up to the \
            long-term key (or the principal) at the root.

            Pivots: --ip and --user-agent keep only the calls from that address or with that user agent; given \
            without a key or ARN, they select calls by anyone, and the trace lists each key seen with the long-term \
            key behind it. --writes-only keeps the calls that change something (records' readOnly: false, or, \
            without it, names that do not start with Get, List, Describe, Head, ...) and those that mint credentials.

            On a table, the trace shows the lineage, a summary, then per credential and per service the calls, \
            how many were denied, the first and last time, and every write API by name (reads are counted): it \
            fits a screen for a real incident, and says what it leaves out. --calls shows the timeline instead: \
            calls with the same service, API and outcome, each within 5 minutes of the one before, are one line (at \
            the first) with ×N and the last time, so a tool's enumeration or polling reads as one step \
            (--no-collapse lists every call); --format json always lists every call.
            """
    )

    @Argument(help: ArgumentHelp(
        "An access key id or a principal ARN (left out with --ip or --user-agent), then the files or folders to read.",
        valueName: "key-or-arn> <path"))
    var arguments: [String] = []

    @Option(help: ArgumentHelp("Only calls from this source IP address (alone: calls by anyone from it).", valueName: "address"))
    var ip: String?

    @Option(help: ArgumentHelp("Only calls whose user agent contains this text, ignoring case (alone: calls by anyone with it).", valueName: "text"))
    var userAgent: String?

    @Flag(help: "Only calls that change something, or mint credentials (not Get*, List*, Describe*, ...).")
    var writesOnly = false

    @Flag(help: "On a table, the timeline of calls (repeated calls folded) instead of the activity per credential and service.")
    var calls = false

    @Flag(help: "On a table, the timeline with one line per call: do not fold calls repeated within 5 minutes (implies --calls).")
    var noCollapse = false

    @Option(help: "Output: table or json.")
    var format: TraceFormat = .table

    @OptionGroup var time: TimeZoneFlag

    @Flag(name: .shortAndLong, help: "Print problems but not the summary on stderr.")
    var quiet = false

    @OptionGroup var reader: ReaderFlags

    enum TraceFormat: String, ExpressibleByArgument {
        case table, json
    }

    var pivot: CredentialTrace.Pivot { .init(sourceIPAddress: ip, userAgent: userAgent, writesOnly: writesOnly) }
    /// The key or ARN, unless a pivot alone selects the calls.
    var query: String? { pivot.selectsOnItsOwn && !Self.looksLikeQuery(arguments.first) ? nil : arguments.first }
    var paths: [String] { query == nil ? arguments : Array(arguments.dropFirst()) }

    static func looksLikeQuery(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.hasPrefix("arn:") || ((text.hasPrefix("AKIA") || text.hasPrefix("ASIA")) && text.count >= 16
            && text.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) })
    }

    func validate() throws {
        if let userAgent, userAgent.isEmpty { throw ValidationError("--user-agent needs some text") }
        if let ip, ip.isEmpty { throw ValidationError("--ip needs an address") }
        if query == nil && !pivot.selectsOnItsOwn {
            throw ValidationError("give an access key id or a principal ARN, or --ip / --user-agent")
        }
        if let query, !Self.looksLikeQuery(query) {
            throw ValidationError(
                "'\(TerminalText.sanitize(query))' is not an access key id (AKIA…, ASIA…) or a principal ARN (arn:…)")
        }
        if paths.isEmpty { throw ValidationError("give the files or folders to read") }
    }

    struct Output: Encodable {
        let query: String?
        let pivot: PivotOutput?
        let ancestry: [[CredentialTrace.Ancestor]]
        let lineage: [CredentialTrace.Node]
        let timeline: [CredentialTrace.Call]
        let summary: Summary
    }

    struct PivotOutput: Encodable {
        let sourceIPAddress: String?
        let userAgent: String?
        let writesOnly: Bool
    }

    /// A key seen in the timeline and the long-term key (or principal) behind it, from lineage.
    struct KeySeen: Encodable {
        let accessKeyId: String
        let origin: String?
        let calls: Int
    }

    struct Summary: Encodable {
        let calls: Int
        let succeeded: Int
        let denied: Int
        let services: [String: Int]
        let actions: [String: Int]
        let regions: [String]
        let sourceIPAddresses: [String]
        let userAgents: [String]
        let principals: [String]
        let keys: [KeySeen]
    }

    func run() throws {
        let options = try reader.readerOptions()
        let trace = CredentialTrace(query: query, pivot: pivot)
        let discovery = Discovery(options: options).discover(paths)
        var summary = RunSummary(discovery: discovery)
        let parallel = ParallelReader(options: options)

        // Pass 1: lineage, and the keys a principal used.
        let (lineage, roots) = LineageMap.build(discovery.files, using: parallel, root: { trace.rootKey($0) }) {
            summary.add($0)
        }

        // Pass 2: the calls.
        let family = trace.family(lineage, roots: roots)
        var calls: [(Int, CredentialTrace.Call)] = []
        parallel.run(
            discovery.files,
            process: { file, fileReader, emit in
                var found: [CredentialTrace.Call] = []
                let report = fileReader.read(file) { event in
                    if let call = trace.call(event, family: family, file: file.path) { found.append(call) }
                }
                emit(found, found.count * 200)
                return report
            },
            consume: { index, item in
                if case .output(let found) = item { calls += found.map { (index, $0) } }
            })
        let timeline = calls.enumerated().sorted { a, b in
            a.element.1.eventTime != b.element.1.eventTime ? a.element.1.eventTime < b.element.1.eventTime : a.offset < b.offset
        }.map(\.element.1)

        func counts(_ values: [String?]) -> [String: Int] {
            var c: [String: Int] = [:]
            for v in values.compactMap({ $0 }) { c[v, default: 0] += 1 }
            return c
        }
        func distinct(_ values: [String?]) -> [String] { Array(Set(values.compactMap { $0 })).sorted() }
        var keys: [String: (origin: String?, calls: Int)] = [:]
        for call in timeline {
            guard let key = call.accessKeyId else { continue }
            if let seen = keys[key] {
                keys[key] = (seen.origin, seen.calls + 1)
            } else {
                keys[key] = (CredentialTrace.origin(of: call, in: lineage), 1)
            }
        }
        let denied = timeline.filter { $0.errorCode.map { DenialMessage.deniedCodes.contains($0) } ?? false }.count
        let output = Output(
            query: query,
            pivot: ip == nil && userAgent == nil && !writesOnly
                ? nil : PivotOutput(sourceIPAddress: ip, userAgent: userAgent, writesOnly: writesOnly),
            ancestry: trace.ancestry(lineage, roots: roots),
            lineage: query == nil ? [] : trace.trees(lineage, roots: roots), timeline: timeline,
            summary: Summary(
                calls: timeline.count, succeeded: timeline.filter { $0.errorCode == nil }.count, denied: denied,
                services: counts(timeline.map(\.eventSource)),
                actions: counts(timeline.map { c in c.eventName.map { "\(c.eventSource ?? "?"):\($0)" } }),
                regions: distinct(timeline.map(\.region)), sourceIPAddresses: distinct(timeline.map(\.sourceIPAddress)),
                userAgents: distinct(timeline.map(\.userAgent)), principals: distinct(timeline.map(\.principal)),
                keys: keys.sorted { $0.key < $1.key }.map { KeySeen(accessKeyId: $0.key, origin: $0.value.origin, calls: $0.value.calls) }))

        let stdout = ByteSink(fd: 1)
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            var bytes = Array((try encoder.encode(output)) + Data("\n".utf8))
            TerminalText.inertJSON(&bytes)
            stdout.write(bytes)
        case .table:
            stdout.write(Self.table(output, calls: self.calls || noCollapse, collapse: !noCollapse, time: try time.tableTime()))
        }
        stdout.flush()
        let stderr = ByteSink(fd: 2)
        SummaryWriter.report(
            summary, quiet: quiet, extra: ["trace: \(family.count) keys in the family, \(timeline.count) calls"], to: stderr)
        // A trace cut short by a full disk or a closed pipe is not a trace: say so, and exit 2.
        if let code = stdout.failed {
            stderr.write("trailhound: cannot write the trace to standard output: \(String(cString: strerror(code)))\n")
        }
        stderr.flush()
        if summary.hasInputProblems || stdout.failed != nil { throw ExitCode(2) }
    }
}
