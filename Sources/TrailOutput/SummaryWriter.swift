import TrailReader

/// The run summary printed on stderr: files and records reconciled, then every problem kept.
public enum SummaryWriter {
    /// Writes the summary (and `extra` lines) to stderr, or with `quiet` only the problems.
    public static func report(_ s: RunSummary, quiet: Bool, extra: [String], to sink: ByteSink) {
        if quiet {
            for d in s.diagnostics { sink.write("trailhound: " + TerminalText.sanitize(d.description) + "\n") }
        } else {
            sink.write(render(s))
            for line in extra { sink.write("trailhound: \(TerminalText.sanitize(line))\n") }
        }
    }

    public static func render(_ s: RunSummary, maxListed: Int = 50) -> String {
        var lines: [String] = []
        var aside = s.setAside.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }
        if aside.isEmpty { aside = ["0"] }
        lines.append(
            "files: \(s.filesSeen) seen = \(s.filesRead) read + \(s.filesPartial) partly read + \(s.filesFailed) failed"
                + " + \(s.filesSetAside) set aside (\(aside.joined(separator: ", ")))")
        lines.append(
            "records: \(s.records + s.rejected) found = \(s.delivered) delivered + \(s.filtered) filtered out"
                + (s.filteredByWhere > 0 ? " (\(s.filteredByWhere) by --where)" : "")
                + " + \(s.rejected) rejected; \(s.jsonBytes) bytes of JSON from \(s.inputBytes) bytes read")
        if s.escapedKeys > 0 {
            lines.append("records: \(s.escapedKeys) with a top-level key written with escapes (edited records; read decoded)")
        }
        if s.untimed > 0 { lines.append("records: \(s.untimed) with an eventTime that is not a time (no time given to findings)") }
        if s.walkProblems > 0 { lines.append("paths: \(s.walkProblems) could not be walked") }
        let shown = s.diagnostics.prefix(maxListed)
        for d in shown { lines.append("  " + TerminalText.sanitize(d.description)) }
        let more = s.diagnostics.count - shown.count + s.unlistedProblems
        if more > 0 { lines.append("  ... and \(more) more problems") }
        return lines.map { "trailhound: " + $0 }.joined(separator: "\n") + "\n"
    }
}
