import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput
import TrailReader

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "What a credential minted, and every call made with it or with what it minted.",
        discussion: """
            Give an access key id (AKIA… or ASIA…) or a principal ARN. The first pass over the logs builds the \
            lineage of temporary credentials (GetFederationToken, GetSessionToken, AssumeRole*); the second \
            collects every call signed by a key of the family (for an ARN, also calls by that principal without a \
            key, such as console sign-ins).
            """
    )

    @Argument(help: ArgumentHelp("An access key id or a principal ARN.", valueName: "key-or-arn"))
    var query: String

    @Argument(help: ArgumentHelp("Files or folders to read.", valueName: "path"))
    var paths: [String]

    @Option(help: "Output: table or json.")
    var format: TraceFormat = .table

    @Flag(name: .shortAndLong, help: "Print problems but not the summary on stderr.")
    var quiet = false

    @OptionGroup var reader: ReaderFlags

    enum TraceFormat: String, ExpressibleByArgument {
        case table, json
    }

    struct Output: Encodable {
        let query: String
        let lineage: [CredentialTrace.Node]
        let timeline: [CredentialTrace.Call]
        let summary: Summary
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
    }

    func run() throws {
        let options = try reader.readerOptions()
        let trace = CredentialTrace(query: query)
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
        let denied = timeline.filter { $0.errorCode.map { DenialMessage.deniedCodes.contains($0) } ?? false }.count
        let output = Output(
            query: query, lineage: trace.trees(lineage, roots: roots), timeline: timeline,
            summary: Summary(
                calls: timeline.count, succeeded: timeline.filter { $0.errorCode == nil }.count, denied: denied,
                services: counts(timeline.map(\.eventSource)),
                actions: counts(timeline.map { c in c.eventName.map { "\(c.eventSource ?? "?"):\($0)" } }),
                regions: distinct(timeline.map(\.region)), sourceIPAddresses: distinct(timeline.map(\.sourceIPAddress)),
                userAgents: distinct(timeline.map(\.userAgent))))

        let stdout = ByteSink(fd: 1)
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            var bytes = Array((try encoder.encode(output)) + Data("\n".utf8))
            TerminalText.inertJSON(&bytes)
            stdout.write(bytes)
        case .table:
            stdout.write(Self.table(output))
        }
        stdout.flush()
        let stderr = ByteSink(fd: 2)
        SummaryWriter.report(summary, quiet: quiet, extra: ["trace: \(family.count) keys in the family, \(timeline.count) calls"], to: stderr)
        // A trace cut short by a full disk or a closed pipe is not a trace: say so, and exit 2.
        if let code = stdout.failed {
            stderr.write("trailhound: cannot write the trace to standard output: \(String(cString: strerror(code)))\n")
        }
        stderr.flush()
        if summary.hasInputProblems || stdout.failed != nil { throw ExitCode(2) }
    }

    static func table(_ o: Output) -> String {
        var lines = ["Lineage of \(o.query)"]
        func walk(_ n: CredentialTrace.Node, _ prefix: String, _ last: Bool, _ root: Bool) {
            let branch = root ? "" : (last ? "└─ " : "├─ ")
            var text = prefix + branch + n.accessKeyId
            if let api = n.api { text += "  \(api) \(n.issuedAt ?? "?") → \(n.expiresAt ?? "?")" }
            if let p = n.principal { text += "  \(p)" }
            lines.append(text)
            for (k, child) in n.minted.enumerated() {
                walk(child, root ? prefix : prefix + (last ? "   " : "│  "), k == n.minted.count - 1, false)
            }
        }
        if o.lineage.isEmpty { lines.append("  (no key of this principal appears in the logs)") }
        for n in o.lineage { walk(n, "  ", true, true) }
        let s = o.summary
        lines.append("")
        lines.append("Timeline: \(s.calls) calls, \(s.succeeded) succeeded, \(s.denied) denied")
        lines.append("  services: " + s.services.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("  regions: " + s.regions.joined(separator: ", "))
        lines.append("  source IPs: " + s.sourceIPAddresses.joined(separator: ", "))
        let agents = s.userAgents.map { $0.count > 70 ? String($0.prefix(70)) + "…" : $0 }
        lines.append("  user agents (\(agents.count)): " + agents.prefix(8).joined(separator: " | ") + (agents.count > 8 ? " | …" : ""))
        lines.append("")
        for c in o.timeline {
            let result = c.errorCode ?? "ok"
            let service = (c.eventSource ?? "?").replacingOccurrences(of: ".amazonaws.com", with: "")
            lines.append(
                "  \(c.eventTime)  \(c.region ?? "-")  \(service):\(c.eventName ?? "?")  \(result)  \(c.accessKeyId ?? "-")  \(c.sourceIPAddress ?? "-")")
        }
        // Every line holds log values (keys, principals, services, regions, addresses, user agents).
        return lines.map(TerminalText.sanitize).joined(separator: "\n") + "\n"
    }
}
