import TrailReader

/// Who did what in a stream of CloudTrail events, in bounded memory: totals, then per identity (`Grouping`)
/// its events, errors, distinct keys, source addresses, regions and user agents, first and last seen; and the most
/// counted access keys, source addresses, regions, user agents, event names and error codes. Each table tracks at most its
/// capacity of distinct values (`TopCounter`: exact until it overflows, then bounded overcounts), and each
/// identity at most `Limits.distinctPerIdentity` distinct values of each kind (exact up to that, then "N+"), so a
/// year of logs takes the same memory as a day.
public struct ActivitySummary: Sendable {
    public struct Limits: Sendable {
        /// Identities tracked at once.
        public var identities = 5_000
        /// Distinct values tracked in each top table (keys, addresses, regions, user agents, event names, errors).
        public var values = 5_000
        /// Distinct keys, addresses, regions and user agents remembered per identity.
        public var distinctPerIdentity = 16

        public init() {}
    }

    /// What an identity is: the actor (its ARN: each role session apart), or the issuer of a session (the role a
    /// session was assumed from, the IAM user that minted a federation token), so a year of short sessions of one
    /// role counts as that role.
    public enum Grouping: String, Sendable, CaseIterable {
        case actor, issuer
    }

    public let limits: Limits
    public let grouping: Grouping
    public private(set) var events = 0
    public private(set) var errors = 0
    public private(set) var firstSeen: Int64?
    public private(set) var lastSeen: Int64?
    public private(set) var identities: TopCounter<String, IdentityActivity>
    public private(set) var accessKeys: TopCounter<String, NoPayload>
    public private(set) var sourceAddresses: TopCounter<String, NoPayload>
    public private(set) var regions: TopCounter<String, NoPayload>
    public private(set) var userAgents: TopCounter<String, NoPayload>
    public private(set) var eventNames: TopCounter<String, NoPayload>
    public private(set) var errorCodes: TopCounter<String, NoPayload>

    public init(limits: Limits = Limits(), grouping: Grouping = .actor) {
        self.limits = limits
        self.grouping = grouping
        identities = TopCounter(capacity: limits.identities)
        accessKeys = TopCounter(capacity: limits.values)
        sourceAddresses = TopCounter(capacity: limits.values)
        regions = TopCounter(capacity: limits.values)
        userAgents = TopCounter(capacity: limits.values)
        eventNames = TopCounter(capacity: limits.values)
        errorCodes = TopCounter(capacity: limits.values)
    }

    static let arn = FieldPath("userIdentity.arn")!
    static let type = FieldPath("userIdentity.type")!
    static let invokedBy = FieldPath("userIdentity.invokedBy")!
    static let principalId = FieldPath("userIdentity.principalId")!
    static let accountId = FieldPath("userIdentity.accountId")!
    static let accessKeyId = FieldPath("userIdentity.accessKeyId")!
    static let issuer = FieldPath("userIdentity.sessionContext.sessionIssuer.arn")!

    /// The identity an event is counted under: its actor's ARN; without one (AWS services, anonymous calls), the
    /// identity type with the service, principal or account.
    public static func identity(of event: Event, grouping: Grouping = .actor) -> String {
        if grouping == .issuer, let issuer = nonEmpty(event.string(at: issuer)) { return issuer }
        if let arn = nonEmpty(event.string(at: arn)) { return arn }
        let kind = nonEmpty(event.string(at: type)) ?? "Unknown"
        let who = nonEmpty(event.string(at: invokedBy)) ?? nonEmpty(event.string(at: principalId))
            ?? nonEmpty(event.string(at: accountId))
        return who.map { "\(kind):\($0)" } ?? kind
    }

    static func nonEmpty(_ s: String?) -> String? { s?.isEmpty == false ? s : nil }

    /// Counts one event.
    public mutating func add(_ event: Event) {
        let time = event.eventTime
        let key = Self.nonEmpty(event.string(at: Self.accessKeyId))
        let address = Self.nonEmpty(event.member(.sourceIPAddress)?.scalarText)
        let region = Self.nonEmpty(event.member(.awsRegion)?.scalarText)
        let agent = Self.nonEmpty(event.member(.userAgent)?.scalarText)
        let error = Self.nonEmpty(event.member(.errorCode)?.scalarText)
        events += 1
        if error != nil { errors += 1 }
        if let time {
            firstSeen = min(firstSeen ?? time, time)
            lastSeen = max(lastSeen ?? time, time)
        }
        let cap = limits.distinctPerIdentity
        identities.add(Self.identity(of: event, grouping: grouping)) { a in
            if error != nil { a.errors += 1 }
            if let time { a.see(time) }
            if let key { a.keys.insert(key, cap: cap) }
            if let address { a.addresses.insert(address, cap: cap) }
            if let region { a.regions.insert(region, cap: cap) }
            if let agent { a.userAgents.insert(agent, cap: cap) }
        }
        if let key { accessKeys.add(key) }
        if let address { sourceAddresses.add(address) }
        if let region { regions.add(region) }
        if let agent { userAgents.add(agent) }
        if let name = event.member(.eventName)?.scalarText {
            let service = event.member(.eventSource)?.scalarText?.split(separator: ".").first.map(String.init)
            eventNames.add(service.map { "\($0):\(name)" } ?? name)
        }
        if let error { errorCodes.add(error) }
    }

    /// Adds what `other` counted (another file of the same stream).
    public mutating func merge(_ other: ActivitySummary) {
        events += other.events
        errors += other.errors
        if let f = other.firstSeen { firstSeen = min(firstSeen ?? f, f) }
        if let l = other.lastSeen { lastSeen = max(lastSeen ?? l, l) }
        identities.merge(other.identities)
        accessKeys.merge(other.accessKeys)
        sourceAddresses.merge(other.sourceAddresses)
        regions.merge(other.regions)
        userAgents.merge(other.userAgents)
        eventNames.merge(other.eventNames)
        errorCodes.merge(other.errorCodes)
    }
}

/// What one identity did: errors, first and last seen, and its distinct keys, addresses, regions and user agents.
public struct IdentityActivity: CountPayload {
    public var errors = 0
    public var firstSeen: Int64?
    public var lastSeen: Int64?
    public var keys = DistinctValues()
    public var addresses = DistinctValues()
    public var regions = DistinctValues()
    public var userAgents = DistinctValues()

    public init() {}

    mutating func see(_ time: Int64) {
        firstSeen = min(firstSeen ?? time, time)
        lastSeen = max(lastSeen ?? time, time)
    }

    public mutating func merge(_ other: Self) {
        errors += other.errors
        if let f = other.firstSeen { see(f) }
        if let l = other.lastSeen { see(l) }
        keys.merge(other.keys)
        addresses.merge(other.addresses)
        regions.merge(other.regions)
        userAgents.merge(other.userAgents)
    }
}

/// Distinct values, exactly up to a cap; past it, only that there were more.
public struct DistinctValues: Sendable, Equatable {
    public private(set) var values: Set<String> = []
    /// True when a value was left out because the cap was reached.
    public private(set) var overflowed = false
    var cap = Int.max

    public init() {}

    mutating func insert(_ value: String, cap: Int) {
        self.cap = cap
        if values.count < cap || values.contains(value) { values.insert(value) } else { overflowed = true }
    }

    mutating func merge(_ other: Self) {
        cap = min(cap, other.cap)
        for v in other.values.sorted() { insert(v, cap: cap) }
        if other.overflowed { overflowed = true }
    }

    /// `3`, or `16+` once past the cap.
    public var countText: String { "\(values.count)\(overflowed ? "+" : "")" }
}
