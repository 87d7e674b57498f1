import Foundation
import TrailReader

/// The finding a builder gives: lineage's live credentials, and containment filled in for its subjects.
extension FindingBuilder {
    /// The finding with its containment filled in; with lineage, also the origin of its temporary keys and every
    /// live credential they and their origin minted.
    public func finding(_ rules: RuleSet, lineage: LineageMap? = nil) -> Finding {
        var actor = self.actor
        var credentials: [Finding.Credential] = []
        if let lineage {
            let account = self.account ?? ""
            for key in actor.accessKeyIds where !key.hasPrefix("AKIA") {
                if let origin = lineage.origin(of: key, account: account, at: last.0),
                    origin.hasPrefix("AKIA") || origin.hasPrefix("ASIA")
                {
                    Self.insert(origin, into: &actor.originAccessKeyIds, limit: Self.maxListed)
                }
                // The IAM user at the root of the chain, when the events did not say (an issuance read after them, in
                // another file or account: a role of this account assumed with another account's key).
                if actor.originUserName == nil, let user = lineage.originUser(of: key, account: account, at: last.0) {
                    actor.originUserName = user.name
                    if TemplateValueKind.accountId.accepts(user.account), user.account != account {
                        actor.originAccount = user.account
                    }
                }
            }
            credentials = Self.liveCredentials(
                roots: actor.accessKeyIds + actor.originAccessKeyIds, account: account, after: last.0, lineage)
        }
        return finding(rules, actor: actor, credentials: credentials)
    }

    /// The long-term keys among `roots`, then every temporary key minted from them (directly or through others)
    /// that was still valid at `time`, in the order issued.
    static func liveCredentials(roots: [String], account: String, after time: Int64, _ lineage: LineageMap) -> [Finding.Credential] {
        var out: [Finding.Credential] = []
        var seen = Set<String>()
        // Positions in the lineage, so that thousands of descendants are never copied.
        var temporary: [Int] = []
        var starts: [String] = []
        for key in roots where seen.insert(key).inserted {
            if key.hasPrefix("AKIA") {
                out.append(Finding.Credential(accessKeyId: key, kind: "long-term"))
                starts.append(key)
            } else if let own = lineage.issuanceIndex(of: key, account: account, at: time)
                ?? lineage.mintedIndexes(key, account: account).last
            {
                if lineage.expiresAt(own) > time { temporary.append(own) }
                starts.append(key)
            }
        }
        for key in starts {
            for child in lineage.descendantIndexes(of: key, account: account) where lineage.expiresAt(child) > time {
                temporary.append(child)
            }
        }
        // In the order issued, then by key (compared as strings, made only for a tie: a key may be any text).
        temporary.sort {
            let (a, b) = (lineage.issuedAt($0), lineage.issuedAt($1))
            return a != b ? a < b : lineage.childKey($0) < lineage.childKey($1)
        }
        // A key issued twice at the same second (the same issuance read in two files) is listed once.
        struct Issued: Hashable {
            let key: String
            let at: Int64
        }
        var listed = Set<Issued>()
        for n in temporary {
            guard out.count < 50 else { break }
            guard listed.insert(Issued(key: lineage.childKey(n), at: lineage.issuedAt(n))).inserted else { continue }
            out.append(lineage.credential(n))
        }
        return out
    }

    /// The template values `temporaryAccessKeyId` and `liveCredential` for the temporary keys among `credentials`.
    static func liveCredentialValues(_ credentials: [Finding.Credential]) -> [String: [String]] {
        let temporary = credentials.filter { $0.kind == "temporary" }
        guard !temporary.isEmpty else { return [:] }
        var values = [
            "temporaryAccessKeyId": temporary.map(\.accessKeyId),
            "liveCredential": temporary.map(liveCredentialText),
        ]
        // Federation tokens: who they are and the long-term key that minted them (deactivated by the federation
        // action, which enters a playbook only when there are some).
        for c in temporary where c.mintedBy == "GetFederationToken" {
            if let name = c.principal.flatMap(IncidentPlaybook.federatedName), !(values["federatedName"]?.contains(name) ?? false) {
                values["federatedName", default: []].append(name)
            }
            if let parent = c.parentAccessKeyId, parent.hasPrefix("AKIA"), !(values["parentAccessKeyId"]?.contains(parent) ?? false) {
                values["parentAccessKeyId", default: []].append(parent)
            }
        }
        return values
    }

    /// `ASIA… (AssumeRole arn:…, from AKIA…, valid until 2026-…Z)`: one live credential in a playbook's text. Built
    /// by appending (string interpolation cost several thousand instructions a value, and a finding lists up to 50).
    static func liveCredentialText(_ c: Finding.Credential) -> String {
        var text = c.accessKeyId
        text.reserveCapacity(c.accessKeyId.utf8.count + (c.principal?.utf8.count ?? 0) + 80)
        text += " ("
        text += c.mintedBy ?? "?"
        if let principal = c.principal {
            text += " "
            text += principal
        }
        text += ", from "
        text += c.parentAccessKeyId ?? "?"
        text += ", valid until "
        text += c.expiresAt ?? "?"
        text += ")"
        return text
    }

    func finding(_ rules: RuleSet, actor: Finding.Actor, credentials: [Finding.Credential]) -> Finding {
        let rule = rules.rules[ruleIndex]
        // The live credentials' template values are the same for every action aimed at the actor or origin: worked
        // out once per finding, and only when such an action applies.
        var liveValues: [String: [String]]?
        // A rule lists the actions for every kind of identity it may catch; the finding keeps those that fit its own.
        let actions = rule.containment.compactMap { ref -> RenderedContainment? in
            guard let action = rules.containment[ref.id] else { return nil }
            let type = identityType(ref.subject)
            if ref.subject == .opener && type == nil { return nil }
            guard action.appliesTo.isEmpty || type == nil || action.appliesTo.contains(type!) else { return nil }
            var values = variables(for: ref.subject, actor: actor)
            if ref.subject == .actor || ref.subject == .origin {
                if liveValues == nil { liveValues = Self.liveCredentialValues(credentials) }
                values.merge(liveValues!) { a, _ in a }
            }
            guard ContainmentAction.known(action.onlyIfKnown, in: values) else { return nil }
            var rendered = action.render(values)
            if ref.subject == .opener { rendered.subject = ContainmentRef.Subject.opener.rawValue }
            return rendered
        }
        var finding = Finding(
            id: id,
            rule: Finding.Rule(
                id: rule.id, title: rule.title, level: rule.level.rawValue, tactics: rule.attackTactics,
                techniques: rule.attackTechniques, file: rule.file),
            title: title, firstSeen: first.1, lastSeen: last.1, count: count, account: account, regions: regions,
            actor: actor, target: target, evidence: evidence, evidenceNotListed: count - evidence.count,
            containment: actions)
        finding.state = state
        finding.credentials = credentials.isEmpty ? nil : credentials
        return finding
    }

    /// The identity type a containment action must apply to: the actor's (a role session of an Identity Center
    /// permission set counts as `IdentityCenterUser`), or the target's (`IAMUser` or `Role`).
    func identityType(_ subject: ContainmentRef.Subject) -> String? {
        switch subject {
        case .actor:
            if actor.identityKind == .assumedRole, actor.roleName?.hasPrefix("AWSReservedSSO_") == true {
                return IdentityKind.identityCenterUser.rawValue
            }
            return actor.type
        case .origin:
            return actor.originUserName != nil ? IdentityKind.iamUser.rawValue : identityType(.actor)
        case .target:
            if target?.userName != nil { return IdentityKind.iamUser.rawValue }
            if target?.roleName != nil { return IdentityKind.role.rawValue }
            return target?.identityCenterUserId != nil ? IdentityKind.identityCenterUser.rawValue : nil
        case .opener:
            return opener.map { $0.kind.rawValue }
        }
    }

    /// The root identity of whoever opened the state this finding fell in, when a stateful rule knows it.
    var opener: RootIdentity? {
        guard let actor = state?.openedBy else { return nil }
        let root = RootIdentity(actor: actor, account: account ?? "?")
        return root.kind == .other ? nil : root
    }

    /// Template values for a containment action aimed at the actor or the target.
    func variables(for subject: ContainmentRef.Subject, actor: Finding.Actor) -> [String: [String]] {
        var v: [String: [String]] = [:]
        func put(_ k: String, _ value: String?) { if let value, !value.isEmpty { v[k] = [value] } }
        put("account", account)
        put("region", regions.first)
        put("cutoff", last.1)
        put("actorArn", actor.arn)
        put("targetUserName", target?.userName)
        put("targetRoleName", target?.roleName)
        v.merge(target?.requestValues ?? [:]) { a, _ in a }
        if let created = target?.createdKeys, !created.isEmpty {
            v["createdForUserName"] = created.map(\.userName)
            v["createdAccessKeyId"] = created.map(\.accessKeyId)
        }
        switch subject {
        case .actor:
            put("userName", actor.userName)
            put("roleName", actor.roleName)
            put("sessionName", actor.sessionName)
            put("federatedName", actor.federatedName)
            put("identityCenterUserId", actor.identityCenterUserId)
            // Only long-term keys can be deactivated; temporary ones are cut off through their parent, so the
            // long-term keys they were minted from count too.
            var keys = actor.accessKeyIds.filter { $0.hasPrefix("AKIA") }
            for k in actor.originAccessKeyIds where k.hasPrefix("AKIA") && !keys.contains(k) { keys.append(k) }
            if !keys.isEmpty { v["accessKeyId"] = keys }
            if actor.type == IdentityKind.federatedUser.rawValue {
                let parents = actor.originAccessKeyIds.filter { $0.hasPrefix("AKIA") }
                if !parents.isEmpty { v["parentAccessKeyId"] = parents }
            }
        case .origin:
            guard let user = actor.originUserName else { return variables(for: .actor, actor: actor) }
            put("userName", user)
            var keys = actor.accessKeyIds.filter { $0.hasPrefix("AKIA") }
            for k in actor.originAccessKeyIds where k.hasPrefix("AKIA") && !keys.contains(k) { keys.append(k) }
            if !keys.isEmpty { v["accessKeyId"] = keys }
        case .opener:
            guard let opener, let actor = state?.openedBy else { break }
            let values = IncidentPlaybook.rootValues(opener, actors: [actor], credentials: [], regions: regions, cutoff: last.1)
            v.merge(values) { _, b in b }
        case .target:
            put("userName", target?.userName)
            put("roleName", target?.roleName)
            put("identityCenterUserId", target?.identityCenterUserId)
            if let keys = target?.accessKeyIds, !keys.isEmpty { v["accessKeyId"] = keys }
        }
        return v
    }
}
