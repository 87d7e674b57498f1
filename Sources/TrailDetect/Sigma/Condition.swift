/// A parsed Sigma condition over a rule's selections.
indirect enum Condition: Sendable {
    case selection(Int)
    case not(Condition)
    case and([Condition])
    case or([Condition])

    func evaluate(_ selection: (Int) -> Bool) -> Bool {
        switch self {
        case .selection(let i): return selection(i)
        case .not(let c): return !c.evaluate(selection)
        case .and(let cs): return cs.allSatisfy { $0.evaluate(selection) }
        case .or(let cs): return cs.contains { $0.evaluate(selection) }
        }
    }

    /// The set a field's literal values must fall in for the condition to hold, from per-selection sets (nil: no
    /// constraint). Used to index rules by `eventName`.
    func constraint(_ perSelection: (Int) -> Set<String>?) -> Set<String>? {
        switch self {
        case .selection(let i): return perSelection(i)
        case .not: return nil
        case .and(let cs):
            let sets = cs.compactMap { $0.constraint(perSelection) }
            guard var result = sets.first else { return nil }
            for s in sets.dropFirst() { result.formIntersection(s) }
            return result
        case .or(let cs):
            var result = Set<String>()
            for c in cs {
                guard let s = c.constraint(perSelection) else { return nil }
                result.formUnion(s)
            }
            return result
        }
    }
}

/// Parses `selection and not (filter_a or 1 of filter_*)`.
struct ConditionParser {
    enum Token: Equatable {
        case word(String)
        case open, close, pipe
    }

    let tokens: [Token]
    var position = 0
    let names: [String]

    struct Failure: Error {
        let message: String
    }

    init(_ text: String, selections: [String]) throws {
        names = selections
        var tokens: [Token] = []
        var word = ""
        func flush() {
            if !word.isEmpty { tokens.append(.word(word)) }
            word = ""
        }
        for ch in text {
            switch ch {
            case "(": flush(); tokens.append(.open)
            case ")": flush(); tokens.append(.close)
            case "|": flush(); tokens.append(.pipe)
            case " ", "\t", "\n", "\r": flush()
            default: word.append(ch)
            }
        }
        flush()
        self.tokens = tokens
    }

    static func parse(_ text: String, selections: [String]) throws -> Condition {
        var parser = try ConditionParser(text, selections: selections)
        if parser.tokens.contains(.pipe) { throw Failure(message: "aggregation ('|') in condition") }
        let c = try parser.parseOr()
        guard parser.position == parser.tokens.count else {
            throw Failure(message: "unexpected '\(parser.describe(parser.tokens[parser.position]))' in condition")
        }
        return c
    }

    func describe(_ t: Token) -> String {
        switch t {
        case .word(let w): return w
        case .open: return "("
        case .close: return ")"
        case .pipe: return "|"
        }
    }

    func peekWord() -> String? {
        guard position < tokens.count, case .word(let w) = tokens[position] else { return nil }
        return w.lowercased()
    }

    mutating func parseOr() throws -> Condition {
        var parts = [try parseAnd()]
        while peekWord() == "or" {
            position += 1
            parts.append(try parseAnd())
        }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    mutating func parseAnd() throws -> Condition {
        var parts = [try parseNot()]
        while peekWord() == "and" {
            position += 1
            parts.append(try parseNot())
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    mutating func parseNot() throws -> Condition {
        if peekWord() == "not" {
            position += 1
            return .not(try parseNot())
        }
        return try parseAtom()
    }

    mutating func parseAtom() throws -> Condition {
        guard position < tokens.count else { throw Failure(message: "condition ends early") }
        let token = tokens[position]
        position += 1
        switch token {
        case .open:
            let inner = try parseOr()
            guard position < tokens.count, tokens[position] == .close else { throw Failure(message: "missing ')'") }
            position += 1
            return inner
        case .close, .pipe:
            throw Failure(message: "unexpected '\(describe(token))'")
        case .word(let w):
            let lower = w.lowercased()
            if (lower == "1" || lower == "any" || lower == "all"), peekWord() == "of" {
                position += 1
                guard position < tokens.count, case .word(let target) = tokens[position] else {
                    throw Failure(message: "'\(w) of' needs a name pattern or 'them'")
                }
                position += 1
                let selected: [Int]
                if target.lowercased() == "them" {
                    selected = names.indices.filter { !names[$0].hasPrefix("_") }
                } else {
                    let pattern = WildcardPatternLite(target)
                    selected = names.indices.filter { pattern.matches(names[$0]) }
                }
                guard !selected.isEmpty else { throw Failure(message: "'\(w) of \(target)' names no selection") }
                let parts = selected.map { Condition.selection($0) }
                return lower == "all" ? .and(parts) : .or(parts)
            }
            if ["and", "or", "not", "of"].contains(lower) { throw Failure(message: "unexpected '\(w)'") }
            guard let index = names.firstIndex(of: w) else {
                throw Failure(message: "condition names '\(w)', which is not a selection of this rule")
            }
            return .selection(index)
        }
    }
}

/// Selection-name patterns in conditions (`filter_*`): case-sensitive, `*` only.
struct WildcardPatternLite {
    let parts: [Substring]
    init(_ text: String) { parts = text.split(separator: "*", omittingEmptySubsequences: false) }
    func matches(_ name: String) -> Bool {
        guard parts.count > 1 else { return name == String(parts[0]) }
        var rest = Substring(name)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for (k, part) in parts.enumerated().dropFirst() {
            if k == parts.count - 1 { return part.isEmpty || rest.hasSuffix(part) }
            guard let r = rest.range(of: part) else { return false }
            rest = rest[r.upperBound...]
        }
        return true
    }
}
