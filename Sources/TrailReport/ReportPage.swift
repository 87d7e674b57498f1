import TrailDetect
import TrailReader

/// Renders an `IncidentReport` as one self-contained page: the summary at the top, one section per root identity in
/// triage order, the run record at the bottom. Every value goes through `HTML`'s escaper.
struct ReportPage {
    let report: IncidentReport
    let groups: [TriageGroup]

    init(report: IncidentReport) {
        self.report = report
        groups = Triage.groups(report.findings)
    }

    static let levels: [SigmaRule.Level] = SigmaRule.Level.allCases.reversed()

    func html() -> HTML {
        let sections: [HTML] = groups.prefix(report.limits.identities).enumerated().map { i, g in
            IdentitySection(report: report, group: g, index: i).html()
        }
        let notDrawn = groups.count - sections.count
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(ReportStyle.contentSecurityPolicy)">
            <meta name="referrer" content="no-referrer">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(report.title)</title>
            <style>\(HTML(stringLiteral: ReportStyle.css))</style>
            </head><body>
            <header><h1>\(report.title)</h1>
            <p class="meta">Generated \(report.generatedAt) by trailhound \(report.version) from \(report.run.source): \
            \(report.run.inputs.prefix(5).joined(separator: ", "))\(report.run.inputs.count > 5 ? " (+\(report.run.inputs.count - 5) more)" : "")</p></header>
            \(summary())
            \(verdicts())
            <section id="identities"><h2>Identities</h2>
            \(sections)
            \(notDrawn > 0 ? "<p class=\"more\" id=\"identities-more\">+\(notDrawn) more identities, listed in the verdicts above and in the JSON output (<code>trailhound scan --format jsonl</code>).</p>" as HTML : HTML.empty)
            </section>
            \(RunRecordSection(report: report).html())
            <footer class="meta"><p>Offline and self-contained: no resource is loaded from anywhere. Commands are printed, never run.</p></footer>
            <script>\(HTML(stringLiteral: ReportStyle.script))</script>
            </body></html>

            """
    }

    /// Severity cards, time span, accounts, regions, identity count.
    func summary() -> HTML {
        let cards: [HTML] = Self.levels.map { level in
            let n = report.findings.count(where: { $0.level == level })
            return """
                <div class="card \(level.rawValue)\(n == 0 ? " zero" : "")" data-level="\(level.rawValue)" data-count="\(n)"><span class="n">\(n)</span>\(level.rawValue)</div>
                """
        }
        let first = report.findings.map(\.firstSeen).min()
        let last = report.findings.map(\.lastSeen).max()
        let accounts = Set(report.findings.compactMap(\.account)).sorted()
        let regions = Set(report.findings.flatMap(\.regions)).sorted()
        func list(_ values: [String], _ limit: Int = 12) -> HTML {
            values.isEmpty ? "none"
                : "\(values.prefix(limit).joined(separator: ", "))\(values.count > limit ? " (+\(values.count - limit) more)" : "")"
        }
        return """
            <section id="summary"><h2>Summary</h2>
            <div class="cards" id="cards" data-total="\(report.findings.count)">\(cards)</div>
            <dl class="facts">
            <dt>Findings</dt><dd id="total">\(report.findings.count) from \(Set(report.findings.map(\.rule.id)).count) rules</dd>
            <dt>Time span</dt><dd>\(first.map { "\($0) to \(last ?? $0)" } ?? "no findings")</dd>
            <dt>Identities</dt><dd id="identity-count" data-count="\(groups.count)">\(groups.count) root identities behind the findings</dd>
            <dt>Accounts</dt><dd>\(list(accounts))</dd>
            <dt>Regions</dt><dd>\(list(regions))</dd>
            </dl></section>
            """
    }

    /// One line per root identity, in triage order: what a manager needs in ten minutes.
    func verdicts() -> HTML {
        let shown = groups.prefix(report.limits.verdicts)
        let lines: [HTML] = shown.enumerated().map { i, g in
            let counts = g.levelCounts.map { "\($0.count) \($0.level.rawValue)" }.joined(separator: ", ")
            var rules: [String] = []
            for f in g.findings where !rules.contains(f.rule.title) {
                rules.append(f.rule.title)
                if rules.count == 3 { break }
            }
            let live = Set(g.findings.flatMap { ($0.credentials ?? []).filter { $0.kind == "temporary" }.map(\.accessKeyId) }).count
            let contained = report.activity.containment[g.root] ?? []
            let link: HTML = i < report.limits.identities ? "<a href=\"#id-\(i)\">details</a>" : ""
            return """
                <li data-level="\(g.level.rawValue)"><span class="badge \(g.level.rawValue)">\(g.level.rawValue)</span> \
                <b>\(g.root.title)</b>: \(g.findings.count) finding\(g.findings.count == 1 ? "" : "s") (\(counts)), \
                \(g.firstSeen) to \(g.lastSeen): \(rules.joined(separator: "; "))\(Set(g.findings.map(\.rule.id)).count > 3 ? "; …" : "")\
                \(live > 0 ? "; \(live) temporary credential\(live == 1 ? "" : "s") minted" : "")\
                \(contained.isEmpty ? HTML.empty : " <span class=\"contained\">containment seen: \(Set(contained.map(\.kind.rawValue)).sorted().joined(separator: ", "))</span>") \(link)</li>
                """
        }
        let rest = groups.dropFirst(shown.count)
        var more = HTML.empty
        if !rest.isEmpty {
            let counts = Self.levels.compactMap { level -> String? in
                let n = rest.count(where: { $0.level == level })
                return n == 0 ? nil : "\(n) \(level.rawValue)"
            }
            more = "<p class=\"more\" id=\"verdicts-more\">+\(rest.count) more identities (\(counts.joined(separator: ", "))) with \(rest.reduce(0) { $0 + $1.findings.count }) findings.</p>"
        }
        return """
            <section id="verdicts"><h2>Verdict per identity</h2>
            <p class="meta">The long-term key or user (or Identity Center user) behind the activity, worst first, then earliest.</p>
            <ol class="verdicts">\(lines)</ol>\(more)</section>
            """
    }
}
