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
        /// The IAM user at the root of the actor's credentials, when lineage (or the session's issuer) names one.
        public var originUserName: String?
        /// The account of that IAM user (from its ARN), when it is not the finding's: a role in one account assumed
        /// with a key of another.
        public var originAccount: String? = nil
        public var sourceIPAddresses: [String] = []
    }

    public struct Target: Codable, Sendable, Equatable {
        public var userName: String?
        public var roleName: String?
        /// The Identity Center user a policy in the evidence denies.
        public var identityCenterUserId: String?
        public var accessKeyIds: [String] = []
        /// From the evidence's request, for containment: the managed policy attached, the inline policy put, the
        /// group acted on, the trail changed (`requestParameters.policyArn`, `policyName`, `groupName`, `name`).
        public var policyArn: String?
        public var policyName: String?
        public var groupName: String?
        public var trailName: String?
        /// Access keys the actor created for other users in the evidence, each with its user.
        public var createdKeys: [CreatedKey]? = nil
        /// Other resources the evidence names, by template variable (`trustAnchorId`, `profileId`, `secretId`,
        /// `parameterName`): what containment acts on.
        public var resources: [String: [String]]? = nil
    }

    /// An access key created for a user (`CreateAccessKey`'s `responseElements.accessKey`).
    public struct CreatedKey: Codable, Sendable, Equatable {
        public var userName: String
        public var accessKeyId: String
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

    /// For rules that keep state: what opened (and closed) the state the evidence fell in, or what did not follow.
    public struct State: Codable, Sendable, Equatable {
        /// `inside` (a `state:` rule), `absence`, or `correlation`.
        public var kind: String
        /// The state's key (`{account}/user/{name}` and the like), or the correlation's group values.
        public var key: String?
        /// The rule whose event opened the state.
        public var openedByRule: String?
        /// The event that opened it (for an absence, the event nothing followed).
        public var opened: Evidence?
        /// Who made the opening event (the user who set another's password, attached the quarantine), so a
        /// playbook can contain the creator of a backdoor as well as its user.
        public var openedBy: Actor?
        /// The event that closed it, if one did.
        public var closed: Evidence?
        /// When the state ends on its own (`lasts`), or the end of an absence's wait (`within`).
        public var until: String?
        /// For a correlation: what was counted and the condition it met, e.g. `event_count 12 >= 10 in 5m`.
        public var measure: String?
    }

    /// A credential a responder must contain: a long-term key of the actor, or a temporary one it minted (directly or
    /// through others) that was still valid at the finding's last event.
    public struct Credential: Codable, Sendable, Equatable {
        public var accessKeyId: String
        /// `long-term` or `temporary`.
        public var kind: String
        /// The API that minted it (temporary keys).
        public var mintedBy: String?
        /// The key that minted it.
        public var parentAccessKeyId: String?
        /// What it is: the federated user, the role session.
        public var principal: String?
        public var issuedAt: String?
        public var expiresAt: String?
        public var eventID: String?
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
    public var state: State? = nil
    /// Every live credential to contain, from lineage (absent when lineage adds nothing).
    public var credentials: [Credential]? = nil
}

extension Finding.Actor {
    /// An actor that says nothing yet (the report fills one in from an event).
    public static var blank: Finding.Actor { Finding.Actor() }
}

extension Finding.Target {
    /// What the evidence's requests named, as containment template values: `policyArn`, `policyName`, `groupName`,
    /// `trailName` and the resources (`trustAnchorId`, `secretId`, …).
    var requestValues: [String: [String]] {
        var v = resources ?? [:]
        for (name, value) in [("policyArn", policyArn), ("policyName", policyName), ("groupName", groupName), ("trailName", trailName)] {
            if let value, !value.isEmpty { v[name] = [value] }
        }
        return v
    }
}
