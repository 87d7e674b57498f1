import TrailDetect
import TrailReader

/// One root identity's section: its timeline, its credential lineage, the containment playbook for the whole
/// incident, and its findings with their evidence and commands.
struct IdentitySection {
    let report: IncidentReport
    let group: TriageGroup
    let index: Int

    func html() -> HTML {
        let limits = report.limits
        let listed = group.findings.prefix(limits.findingsPerIdentity)
        let findings: [HTML] = listed.enumerated().map { j, f in finding(f, id: "f\(index)-\(j)") }
        let rest = group.findings.count - listed.count
        let playbook = IncidentPlaybook(
            root: group.root, findings: group.findings, catalog: report.catalog, cutoff: report.generatedAt)
        let timeline = Timeline(
            root: group.root, findings: group.findings, calls: report.activity.callsPerSlot[group.root] ?? [:],
            containment: report.activity.containment[group.root] ?? [])
        let graph = LineageGraph(root: group.root, findings: group.findings, lineage: report.lineage, limits: limits)
        let counts = group.levelCounts.map { "\($0.count) \($0.level.rawValue)" }.joined(separator: ", ")
        return """
            <details class="identity" id="id-\(index)" data-root="\(group.root.title)"\(index < 3 ? " open" : "")>
            <summary><span class="badge \(group.level.rawValue)">\(group.level.rawValue)</span> \(group.root.title) — \
            \(group.findings.count) finding\(group.findings.count == 1 ? "" : "s") (\(counts))</summary>
            <h3>Timeline</h3>\(timeline.svg(id: "tl-\(index)"))
            <h3>Credential lineage</h3>\(graph.svg(id: "lg-\(index)"))
            <h3>Containment playbook</h3>
            <p class="meta">Every applicable action of the catalog for this identity and what it created, in order. Review, then run.</p>
            \(Self.copyable(playbook.script(), id: "pb-\(index)"))
            <h3>Findings</h3>
            \(findings)
            \(rest > 0 ? "<p class=\"more\">+\(rest) more findings of this identity (\(group.findings.dropFirst(listed.count).count(where: { $0.level >= .high })) high or critical).</p>" as HTML : HTML.empty)
            </details>
            """
    }

    /// A `<pre>` with a copy button; `id` is the report's own.
    static func copyable(_ text: String, id: String) -> HTML {
        """
        <div class="copyable"><button type="button" class="copy" data-for="\(id)">Copy</button><pre id="\(id)">\(whole: text)</pre></div>
        """
    }

    func finding(_ f: Finding, id: String) -> HTML {
        let limits = report.limits
        let evidence: [HTML] = f.evidence.prefix(limits.evidencePerFinding).map { e in
            """
            <tr><td class="mono">\(e.eventID)</td><td>\(e.eventTime)</td><td>\(e.eventName)\(e.errorCode.map { " (\($0))" } ?? "")</td><td class="mono">\(e.file)</td><td>\(e.recordIndex)</td></tr>
            """
        }
        let notListed = f.evidence.count - evidence.count + f.evidenceNotListed
        var commands: [String] = []
        for action in f.containment {
            commands.append("# \(action.title)")
            for step in action.steps {
                commands.append("# \(step.title)")
                commands += step.commands
                if let document = step.document { commands.append("# \(document.file):\n\(document.content)") }
            }
        }
        let actor = f.actor
        let who = [actor.arn ?? actor.userName ?? actor.type ?? "?"] + actor.accessKeyIds.prefix(3)
        let state: HTML = f.state.map { s in
            "<dt>State</dt><dd>\(s.kind)\(s.measure.map { ": \($0)" } ?? "")\(s.opened.map { ", opened by \($0.eventName ?? "?") at \($0.eventTime ?? "?")" } ?? "")\(s.closed.map { ", closed by \($0.eventName ?? "?") at \($0.eventTime ?? "?")" } ?? "")</dd>"
        } ?? HTML.empty
        return """
            <details class="finding" id="\(id)" data-level="\(f.level.rawValue)" data-finding="\(f.id)">
            <summary><span class="badge \(f.level.rawValue)">\(f.level.rawValue)</span> \(f.title)</summary>
            <dl class="facts">
            <dt>Rule</dt><dd>\(f.rule.title) <code>\(f.rule.id)</code> (\(f.rule.file))</dd>
            <dt>When</dt><dd>\(f.firstSeen) to \(f.lastSeen), \(f.count) event\(f.count == 1 ? "" : "s")</dd>
            <dt>Where</dt><dd>account \(f.account), \(f.regions.isEmpty ? "-" : f.regions.joined(separator: ", "))</dd>
            <dt>Actor</dt><dd class="mono">\(who.joined(separator: " "))</dd>
            \(f.actor.sourceIPAddresses.isEmpty ? HTML.empty : "<dt>From</dt><dd class=\"mono\">\(f.actor.sourceIPAddresses.prefix(5).joined(separator: ", "))</dd>")
            \(f.target.flatMap { $0.userName ?? $0.roleName }.map { "<dt>Target</dt><dd>\($0)</dd>" as HTML } ?? HTML.empty)
            \(state)
            <dt>Finding id</dt><dd class="mono">\(f.id)</dd>
            </dl>
            <table class="evidence"><thead><tr><th>eventID</th><th>time</th><th>event</th><th>file</th><th>record</th></tr></thead>
            <tbody>\(evidence)</tbody></table>
            \(notListed > 0 ? "<p class=\"more\">+\(notListed) more evidence events.</p>" as HTML : HTML.empty)
            \(commands.isEmpty ? "<p class=\"more\">No containment action in the catalog for this rule.</p>" as HTML : Self.copyable(commands.joined(separator: "\n"), id: "\(id)-cmd"))
            </details>
            """
    }
}
