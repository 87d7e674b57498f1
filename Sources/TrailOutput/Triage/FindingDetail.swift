import TrailDetect

/// One finding in full, for `trailhound show`: the rule, when and where, the actor and the lineage of its
/// credentials, the target, the state it fell in, the credentials to contain, every listed piece of evidence and the
/// containment commands. Every value goes through `TerminalText.sanitize` before any colour is added.
public enum FindingDetail {
    public static func render(_ f: Finding, style: TerminalStyle) -> String {
        var lines: [String] = []
        func s(_ text: String) -> String { TerminalText.sanitize(text) }
        func section(_ name: String) {
            lines.append("")
            lines.append(style.bold(name))
        }
        func row(_ label: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            lines.append("  " + style.dim(label.padded(to: 12)) + s(value))
        }
        func list(_ values: [String]) -> String? { values.isEmpty ? nil : values.joined(separator: ", ") }

        lines.append(style.level(f.level) + "  " + style.bold(s(f.title)))
        row("finding", f.id)
        row("rule", "\(f.rule.id)  \(f.rule.title)  (\(f.rule.file))")
        row("level", f.rule.level)
        row("tactics", list(f.rule.tactics))
        row("techniques", list(f.rule.techniques))
        row("seen", (f.firstSeen == f.lastSeen ? f.firstSeen : "\(f.firstSeen) → \(f.lastSeen)")
            + "  (\(f.count) event\(f.count == 1 ? "" : "s"))")
        row("account", f.account)
        row("regions", list(f.regions))
        row("identity", RootIdentity(of: f).title)

        let a = f.actor
        section("Actor")
        row("arn", a.arn)
        row("type", a.type)
        row("user", a.userName)
        row("role", a.roleName)
        row("session", a.sessionName)
        row("federated", a.federatedName)
        row("parent", a.parentArn)
        row("IdC user", a.identityCenterUserId)
        row("keys", list(a.accessKeyIds))
        row("from", list(a.sourceIPAddresses))

        let chains = lineage(f)
        if a.originUserName != nil || !a.originAccessKeyIds.isEmpty || !chains.isEmpty {
            section("Lineage")
            row("origin user", a.originUserName.map { user in a.originAccount.map { "\(user) (account \($0))" } ?? user })
            row("origin keys", list(a.originAccessKeyIds))
            for chain in chains { row("chain", chain) }
        }

        if let t = f.target {
            var rows: [(String, String?)] = [
                ("user", t.userName), ("role", t.roleName), ("IdC user", t.identityCenterUserId),
                ("keys", list(t.accessKeyIds)), ("policy", t.policyArn ?? t.policyName), ("group", t.groupName),
                ("trail", t.trailName),
            ]
            rows += (t.createdKeys ?? []).map { ("created key", "\($0.accessKeyId) for user \($0.userName)") }
            rows += (t.resources ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, list($0.value)) }
            if rows.contains(where: { !($0.1 ?? "").isEmpty }) {
                section("Target")
                for (label, value) in rows { row(label, value) }
            }
        }

        if let st = f.state {
            section("State")
            row("kind", st.kind)
            row("key", st.key)
            row("measure", st.measure)
            row("opened by", st.opened.map(evidence))
            row("made by", st.openedBy?.arn)
            row("rule", st.openedByRule)
            row("closed by", st.closed.map(evidence) ?? (st.kind == "inside" && st.until == nil ? "still open at the end of the logs" : nil))
            row("until", st.until)
        }

        if let creds = f.credentials, !creds.isEmpty {
            section("Credentials to contain")
            for c in creds {
                if c.kind == "long-term" {
                    lines.append("  " + s("\(c.accessKeyId)  long-term"))
                } else {
                    lines.append("  " + s(
                        "\(c.accessKeyId)  \(c.mintedBy ?? "temporary") \(c.principal ?? "")  from \(c.parentAccessKeyId ?? "?")  "
                            + "valid \(c.issuedAt ?? "?") → \(c.expiresAt ?? "?")" + (c.eventID.map { "  event \($0)" } ?? "")))
                }
            }
        }

        section("Evidence")
        for e in f.evidence { lines.append("  " + s(evidence(e))) }
        let unlisted = max(f.evidenceNotListed, f.count - f.evidence.count)
        if unlisted > 0 { lines.append("  " + style.dim("… and \(unlisted) more event\(unlisted == 1 ? "" : "s") not listed")) }

        if !f.containment.isEmpty {
            section("Containment")
            for (k, action) in f.containment.enumerated() {
                lines.append("  " + style.bold(s("\(k + 1). \(action.title)")) + "  " + style.dim(s("[\(action.id)]")))
                for line in wrap(action.why, width: 100) { lines.append("     " + style.dim(s("# \(line)"))) }
                for step in action.steps {
                    lines.append("     " + s("# \(step.title)" + (step.document.map { ": write \($0.file):" } ?? "")))
                    if let doc = step.document {
                        for line in doc.content.split(separator: "\n") { lines.append("     " + s("#   \(line)")) }
                    }
                    for command in step.commands { lines.append("     " + s(command)) }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The text's words in lines of at most `width` characters (a longer word on a line of its own).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n") {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty && line.count + 1 + word.count > width {
                    lines.append(line)
                    line = ""
                }
                line += line.isEmpty ? String(word) : " " + word
            }
            if !line.isEmpty { lines.append(line) }
        }
        return lines
    }

    /// `2026-11-20T10:00:00Z  CreateUser (AccessDenied)  <eventID>  <file> record 3`.
    static func evidence(_ e: Finding.Evidence) -> String {
        "\(e.eventTime ?? "?")  \(e.eventName ?? "?")\(e.errorCode.map { " (\($0))" } ?? "")  \(e.eventID ?? "?")  "
            + "\(e.file) record \(e.recordIndex)"
    }

    /// For each temporary credential of the finding, the chain of keys back to the long-term one that minted the
    /// first: `ASIA… (AssumeRole) ← ASIA… (GetFederationToken) ← AKIA…`.
    static func lineage(_ f: Finding) -> [String] {
        let credentials = f.credentials ?? []
        let byKey = Dictionary(credentials.map { ($0.accessKeyId, $0) }, uniquingKeysWith: { a, _ in a })
        return credentials.filter { $0.parentAccessKeyId != nil }.map { credential in
            var parts: [String] = []
            var seen: Set<String> = []
            var current: String? = credential.accessKeyId
            while let k = current, seen.insert(k).inserted {
                let c = byKey[k]
                parts.append(c?.mintedBy.map { "\(k) (\($0))" } ?? k)
                current = c?.parentAccessKeyId
            }
            return parts.joined(separator: " ← ")
        }
    }
}

extension String {
    /// The text padded with spaces to `width` characters (left as is when longer).
    func padded(to width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
