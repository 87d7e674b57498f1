import TrailDetect

/// An identity or key a finding is about — the user, role or key acted on, then the identity that acted and its
/// keys — named as Security Hub names resources (OCSF and ASFF writers share them).
struct AffectedResource: Equatable {
    /// ASFF's resource type: `AwsIamUser`, `AwsIamRole`, `AwsIamAccessKey`, `AwsAccount` or `Other`.
    let type: String
    /// The ARN; for keys, accounts and Identity Center users, an identifier in Security Hub's style
    /// (`AWS::IAM::AccessKey:AKIA…`).
    let id: String
    let name: String
    /// `target` (acted on) or `actor` (did it).
    let role: String
    /// For an access key: the user it belongs to, when known, and the kind of principal.
    var userName: String?
    var principalType: String?
    /// The resource's `Other` details.
    var other: [String: String] = [:]

    static func of(_ f: Finding) -> [AffectedResource] {
        let partition = partition(f)
        let account = accountID(f)
        var out: [AffectedResource] = []
        func add(_ r: AffectedResource) {
            if !out.contains(where: { $0.type == r.type && $0.id == r.id }) { out.append(r) }
        }
        func user(_ name: String, _ role: String, arn: String? = nil) -> AffectedResource {
            AffectedResource(
                type: "AwsIamUser", id: arn ?? "arn:\(partition):iam::\(account):user/\(name)", name: name, role: role)
        }
        func iamRole(_ name: String, _ role: String, arn: String? = nil) -> AffectedResource {
            AffectedResource(
                type: "AwsIamRole", id: arn ?? "arn:\(partition):iam::\(account):role/\(name)", name: name, role: role)
        }
        func key(_ id: String, _ role: String, user: String?, type: String?) -> AffectedResource {
            AffectedResource(
                type: "AwsIamAccessKey", id: "AWS::IAM::AccessKey:\(id)", name: id, role: role, userName: user,
                principalType: type)
        }
        func identityCenterUser(_ id: String, _ role: String) -> AffectedResource {
            AffectedResource(
                type: "Other", id: "AWS::IdentityStore::User:\(id)", name: id, role: role,
                other: ["Kind": IdentityKind.identityCenterUser.rawValue, "UserId": id])
        }

        if let t = f.target {
            if let name = t.userName { add(user(name, "target")) }
            if let name = t.roleName { add(iamRole(name, "target")) }
            if let id = t.identityCenterUserId { add(identityCenterUser(id, "target")) }
            for k in t.accessKeyIds {
                add(key(k, "target", user: t.userName, type: t.userName == nil ? nil : IdentityKind.iamUser.rawValue))
            }
        }
        let a = f.actor
        switch a.identityKind {
        case .iamUser?:
            if let name = a.userName { add(user(name, "actor", arn: a.arn)) }
        case .assumedRole?:
            if let name = a.roleName { add(iamRole(name, "actor", arn: a.parentArn)) }
        case .federatedUser?:
            if let arn = a.arn {
                add(
                    AffectedResource(
                        type: "Other", id: arn, name: a.federatedName ?? arn, role: "actor",
                        other: ["Kind": IdentityKind.federatedUser.rawValue, "ParentArn": a.parentArn ?? ""].filter { !$0.value.isEmpty }))
            }
            if let name = a.userName { add(user(name, "actor", arn: a.parentArn)) }
        case .root?:
            add(
                AffectedResource(
                    type: "AwsAccount", id: "AWS::::Account:\(account)", name: account, role: "actor",
                    other: ["Kind": IdentityKind.root.rawValue]))
        default:
            break
        }
        if let id = a.identityCenterUserId { add(identityCenterUser(id, "actor")) }
        if a.type != "AWSService" {
            for k in a.accessKeyIds { add(key(k, "actor", user: a.userName, type: a.type)) }
        }
        return out
    }

    /// The partition of the actor's ARN (`aws`, `aws-cn`, `aws-us-gov`), else `aws`.
    static func partition(_ f: Finding) -> String {
        let parts = (f.actor.arn ?? f.actor.parentArn ?? "").split(separator: ":", omittingEmptySubsequences: false)
        if parts.count > 1, parts[0] == "arn", ["aws", "aws-cn", "aws-us-gov"].contains(parts[1]) {
            return String(parts[1])
        }
        return "aws"
    }

    /// The finding's account; else the actor's (from its ARN); else twelve zeros, which Security Hub rejects (a
    /// CloudTrail record always names its account).
    static func accountID(_ f: Finding) -> String {
        func isAccount(_ s: Substring) -> Bool { s.count == 12 && s.allSatisfy { $0.isASCII && $0.isNumber } }
        if let a = f.account, isAccount(Substring(a)) { return a }
        let parts = (f.actor.arn ?? "").split(separator: ":", omittingEmptySubsequences: false)
        if parts.count > 4, isAccount(parts[4]) { return String(parts[4]) }
        return "000000000000"
    }
}
