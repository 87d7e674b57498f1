/// A containment template split into literal text and `{{variable}}` placeholders, each placeholder with the
/// context it stands in, so a value is written for that context (see `TemplateValue`).
struct Template: Sendable {
    enum Mode: Sendable {
        /// A shell command: values are validated, then quoted for their shell context.
        case shell
        /// A command that is a shell comment (`# live: …`): values are escaped to stay on the comment's line.
        case comment
        /// A policy document: values are validated, then written inside JSON strings.
        case json
        /// A title or explanation: valid values as they are, invalid ones quoted and escaped.
        case text
    }

    enum Part: Sendable {
        case literal(String)
        case variable(String, ShellContext, inJSONString: Bool)
    }

    let parts: [Part]
    let mode: Mode

    init(_ text: String, mode: Mode) {
        self.mode = mode
        var parts: [Part] = []
        var shell = ShellContext.unquoted
        var inJSONString = false
        var rest = Substring(text)
        func scan(_ literal: Substring) {
            var escaped = false
            for c in literal.unicodeScalars {
                if escaped { escaped = false; continue }
                switch (shell, c) {
                case (.unquoted, "\\"), (.doubleQuoted, "\\"): escaped = true
                case (.unquoted, "'"): shell = .singleQuoted
                case (.singleQuoted, "'"): shell = .unquoted
                case (.unquoted, "\""): shell = .doubleQuoted
                case (.doubleQuoted, "\""): shell = .unquoted
                default: break
                }
            }
            var jsonEscaped = false
            for c in literal.unicodeScalars {
                if jsonEscaped { jsonEscaped = false; continue }
                if inJSONString && c == "\\" { jsonEscaped = true } else if c == "\"" { inJSONString.toggle() }
            }
        }
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            let literal = rest[..<open.lowerBound]
            scan(literal)
            if !literal.isEmpty { parts.append(.literal(String(literal))) }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            parts.append(.variable(name, shell, inJSONString: inJSONString))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        self.parts = parts
    }

    var variableNames: [String] {
        parts.compactMap { if case .variable(let name, _, _) = $0 { return name } else { return nil } }
    }

    /// Checks, when the catalog loads, that every placeholder is a known variable and stands where its values can
    /// be written safely.
    func check() throws {
        for part in parts {
            guard case .variable(let name, let context, let inJSONString) = part else { continue }
            guard let kind = ContainmentAction.variables[name] else { throw TemplateError("unknown variable {{\(name)}}") }
            switch mode {
            case .shell:
                if kind == .text { throw TemplateError("{{\(name)}} is free text: only a comment command (# …) may hold it") }
                if context != .unquoted && !kind.isAlwaysPlain {
                    throw TemplateError("{{\(name)}} stands inside quotes, where its values (\(kind.rawValue)) cannot be quoted safely")
                }
            case .json:
                if kind == .text { throw TemplateError("{{\(name)}} is free text: a policy document may not hold it") }
                if !inJSONString { throw TemplateError("{{\(name)}} in a policy document must stand inside a JSON string") }
            case .comment, .text: break
            }
        }
    }

    /// The template with `values` filled in (the first value of each list; a `for-each` step passes one at a time).
    func fill(_ values: [String: [String]]) -> Binding { fill(values, item: nil) }

    /// `fill(values)` with each of `item.names` bound to its value at `item.index` alone (a `for-each` step's
    /// command for one item), without copying `values` for every item.
    func fill(_ values: [String: [String]], item: (names: [String], index: Int)?) -> Binding {
        var binding = Binding()
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .variable(let name, let context, _):
                let kind = ContainmentAction.variables[name] ?? .text
                let list = values[name]
                let first = item.flatMap { $0.names.contains(name) ? list?[$0.index] : nil } ?? list?.first
                guard let value = first, !value.isEmpty else {
                    if !binding.missing.contains(name) { binding.missing.append(name) }
                    out += "<\(name)>"
                    continue
                }
                switch mode {
                case .comment:
                    out += InertText.escape(value)
                case .text:
                    out += kind != .text && kind.accepts(value) ? value : InertText.quoted(value)
                case .json:
                    if kind.accepts(value) {
                        out += TemplateValue.jsonEscaped(value)
                    } else {
                        binding.refused.append(Refusal(name: name, value: value, reason: kind.grammar))
                        out += "<\(name)>"
                    }
                case .shell:
                    guard kind.accepts(value) else {
                        binding.refused.append(Refusal(name: name, value: value, reason: kind.grammar))
                        out += "<\(name)>"
                        continue
                    }
                    let startsWord = out.isEmpty || out.last == " "
                    if value.hasPrefix("-") && startsWord && context == .unquoted {
                        // A value that starts with '-' would read as an option: join it to its option with '='.
                        let words = out.split(separator: " ")
                        if let option = words.last, option.hasPrefix("--"), !option.contains("=") {
                            out.removeLast()
                            out += "=" + TemplateValue.shellQuoted(value)
                        } else {
                            binding.refused.append(Refusal(name: name, value: value, reason: "it starts with '-' and would read as an option"))
                            out += "<\(name)>"
                        }
                        continue
                    }
                    out += context == .unquoted ? TemplateValue.shellQuoted(value) : value
                }
            }
        }
        binding.text = out
        return binding
    }

    /// A template filled in: its text, and the variables that had no value or whose value was refused.
    struct Binding {
        var text = ""
        var missing: [String] = []
        var refused: [Refusal] = []

        var isRunnable: Bool { missing.isEmpty && refused.isEmpty }

        /// The command to print: the filled text when every value is there and valid; else a one-line comment that
        /// says what is wrong and shows the command with `<name>` where the value belongs.
        func command() -> String {
            if !refused.isEmpty {
                let notes = refused.map { "{{\($0.name)}} from the logs is \(InertText.quoted($0.value)), not valid (\($0.reason))" }
                return "# NOT RUN: " + notes.joined(separator: "; ") + ": " + InertText.escape(text)
            }
            if !missing.isEmpty {
                return "# FILL IN " + missing.map { "<\($0)>" }.joined(separator: ", ") + " and run: " + InertText.escape(text)
            }
            return text
        }
    }

    /// A value from the logs that failed its kind's grammar.
    struct Refusal {
        let name: String
        let value: String
        let reason: String
    }
}

struct TemplateError: Error {
    let text: String
    init(_ text: String) { self.text = text }
}

extension ContainmentAction.Step {
    /// Checks every template of the step (see `Template.check`).
    func check() throws {
        try parsed.command.check()
        try parsed.document?.check()
        try parsed.title.check()
        try parsed.why?.check()
    }
}
