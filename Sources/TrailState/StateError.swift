/// Problems with the state file, each naming it.
public struct StateError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case locked, corrupt, foreign, newer, io }
    public let kind: Kind
    public let message: String
    public var description: String { message }
}
