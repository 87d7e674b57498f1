/// A JSON tree for the formats whose field names others fix (OCSF, ASFF): keys are written exactly as those schemas
/// spell them, and a member whose value is nil is left out.
enum JSONTree: Encodable, Equatable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    case string(String)
    case int(Int64)
    case array([JSONTree])
    case object([String: JSONTree])

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int64) { self = .int(value) }
    init(arrayLiteral elements: JSONTree...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONTree?)...) {
        var members: [String: JSONTree] = [:]
        for (key, value) in elements { if let value { members[key] = value } }
        self = .object(members)
    }

    /// A string member, or nothing for nil or an empty string.
    static func text(_ s: String?) -> JSONTree? {
        guard let s, !s.isEmpty else { return nil }
        return .string(s)
    }

    /// An array member, or nothing when it would be empty.
    static func list(_ items: [JSONTree]) -> JSONTree? { items.isEmpty ? nil : .array(items) }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let n): try c.encode(n)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The member at `key` of an object.
    subscript(key: String) -> JSONTree? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}
