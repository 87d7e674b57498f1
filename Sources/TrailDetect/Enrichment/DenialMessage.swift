/// What an access-denied `errorMessage` says: `User: <arn> is not authorized to perform: <action> [on resource:
/// <arn>] (with an explicit deny in a <type> policy | because no <type> policy allows the <action> action)`.
public struct DenialMessage: Sendable, Equatable {
    public var explicit: Bool?
    public var policyType: String?
    public var action: String?
    public var resource: String?

    /// The `errorCode` values CloudTrail uses for authorization failures, across service protocols.
    public static let deniedCodes: Set<String> = [
        "AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation", "UnauthorizedOperation",
    ]

    public init(_ message: String) {
        action = Self.word(after: "perform: ", in: message)
        resource = Self.word(after: "on resource: ", in: message)
        if resource == "user" || resource == "role" {
            // "on resource: user alice": the name follows the type.
            resource = Self.word(after: "on resource: \(resource!) ", in: message).map { "\(resource!) \($0)" }
        }
        if let rest = Enrichment.after("with an explicit deny in ", in: message) {
            explicit = true
            policyType = Self.policyType(String(rest))
        } else if let rest = Enrichment.after("because no ", in: message) {
            explicit = false
            policyType = Self.policyType(String(rest))
        }
    }

    static func word(after marker: String, in text: String) -> String? {
        guard let rest = Enrichment.after(marker, in: text) else { return nil }
        let word = rest.prefix { $0 != " " && $0 != "\n" }
        return word.isEmpty ? nil : String(word)
    }

    static func policyType(_ text: String) -> String? {
        let lower = text.lowercased()
        let known = [
            "identity-based", "service control", "permissions boundary", "resource-based", "vpc endpoint",
            "role trust", "resource control", "session",
        ]
        for k in known {
            // "a permissions boundary", "an identity-based policy", "the role trust policy", "a sessions policy".
            if lower.hasPrefix("a \(k)") || lower.hasPrefix("an \(k)") || lower.hasPrefix("the \(k)") || lower.hasPrefix(k) {
                return k == "vpc endpoint" ? "VPC endpoint" : k
            }
        }
        return nil
    }

    /// The IAM user named as the resource, from "on resource: user alice" or "…:user/path/alice".
    public var resourceUserName: String? {
        guard let resource else { return nil }
        if resource.hasPrefix("user ") { return String(resource.dropFirst(5)) }
        return Enrichment.lastSegment(resource, after: ":user/")
    }
}
