import TrailReader

/// `trailhound trace`: what a credential minted, and every call made with it or with what it minted.
public struct CredentialTrace: Sendable {
    /// One call in the timeline.
    public struct Call: Codable, Sendable, Equatable {
        public let eventTime: String
        public let account: String?
        public let region: String?
        public let eventSource: String?
        public let eventName: String?
        public let errorCode: String?
        public let accessKeyId: String?
        public let principal: String?
        public let sourceIPAddress: String?
        public let userAgent: String?
        public let eventID: String?
        public let file: String
        public let recordIndex: Int
    }

    /// A node of the lineage tree: a credential and what it minted.
    public struct Node: Codable, Sendable, Equatable {
        public let accessKeyId: String
        public let api: String?
        public let principal: String?
        public let issuedAt: String?
        public let expiresAt: String?
        public let minted: [Node]
    }

    /// What is traced: an access key id, or a principal ARN (then every key it used is a root).
    public let query: String

    public init(query: String) { self.query = query }

    public var isKey: Bool { query.hasPrefix("AKIA") || query.hasPrefix("ASIA") }

    /// For a principal query, the key an event of that principal was signed with (the roots of its lineage).
    public func rootKey(_ event: Event) -> String? {
        guard !isKey, event.member(.userIdentity)?.member("arn")?.string == query,
            let key = event.member(.userIdentity)?.member("accessKeyId")?.string, !key.isEmpty
        else { return nil }
        return key
    }

    /// Every key in the traced family: the roots and all they minted, in every account.
    public func family(_ lineage: LineageMap, roots: Set<String>) -> Set<String> {
        var keys = roots
        if isKey { keys.insert(query) }
        for root in Array(keys) {
            for account in lineage.accounts {
                for child in lineage.descendants(of: root, account: account) { keys.insert(child.childKey) }
            }
        }
        return keys
    }

    /// Pass 2 for one event: the call, if it was made with a key of the family (or, for a principal, by it).
    public func call(_ event: Event, family: Set<String>, file: String) -> Call? {
        let identity = event.member(.userIdentity)
        let key = identity?.member("accessKeyId")?.string
        let principal = identity?.member("arn")?.string
        guard (key.map { family.contains($0) } ?? false) || (!isKey && principal == query) else { return nil }
        func s(_ name: StaticString) -> String? { event.member(name)?.scalarText }
        return Call(
            eventTime: s("eventTime") ?? "", account: s("recipientAccountId"), region: s("awsRegion"),
            eventSource: s("eventSource"), eventName: s("eventName"), errorCode: s("errorCode"), accessKeyId: key,
            principal: principal, sourceIPAddress: s("sourceIPAddress"), userAgent: s("userAgent"), eventID: s("eventID"),
            file: file, recordIndex: event.index)
    }

    /// The lineage trees of the roots.
    public func trees(_ lineage: LineageMap, roots: Set<String>) -> [Node] {
        var keys = roots
        if isKey { keys.insert(query) }
        func node(_ key: String, _ issuance: CredentialIssuance?, depth: Int) -> Node {
            var children: [Node] = []
            if depth < 16 {
                for account in lineage.accounts.sorted() {
                    for child in lineage.children(of: key, account: account) {
                        children.append(node(child.childKey, child, depth: depth + 1))
                    }
                }
            }
            return Node(
                accessKeyId: key, api: issuance?.api, principal: issuance?.childPrincipal,
                issuedAt: issuance.map { Timestamp.format($0.issuedAt) },
                expiresAt: issuance.map { Timestamp.format($0.expiresAt) },
                minted: children.sorted { ($0.issuedAt ?? "", $0.accessKeyId) < ($1.issuedAt ?? "", $1.accessKeyId) })
        }
        return keys.sorted().map { node($0, nil, depth: 0) }
    }
}
