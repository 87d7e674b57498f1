import Foundation
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
        /// The record's `readOnly`, when it has one.
        public let readOnly: Bool?
        public let file: String
        public let recordIndex: Int

        /// Whether the call changes something: by `readOnly` where the record has it, else by the verb its name
        /// starts with. Calls that mint credentials count as writes whatever `readOnly` says: they make keys.
        public var isWrite: Bool {
            if let name = eventName, CredentialIssuance.apis.contains(name) || name == "GetSigninToken" { return true }
            if let readOnly { return !readOnly }
            guard let name = eventName else { return true }
            return !Self.readVerbs.contains { name.hasPrefix($0) && name.count > $0.count && name[name.index(name.startIndex, offsetBy: $0.count)].isUppercase }
        }

        /// Verbs of AWS APIs that only read (the names CloudTrail marks `readOnly: true`, for records without it).
        static let readVerbs = ["Get", "List", "Describe", "Head", "Lookup", "Search", "BatchGet", "Select", "Query", "Scan", "View", "Validate"]
    }

    /// What else selects calls: their source address, their user agent (a case-insensitive substring), and only
    /// those that change something.
    public struct Pivot: Sendable, Equatable {
        public var sourceIPAddress: String?
        public var userAgent: String?
        public var writesOnly = false

        public init(sourceIPAddress: String? = nil, userAgent: String? = nil, writesOnly: Bool = false) {
            self.sourceIPAddress = sourceIPAddress
            self.userAgent = userAgent
            self.writesOnly = writesOnly
        }

        public var selectsOnItsOwn: Bool { sourceIPAddress != nil || userAgent != nil }

        func admits(_ call: Call) -> Bool {
            if let ip = sourceIPAddress, call.sourceIPAddress != ip { return false }
            if let agent = userAgent, !(call.userAgent?.range(of: agent, options: .caseInsensitive) != nil) { return false }
            if writesOnly && !call.isWrite { return false }
            return true
        }
    }

    /// One link of a key's upward lineage: the key, the call that minted it, and what signed that call.
    public struct Ancestor: Codable, Sendable, Equatable {
        public let accessKeyId: String
        public let account: String
        public let api: String
        public let principal: String?
        public let issuedAt: String
        public let expiresAt: String
        public let mintedByKey: String?
        public let mintedByPrincipal: String
        public let eventID: String?
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

    /// What is traced: an access key id, or a principal ARN (then every key it used is a root); nil when the pivot
    /// alone selects calls (`--ip`, `--user-agent`).
    public let query: String?
    public let pivot: Pivot

    public init(query: String?, pivot: Pivot = Pivot()) {
        self.query = query
        self.pivot = pivot
    }

    public var isKey: Bool { query.map { $0.hasPrefix("AKIA") || $0.hasPrefix("ASIA") } ?? false }

    /// For a principal query, the key an event of that principal was signed with (the roots of its lineage).
    public func rootKey(_ event: Event) -> String? {
        guard let query, !isKey, event.member(.userIdentity)?.member("arn")?.string == query,
            let key = event.member(.userIdentity)?.member("accessKeyId")?.string, !key.isEmpty
        else { return nil }
        return key
    }

    /// Every key in the traced family: the roots and all they minted, in every account.
    public func family(_ lineage: LineageMap, roots: Set<String>) -> Set<String> {
        var keys = roots
        if isKey, let query { keys.insert(query) }
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
        if query != nil {
            guard (key.map { family.contains($0) } ?? false) || (!isKey && principal == query) else { return nil }
        }
        func s(_ name: StaticString) -> String? { event.member(name)?.scalarText }
        let readOnly = event.member("readOnly").flatMap { v -> Bool? in
            v.kind == .bool ? v.rawText == "true" : v.string.flatMap { Bool($0.lowercased()) }
        }
        let call = Call(
            eventTime: s("eventTime") ?? "", account: s("recipientAccountId"), region: s("awsRegion"),
            eventSource: s("eventSource"), eventName: s("eventName"), errorCode: s("errorCode"), accessKeyId: key,
            principal: principal, sourceIPAddress: s("sourceIPAddress"), userAgent: s("userAgent"), eventID: s("eventID"),
            readOnly: readOnly, file: file, recordIndex: event.index)
        return pivot.admits(call) ? call : nil
    }

    /// What minted the traced temporary keys (the key queried, or the temporary keys a principal used): for each, the
    /// chain from its origin (a long-term key, or a principal whose own minting is not in the logs) down to it, per
    /// account it was minted in. Chains that are the tail of another are left out; none for long-term keys.
    public func ancestry(_ lineage: LineageMap, roots: Set<String> = []) -> [[Ancestor]] {
        var keys = roots
        if isKey, let query { keys.insert(query) }
        var chains: [[Ancestor]] = []
        for key in keys.sorted() where key.hasPrefix("ASIA") {
            for account in lineage.accounts.sorted() {
                guard let latest = lineage.minted(key, account: account).max(by: { $0.issuedAt < $1.issuedAt }) else { continue }
                chains.append(lineage.chain(of: key, account: account, at: latest.issuedAt).reversed().map { Self.ancestor($0) })
            }
        }
        // A chain that is the beginning of a longer one (a role session that minted another) adds nothing.
        return chains.filter { chain in
            !chains.contains { other in other.count > chain.count && Array(other.prefix(chain.count)) == chain }
        }
    }

    static func ancestor(_ i: CredentialIssuance) -> Ancestor {
        Ancestor(
            accessKeyId: i.childKey, account: i.account, api: i.api, principal: i.childPrincipal,
            issuedAt: Timestamp.format(i.issuedAt), expiresAt: Timestamp.format(i.expiresAt), mintedByKey: i.parentKey,
            mintedByPrincipal: i.parentPrincipal, eventID: i.eventID)
    }

    /// The long-term key (or principal) behind a call's key, from lineage: itself for a long-term key.
    public static func origin(of call: Call, in lineage: LineageMap) -> String? {
        guard let key = call.accessKeyId, let account = call.account else { return nil }
        guard key.hasPrefix("ASIA") else { return key }
        return Timestamp.parse(call.eventTime).flatMap { lineage.origin(of: key, account: account, at: $0) }
    }

    /// The lineage trees of the roots.
    public func trees(_ lineage: LineageMap, roots: Set<String>) -> [Node] {
        var keys = roots
        if isKey, let query { keys.insert(query) }
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
