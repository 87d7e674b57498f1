import Foundation
import TrailDetect
import TrailReader

/// Writes findings: JSON Lines (one finding per line, for pipelines), a JSON array, the triage view (one line per
/// finding, by identity) or the full table for people, CSV, or one OCSF Detection Finding or ASFF finding per line.
public struct FindingWriter: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, json, table, triage, csv, ocsf, asff
    }

    public let format: Format
    /// trailhound's version, named as the product in OCSF's metadata.
    public let productVersion: String
    /// The zone of times in the table and the triage view (`--tz`); every JSON format stays UTC.
    public var time: TableTime
    /// Colour for the triage view (the other formats have none).
    public let style: TerminalStyle
    /// Threads the line formats are made and rendered on (the output does not depend on it).
    public var threads = 1

    public init(
        format: Format, productVersion: String = "0.0.0", time: TableTime = .utc,
        style: TerminalStyle = TerminalStyle(color: false)
    ) {
        self.format = format
        self.productVersion = productVersion
        self.time = time
        self.style = style
    }

    static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public func render(_ findings: [Finding]) -> [UInt8] {
        var out: [UInt8] = []
        render(findings) { (chunk: [UInt8]) in out += chunk }
        return out
    }

    /// Renders the findings in chunks of whole lines (about `chunkBytes` each) for the line formats (JSON Lines,
    /// OCSF, ASFF), so a large output is written as it is rendered and never held whole; the other formats come as
    /// one chunk. The chunks joined are `render(findings)`.
    public func render<E: Error>(_ findings: [Finding], _ emit: ([UInt8]) throws(E) -> Void) throws(E) {
        try render(count: findings.count, make: { findings[$0] }, all: { findings }, emit)
    }

    /// The same for findings not yet made: in the line formats each is made, rendered and dropped in turn (a batch
    /// at a time, on the writer's threads), so the findings are never all held at once; the other formats make
    /// them all first.
    public func render<E: Error>(_ findings: FindingStream, _ emit: ([UInt8]) throws(E) -> Void) throws(E) {
        try render(count: findings.count, make: findings.finding(at:), all: findings.all, emit)
    }

    /// `render` over findings `make(0) ..< make(count)`; `all()` gives them at once (the whole-document formats).
    private func render<E: Error>(
        count: Int, make: (Int) -> Finding, all: () -> [Finding], _ emit: ([UInt8]) throws(E) -> Void
    ) throws(E) {
        // Log values in JSON stay data on a terminal too (the table and CSV keep their own rules).
        let inert = ![.table, .triage, .csv].contains(format)
        func put(_ bytes: inout [UInt8]) throws(E) {
            if inert { TerminalText.inertJSON(&bytes) }
            try emit(bytes)
        }
        let lines = [.jsonl, .ocsf, .asff].contains(format)
        switch format {
        case _ where lines && threads > 1 && count > batch:
            // A batch at a time, cut into runs of lines (`runsPerThread` per thread, dealt out in turn: findings in
            // time order cost unevenly, one with fifty live credentials many times one with none, and a thread
            // given half a batch at once sat idle while the other finished its half), each run made and rendered on
            // one thread, and the runs put in order.
            let runs = threads * Self.runsPerThread
            var start = 0
            while start < count {
                let (from, end) = (start, min(count, start + batch * threads))
                // Made inert on its thread too (as `put` would), so the writing thread only writes.
                let parts = concurrentMap(count: runs, threads: threads) { _, r -> [UInt8] in
                    var w = JSONBuilder()
                    let encoder = Self.encoder(pretty: false)
                    for i in (from + (end - from) * r / runs)..<(from + (end - from) * (r + 1) / runs) {
                        line(make(i), into: &w, encoder)
                    }
                    if inert { TerminalText.inertJSON(&w.out) }
                    return w.out
                }
                for part in parts where !part.isEmpty { try emit(part) }
                start = end
            }
        case .jsonl, .ocsf, .asff:
            var w = JSONBuilder()
            w.out.reserveCapacity(Self.chunkBytes + (1 << 16))
            let encoder = Self.encoder(pretty: false)
            for i in 0..<count {
                line(make(i), into: &w, encoder)
                if w.out.count >= Self.chunkBytes {
                    try put(&w.out)
                    w.out.removeAll(keepingCapacity: true)
                }
            }
            if !w.out.isEmpty { try put(&w.out) }
        default:
            var bytes = renderRaw(all())
            try put(&bytes)
        }
    }

    /// The size of a chunk `render` hands over at a time: big enough that writing costs few calls, small enough not to
    /// add to a scan's peak memory (a megabyte, which one long line could double, was four at the end of a scan).
    static let chunkBytes = 256 << 10
    /// Findings per thread in a batch when the line formats are rendered on several threads (tests make it small).
    var batch = 128
    /// Runs of lines per thread in a batch (see `render`).
    static let runsPerThread = 8

    /// One finding's line, newline included, in a line format.
    func line(_ f: Finding, into w: inout JSONBuilder, _ encoder: JSONEncoder) {
        switch format {
        case .ocsf: w.out += Array((try? encoder.encode(OCSFFinding.json(f, productVersion: productVersion))) ?? Data())
        case .asff: w.out += Array((try? encoder.encode(ASFFFinding.json(f))) ?? Data())
        default: FindingJSON.line(f, into: &w)
        }
        w.out.append(0x0A)
    }

    /// The formats that are not rendered line by line (`render` does those).
    func renderRaw(_ findings: [Finding]) -> [UInt8] {
        switch format {
        case .jsonl, .ocsf, .asff:
            preconditionFailure("line formats are rendered by render(_:_:)")
        case .json:
            return Array(((try? Self.encoder(pretty: true).encode(findings.map(VersionedFinding.init))) ?? Data("[]".utf8)) + Data("\n".utf8))
        case .table:
            return Array(Self.table(findings, time: time).utf8)
        case .triage:
            return Array(TriageView.render(findings, style: style, time: time).utf8)
        case .csv:
            var text = CSV.row([
                "id", "level", "rule", "title", "firstSeen", "lastSeen", "count", "account", "regions", "actor",
                "target", "accessKeyIds", "evidenceEventIDs", "containment",
            ])
            for f in findings {
                text += CSV.row([
                    f.id, f.rule.level, f.rule.id, f.title, f.firstSeen, f.lastSeen, String(f.count), f.account ?? "",
                    f.regions.joined(separator: " "), f.actor.arn ?? f.actor.type ?? "",
                    f.target.map { $0.userName ?? $0.roleName ?? "" } ?? "", f.actor.accessKeyIds.joined(separator: " "),
                    f.evidence.compactMap(\.eventID).joined(separator: " "), f.containment.map(\.id).joined(separator: " "),
                ])
            }
            return Array(text.utf8)
        }
    }

    /// Writes the findings to stdout, or atomically to the file at `path`. False, with the reason on `errors`, when
    /// they could not be written.
    public func write(_ findings: [Finding], to path: String?, errors: ByteSink) -> Bool {
        write(to: path, errors: errors) { (emit: ([UInt8]) throws(OutputError) -> Void) throws(OutputError) in
            try render(findings, emit)
        }
    }

    /// The same for findings not yet made (made, written and dropped a batch at a time in the line formats).
    /// A finding whose builder could not be read back from the scan's temporary file is written with its id and
    /// rule only, and the output is reported incomplete (false); so it is when a trigger event could not be.
    public func write(_ findings: FindingStream, to path: String?, errors: ByteSink) -> Bool {
        let written = write(to: path, errors: errors) { (emit: ([UInt8]) throws(OutputError) -> Void) throws(OutputError) in
            try render(findings, emit)
        }
        let unreadable = findings.unreadable
        guard unreadable == 0 else {
            errors.write(
                "trailhound: \(unreadable) finding(s) or trigger event(s) could not be read back from the scan's temporary "
                    + "file (TMPDIR): the findings are incomplete (a finding not read back is written with its id and rule "
                    + "only); scan again\n")
            return false
        }
        return written
    }

    private func write(
        to path: String?, errors: ByteSink,
        _ render: @escaping (([UInt8]) throws(OutputError) -> Void) throws(OutputError) -> Void
    ) -> Bool {
        guard let path else {
            let stdout = ByteSink(fd: 1)
            // Standard output is a ByteSink, which keeps its first failure instead of throwing; once it has failed,
            // the rest of the findings are not made for nothing.
            try? render { (chunk: [UInt8]) throws(OutputError) in
                stdout.write(chunk)
                if stdout.failed != nil { throw OutputError(path: "standard output", reason: "") }
            }
            stdout.flush()
            if let code = stdout.failed {
                errors.write("trailhound: cannot write the findings to standard output: \(String(cString: strerror(code)))\n")
                return false
            }
            return true
        }
        do {
            try AtomicFile.write(to: path) { (put: ([UInt8]) throws(OutputError) -> Void) throws(OutputError) in
                try render(put)
            }
            return true
        } catch {
            errors.write("trailhound: \(error)\n")
            return false
        }
    }

    /// One finding per line, by the hand-written writer (`FindingJSON`: the encoder's bytes, without the encoder).
    static func jsonLines(_ findings: [Finding]) -> [UInt8] {
        var w = JSONBuilder()
        for f in findings {
            FindingJSON.line(f, into: &w)
            w.out.append(0x0A)
        }
        return w.out
    }

    static func table(_ findings: [Finding], time: TableTime = .utc) -> String {
        let t = time.format as (String) -> String
        guard !findings.isEmpty else { return "No findings.\n" }
        var lines: [String] = []
        func add(_ s: String) { lines.append(TerminalText.sanitize(s)) }
        for (n, f) in findings.enumerated() {
            if n > 0 { lines.append("") }
            add("\(f.rule.level.uppercased())  \(f.title)")
            add("    finding \(f.id)   rule \(f.rule.id) (\(f.rule.file))"
                + (f.rule.techniques.isEmpty ? "" : "   ATT&CK \(f.rule.techniques.joined(separator: ", "))"))
            add("    account \(f.account ?? "?")  region \(f.regions.joined(separator: ","))  "
                + "\(t(f.firstSeen)) → \(t(f.lastSeen))  (\(f.count) event\(f.count == 1 ? "" : "s"))")
            var who = "    actor   \(f.actor.arn ?? f.actor.type ?? "?")"
            if !f.actor.accessKeyIds.isEmpty { who += "  keys \(f.actor.accessKeyIds.joined(separator: ","))" }
            if !f.actor.sourceIPAddresses.isEmpty { who += "  from \(f.actor.sourceIPAddresses.joined(separator: ","))" }
            add(who)
            if let t = f.target {
                var target = "    target " + [t.userName.map { "user \($0)" }, t.roleName.map { "role \($0)" }].compactMap { $0 }.joined(separator: " ")
                if !t.accessKeyIds.isEmpty { target += "  keys \(t.accessKeyIds.joined(separator: ","))" }
                add(target)
            }
            if let st = f.state {
                func ev(_ e: Finding.Evidence) -> String {
                    "\(e.eventName ?? "?") \(e.eventID ?? "?") at \(e.eventTime.map(t) ?? "?") (\(e.file) record \(e.recordIndex))"
                }
                switch st.kind {
                case "absence":
                    if let o = st.opened { add("    state   nothing followed \(ev(o)) for \(st.key ?? "?") until \(st.until.map(t) ?? "?")") }
                case "correlation":
                    add("    state   \(st.measure ?? "")\(st.key.map { " for \($0)" } ?? "")")
                default:
                    if let o = st.opened { add("    state   \(st.key ?? "?") opened by \(ev(o))") }
                    if let who = st.openedBy?.arn { add("            made by \(who)") }
                    if let c = st.closed { add("            closed by \(ev(c))") } else if let u = st.until { add("            until \(t(u))") } else { add("            still open at the end of the logs") }
                }
            }
            if let creds = f.credentials, !creds.isEmpty {
                add("    credentials to contain")
                for c in creds {
                    if c.kind == "long-term" {
                        add("      \(c.accessKeyId)  long-term")
                    } else {
                        add("      \(c.accessKeyId)  \(c.mintedBy ?? "temporary") \(c.principal ?? "")  from \(c.parentAccessKeyId ?? "?")  valid \(c.issuedAt.map(t) ?? "?") → \(c.expiresAt.map(t) ?? "?")")
                    }
                }
            }
            add("    evidence")
            for e in f.evidence.prefix(5) {
                add("      \(e.eventTime.map(t) ?? "?")  \(e.eventName ?? "?")\(e.errorCode.map { " (\($0))" } ?? "")  \(e.eventID ?? "?")  \(e.file) record \(e.recordIndex)")
            }
            if f.evidence.count > 5 || f.evidenceNotListed > 0 {
                add("      … \(f.count - min(5, f.evidence.count)) more")
            }
            if !f.containment.isEmpty { add("    contain") }
            for (k, action) in f.containment.enumerated() {
                add("      \(k + 1). \(action.title)  [\(action.id)]")
                for step in action.steps {
                    if let doc = step.document {
                        add("         # \(step.title): write \(doc.file):")
                        for line in doc.content.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
                            add("         #   \(line)")
                        }
                    } else {
                        add("         # \(step.title)")
                    }
                    for command in step.commands { add("         \(command)") }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
