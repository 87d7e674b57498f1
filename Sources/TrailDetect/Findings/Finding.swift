/// A finding: what a rule saw, where, who did it to whom, the evidence to verify it by hand, and how to contain it.
public struct Finding: Codable, Sendable, Equatable {
    public struct Rule: Codable, Sendable, Equatable {
        public let id: String
        public let title: String
        public let level: String
        public let tactics: [String]
        public let techniques: [String]
        public let file: String
    }

    public struct Actor: Codable, Sendable, Equatable {
        public var type: String?
        public var arn: String?
        public var userName: String?
        public var roleName: String?
        public var sessionName: String?
        public var federatedName: String?
        public var parentArn: String?
        public var identityCenterUserId: String?
        /// Every access key id the actor used in the evidence.
        public var accessKeyIds: [String] = []
        /// The long-term keys (or principals) the actor's temporary keys were minted from, when lineage is known.
        public var originAccessKeyIds: [String] = []
        public var sourceIPAddresses: [String] = []
    }

    public struct Target: Codable, Sendable, Equatable {
        public var userName: String?
        public var roleName: String?
        /// The Identity Center user a policy in the evidence denies.
        public var identityCenterUserId: String?
        public var accessKeyIds: [String] = []
    }

    public struct Evidence: Codable, Sendable, Equatable {
        public let eventID: String?
        public let eventTime: String?
        public let eventSource: String?
        public let eventName: String?
        public let errorCode: String?
        public let file: String
        public let recordIndex: Int
    }

    /// Stable: a hash of the rule id and the values that identify the incident (the rule's group-by fields).
    public let id: String
    public let rule: Rule
    public let title: String
    public let firstSeen: String
    public let lastSeen: String
    public let count: Int
    public let account: String?
    public let regions: [String]
    public let actor: Actor
    public let target: Target?
    public let evidence: [Evidence]
    /// Evidence events beyond those listed (the count covers them all).
    public let evidenceNotListed: Int
    public let containment: [RenderedContainment]
}
