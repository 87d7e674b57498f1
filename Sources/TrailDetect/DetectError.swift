/// Problems with rules and containment files, each naming the file and, where known, the line.
public struct DetectError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        case yaml = "invalid YAML"
        case rule = "invalid rule"
        case containment = "invalid containment action"
        case unsupported = "unsupported Sigma feature"
        case io = "cannot read"
    }
    public var kind: Kind
    public var file: String
    public var line: Int?
    public var message: String

    public init(_ kind: Kind, file: String, line: Int? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(kind.rawValue): \(message)"
    }
}
