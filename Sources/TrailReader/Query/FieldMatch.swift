/// A `--where` condition: `FIELD=PATTERN` or `FIELD!=PATTERN`, where the pattern may use `*` (any run) and `?`
/// (any one byte), `\*` `\?` `\\` for the characters themselves. Matching ignores ASCII case. A string is
/// compared decoded; a number or boolean by its text; an array matches when any element does. An absent or
/// null field never matches `=` and always matches `!=`.
public struct FieldMatch: Sendable, CustomStringConvertible {
    public let path: FieldPath
    public let negated: Bool
    let pattern: WildcardPattern
    public let description: String

    public enum ParseError: Error, CustomStringConvertible {
        case noOperator(String)
        case badField(String)
        public var description: String {
            switch self {
            case .noOperator(let s): return "'\(s)' is not FIELD=VALUE or FIELD!=VALUE"
            case .badField(let s): return "'\(s)' is not a dotted field path"
            }
        }
    }

    public init(parsing text: String) throws {
        guard let eq = text.firstIndex(of: "=") else { throw ParseError.noOperator(text) }
        var fieldEnd = eq
        negated = eq > text.startIndex && text[text.index(before: eq)] == "!"
        if negated { fieldEnd = text.index(before: eq) }
        let field = String(text[..<fieldEnd])
        guard let path = FieldPath(field) else { throw ParseError.badField(field) }
        self.path = path
        pattern = WildcardPattern(String(text[text.index(after: eq)...]))
        description = text
    }

    /// True when `event` satisfies the condition.
    public func matches(_ event: Event, scratch: inout [UInt8]) -> Bool {
        var hit = false
        if let value = event.value(at: path) {
            hit = matches(value, scratch: &scratch)
        }
        return hit != negated
    }

    func matches(_ value: JSONValue, scratch: inout [UInt8]) -> Bool {
        switch value.kind {
        case .null:
            return false
        case .array:
            var any = false
            value.forEachElement { element in
                any = matches(element, scratch: &scratch)
                return !any
            }
            return any
        case .object:
            return pattern.matches(value.bytes)
        default:
            scratch.removeAll(keepingCapacity: true)
            _ = value.appendScalar(to: &scratch)
            return scratch.withUnsafeBytes { pattern.matches($0) }
        }
    }
}

