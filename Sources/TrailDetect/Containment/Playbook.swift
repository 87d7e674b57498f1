/// The whole containment playbook for one identity, as a shell script of AWS CLI commands with their policy
/// documents, in order, each step commented with why. Printed for a person to review and run; never executed.
public struct Playbook: Sendable {
    public let identityType: String
    public let values: [String: [String]]
    public let actions: [ContainmentAction]

    /// The catalog's actions for `identityType` that have a playbook place, in order.
    public init(identityType: String, values: [String: [String]], catalog: [String: ContainmentAction]) {
        self.identityType = identityType
        self.values = values
        actions = catalog.values
            .filter { $0.playbookOrder != nil && $0.appliesTo.contains(identityType) }
            .sorted { ($0.playbookOrder!, $0.id) < ($1.playbookOrder!, $1.id) }
    }

    public func script(title: String) -> String {
        var lines = [
            "#!/bin/sh",
            "# trailhound containment playbook: \(Self.comment(title))",
            "# Printed, not run: review each step, and run it from a trusted principal (not the one being contained).",
            "# Values in <angle brackets> were not known; fill them in first.",
            "set -eu",
        ]
        for (n, action) in actions.enumerated() {
            let rendered = action.render(values)
            lines.append("")
            lines.append("# == \(n + 1). \(Self.comment(rendered.title)) [\(rendered.id)]")
            for line in Self.wrap(rendered.why, width: 110) { lines.append("# \(line)") }
            for reference in rendered.references { lines.append("# see \(reference)") }
            for step in rendered.steps {
                lines.append("")
                lines.append("# -- \(Self.comment(step.title))")
                if let why = step.why { for line in Self.wrap(why, width: 110) { lines.append("#    \(line)") } }
                if let doc = step.document {
                    lines.append("cat > \(Self.shellWord(doc.file)) <<'TRAILHOUND_EOF'")
                    lines.append(doc.content.hasSuffix("\n") ? String(doc.content.dropLast()) : doc.content)
                    lines.append("TRAILHOUND_EOF")
                }
                for command in step.commands {
                    let missing = Self.placeholders(command)
                    if missing.isEmpty {
                        lines.append(command)
                    } else {
                        // A value nobody knows yet: left as a comment, so the script never runs it half-filled.
                        lines.append("# FILL IN \(missing.joined(separator: ", ")) and run:")
                        lines.append("# " + command)
                    }
                }
            }
        }
        if actions.isEmpty { lines.append("# No containment action in the catalog applies to \(identityType).") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `<name>` placeholders left in a command.
    static func placeholders(_ command: String) -> [String] {
        var out: [String] = []
        var rest = Substring(command)
        while let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: ">") else { break }
            let name = after[..<close]
            if let first = name.first, first.isLetter, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
                out.append("<\(name)>")
            }
            rest = after[after.index(after: close)...]
        }
        return out
    }

    /// A value safe inside a shell comment: one line, no control characters.
    static func comment(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    /// A file name as one shell word (the catalog's names are plain; anything else is quoted).
    static func shellWord(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) } ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in comment(text).split(separator: " ") {
            if current.count + word.count + 1 > width && !current.isEmpty {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

extension FindingBuilder {
    /// The playbook for the identity a finding names: the IAM user at the root of its actor's credentials when
    /// lineage knows it (with every live temporary credential they minted), else the actor itself.
    public func playbook(_ rules: RuleSet, lineage: LineageMap?) -> (title: String, playbook: Playbook) {
        let finding = self.finding(rules, lineage: lineage)
        let subject: ContainmentRef.Subject = finding.actor.originUserName != nil ? .origin : .actor
        var values = variables(for: subject, actor: finding.actor)
        values.merge(Self.liveCredentialValues(finding.credentials ?? [])) { a, _ in a }
        let type = identityType(subject) ?? "IAMUser"
        let who: String
        switch type {
        case "IAMUser": who = "IAM user \(values["userName"]?.first ?? "?")"
        case "FederatedUser": who = "federated user \(finding.actor.federatedName ?? "?") (parent IAM user \(values["userName"]?.first ?? "?"))"
        case "IdentityCenterUser": who = "Identity Center user \(finding.actor.identityCenterUserId ?? finding.actor.sessionName ?? "?")"
        case "AssumedRole": who = "sessions of role \(finding.actor.roleName ?? "?")"
        case "Root": who = "root user"
        default: who = finding.actor.arn ?? type
        }
        let title = "\(who) in \(finding.account ?? "?"), from finding \(finding.id) (\(finding.title))"
        return (title, Playbook(identityType: type, values: values, catalog: rules.containment))
    }
}
