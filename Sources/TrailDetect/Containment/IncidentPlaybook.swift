/// The playbook for one incident: everything the findings show about the identity at the root of a finding's
/// credentials, not the one credential the finding saw.
///
/// - the root identity itself (an IAM user: deny-all, its keys deactivated and deleted, its login profile, every
///   long-term key and live session its keys minted; root; an Identity Center user), with federation steps only when
///   a federation token was minted;
/// - every role whose sessions came from its credentials: older sessions revoked with the cutoff (now, or the
///   responder's), and the trust policy restricted;
/// - what it made for others: access keys and login profiles created for other users, users and roles it acted on,
///   policies it attached — each with the incident's own names, keys and policy ARNs;
/// - what it changed that must be undone (a trail stopped or deleted), with the trail's name.
public struct IncidentPlaybook: Sendable {
    public let root: RootIdentity
    /// The incident's findings: every finding whose root identity is `root`, in time order.
    public let findings: [Finding]
    public let playbook: Playbook

    /// - Parameters:
    ///   - root: the identity to contain (`RootIdentity(of: finding)` for a finding).
    ///   - findings: all findings of the scan; those of `root` make the incident.
    ///   - cutoff: the `aws:TokenIssueTime` cutoff for revoking sessions: the time the responder acts (now), so
    ///     sessions minted after the last event the logs show are cut too.
    public init(root: RootIdentity, findings all: [Finding], catalog: [String: ContainmentAction], cutoff: String) {
        self.root = root
        let findings = all.filter { RootIdentity(of: $0) == root }.sorted { ($0.firstSeen, $0.id) < ($1.firstSeen, $1.id) }
        self.findings = findings
        var sections: [Playbook.Section] = []
        var placed = Set<String>()

        // 1. The root identity, with the keys it made for others.
        var rootValues = Self.rootValues(root, findings, cutoff: cutoff)
        rootValues.merge(Self.createdKeyValues(findings)) { a, _ in a }
        let rootActions = Playbook.actions(for: root.kind.rawValue, values: rootValues, catalog: catalog)
        sections.append(Playbook.Section(title: "Contain the \(root.title)", identityType: root.kind.rawValue, values: rootValues, actions: rootActions))
        placed.formUnion(rootActions.filter(\.oncePerPlaybook).map(\.id))
        let rootIds = Set(rootActions.map(\.id))

        // 1b. Whoever set up a backdoor the root identity then used (set its password, made its key): contained too.
        var openers: [RootIdentity: [Finding.Actor]] = [:]
        for f in findings where f.containment.contains(where: { $0.subject == ContainmentRef.Subject.opener.rawValue }) {
            guard let actor = f.state?.openedBy else { continue }
            let opener = RootIdentity(actor: actor, account: f.account ?? root.account)
            if opener != root && opener.kind != .other { openers[opener, default: []].append(actor) }
        }
        /// A section with the playbook actions for `kind`, each once-per-playbook action only the first time.
        func section(_ title: String, _ kind: IdentityKind, _ values: [String: [String]]) -> Playbook.Section {
            let actions = Playbook.actions(for: kind.rawValue, values: values, catalog: catalog)
                .filter { !($0.oncePerPlaybook && placed.contains($0.id)) }
            placed.formUnion(actions.filter(\.oncePerPlaybook).map(\.id))
            return Playbook.Section(title: title, identityType: kind.rawValue, values: values, actions: actions)
        }
        for opener in openers.keys.sorted() {
            let values = Self.rootValues(opener, actors: openers[opener]!, credentials: [], regions: rootValues["region"] ?? [], cutoff: cutoff)
            sections.append(
                section(
                    "Contain the \(opener.title) too: it set up what the \(root.title) then used (a password or key made for it)",
                    opener.kind, values))
        }

        // 2. Roles whose sessions its credentials made.
        var roles: [String: Set<String>] = [:]  // account → role names
        for f in findings {
            for c in f.credentials ?? [] where c.mintedBy?.hasPrefix("AssumeRole") == true {
                if let (account, role) = c.principal.flatMap(Self.assumedRole) { roles[account, default: []].insert(role) }
            }
            if f.actor.identityKind == .assumedRole, let role = f.actor.roleName, !role.hasPrefix("AWSReservedSSO_") {
                roles[f.account ?? root.account, default: []].insert(role)
            }
        }
        if root.kind == .assumedRole { roles[root.account]?.remove(root.name) }
        for account in roles.keys.sorted() {
            for role in roles[account]!.sorted() {
                let values: [String: [String]] = [
                    "account": [account], "roleName": [role], "cutoff": [cutoff], "region": rootValues["region"] ?? [],
                ]
                sections.append(section("Revoke the sessions of role \(role) in \(account) that its credentials assumed", .assumedRole, values))
            }
        }

        // 3. What it made or changed for other identities, and 4. changes to undo: the findings' own actions that
        // the sections above do not cover, grouped by what they act on.
        struct Group {
            var title: String
            var values: [String: [String]]
            var actionIds: [String] = []
        }
        var groups: [String: Group] = [:]
        for f in findings {
            for rendered in f.containment {
                guard rendered.subject == nil, let action = catalog[rendered.id], !rootIds.contains(action.id) else { continue }
                if action.playbookOrder != nil && action.appliesTo.contains(IdentityKind.assumedRole.rawValue)
                    && f.actor.identityKind == .assumedRole
                {
                    continue  // a role section has it
                }
                let account = f.account ?? root.account
                var values: [String: [String]] = ["account": [account], "cutoff": [cutoff]]
                if let region = f.regions.first { values["region"] = [region] }
                let key: String
                let title: String
                if let t = f.target, action.uses("targetUserName") || action.uses("targetRoleName"),
                    t.userName != nil || t.roleName != nil
                {
                    if let user = t.userName {
                        // The root identity acted on itself (AWS's quarantine of it): its own section covers it.
                        if root.kind == .iamUser && user == root.name && account == root.account { continue }
                        key = "user/\(account)/\(user)"
                        title = "IAM user \(user) in \(account), which the \(root.title) acted on (created it, its keys or password, or its policies)"
                        values["targetUserName"] = [user]
                    } else {
                        key = "role/\(account)/\(t.roleName!)"
                        title = "Role \(t.roleName!) in \(account), which the \(root.title) acted on (created it, its trust or its policies)"
                        values["targetRoleName"] = [t.roleName!]
                    }
                } else {
                    let trail = f.target?.trailName
                    key = "change/\(action.id)/\(account)/\(trail ?? "")"
                    title = "Undo what the \(root.title) changed: \(action.title)" + (trail.map { " (\($0))" } ?? "")
                }
                var g = groups[key] ?? Group(title: title, values: values)
                if !g.actionIds.contains(action.id) { g.actionIds.append(action.id) }
                if let t = f.target {
                    func add(_ name: String, _ list: [String]) {
                        for v in list where !(g.values[name]?.contains(v) ?? false) { g.values[name, default: []].append(v) }
                    }
                    add("accessKeyId", t.accessKeyIds)
                    for (variable, values) in t.requestValues { add(variable, values) }
                }
                groups[key] = g
            }
        }
        for key in groups.keys.sorted(by: { (Self.groupRank($0), $0) < (Self.groupRank($1), $1) }) {
            let g = groups[key]!
            let actions = g.actionIds.compactMap { catalog[$0] }
                .filter { !($0.oncePerPlaybook && placed.contains($0.id)) }
                .sorted { ($0.playbookOrder ?? 50, $0.id) < ($1.playbookOrder ?? 50, $1.id) }
            placed.formUnion(actions.filter(\.oncePerPlaybook).map(\.id))
            let type = key.hasPrefix("user/") ? IdentityKind.iamUser : key.hasPrefix("role/") ? .role : root.kind
            sections.append(Playbook.Section(title: g.title, identityType: type.rawValue, values: g.values, actions: actions))
        }

        playbook = Playbook(sections: sections, preface: Self.preface(root, findings, sections: sections, cutoff: cutoff))
    }

    /// Users first, then roles, then changes to undo.
    static func groupRank(_ key: String) -> Int { key.hasPrefix("user/") ? 0 : key.hasPrefix("role/") ? 1 : 2 }

    public func script() -> String {
        playbook.script(title: "\(root.title): \(findings.count) finding(s)")
    }

    /// The template values for the root identity, from every finding of the incident.
    static func rootValues(_ root: RootIdentity, _ findings: [Finding], cutoff: String) -> [String: [String]] {
        var credentials: [Finding.Credential] = []
        var seen = Set<String>()
        for f in findings { for c in f.credentials ?? [] where seen.insert(c.accessKeyId).inserted { credentials.append(c) } }
        return rootValues(
            root, actors: findings.map(\.actor), credentials: credentials, regions: findings.compactMap { $0.regions.first },
            cutoff: cutoff)
    }

    /// The template values for an identity, from the actors of its events and the live credentials they minted.
    static func rootValues(
        _ root: RootIdentity, actors: [Finding.Actor], credentials: [Finding.Credential], regions: [String], cutoff: String
    ) -> [String: [String]] {
        var v: [String: [String]] = ["account": [root.account], "cutoff": [cutoff]]
        func add(_ name: String, _ value: String?) {
            if let value, !value.isEmpty, !(v[name]?.contains(value) ?? false) { v[name, default: []].append(value) }
        }
        add("region", regions.first)
        for a in actors {
            switch root.kind {
            case .iamUser:
                add("userName", root.name)
                for k in a.accessKeyIds + a.originAccessKeyIds where k.hasPrefix("AKIA") { add("accessKeyId", k) }
                if a.identityKind == .federatedUser {
                    add("federatedName", a.federatedName)
                    for k in a.originAccessKeyIds where k.hasPrefix("AKIA") { add("parentAccessKeyId", k) }
                }
            case .root:
                add("actorArn", "arn:aws:iam::\(root.account):root")
                for k in a.accessKeyIds where k.hasPrefix("AKIA") { add("accessKeyId", k) }
            case .identityCenterUser:
                add("identityCenterUserId", a.identityCenterUserId)
                add("roleName", a.roleName)
            case .assumedRole:
                add("roleName", root.name)
                add("actorArn", a.arn)
            case .federatedUser, .role, .other:
                add("actorArn", a.arn)
            }
        }
        v.merge(FindingBuilder.liveCredentialValues(credentials)) { a, b in a + b.filter { !a.contains($0) } }
        return v
    }

    /// The keys made for other users, over the incident (parallel lists `createdForUserName`, `createdAccessKeyId`).
    static func createdKeyValues(_ findings: [Finding]) -> [String: [String]] {
        var keys: [Finding.CreatedKey] = []
        for f in findings { for k in f.target?.createdKeys ?? [] where !keys.contains(k) { keys.append(k) } }
        guard !keys.isEmpty else { return [:] }
        return ["createdForUserName": keys.map(\.userName), "createdAccessKeyId": keys.map(\.accessKeyId)]
    }

    /// A summary at the top of the script: the incident's findings and what the sections cover.
    static func preface(_ root: RootIdentity, _ findings: [Finding], sections: [Playbook.Section], cutoff: String) -> [String] {
        var lines = ["", "Incident: the \(root.title), from \(findings.count) finding(s):"]
        for f in findings.prefix(50) {
            lines.append("  \(f.id) \(f.rule.level) \(f.firstSeen) \(f.title)")
        }
        if findings.count > 50 { lines.append("  … and \(findings.count - 50) more") }
        lines.append("Sections:")
        for (i, s) in sections.enumerated() { lines.append("  \(i + 1). \(s.title ?? s.identityType) (\(s.actions.count) action(s))") }
        lines.append("Sessions issued before \(cutoff) are revoked (the cutoff: --cutoff, else the time this was printed).")
        lines.append("")
        return lines
    }

    /// `(account, role)` of an assumed-role session ARN `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    static func assumedRole(_ arn: String) -> (String, String)? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[2] == "sts" else { return nil }
        let resource = parts[5].split(separator: "/")
        guard resource.count >= 2, resource[0] == "assumed-role" else { return nil }
        return (String(parts[4]), String(resource[1]))
    }

    /// The name of a federated user ARN `arn:aws:sts::ACCOUNT:federated-user/NAME`.
    static func federatedName(_ arn: String) -> String? {
        guard let r = arn.range(of: ":federated-user/") else { return nil }
        return String(arn[r.upperBound...])
    }
}
