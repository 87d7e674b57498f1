import TrailDetect
import TrailOutput

extension TraceCommand {
    /// The trace for people: what minted the key, what it minted, a summary, then the timeline (repeated calls
    /// folded into one line with `collapse`).
    static func table(_ o: Output, collapse: Bool = true, time: TableTime = .utc) -> String {
        let t = time.format as (String) -> String
        var lines: [String] = []
        var pivots: [String] = []
        if let ip = o.pivot?.sourceIPAddress { pivots.append("from \(ip)") }
        if let agent = o.pivot?.userAgent { pivots.append("user agent contains \"\(agent)\"") }
        if o.pivot?.writesOnly == true { pivots.append("writes only") }
        lines.append("Trace of \(o.query ?? "every identity")" + (pivots.isEmpty ? "" : "  (\(pivots.joined(separator: ", ")))"))
        if !o.ancestry.isEmpty {
            lines.append("")
            lines.append("Minted by")
            for chain in o.ancestry {
                var prefix = "  "
                if let top = chain.first {
                    lines.append(prefix + (top.mintedByKey.map { "\($0)  " } ?? "") + top.mintedByPrincipal
                        + (top.mintedByKey?.hasPrefix("AKIA") == true ? "  (long-term key)" : "  (origin: its minting is not in the logs)"))
                }
                for a in chain {
                    lines.append(prefix + "└─ \(a.api) \(t(a.issuedAt)) → \(a.accessKeyId)" + (a.principal.map { "  \($0)" } ?? "")
                        + "  valid until \(t(a.expiresAt))")
                    prefix += "   "
                }
            }
        }
        if o.query != nil {
            lines.append("")
            lines.append("Lineage of \(o.query ?? "")")
            func walk(_ n: CredentialTrace.Node, _ prefix: String, _ last: Bool, _ root: Bool) {
                let branch = root ? "" : (last ? "└─ " : "├─ ")
                var text = prefix + branch + n.accessKeyId
                if let api = n.api { text += "  \(api) \(n.issuedAt.map(t) ?? "?") → \(n.expiresAt.map(t) ?? "?")" }
                if let p = n.principal { text += "  \(p)" }
                lines.append(text)
                for (k, child) in n.minted.enumerated() {
                    walk(child, root ? prefix : prefix + (last ? "   " : "│  "), k == n.minted.count - 1, false)
                }
            }
            if o.lineage.isEmpty { lines.append("  (no key of this principal appears in the logs)") }
            for n in o.lineage { walk(n, "  ", true, true) }
        } else {
            lines.append("")
            lines.append("Keys seen (\(o.summary.keys.count)), with the long-term key or principal behind each")
            for k in o.summary.keys.sorted(by: { $0.calls != $1.calls ? $0.calls > $1.calls : $0.accessKeyId < $1.accessKeyId }).prefix(20) {
                let behind = k.origin.map { $0 == k.accessKeyId ? "long-term" : "from \($0)" } ?? "origin not in the logs"
                lines.append("  \(k.accessKeyId)  \(k.calls) call\(k.calls == 1 ? "" : "s")  \(behind)")
            }
            if o.summary.keys.count > 20 { lines.append("  … \(o.summary.keys.count - 20) more (--format json lists them all)") }
            if !o.summary.principals.isEmpty {
                lines.append("  principals: " + o.summary.principals.prefix(8).joined(separator: ", ") + (o.summary.principals.count > 8 ? ", …" : ""))
            }
        }
        let s = o.summary
        let runs = CallRun.collapse(o.timeline, gap: collapse ? CallRun.defaultGap : -1)
        lines.append("")
        lines.append(
            "Timeline: \(s.calls) calls, \(s.succeeded) succeeded, \(s.denied) denied"
                + (collapse && runs.count < s.calls
                    ? "; \(runs.count) lines: a call repeated within 5 minutes (same API and outcome) is folded into its first line, ×N until the last"
                    : ""))
        lines.append("  services: " + s.services.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("  regions: " + s.regions.joined(separator: ", "))
        lines.append("  source IPs: " + s.sourceIPAddresses.prefix(12).joined(separator: ", ") + (s.sourceIPAddresses.count > 12 ? ", … (\(s.sourceIPAddresses.count))" : ""))
        var agents: [String] = []
        for agent in s.userAgents.map({ $0.count > 70 ? String($0.prefix(70)) + "…" : $0 }) where !agents.contains(agent) {
            agents.append(agent)
        }
        lines.append("  user agents (\(s.userAgents.count)): " + agents.prefix(8).joined(separator: " | ") + (agents.count > 8 ? " | …" : ""))
        lines.append("")
        func several(_ values: [String], _ noun: String) -> String {
            values.count == 1 ? values[0] : values.isEmpty ? "-" : "\(values.count) \(noun)"
        }
        for run in runs {
            let c = run.first
            let result = c.errorCode ?? "ok"
            let service = (c.eventSource ?? "?").replacingOccurrences(of: ".amazonaws.com", with: "")
            var line = "  \(t(c.eventTime))  \(several(run.regions, "regions"))  \(service):\(c.eventName ?? "?")  \(result)  "
                + "\(several(run.accessKeyIds, "keys"))  \(several(run.sourceIPAddresses, "IPs"))"
            if run.count > 1 { line += "  ×\(run.count) until \(t(run.last.eventTime))" }
            lines.append(line)
        }
        // Every line holds log values (keys, principals, services, regions, addresses, user agents).
        return lines.map(TerminalText.sanitize).joined(separator: "\n") + "\n"
    }
}
