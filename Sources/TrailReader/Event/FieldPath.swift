/// A dotted path into an event, such as `userIdentity.sessionContext.sessionIssuer.arn`, compiled once so that
/// looking it up costs no allocation. A component made only of digits also indexes arrays (`resources.0.ARN`).
public struct FieldPath: Hashable, Sendable, CustomStringConvertible {
    public struct Component: Hashable, Sendable {
        public let bytes: [UInt8]
        /// The component as an array index, when it is all digits.
        public let index: Int?
        /// The component as a top-level member with a fast lookup, when it is one (`Event.member(_:)`).
        public let member: TopMember?

        public init(bytes: [UInt8], index: Int?) {
            self.bytes = bytes
            self.index = index
            member = bytes.withUnsafeBytes { TopMember.classify($0) }
        }
    }

    public let components: [Component]
    public let description: String

    /// Parses a dotted path. Empty components (`a..b`, a leading or trailing dot) are rejected.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, !parts.contains(where: \.isEmpty) else { return nil }
        components = parts.map { part in
            let bytes = Array(part.utf8)
            let isIndex = bytes.count <= 9 && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            return Component(bytes: bytes, index: isIndex ? Int(part) : nil)
        }
        description = text
    }
}
