import TrailDetect
import TrailReader

/// The run record: what was read, what could not be, and which rules ran.
struct RunRecordSection {
    let report: IncidentReport

    func html() -> HTML {
        let run = report.run
        let s = run.summary
        let rows = report.limits.runRecordRows
        let problems: [HTML] = s.diagnostics.prefix(rows).map { d in
            "<tr><td class=\"mono\">\(d.path)</td><td>\(d.kind.rawValue)</td><td>\(d.recordIndex.map(String.init) ?? d.offset.map { "byte \($0)" })</td><td>\(d.message)</td></tr>"
        }
        let skipped: [HTML] = run.rules.skipped.prefix(rows).map { "<li>\("\($0)")</li>" }
        let invalid: [HTML] = run.rules.errors.prefix(rows).map { "<li>\("\($0)")</li>" }
        let files: [HTML] = run.files.prefix(rows).map { "<li class=\"mono\">\($0)</li>" }
        let setAside = s.setAside.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }
        let activity = report.activity
        return """
            <section id="run"><h2>Run record</h2>
            <dl class="facts">
            <dt>Source</dt><dd>\(run.source): \(run.inputs.prefix(rows).joined(separator: ", "))</dd>
            <dt>Files</dt><dd id="files-read">\(s.filesRead) read, \(s.filesPartial) partly read, \(s.filesFailed) failed\(setAside.isEmpty ? "" : "; set aside: \(setAside.joined(separator: ", "))")</dd>
            <dt>Records</dt><dd>\(s.records) read, \(s.rejected) rejected, \(s.filtered) filtered out</dd>
            <dt>Rules</dt><dd>\(run.rules.loaded) loaded, \(run.rules.skipped.count) skipped (unsupported), \(run.rules.errors.count) invalid</dd>
            <dt>Timelines</dt><dd>\(activity.events) events read again for the timelines, \(activity.attributed) attributed to the identities drawn</dd>
            </dl>
            \(problems.isEmpty ? "<p>No file or record problems.</p>" as HTML : """
                <h3>Problems (\(s.diagnostics.count)\(s.unlistedProblems > 0 ? " + \(s.unlistedProblems) not listed" : ""))</h3>
                <table class="problems"><thead><tr><th>file</th><th>problem</th><th>where</th><th>detail</th></tr></thead><tbody>\(problems)</tbody></table>
                \(s.diagnostics.count > rows ? "<p class=\"more\">+\(s.diagnostics.count - rows) more problems.</p>" as HTML : HTML.empty)
                """)
            \(skipped.isEmpty ? HTML.empty : "<h3>Rules skipped</h3><ul>\(skipped)</ul>")
            \(invalid.isEmpty ? HTML.empty : "<h3>Invalid rules</h3><ul>\(invalid)</ul>")
            <details><summary>Files read (\(run.files.count))</summary><ul>\(files)</ul>\(run.files.count > rows ? "<p class=\"more\">+\(run.files.count - rows) more files.</p>" as HTML : HTML.empty)</details>
            </section>
            """
    }
}
