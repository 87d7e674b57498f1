/// A containment playbook as a shell script of AWS CLI commands with their policy documents, in order, each step
/// commented with why: one section per identity or change to undo. Printed for a person to review and run; never
/// executed by trailhound.
public struct Playbook: Sendable {
    /// The actions for one identity (or one change), with the values they are filled in with.
    public struct Section: Sendable {
        /// What the section contains; nil for a playbook of one identity (the script's title says it).
        public var title: String?
        public var identityType: String
        public var values: [String: [String]]
        public var actions: [ContainmentAction]
    }

    public var sections: [Section]
    /// Comment lines after the title: what the playbook covers and why.
    public var preface: [String] = []

    public var actions: [ContainmentAction] { sections.flatMap(\.actions) }

    /// The catalog's actions for `identityType` that have a playbook place, in order.
    public init(identityType: String, values: [String: [String]], catalog: [String: ContainmentAction]) {
        let actions = Self.actions(for: identityType, values: values, catalog: catalog)
        sections = [Section(title: nil, identityType: identityType, values: values, actions: actions)]
    }

    /// A playbook of exactly `actions`, in that order.
    init(identityType: String, values: [String: [String]], actions: [ContainmentAction]) {
        sections = [Section(title: nil, identityType: identityType, values: values, actions: actions)]
    }

    init(sections: [Section], preface: [String]) {
        self.sections = sections
        self.preface = preface
    }

    /// The catalog's playbook actions for an identity type, in playbook order, without those whose `only-if-known`
    /// variables have no value (federation steps when no federation token was minted).
    static func actions(for identityType: String, values: [String: [String]], catalog: [String: ContainmentAction]) -> [ContainmentAction] {
        catalog.values
            .filter { $0.playbookOrder != nil && $0.appliesTo.contains(identityType) }
            .filter { ContainmentAction.known($0.onlyIfKnown, in: values) }
            .sorted { ($0.playbookOrder!, $0.id) < ($1.playbookOrder!, $1.id) }
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
        ]
        lines += preface.map { "# " + Self.comment($0) }
        lines += Self.prologue
        var n = 0
        // A change two sections share (deny-all on a user, a key both made for another and seen in use) runs once.
        var changes = Set<String>()
        for section in sections {
            if let title = section.title {
                lines.append("")
                lines.append("# " + String(repeating: "=", count: 100))
                lines.append("# " + Self.comment(title))
                lines.append("# " + String(repeating: "=", count: 100))
            }
            for action in section.actions {
                n += 1
                let rendered = action.render(section.values)
                lines.append("")
                lines.append("# == \(n). \(Self.comment(rendered.title)) [\(rendered.id)]")
                for line in Self.wrap(rendered.why, width: 110) { lines.append("# \(line)") }
                for reference in rendered.references { lines.append("# see \(Self.comment(reference))") }
                for step in rendered.steps {
                    lines.append("")
                    lines.append("# -- \(Self.comment(step.title))")
                    if let why = step.why { for line in Self.wrap(why, width: 110) { lines.append("#    \(line)") } }
                    if let doc = step.document {
                        // Written by printf from one single-quoted word: nothing in it is expanded, and no line of
                        // it can end the quoting early (no here-document terminator to forge).
                        let content = doc.content.hasSuffix("\n") ? String(doc.content.dropLast()) : doc.content
                        lines.append("printf '%s\\n' \(TemplateValue.shellQuoted(content)) > \(TemplateValue.shellQuoted(doc.file))")
                    }
                    for command in step.commands {
                        let line = Self.line(command)
                        if line.hasPrefix("change "), !changes.insert(command).inserted {
                            lines.append("# done above: " + Self.comment(command))
                        } else {
                            lines.append(line)
                        }
                    }
                }
            }
            if section.actions.isEmpty {
                lines.append("# No containment action in the catalog applies to \(Self.comment(section.identityType)).")
            }
        }
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
