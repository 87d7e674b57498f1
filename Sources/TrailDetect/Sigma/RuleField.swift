import TrailReader

/// A field a rule reads: a CloudTrail path, or a value trailhound derives (`trailhound.*`, see rules/README.md).
public enum RuleField: Hashable, Sendable, CustomStringConvertible {
    case json(FieldPath)
    case derived(DerivedField)

    /// Parses a field name; nil for an empty path or an unknown `trailhound.` name.
    public init?(_ name: String) {
        if name.hasPrefix("trailhound.") {
            guard let d = DerivedField(rawValue: name) else { return nil }
            self = .derived(d)
        } else {
            guard let path = FieldPath(name) else { return nil }
            self = .json(path)
        }
    }

    public var description: String {
        switch self {
        case .json(let p): return p.description
        case .derived(let d): return d.rawValue
        }
    }
}

/// The derived fields, named as rules write them.
public enum DerivedField: String, CaseIterable, Sendable {
    case actorType = "trailhound.actor.type"
    case actorAccount = "trailhound.actor.account"
    case actorArn = "trailhound.actor.arn"
    case actorUserName = "trailhound.actor.userName"
    case actorRoleName = "trailhound.actor.roleName"
    case actorSessionName = "trailhound.actor.sessionName"
    case actorFederatedName = "trailhound.actor.federatedName"
    case actorParentArn = "trailhound.actor.parentArn"
    case actorIdentityCenterUserId = "trailhound.actor.identityCenterUserId"
    case actorAccessKeyId = "trailhound.actor.accessKeyId"
    case actorKeyType = "trailhound.actor.keyType"
    case actorIsService = "trailhound.actor.isService"
    case targetUserName = "trailhound.target.userName"
    case targetRoleName = "trailhound.target.roleName"
    case targetAccessKeyId = "trailhound.target.accessKeyId"
    case targetSource = "trailhound.target.source"
    case targetIsOtherUser = "trailhound.target.isOtherUser"
    case policyArn = "trailhound.policy.arn"
    case policyName = "trailhound.policy.name"
    case policyIsAdmin = "trailhound.policy.isAdmin"
    case policyAllowsAll = "trailhound.policy.allowsAll"
    case policyDeniesAll = "trailhound.policy.deniesAll"
    case policyTokenIssueTimeCutoff = "trailhound.policy.tokenIssueTimeCutoff"
    case policyDeniedIdentityCenterUserId = "trailhound.policy.deniedIdentityCenterUserId"
    case policyQuarantine = "trailhound.policy.quarantine"
    case policyIsQuarantine = "trailhound.policy.isQuarantine"
    case policyIsDenyAll = "trailhound.policy.isDenyAll"
    case policyIsRevokeSessions = "trailhound.policy.isRevokeSessions"
    case policyIsContainment = "trailhound.policy.isContainment"
    case policyTrustedAccount = "trailhound.policy.trustedAccount"
    case policyTrustsExternal = "trailhound.policy.trustsExternal"
    case policyTrustsAnyone = "trailhound.policy.trustsAnyone"
    case denialIsDenied = "trailhound.denial.isDenied"
    case denialExplicit = "trailhound.denial.explicit"
    case denialPolicyType = "trailhound.denial.policyType"
    case denialAction = "trailhound.denial.action"
    case denialResource = "trailhound.denial.resource"
    case originAccessKeyId = "trailhound.origin.accessKeyId"
    case originPrincipal = "trailhound.origin.principal"
    case originChain = "trailhound.origin.chain"
    case originIsDerived = "trailhound.origin.isDerived"
    case originUserName = "trailhound.origin.userName"
}

extension DerivedField {
    /// The case's number (its declaration order): a raw-value enum is stored as that number.
    @inline(__always)
    var ordinal: Int { Int(unsafeBitCast(self, to: UInt8.self)) }

    /// The part of the enrichment that computes this field.
    var section: Enrichment.Section {
        switch self {
        case .actorType, .actorAccount, .actorArn, .actorUserName, .actorRoleName, .actorSessionName,
            .actorFederatedName, .actorParentArn, .actorIdentityCenterUserId, .actorAccessKeyId, .actorKeyType,
            .actorIsService:
            return .actor
        case .targetUserName, .targetRoleName, .targetAccessKeyId, .targetSource, .targetIsOtherUser:
            return .target
        case .denialIsDenied, .denialExplicit, .denialPolicyType, .denialAction, .denialResource:
            return .denial
        case .originAccessKeyId, .originPrincipal, .originChain, .originIsDerived, .originUserName:
            return .origin
        default:
            return .policy
        }
    }
}
