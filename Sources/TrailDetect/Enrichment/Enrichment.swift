import TrailReader

#if canImport(Glibc)
    import Glibc
#endif

/// The derived `trailhound.*` values of one event (rules/README.md lists them). Computed on demand, section by
/// section (actor, target, policy, denial), only for events a rule that reads derived fields is evaluated on.
public struct Enrichment: Sendable {
    public enum Section: Int, Sendable {
        case actor, target, policy, denial, origin
    }

    /// By `DerivedField.ordinal`: a dictionary keyed by the field hashed its String raw value on every access.
    var values: [[String]] = Array(repeating: [], count: DerivedField.allCases.count)
    var done: UInt8 = 0
    var actorUser: String?

    public func values(_ field: DerivedField) -> [String] { values[field.ordinal] }
    public func value(_ field: DerivedField) -> String? { values[field.ordinal].first }

    /// Computes every section (origin only with a lineage map).
    public init(_ event: Event, catalog: PolicyCatalog, lineage: LineageMap? = nil) {
        for section in [Section.actor, .target, .policy, .denial, .origin] { ensure(section, event, catalog, lineage) }
    }

    init() {}

    /// Forgets every value, keeping the storage (one event's fields are cleared for the next, per worker).
    mutating func clear() {
        for k in values.indices where !values[k].isEmpty { values[k].removeAll(keepingCapacity: true) }
        done = 0
        actorUser = nil
    }

    /// Computes `section` (and what it needs) if it is not done yet.
    /// `identity`: the event's `userIdentity` members already found (the context's cache), so that each section
    /// does not walk the object again.
    mutating func ensure(
        _ section: Section, _ event: Event, _ catalog: PolicyCatalog, _ lineage: LineageMap? = nil,
        identity: MemberCache? = nil
    ) {
        let bit = UInt8(1) << UInt8(section.rawValue)
        guard done & bit == 0 else { return }
        done |= bit
        switch section {
        case .actor: computeActor(event, identity)
        case .target:
            ensure(.actor, event, catalog, identity: identity)
            computeTarget(event)
        case .policy: computePolicy(event, catalog)
        case .denial: computeDenial(event)
        case .origin: computeOrigin(event, lineage, identity)
        }
    }

    mutating func set(_ field: DerivedField, _ value: String?) {
        if let value, !value.isEmpty { values[field.ordinal].append(value) }
    }

    mutating func set(_ field: DerivedField, _ flag: Bool) {
        values[field.ordinal].removeAll(keepingCapacity: true)
        values[field.ordinal].append(flag ? "true" : "false")
    }

    /// The members of `userIdentity` the actor and origin read, found in one walk over it (a lookup per member
    /// walked past `sessionContext`, the largest, every time).
    struct IdentityMembers {
        var type: JSONValue?
        var arn: JSONValue?
        var accountId: JSONValue?
        var accessKeyId: JSONValue?
        var userName: JSONValue?
        var invokedBy: JSONValue?
        var sessionContext: JSONValue?
        var onBehalfOf: JSONValue?

        /// The members found by `cache` (which has walked, or will walk, this same object once for the event);
        /// without one, by a walk of their own.
        init(_ identity: JSONValue?, cache: MemberCache?) {
            guard let cache, let identity else {
                self.init(identity)
                return
            }
            self.init(nil)
            func member(_ name: StaticString) -> JSONValue? {
                cache.member(of: identity, UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            }
            type = member("type")
            arn = member("arn")
            accountId = member("accountId")
            accessKeyId = member("accessKeyId")
            userName = member("userName")
            invokedBy = member("invokedBy")
            sessionContext = member("sessionContext")
            onBehalfOf = member("onBehalfOf")
        }

        init(_ identity: JSONValue?) {
            identity?.forEachMember { key, value in
                switch key.count {
                case 3: if key.equals("arn") { arn = value }
                case 4: if key.equals("type") { type = value }
                case 8: if key.equals("userName") { userName = value }
                case 9:
                    if key.equals("accountId") { accountId = value } else if key.equals("invokedBy") { invokedBy = value }
                case 10: if key.equals("onBehalfOf") { onBehalfOf = value }
                case 11: if key.equals("accessKeyId") { accessKeyId = value }
                case 14: if key.equals("sessionContext") { sessionContext = value }
                default: break
                }
                return true
            }
        }

    }

    mutating func computeActor(_ event: Event, _ cache: MemberCache? = nil) {
        // Hot: every event a rule reads actor fields of (and each new identity in a file) comes here once, so
        // members are found in one walk each and names are compared as literals, not bridged strings.
        let members = IdentityMembers(event.member(.userIdentity), cache: cache)
        var issuerArn: JSONValue?
        var issuerUserName: JSONValue?
        if let issuer = members.sessionContext?.member("sessionIssuer") {
            // Of duplicate keys the last counts, as everywhere (`JSONValue.member`).
            issuer.forEachMember { key, value in
                if key.equals("arn") {
                    issuerArn = value
                } else if key.equals("userName") {
                    issuerUserName = value
                }
                return true
            }
        }

        // Actor.
        let type = members.type?.scalarText
        let arn = members.arn?.scalarText
        set(.actorType, type)
        set(.actorArn, arn)
        set(.actorAccount, members.accountId?.scalarText ?? event.member(.recipientAccountId)?.scalarText)
        set(.actorParentArn, issuerArn?.scalarText)
        set(.actorIdentityCenterUserId, members.onBehalfOf?.member("userId")?.scalarText)
        let key = members.accessKeyId?.scalarText
        set(.actorAccessKeyId, key)
        if let key, key.hasPrefix("AKIA") { set(.actorKeyType, "long-term") }
        if let key, key.hasPrefix("ASIA") { set(.actorKeyType, "temporary") }
        set(.actorIsService, type == "AWSService" || members.invokedBy?.scalarText != nil)
        var actorUser: String?
        switch type {
        case IdentityKind.iamUser.rawValue:
            actorUser = members.userName?.scalarText ?? arn.flatMap { Self.lastSegment($0, after: ":user/") }
        case IdentityKind.federatedUser.rawValue:
            actorUser = issuerUserName?.scalarText ?? issuerArn?.scalarText.flatMap { Self.lastSegment($0, after: ":user/") }
            set(.actorFederatedName, arn.flatMap { Self.lastSegment($0, after: ":federated-user/") })
        case IdentityKind.assumedRole.rawValue:
            // `role/session`: the first and last non-empty segments, split on bytes.
            var first: Substring.UTF8View.SubSequence?
            var last: Substring.UTF8View.SubSequence?
            var segments = 0
            if let arn, let rest = Self.after(":assumed-role/", in: arn) {
                var start = rest.utf8.startIndex
                var k = start
                while true {
                    if k == rest.utf8.endIndex || rest.utf8[k] == 0x2F {
                        if k > start {
                            segments += 1
                            if first == nil { first = rest.utf8[start..<k] }
                            last = rest.utf8[start..<k]
                        }
                        if k == rest.utf8.endIndex { break }
                        start = rest.utf8.index(after: k)
                    }
                    k = rest.utf8.index(after: k)
                }
            }
            set(.actorRoleName, issuerUserName?.scalarText ?? first.map { String(decoding: $0, as: UTF8.self) })
            set(.actorSessionName, segments >= 2 ? last.map { String(decoding: $0, as: UTF8.self) } : nil)
        default:
            break
        }
        set(.actorUserName, actorUser)
        self.actorUser = actorUser
    }

    mutating func computeTarget(_ event: Event) {
        let params = event.member(.requestParameters)
        let response = event.member(.responseElements)
        var targetUser: String?
        var source: String?
        if let u = params?.member("userName")?.scalarText {
            targetUser = u
            source = "requestParameters"
        } else if value(.actorType) == IdentityKind.root.rawValue {
            // Root acting without a user name acts on itself (its own access key, its own password): no IAM user is
            // its target, whatever name the response echoes.
        } else if let u = response?.member("accessKey")?.member("userName")?.scalarText
            ?? response?.member("loginProfile")?.member("userName")?.scalarText
            ?? response?.member("user")?.member("userName")?.scalarText
        {
            targetUser = u
            source = "responseElements"
        }
        if targetUser == nil, let message = event.member(.errorMessage)?.scalarText,
            let u = DenialMessage(message).resourceUserName
        {
            targetUser = u
            source = "errorMessage"
        }
        set(.targetUserName, targetUser)
        let role = params?.member("roleName")?.scalarText
            ?? params?.member("roleArn")?.scalarText.flatMap { Self.lastSegment($0, after: ":role/") }
        set(.targetRoleName, role)
        if source == nil && role != nil { source = "requestParameters" }
        set(.targetSource, source)
        set(
            .targetAccessKeyId,
            params?.member("accessKeyId")?.scalarText ?? response?.member("accessKey")?.member("accessKeyId")?.scalarText)
        if let targetUser {
            // IAM user names are unique ignoring case, so compare that way, but whole names only (jack is not jackson).
            set(.targetIsOtherUser, actorUser.map { $0.lowercased() != targetUser.lowercased() } ?? true)
        }
    }

    mutating func computePolicy(_ event: Event, _ catalog: PolicyCatalog) {
        let params = event.member(.requestParameters)
        var arns: [String] = []
        if let a = params?.member("policyArn")?.scalarText { arns.append(a) }
        params?.member("policyArns")?.forEachElement { element in
            if let a = element.member("arn")?.scalarText ?? element.scalarText { arns.append(a) }
            return true
        }
        for a in arns { set(.policyArn, a) }
        let name = params?.member("policyName")?.scalarText
        set(.policyName, name)
        var documents: [PolicyDocument] = []
        for field in ["policyDocument", "policy", "content", "assumeRolePolicyDocument"] {
            guard let v = params?.member(field) else { continue }
            if let text = v.string, let doc = PolicyDocument(text: text) {
                documents.append(doc)
            } else if v.kind == .object, let doc = PolicyDocument(text: v.rawText) {
                documents.append(doc)
            }
        }
        let allowsAll = documents.contains { $0.allowsAll }
        let deniesAll = documents.contains { $0.deniesAll }
        let cutoff = documents.compactMap(\.tokenIssueTimeCutoff).first
        if !documents.isEmpty {
            set(.policyAllowsAll, allowsAll)
            set(.policyDeniesAll, deniesAll)
        }
        set(.policyTokenIssueTimeCutoff, cutoff)
        for u in documents.flatMap(\.deniedIdentityCenterUserIds) { set(.policyDeniedIdentityCenterUserId, u) }
        var quarantine = arns.compactMap { catalog.quarantineVersion($0) }
        if let name, catalog.legacyInlineQuarantine.contains(name) { quarantine.append("legacy") }
        if let name, let version = catalog.inlineQuarantineVersion(name) { quarantine.append(version) }
        if quarantine.isEmpty, documents.contains(where: { catalog.hasQuarantineContent($0) }) { quarantine.append("inline") }
        let account = event.member(.recipientAccountId)?.scalarText
        let principals = documents.flatMap(\.principalAccounts)
        let external = principals.filter { $0 != account }
        var seen = Set<String>()
        for a in external where seen.insert(a).inserted { set(.policyTrustedAccount, a) }
        if !principals.isEmpty {
            set(.policyTrustsExternal, !external.isEmpty)
            set(.policyTrustsAnyone, documents.contains { $0.allowsAnyPrincipalUnconditionally })
        }
        for q in quarantine { set(.policyQuarantine, q) }
        let isAdmin = arns.contains { catalog.adminEquivalent.contains($0) } || allowsAll
        let isDenyAll = arns.contains { catalog.denyAll.contains($0) }
            || documents.contains { $0.deniesAllUnconditionally }
        let isRevoke = (name.map { catalog.revokeSessionsInline.contains($0) } ?? false) || cutoff != nil
        if !arns.isEmpty || name != nil || !documents.isEmpty {
            set(.policyIsAdmin, isAdmin)
            set(.policyIsQuarantine, !quarantine.isEmpty)
            set(.policyIsDenyAll, isDenyAll)
            set(.policyIsRevokeSessions, isRevoke)
            set(.policyIsContainment, !quarantine.isEmpty || isDenyAll || isRevoke)
        }
    }

    /// The access key that signed the event and the account its lineage is looked up in (the recipient account,
    /// else the identity's): the start of the event's origin chain. The chain's first link is the issuance of that
    /// key valid at the event's time, so the two decide the origin (the second pass keys its cache by them).
    static func signingKey(_ event: Event, _ identity: IdentityMembers) -> (key: String, account: String)? {
        guard let key = identity.accessKeyId?.scalarText, !key.isEmpty else { return nil }
        return (key, event.member(.recipientAccountId)?.scalarText ?? identity.accountId?.scalarText ?? "")
    }

    /// Where the event's credentials came from: the chain of temporary keys up to the long-term key (or principal)
    /// that minted the first of them. Without a lineage map (or for a long-term key) the origin is the key itself.
    mutating func computeOrigin(_ event: Event, _ lineage: LineageMap?, _ cache: MemberCache? = nil) {
        let identity = IdentityMembers(event.member(.userIdentity), cache: cache)
        guard let (key, account) = Self.signingKey(event, identity) else { return }
        let chain = (event.eventTime).map { lineage?.chainIndexes(of: key, account: account, at: $0) ?? [] } ?? []
        set(.originIsDerived, !chain.isEmpty)
        set(.originChain, key)
        for link in chain { set(.originChain, link.parentKey) }
        let principal: String?
        if let last = chain.last, let lineage {
            set(.originAccessKeyId, last.parentKey)
            principal = lineage.parentPrincipal(last.position)
        } else {
            set(.originAccessKeyId, key)
            principal = identity.arn?.scalarText
        }
        set(.originPrincipal, principal)
        // The IAM user at the root: from the origin's ARN, else a federated user's parent (its session issuer).
        if let p = principal, let user = Self.lastSegment(p, after: ":user/") {
            set(.originUserName, user)
        } else if chain.isEmpty, identity.type?.isString("FederatedUser") == true,
            let parent = identity.sessionContext?.member("sessionIssuer")?.member("userName")?.scalarText
        {
            set(.originUserName, parent)
        }
    }

    mutating func computeDenial(_ event: Event) {
        let errorCode = event.member(.errorCode)?.scalarText
        let denial = event.member(.errorMessage)?.scalarText.map(DenialMessage.init)
        set(.denialIsDenied, errorCode.map { DenialMessage.deniedCodes.contains($0) } ?? false)
        if let denial {
            if let e = denial.explicit { set(.denialExplicit, e) }
            set(.denialPolicyType, denial.policyType)
            set(.denialAction, denial.action)
            set(.denialResource, denial.resource)
        }
    }

    static func lastSegment(_ arn: String, after marker: String) -> String? {
        guard let rest = after(marker, in: arn) else { return nil }
        guard let slash = rest.utf8.lastIndex(of: 0x2F) else { return rest.isEmpty ? nil : String(rest) }
        let tail = rest.utf8[rest.utf8.index(after: slash)...]
        return tail.isEmpty ? nil : String(decoding: tail, as: UTF8.self)
    }

    /// The text after the first `marker`. A plain byte search: Foundation's `range(of:)` bridges to CFString and the
    /// standard library's generic `firstRange(of:)` costs more than the rest of the enrichment.
    static func after(_ marker: String, in text: String) -> Substring? {
        var t = text
        var m = marker
        let end: Int? = t.withUTF8 { tb in
            m.withUTF8 { mb in
                guard mb.count <= tb.count else { return nil }
                var i = 0
                while i + mb.count <= tb.count {
                    if tb[i] == mb[0] && memcmp(tb.baseAddress! + i, mb.baseAddress!, mb.count) == 0 { return i + mb.count }
                    i += 1
                }
                return nil
            }
        }
        guard let end else { return nil }
        return Substring(text.utf8.dropFirst(end))
    }
}
