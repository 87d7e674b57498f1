/// The kinds of identity containment tells apart, spelled as CloudTrail's `userIdentity.type` and the catalog's
/// `applies-to:` (`IdentityCenterUser`: a session of an `AWSReservedSSO_*` permission-set role).
public enum IdentityKind: String, Sendable, Codable, CaseIterable, Comparable {
    case root = "Root"
    case iamUser = "IAMUser"
    case federatedUser = "FederatedUser"
    case identityCenterUser = "IdentityCenterUser"
    case assumedRole = "AssumedRole"
    case role = "Role"
    /// Anything else (`AWSService`, `AWSAccount`, a type AWS adds later): no catalog action applies.
    case other = "Other"

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// How a playbook names an identity of this kind (a federated user with the IAM user that minted its token,
    /// when given).
    public func describe(_ name: String, account: String, parent: String? = nil) -> String {
        switch self {
        case .root: return "root user of \(account)"
        case .iamUser: return "IAM user \(name) in \(account)"
        case .federatedUser: return "federated user \(name)\(parent.map { " (parent IAM user \($0))" } ?? "") in \(account)"
        case .identityCenterUser: return "Identity Center user \(name), account \(account)"
        case .assumedRole: return "sessions of role \(name) in \(account)"
        case .role: return "role \(name) in \(account)"
        case .other: return "\(name) in \(account)"
        }
    }
}

extension Finding.Actor {
    /// The actor's `type` as an identity kind; nil when the finding has no type.
    public var identityKind: IdentityKind? { type.flatMap(IdentityKind.init(rawValue:)) }
}

/// The long-lived identity behind a finding: the IAM user whose key minted the actor's session (through any chain
/// lineage follows), the parent of a federated user, the root user, the Identity Center user of a permission-set
/// session; else the actor itself (a role session whose origin the logs do not show).
public struct RootIdentity: Hashable, Sendable, Comparable {
    public let account: String
    public let kind: IdentityKind
    /// The user or role name, the Identity Center user id, `root`, or the actor's ARN.
    public let name: String

    public init(account: String, kind: IdentityKind, name: String) {
        self.account = account
        self.kind = kind
        self.name = name
    }

    public init(of finding: Finding) {
        self.init(actor: finding.actor, account: finding.account ?? "?")
        // AWS itself acting on a user (its quarantine of an exposed key): the incident is that user's.
        if kind == .other, let user = finding.target?.userName {
            self.init(account: account, kind: .iamUser, name: user)
        }
    }

    public init(actor: Finding.Actor, account: String) {
        self.account = actor.originUserName != nil ? actor.originAccount ?? account : account
        let type = actor.identityKind ?? .other
        if let origin = actor.originUserName {
            (kind, name) = (.iamUser, origin)
        } else if type == .federatedUser, let parent = actor.userName {
            (kind, name) = (.iamUser, parent)
        } else if type == .iamUser, let user = actor.userName {
            (kind, name) = (.iamUser, user)
        } else if type == .root {
            (kind, name) = (.root, "root")
        } else if type == .assumedRole, let role = actor.roleName, role.hasPrefix("AWSReservedSSO_") {
            (kind, name) = (.identityCenterUser, actor.identityCenterUserId ?? actor.sessionName ?? role)
        } else if type == .assumedRole, let role = actor.roleName {
            (kind, name) = (.assumedRole, role)
        } else if type == .identityCenterUser {
            (kind, name) = (.identityCenterUser, actor.identityCenterUserId ?? actor.userName ?? actor.arn ?? "?")
        } else {
            (kind, name) = (.other, actor.arn ?? actor.type ?? "?")
        }
    }

    public var title: String { kind.describe(name, account: account) }

    public static func < (a: Self, b: Self) -> Bool { (a.account, a.kind, a.name) < (b.account, b.kind, b.name) }
}
