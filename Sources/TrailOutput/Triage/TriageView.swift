import TrailDetect

/// The scan's view for a terminal: one line per finding, grouped by the identity behind it (`Triage.groups`), worst
/// first, with how to see more at the end. Every log value goes through `TerminalText.sanitize` before any colour
/// is added.
public enum TriageView {
    /// At most this many keys on a group's header line; the rest are counted.
    static let keysShown = 4

    public static func render(_ findings: [Finding], style: TerminalStyle, time: TableTime = .utc) -> String {
        guard !findings.isEmpty else { return "No findings.\n" }
        let groups = Triage.groups(findings)
        let short = Triage.shortIds(findings.map(\.id))
        let countWidth = String(findings.map(\.count).max() ?? 1).count
        func s(_ text: String) -> String { TerminalText.sanitize(text) }
        var lines: [String] = []
        let plural = findings.count == 1 ? "finding" : "findings"
        let identities = groups.count == 1 ? "1 identity" : "\(groups.count) identities"
        lines.append(style.bold("\(findings.count) \(plural) for \(identities): ") + levelCounts(findings, style))
        for group in groups {
            lines.append("")
            lines.append(style.level(group.level) + "  " + style.bold(s(group.root.title)) + "  " + levelCounts(group.findings, style))
            var about = "  " + style.dim(
                group.firstSeen == group.lastSeen
                    ? s(time.format(group.firstSeen)) : "\(s(time.format(group.firstSeen))) → \(s(time.format(group.lastSeen)))")
            let keys = group.accessKeyIds
            if !keys.isEmpty {
                let more = keys.count > keysShown ? ", +\(keys.count - keysShown) more" : ""
                about += "   key\(keys.count == 1 ? "" : "s") " + keys.prefix(keysShown).map(s).joined(separator: ", ") + more
            }
            lines.append(about)
            for f in group.findings {
                let count = String(f.count)
                let padded = String(repeating: " ", count: countWidth - count.count) + count + "×"
                lines.append(
                    "  " + style.level(f.level, width: 8) + "  " + s(time.format(f.firstSeen)) + "  " + style.bold(s(short[f.id] ?? f.id))
                        + "  " + padded + "  " + s(f.title))
            }
        }
        let example = s(short[groups[0].findings[0].id] ?? "ID")
        lines.append("")
        lines.append(style.dim("One finding in full (evidence, lineage, containment): trailhound show \(example) LOGS…"))
        lines.append(style.dim("Its incident's containment playbook:                 trailhound contain LOGS… --finding \(example)"))
        lines.append(style.dim("Every detail of every finding: --format table; for programs: --format jsonl"))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `2 critical, 3 high` (worst first), each in its level's colour.
    static func levelCounts(_ findings: [Finding], _ style: TerminalStyle) -> String {
        SigmaRule.Level.allCases.reversed().compactMap { level in
            let n = findings.count(where: { $0.level == level })
            return n == 0 ? nil : style.paint("\(n) \(level.rawValue)", as: level)
        }.joined(separator: ", ")
    }
}
