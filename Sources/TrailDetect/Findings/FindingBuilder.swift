import Crypto
import Foundation
import TrailReader

/// Gathers the events of one finding while files are read; merged across files in file order, then rendered.
public struct FindingBuilder: Sendable {
    public static let maxEvidence = 100
    static let maxListed = 20

    public let id: String
    let ruleIndex: Int
    var title: String
    var first: (Int64, String) = (Int64.max, "")
    var last: (Int64, String) = (Int64.min, "")
    var count = 0
    var account: String?
    var regions: [String] = []
    var actor = Finding.Actor()
    var target: Finding.Target?
    var evidence: [Finding.Evidence] = []
    /// What opened the state this finding's events fell in (stateful rules).
    var state: Finding.State?
    /// Hashes of the event ids counted, so an event delivered twice (an organisation trail and an account trail,
    /// or two runs over overlapping files) counts once.
    var eventHashes = Set<UInt64>()
    /// Events counted that had no event id.
    var unidentified = 0

    /// The finding id for a rule and the values that identify the incident.
    public static func id(rule: String, values: [String]) -> String {
        var text = rule
        for v in values { text += "\u{1F}" + v }
        let digest = SHA256.hash(data: Data(text.utf8))
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for b in digest.prefix(16) {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    init(id: String, ruleIndex: Int, title: String) {
        self.id = id
        self.ruleIndex = ruleIndex
        self.title = title
    }

    /// Adds one matching event. The first event describes the actor and target; later ones add keys, addresses,
    /// regions and evidence, read straight from the record.
    mutating func add(_ context: EventContext, file: String) {
        let event = context.event!
        guard count(event.member(.eventID)?.rawStringContents) else { return }
        func s(_ name: StaticString) -> String? { event.member(name)?.scalarText }
        // Strings are made only when a value is kept: a finding may gather millions of events. An eventTime that
        // is not a time (the reader reports it) gives the finding no time: it never becomes firstSeen, lastSeen or
        // the containment cutoff. A time is kept as CloudTrail writes it, else in that form (UTC, no fraction).
        if let raw = event.member(.eventTime)?.rawStringContents, let time = Timestamp.parse(raw) {
            if time < first.0 { first = (time, Timestamp.text(raw, time)) }
            if time > last.0 || (time == last.0 && last.1.isEmpty) { last = (time, Timestamp.text(raw, time)) }
        }
        if count == 1 { describe(context) }
        if target == nil && count <= Self.maxEvidence {
            // The first event (of those kept as evidence) that names a target describes it.
            let targetUser = context.derived(.targetUserName).first
            let targetRole = context.derived(.targetRoleName).first
            let deniedUser = context.derived(.policyDeniedIdentityCenterUserId).first
            if targetUser != nil || targetRole != nil || deniedUser != nil {
                target = Finding.Target(userName: targetUser, roleName: targetRole, identityCenterUserId: deniedUser)
            }
        }
        if count <= Self.maxEvidence {
            describeRequest(event)
            if let created = context.derived(.targetAccessKeyId).first, created != event.member(.userIdentity)?.member("accessKeyId")?.scalarText,
                let user = context.derived(.targetUserName).first
            {
                addCreated(Finding.CreatedKey(userName: user, accessKeyId: created))
            }
        }
        Self.insert(event.member(.awsRegion), into: &regions, limit: 50)
        let key = event.member(.userIdentity)?.member("accessKeyId")
        Self.insert(key, into: &actor.accessKeyIds, limit: Self.maxListed)
        Self.insert(event.member(.sourceIPAddress), into: &actor.sourceIPAddresses, limit: Self.maxListed)
        if context.lineage != nil, actor.originAccessKeyIds.count < Self.maxListed,
            context.derived(.originIsDerived).first == "true", let origin = context.derived(.originAccessKeyId).first
        {
            Self.insert(origin, into: &actor.originAccessKeyIds, limit: Self.maxListed)
        }
        // A key created for the target user (not for another user a later event of the same finding acted on: a
        // containment command pairs the key with this user's name).
        if target != nil && target!.accessKeyIds.count < Self.maxListed, let created = context.derived(.targetAccessKeyId).first,
            created != key?.scalarText, context.derived(.targetUserName).first == target!.userName
        {
            Self.insert(created, into: &target!.accessKeyIds, limit: Self.maxListed)
        }
        if evidence.count < Self.maxEvidence { evidence.append(Self.evidence(event, file: file)) }
    }

    /// Takes the account and actor from the event in `context`.
    mutating func describe(_ context: EventContext) {
        let event = context.event!
        account = event.member(.recipientAccountId)?.scalarText ?? context.derived(.actorAccount).first
        let lists = (actor.accessKeyIds, actor.originAccessKeyIds, actor.sourceIPAddresses)
        actor = Self.identity(context)
        (actor.accessKeyIds, actor.originAccessKeyIds, actor.sourceIPAddresses) = lists
    }

    /// Who the actor of the event in `context` is (type, names, ARN, origin user), without its keys and addresses.
    static func identity(_ context: EventContext) -> Finding.Actor {
        var a = Finding.Actor()
        func d(_ f: DerivedField) -> String? { context.derived(f).first }
        a.type = d(.actorType)
        a.arn = d(.actorArn)
        a.userName = d(.actorUserName)
        a.roleName = d(.actorRoleName)
        a.sessionName = d(.actorSessionName)
        a.federatedName = d(.actorFederatedName)
        a.parentArn = d(.actorParentArn)
        a.identityCenterUserId = d(.actorIdentityCenterUserId)
        if context.lineage != nil { a.originUserName = d(.originUserName) }
        return a
    }

    mutating func addCreated(_ k: Finding.CreatedKey) {
        if target == nil { target = Finding.Target() }
        var list = target!.createdKeys ?? []
        if list.count < Self.maxListed && !list.contains(k) { list.append(k) }
        target!.createdKeys = list
    }

    /// Takes what containment needs from the request of a matching event: the policy attached or put, the group,
    /// the trail (the first event that names each).
    mutating func describeRequest(_ event: Event) {
        describeResources(event)
        guard let params = event.member(.requestParameters), params.kind == .object else { return }
        let policyArn = target?.policyArn == nil ? params.member("policyArn")?.string : nil
        let policyName = target?.policyName == nil ? params.member("policyName")?.string : nil
        let groupName = target?.groupName == nil ? params.member("groupName")?.string : nil
        var trailName: String?
        if target?.trailName == nil, event.member(.eventSource)?.string == "cloudtrail.amazonaws.com" {
            trailName = params.member("name")?.string ?? params.member("trailName")?.string
        }
        guard policyArn != nil || policyName != nil || groupName != nil || trailName != nil else { return }
        if target == nil { target = Finding.Target() }
        if let policyArn { target!.policyArn = policyArn }
        if let policyName { target!.policyName = policyName }
        if let groupName { target!.groupName = groupName }
        if let trailName { target!.trailName = trailName }
    }

    /// Where in a request or response each resource variable is read (the first path that holds a string), for
    /// the events of one service.
    static let resourcePaths: [(source: String, variable: String, paths: [[String]])] = [
        ("rolesanywhere.amazonaws.com", "trustAnchorId", [["responseElements", "trustAnchor", "trustAnchorId"], ["requestParameters", "trustAnchorId"]]),
        ("rolesanywhere.amazonaws.com", "profileId", [["responseElements", "profile", "profileId"], ["requestParameters", "profileId"]]),
        ("secretsmanager.amazonaws.com", "secretId", [["requestParameters", "secretId"]]),
        ("ssm.amazonaws.com", "parameterName", [["requestParameters", "name"], ["requestParameters", "path"]]),
    ]

    /// Adds the resources the event names (`Finding.Target.resources`), up to `maxListed` of each.
    mutating func describeResources(_ event: Event) {
        guard let source = event.member(.eventSource)?.string else { return }
        for (service, variable, paths) in Self.resourcePaths where service == source {
            var found: [String] = []
            for path in paths {
                var value = event.member(path[0] == "requestParameters" ? .requestParameters : .responseElements)
                for key in path.dropFirst() { value = value?.member(key) }
                if let text = value?.string { found.append(text); break }
            }
            if variable == "parameterName" {  // GetParameters: a list of names
                event.member(.requestParameters)?.member("names")?.forEachElement { element in
                    if let name = element.string { found.append(name) }
                    return true
                }
            }
            guard !found.isEmpty else { continue }
            if target == nil { target = Finding.Target() }
            var list = target!.resources?[variable] ?? []
            for value in found where list.count < Self.maxListed && !list.contains(value) { list.append(value) }
            target!.resources = (target!.resources ?? [:]).merging([variable: list]) { _, b in b }
        }
    }

    /// The actor of the event in `context` (as `describe` takes it), with its access key and source address.
    static func actor(_ context: EventContext) -> Finding.Actor {
        var a = identity(context)
        func d(_ f: DerivedField) -> String? { context.derived(f).first }
        let event = context.event!
        insert(event.member(.userIdentity)?.member("accessKeyId"), into: &a.accessKeyIds, limit: maxListed)
        insert(event.member(.sourceIPAddress), into: &a.sourceIPAddresses, limit: maxListed)
        if context.lineage != nil, d(.originIsDerived) == "true", let origin = d(.originAccessKeyId) {
            insert(origin, into: &a.originAccessKeyIds, limit: maxListed)
        }
        return a
    }

    /// Sets the count and time span from matches counted elsewhere (a correlation reads back only its first
    /// matches as evidence).
    mutating func account(count total: Int, first start: Int64, last end: Int64) {
        if total > count {
            unidentified += total - count
            count = total
        }
        if start < first.0 { first = (start, Timestamp.format(start)) }
        if end > last.0 { last = (end, Timestamp.format(end)) }
    }

    /// The evidence item for an event.
    static func evidence(_ event: Event, file: String) -> Finding.Evidence {
        func s(_ name: StaticString) -> String? { event.member(name)?.scalarText }
        return Finding.Evidence(
            eventID: s("eventID"), eventTime: s("eventTime"), eventSource: s("eventSource"),
            eventName: s("eventName"), errorCode: s("errorCode"), file: file, recordIndex: event.index)
    }

    /// Counts an event unless its id was counted already; false for a repeat.
    mutating func count(_ eventID: UnsafeRawBufferPointer?) -> Bool {
        if let id = eventID, id.count > 0 {
            guard eventHashes.insert(FindingBuilder.eventHash(id)).inserted else { return false }
        } else {
            unidentified += 1
        }
        count += 1
        return true
    }

    /// The hash an event id is remembered by (stable across runs: the state file keeps it).
    static func eventHash(_ id: UnsafeRawBufferPointer) -> UInt64 { FastHash.mix(0xE7E7, id) }

    /// Adds an event known only by its evidence.
    mutating func add(evidence item: Finding.Evidence, time: Int64, region: String?) {
        var id = item.eventID ?? ""
        let empty = id.isEmpty
        let fresh = id.withUTF8 { count(empty ? nil : UnsafeRawBufferPointer($0)) }
        guard fresh else { return }
        if time < first.0 { first = (time, item.eventTime ?? "") }
        if time > last.0 || (time == last.0 && last.1.isEmpty) { last = (time, item.eventTime ?? "") }
        if let region { Self.insert(region, into: &regions, limit: 50) }
        if evidence.count < Self.maxEvidence { evidence.append(item) }
    }

    /// Adds a string value to a short list unless it is there already, comparing bytes before making a String.
    static func insert(_ value: JSONValue?, into list: inout [String], limit: Int) {
        guard list.count < limit, let value, let raw = value.rawStringContents, raw.count > 0 else { return }
        if !raw.contains(0x5C) {
            if list.contains(where: { $0.utf8.elementsEqual(raw) }) { return }
            list.append(String(decoding: raw, as: UTF8.self))
        } else if let text = value.string, !list.contains(text) {
            list.append(text)
        }
    }

    /// Folds in the same finding from a later file (or run). Events already counted (by event id) count once.
    public mutating func merge(_ other: FindingBuilder) {
        if other.first.0 < first.0 { first = other.first }
        if other.last.0 > last.0 { last = other.last }
        var fresh = other.unidentified
        for h in other.eventHashes where eventHashes.insert(h).inserted { fresh += 1 }
        if state?.kind == "correlation" || other.state?.kind == "correlation" {
            // A correlation is measured again whole each time (from every match still kept): the larger count holds.
            count = max(count, other.count)
            unidentified = max(unidentified, other.unidentified)
        } else {
            count += fresh
            unidentified += other.unidentified
        }
        if state == nil { state = other.state }
        for r in other.regions { Self.insert(r, into: &regions, limit: 50) }
        for k in other.actor.accessKeyIds { Self.insert(k, into: &actor.accessKeyIds, limit: Self.maxListed) }
        for ip in other.actor.sourceIPAddresses { Self.insert(ip, into: &actor.sourceIPAddresses, limit: Self.maxListed) }
        for k in other.actor.originAccessKeyIds { Self.insert(k, into: &actor.originAccessKeyIds, limit: Self.maxListed) }
        if let t = other.target {
            if target == nil { target = t } else {
                for k in t.accessKeyIds { Self.insert(k, into: &target!.accessKeyIds, limit: Self.maxListed) }
                for k in t.createdKeys ?? [] { addCreated(k) }
                for (variable, values) in t.resources ?? [:] {
                    var list = target!.resources?[variable] ?? []
                    for value in values where list.count < Self.maxListed && !list.contains(value) { list.append(value) }
                    target!.resources = (target!.resources ?? [:]).merging([variable: list]) { _, b in b }
                }
            }
        }
        var listed = Set(evidence.compactMap(\.eventID))
        for e in other.evidence where evidence.count < Self.maxEvidence {
            if let id = e.eventID, !listed.insert(id).inserted { continue }
            evidence.append(e)
        }
    }

    static func insert(_ value: String, into list: inout [String], limit: Int) {
        if list.count < limit && !list.contains(value) { list.append(value) }
    }

    var firstTime: Int64 { first.0 }

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
        var temporary: [CredentialIssuance] = []
        var starts: [String] = []
        for key in roots where seen.insert(key).inserted {
            if key.hasPrefix("AKIA") {
                out.append(Finding.Credential(accessKeyId: key, kind: "long-term"))
                starts.append(key)
            } else if let own = lineage.issuance(of: key, account: account, at: time) ?? lineage.minted(key, account: account).last {
                if own.expiresAt > time { temporary.append(own) }
                starts.append(key)
            }
        }
        for key in starts {
            for child in lineage.descendants(of: key, account: account) where child.expiresAt > time {
                temporary.append(child)
            }
        }
        var listed = Set<String>()
        for i in temporary.sorted(by: { ($0.issuedAt, $0.childKey) < ($1.issuedAt, $1.childKey) })
        where listed.insert(i.childKey + "/\(i.issuedAt)").inserted && out.count < 50 {
            out.append(
                Finding.Credential(
                    accessKeyId: i.childKey, kind: "temporary", mintedBy: i.api, parentAccessKeyId: i.parentKey,
                    principal: i.childPrincipal, issuedAt: Timestamp.format(i.issuedAt), expiresAt: Timestamp.format(i.expiresAt),
                    eventID: i.eventID))
        }
        return out
    }

    /// The template values `temporaryAccessKeyId` and `liveCredential` for the temporary keys among `credentials`.
    static func liveCredentialValues(_ credentials: [Finding.Credential]) -> [String: [String]] {
        let temporary = credentials.filter { $0.kind == "temporary" }
        guard !temporary.isEmpty else { return [:] }
        var values = [
            "temporaryAccessKeyId": temporary.map(\.accessKeyId),
            "liveCredential": temporary.map { c in
                "\(c.accessKeyId) (\(c.mintedBy ?? "?")\(c.principal.map { " " + $0 } ?? ""), from \(c.parentAccessKeyId ?? "?"), valid until \(c.expiresAt ?? "?"))"
            },
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

    func finding(_ rules: RuleSet, actor: Finding.Actor, credentials: [Finding.Credential]) -> Finding {
        let rule = rules.rules[ruleIndex]
        // A rule lists the actions for every kind of identity it may catch; the finding keeps those that fit its own.
        let actions = rule.containment.compactMap { ref -> RenderedContainment? in
            guard let action = rules.containment[ref.id] else { return nil }
            let type = identityType(ref.subject)
            if ref.subject == .opener && type == nil { return nil }
            guard action.appliesTo.isEmpty || type == nil || action.appliesTo.contains(type!) else { return nil }
            var values = variables(for: ref.subject, actor: actor)
            if ref.subject == .actor || ref.subject == .origin { values.merge(Self.liveCredentialValues(credentials)) { a, _ in a } }
            guard action.onlyIfKnown.allSatisfy({ !(values[$0]?.isEmpty ?? true) }) else { return nil }
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
        put("policyArn", target?.policyArn)
        put("policyName", target?.policyName)
        put("groupName", target?.groupName)
        put("trailName", target?.trailName)
        v.merge(target?.resources ?? [:]) { a, _ in a }
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
