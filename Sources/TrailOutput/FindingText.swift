import TrailDetect

/// The prose of a finding for formats that carry a description and a remediation as text (OCSF, ASFF).
enum FindingText {
    /// What happened, who did it to whom, when, and the events to check — most important first, so a cut keeps it.
    static func description(_ f: Finding) -> String {
        var parts: [String] = []
        parts.append("\(f.rule.title) (\(f.rule.level), rule \(f.rule.id)).")
        let events = f.count == 1 ? "1 event" : "\(f.count) events"
        let when = f.firstSeen == f.lastSeen ? "at \(f.firstSeen)" : "from \(f.firstSeen) to \(f.lastSeen)"
        var whereText = f.account.map { " in account \($0)" } ?? ""
        if !f.regions.isEmpty { whereText += " (\(f.regions.joined(separator: ", ")))" }
        parts.append("\(events) \(when)\(whereText).")
        var actor = "Actor: \(f.actor.arn ?? f.actor.type ?? "unknown")"
        if !f.actor.accessKeyIds.isEmpty { actor += ", keys \(f.actor.accessKeyIds.joined(separator: ", "))" }
        if !f.actor.originAccessKeyIds.isEmpty {
            actor += ", minted from \(f.actor.originAccessKeyIds.joined(separator: ", "))"
        }
        if !f.actor.sourceIPAddresses.isEmpty { actor += ", from \(f.actor.sourceIPAddresses.joined(separator: ", "))" }
        parts.append(actor + ".")
        if let t = f.target {
            var target: [String] = []
            if let u = t.userName { target.append("user \(u)") }
            if let r = t.roleName { target.append("role \(r)") }
            if let i = t.identityCenterUserId { target.append("Identity Center user \(i)") }
            if !t.accessKeyIds.isEmpty { target.append("keys \(t.accessKeyIds.joined(separator: ", "))") }
            if !target.isEmpty { parts.append("Target: \(target.joined(separator: ", ")).") }
        }
        if !f.rule.techniques.isEmpty || !f.rule.tactics.isEmpty {
            parts.append("ATT&CK: \((f.rule.techniques + f.rule.tactics).joined(separator: ", ")).")
        }
        let evidence = f.evidence.map { e in
            "\(e.eventTime ?? "?") \(e.eventName ?? "?")\(e.errorCode.map { " (\($0))" } ?? "") \(e.eventID ?? "?")"
        }
        if !evidence.isEmpty {
            let more = f.count - f.evidence.count
            parts.append("Evidence: \(evidence.joined(separator: "; "))\(more > 0 ? "; and \(more) more" : "").")
        }
        return parts.joined(separator: " ")
    }

    /// The containment actions as one line each, in order: `1. Deny every action to the IAM user; 2. …`.
    static func containmentSummary(_ f: Finding) -> String {
        f.containment.enumerated().map { "\($0.offset + 1). \($0.element.title)" }.joined(separator: "; ")
    }

    /// Every containment action with why, its steps, commands and policy documents, as plain text.
    static func containmentPlaybook(_ f: Finding) -> String {
        var lines: [String] = []
        for (k, action) in f.containment.enumerated() {
            lines.append("\(k + 1). \(action.title) [\(action.id)]")
            lines.append("   Why: \(action.why)")
            for step in action.steps {
                lines.append("   - \(step.title)")
                if let doc = step.document {
                    lines.append("     write \(doc.file):")
                    for line in doc.content.split(separator: "\n") { lines.append("       \(line)") }
                }
                for command in step.commands { lines.append("     $ \(command)") }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Every reference of the containment actions, in order, once.
    static func references(_ f: Finding) -> [String] {
        var seen: Set<String> = []
        return f.containment.flatMap(\.references).filter { seen.insert($0).inserted }
    }
}
