import ArgumentParser
import TrailDetect
import TrailOutput
import TrailReader
import TrailScan

/// Where `show` and `contain --finding` look a finding up: the logs given (scanned once, input problems reported on
/// stderr) or a state file of `scan --state`.
enum FindingSource {
    /// Every finding of the source, and the one whose id is `id` or starts with it. On failure the reason is on
    /// stderr and the error is exit status 2.
    static func lookup(_ id: String, logs: [String], state: String?, rules: RuleSet, stderr: ByteSink) throws -> (
        finding: Finding, all: [Finding]
    ) {
        do {
            let all: [Finding]
            if let state {
                all = try LoadedFindings.state(state, rules: rules).findings
            } else {
                let loaded = try LoadedFindings.scan(logs, rules: rules)
                SummaryWriter.report(loaded.summary, quiet: true, extra: [], to: stderr)
                all = loaded.findings
            }
            let source = state.map { "state file \($0)" } ?? "the logs given"
            return (try FindingLookup.find(id, in: all, source: source), all)
        } catch {
            stderr.write("trailhound: \(TerminalText.sanitize("\(error)"))\n")
            throw ExitCode(2)
        }
    }
}
