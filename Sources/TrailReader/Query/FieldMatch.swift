/// A `--where` condition: `FIELD=PATTERN` or `FIELD!=PATTERN`, where the pattern may use `*` (any run) and `?`
/// (any one byte), `\*` `\?` `\\` for the characters themselves. Matching ignores ASCII case. A string is
/// compared decoded; a number or boolean by its text; an array matches when any element does. An absent or
/// null field never matches `=` and always matches `!=`, except with nothing after the operator: `FIELD=` holds when
/// the field is absent, null or empty (`errorCode=`: calls that succeeded), `FIELD!=` when it has a value
/// (`errorCode!=`: calls that failed).
public struct FieldMatch: Sendable, CustomStringConvertible {
    public let path: FieldPath
    public let negated: Bool
    let pattern: WildcardPattern
    /// Nothing after the operator: absent, null, `""` and `[]` are the empty value.
    let empty: Bool
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
        let value = String(text[text.index(after: eq)...])
        pattern = WildcardPattern(value)
        empty = value.isEmpty
        description = text
    }

    /// True when `event` satisfies the condition.
    public func matches(_ event: Event, scratch: inout [UInt8]) -> Bool {
        var hit = false
        if let value = event.value(at: path) {
            hit = empty ? isEmpty(value) : matches(value, scratch: &scratch)
        } else {
            hit = empty
        }
        return hit != negated
    }

    func isEmpty(_ value: JSONValue) -> Bool {
        switch value.kind {
        case .null: return true
        case .array:
            var any = false
            value.forEachElement { _ in
                any = true
                return false
            }
            return !any
        case .string: return value.bytes.count <= 2
        default: return false
        }
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

