import TrailDetect
import TrailOutput

extension TraceCommand {
    /// The trace for people: what minted the key, what it minted, a summary, then either the activity per credential
    /// and service with every write API named (the default: it fits a screen for a real incident) or, with `calls`,
    /// the timeline (repeated calls folded into one line with `collapse`).
    static func table(_ o: Output, calls: Bool = false, collapse: Bool = true, time: TableTime = .utc) -> String {
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
            /// Siblings minted by the same call shape (API, principal, validity) with nothing under them are one line
            /// in the default view: tools such as the AWS SDKs often mint two sessions at once.
            func groups(_ nodes: [CredentialTrace.Node]) -> [[CredentialTrace.Node]] {
                guard !calls else { return nodes.map { [$0] } }
                var out: [[CredentialTrace.Node]] = []
                for n in nodes {
                    if n.minted.isEmpty, let k = out.firstIndex(where: { g in
                        g[0].minted.isEmpty && g[0].api == n.api && g[0].principal == n.principal
                            && g[0].issuedAt == n.issuedAt && g[0].expiresAt == n.expiresAt
                    }) {
                        out[k].append(n)
                    } else {
                        out.append([n])
                    }
                }
                return out
            }
            func walk(_ group: [CredentialTrace.Node], _ prefix: String, _ last: Bool, _ root: Bool) {
                let n = group[0]
                let branch = root ? "" : (last ? "└─ " : "├─ ")
                var text = prefix + branch + group.map(\.accessKeyId).joined(separator: ", ")
                if let api = n.api { text += "  \(api)\(group.count > 1 ? " ×\(group.count)" : "") \(n.issuedAt.map(t) ?? "?") → \(n.expiresAt.map(t) ?? "?")" }
                if let p = n.principal { text += "  \(p)" }
                lines.append(text)
                let children = groups(n.minted)
                let shown = calls ? children.count : min(children.count, mintedShown)
                let more = children.dropFirst(shown).reduce(0) { $0 + $1.count }
                for (k, child) in children.prefix(shown).enumerated() {
                    walk(child, root ? prefix : prefix + (last ? "   " : "│  "), k == shown - 1 && more == 0, false)
                }
                if more > 0 {
                    lines.append((root ? prefix : prefix + (last ? "   " : "│  ")) + "└─ … \(more) more key\(more == 1 ? "" : "s") minted by \(n.accessKeyId) (--calls or --format json lists them)")
                }
            }
            if o.lineage.isEmpty { lines.append("  (no key of this principal appears in the logs)") }
            for n in o.lineage { walk([n], "  ", true, true) }
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
            (calls ? "Timeline: " : "Calls: ") + "\(s.calls) calls, \(s.succeeded) succeeded, \(s.denied) denied"
                + (calls && collapse && runs.count < s.calls
                    ? "; \(runs.count) lines: a call repeated within 5 minutes (same API and outcome) is folded into its first line, ×N until the last"
                    : ""))
        // The default view counts calls per service below, per credential.
        if calls { lines.append("  services: " + s.services.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
        lines.append("  regions: " + s.regions.joined(separator: ", "))
        lines.append("  source IPs: " + s.sourceIPAddresses.prefix(12).joined(separator: ", ") + (s.sourceIPAddresses.count > 12 ? ", … (\(s.sourceIPAddresses.count))" : ""))
        var agents: [String] = []
        for agent in s.userAgents.map({ $0.count > 70 ? String($0.prefix(70)) + "…" : $0 }) where !agents.contains(agent) {
            agents.append(agent)
        }
        let agentsShown = calls ? 8 : 3
        lines.append("  user agents (\(s.userAgents.count)): " + agents.prefix(agentsShown).joined(separator: " | ")
            + (agents.count > agentsShown ? (calls ? " | …" : " | … (--format json lists them all)") : ""))
        if calls {
            lines.append("")
            lines += timeline(runs, t)
        } else {
            lines += activity(o, runs: runs.count, t)
        }
        // Every line holds log values (keys, principals, services, regions, addresses, user agents).
        return lines.map(TerminalText.sanitize).joined(separator: "\n") + "\n"
    }

    /// Children of a node shown in the default view's lineage tree.
    static let mintedShown = 12
    /// Credentials shown service by service in the default view; the rest are counted on one line.
    static let credentialsShown = 8
    /// The width write lists wrap at.
    static let wrapWidth = 120

    static func timeline(_ runs: [CallRun], _ t: (String) -> String) -> [String] {
        func several(_ values: [String], _ noun: String) -> String {
            values.count == 1 ? values[0] : values.isEmpty ? "-" : "\(values.count) \(noun)"
        }
        return runs.map { run in
            let c = run.first
            let result = c.errorCode ?? "ok"
            let service = (c.eventSource ?? "?").replacingOccurrences(of: ".amazonaws.com", with: "")
            var line = "  \(t(c.eventTime))  \(several(run.regions, "regions"))  \(service):\(c.eventName ?? "?")  \(result)  "
                + "\(several(run.accessKeyIds, "keys"))  \(several(run.sourceIPAddresses, "IPs"))"
            if run.count > 1 { line += "  ×\(run.count) until \(t(run.last.eventTime))" }
            return line
        }
    }

    /// The default view: per credential, per service, calls, denied, first and last time, and every write API named;
    /// then what is not shown and the flags that show it.
    static func activity(_ o: Output, runs: Int, _ t: (String) -> String) -> [String] {
        let activity = CredentialActivity(o.timeline) { DenialMessage.deniedCodes.contains($0) }
        var lines: [String] = []
        func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        /// First and last time; the last without the date when it is the same day.
        func span(_ first: String, _ last: String) -> String {
            let (a, b) = (t(first), t(last))
            if a == b { return a }
            if a.count > 11, b.count > 11, a.prefix(11) == b.prefix(11), a[a.index(a.startIndex, offsetBy: 10)] == "T" {
                return "\(a) → \(b.dropFirst(11))"
            }
            return "\(a) → \(b)"
        }
        func denied(_ n: Int) -> String { n == 0 ? "" : ", \(n) denied" }
        lines.append("")
        lines.append("Activity by credential and service (every write API named; reads counted)")
        if activity.credentials.isEmpty { lines.append("  (no calls)") }
        func writes(_ s: CredentialActivity.Service) -> [String] {
            s.writes.map { (w: CredentialActivity.Write) -> String in
                var text = w.name
                if w.calls > 1 { text += " ×\(w.calls)" }
                if w.denied > 0 { text += " (\(w.denied) denied)" }
                return text
            }
        }
        /// A service's line: its calls, span, then its writes named (wrapped), or "reads only".
        func service(_ lead: String, _ s: CredentialActivity.Service) -> [String] {
            let head = lead + "\(plural(s.calls, "call"))\(denied(s.denied))  \(span(s.firstTime, s.lastTime))"
            if s.writes.isEmpty { return [head + "  (reads only)"] }
            return wrap(head + "  writes:", writes(s), continuation: "      ")
        }
        for c in activity.credentials.prefix(credentialsShown) {
            if c.services.count == 1 {
                lines += service("  \(c.accessKeyId)  \(short(c.services[0].eventSource))  ", c.services[0])
                continue
            }
            lines.append("  \(c.accessKeyId)  \(plural(c.calls, "call"))\(denied(c.denied))  \(span(c.firstTime, c.lastTime))")
            let width = c.services.map { short($0.eventSource).count }.max() ?? 0
            for s in c.services {
                let name = short(s.eventSource)
                lines += service("    \(name)\(String(repeating: " ", count: width - name.count))  ", s)
            }
        }
        let hidden = activity.credentials.dropFirst(credentialsShown)
        if !hidden.isEmpty {
            let writes = Set(hidden.flatMap { c in c.services.flatMap { s in s.writes.map { "\(s.eventSource):\($0.name)" } } })
            lines.append("  … \(plural(hidden.count, "more credential")) (\(plural(hidden.reduce(0) { $0 + $1.calls }, "call")), "
                + "\(plural(writes.count, "write API"))) not shown: --calls lists their calls, --format json every call")
        }
        lines.append("")
        lines.append("Not shown: the timeline (\(plural(o.summary.calls, "call")) in \(plural(runs, "folded line"))): "
            + "--calls lists it, --no-collapse every call, --format json every call in full.")
        return lines
    }

    static func short(_ source: String) -> String { source.replacingOccurrences(of: ".amazonaws.com", with: "") }

    /// Items joined with ", " after `lead`, wrapped at `wrapWidth` onto lines starting with `continuation`.
    static func wrap(_ lead: String, _ items: [String], continuation: String) -> [String] {
        var lines: [String] = []
        var line = lead
        var empty = false
        for (k, item) in items.enumerated() {
            let piece = item + (k == items.count - 1 ? "" : ",")
            if k > 0 && !empty && line.count + 1 + piece.count > wrapWidth {
                lines.append(line)
                line = continuation
                empty = true
            }
            line += (empty ? "" : " ") + piece
            empty = false
        }
        lines.append(line)
        return lines
    }
}
