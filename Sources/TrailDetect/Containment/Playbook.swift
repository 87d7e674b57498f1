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

    /// A playbook of exactly `actions`, in that order.
    init(identityType: String, values: [String: [String]], actions: [ContainmentAction]) {
        self.identityType = identityType
        self.values = values
        self.actions = actions
    }

    /// The script's opening: how it runs each command, so one failed read does not stop the rest and every change
    /// is printed (and can be rehearsed with `TRAILHOUND_DRY_RUN=1`).
    static let prologue = [
        "# Every command goes through one of two functions. check: reads the account; a failure (a user without a",
        "# password, say) is reported and the script goes on. change: changes the account; it is printed before it runs,",
        "# and a failure is reported and counted. TRAILHOUND_DRY_RUN=1 prints the changes without making them.",
        "# FILL IN lines need a value the logs did not hold. NOT RUN lines would have held a value from the logs that",
        "# is not valid for AWS (shown escaped): check it by hand, it may be an attacker's text.",
        "set -u",
        "reads_failed=0 changes_made=0 changes_failed=0",
        "check() {",
        "    printf '\\n$ %s\\n' \"$*\" >&2",
        "    \"$@\" || { printf 'trailhound: read failed (exit %s), going on: %s\\n' \"$?\" \"$*\" >&2; reads_failed=$((reads_failed + 1)); }",
        "}",
        "change() {",
        "    if [ \"${TRAILHOUND_DRY_RUN:-0}\" = 1 ]; then printf '\\nwould change: %s\\n' \"$*\" >&2; return 0; fi",
        "    printf '\\n+ %s\\n' \"$*\" >&2",
        "    if \"$@\"; then changes_made=$((changes_made + 1)); else",
        "        printf 'trailhound: CHANGE FAILED (exit %s): %s\\n' \"$?\" \"$*\" >&2; changes_failed=$((changes_failed + 1))",
        "    fi",
        "}",
    ]

    static let epilogue = [
        "",
        "printf '\\ntrailhound playbook: %s changes made, %s failed; %s reads failed\\n' \"$changes_made\" \"$changes_failed\" \"$reads_failed\" >&2",
        "[ \"$changes_failed\" -eq 0 ]",
    ]

    public func script(title: String) -> String {
        var lines = [
            "#!/bin/sh",
            "# trailhound containment playbook: \(Self.comment(title))",
            "# Printed, not run: review each step, and run it from a trusted principal (not the one being contained).",
        ] + Self.prologue
        for (n, action) in actions.enumerated() {
            let rendered = action.render(values)
            lines.append("")
            lines.append("# == \(n + 1). \(Self.comment(rendered.title)) [\(rendered.id)]")
            for line in Self.wrap(rendered.why, width: 110) { lines.append("# \(line)") }
            for reference in rendered.references { lines.append("# see \(Self.comment(reference))") }
            for step in rendered.steps {
                lines.append("")
                lines.append("# -- \(Self.comment(step.title))")
                if let why = step.why { for line in Self.wrap(why, width: 110) { lines.append("#    \(line)") } }
                if let doc = step.document {
                    // Written by printf from one single-quoted word: nothing in it is expanded, and no line of it
                    // can end the quoting early (no here-document terminator to forge).
                    lines.append("printf '%s\\n' " + TemplateValue.shellQuoted(doc.content.hasSuffix("\n") ? String(doc.content.dropLast()) : doc.content) + " > " + TemplateValue.shellQuoted(doc.file))
                }
                for command in step.commands { lines.append(Self.line(command)) }
            }
        }
        if actions.isEmpty { lines.append("# No containment action in the catalog applies to \(identityType).") }
        return (lines + Self.epilogue).joined(separator: "\n") + "\n"
    }

    /// A rendered command as a script line: comments as they are (one line, inert), AWS CLI calls through `check`
    /// or `change` by their operation's verb.
    static func line(_ command: String) -> String {
        if command.hasPrefix("#") { return comment(command) }
        let words = command.split(separator: " ", maxSplits: 3)
        guard words.count >= 3, words[0] == "aws" else { return "change " + command }
        return (isRead(String(words[2])) ? "check " : "change ") + command
    }

    /// Whether an AWS CLI operation only reads (by AWS's naming of operations).
    static func isRead(_ operation: String) -> Bool {
        ["get-", "list-", "describe-", "lookup-", "generate-", "search-", "simulate-"].contains { operation.hasPrefix($0) }
    }

    /// A value safe inside a shell comment: one line, control and bidi characters escaped.
    static func comment(_ text: String) -> String { InertText.escape(text) }

    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: \.isWhitespace).map({ comment(String($0)) }) {
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
