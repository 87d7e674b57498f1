/// A `--where` condition: `FIELD=PATTERN` or `FIELD!=PATTERN`, where the pattern may use `*` (any run) and `?`
/// (any one character), `\*` `\?` `\\` for the characters themselves. Matching ignores ASCII case. A string is
/// compared decoded; a number or boolean by its text; an array matches when any element does. An absent or
/// null field never matches `=` and always matches `!=`.
public struct FieldMatch: Sendable, CustomStringConvertible {
    public let path: FieldPath
    public let negated: Bool
    let pattern: Glob
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
        pattern = Glob(String(text[text.index(after: eq)...]))
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

/// A case-insensitive wildcard pattern over bytes.
struct Glob: Sendable {
    enum Token: Sendable, Equatable {
        case byte(UInt8)
        case any
        case star
    }
    let tokens: [Token]

    init(_ text: String) {
        var tokens: [Token] = []
        var escaped = false
        for b in text.utf8 {
            if escaped {
                tokens.append(.byte(Self.fold(b)))
                escaped = false
            } else if b == 0x5C {
                escaped = true
            } else if b == 0x2A {
                if tokens.last != .star { tokens.append(.star) }
            } else if b == 0x3F {
                tokens.append(.any)
            } else {
                tokens.append(.byte(Self.fold(b)))
            }
        }
        if escaped { tokens.append(.byte(0x5C)) }
        self.tokens = tokens
    }

    @inline(__always)
    static func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// Iterative matching with single-star backtracking: linear in practice, never exponential.
    func matches(_ s: UnsafeRawBufferPointer) -> Bool {
        var si = 0
        var ti = 0
        var starToken = -1
        var starString = 0
        while si < s.count {
            if ti < tokens.count {
                switch tokens[ti] {
                case .star:
                    starToken = ti
                    starString = si
                    ti += 1
                    continue
                case .any:
                    si += 1
                    ti += 1
                    continue
                case .byte(let b) where b == Self.fold(s[si]):
                    si += 1
                    ti += 1
                    continue
                default:
                    break
                }
            }
            guard starToken >= 0 else { return false }
            ti = starToken + 1
            starString += 1
            si = starString
        }
        while ti < tokens.count && tokens[ti] == .star { ti += 1 }
        return ti == tokens.count
    }
}
