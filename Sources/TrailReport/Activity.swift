import TrailDetect
import TrailReader

/// What the report's timelines draw besides findings: each root identity's calls per ten minutes, and the containment
/// events that acted on it (quarantine attached, keys deactivated or deleted, sessions revoked).
///
/// Counted in one streaming pass over the logs after the scan, for the root identities the report draws a timeline
/// of only: memory is bounded by those identities times the ten-minute slots they were active in, never by the events.
public struct Activity: Sendable {
    /// A containment step seen in the logs.
    public struct ContainmentEvent: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case quarantine = "quarantine attached"
            case keyDeactivated = "key deactivated"
            case keyDeleted = "key deleted"
            case sessionsRevoked = "sessions revoked"
            case loginProfileDeleted = "console password deleted"
        }
        public let kind: Kind
        public let time: Int64
        public let eventID: String?
    }

    /// The width of the slots calls are counted in: ten minutes, so a short incident still shows its shape.
    public static let slotSeconds: Int64 = 600

    /// Calls per slot (seconds since 1970 / `slotSeconds`) for each tracked root identity: only slots with calls
    /// are kept, so memory grows with the tracked identities' active time, not with the events.
    public internal(set) var callsPerSlot: [RootIdentity: [Int64: Int]] = [:]
    public internal(set) var containment: [RootIdentity: [ContainmentEvent]] = [:]
    /// Events read, and those attributed to a tracked identity.
    public internal(set) var events = 0
    public internal(set) var attributed = 0

    /// Containment events kept per identity (the earliest ones).
    public static let maxContainmentEvents = 40

    public init() {}

    /// Counts the calls of `roots` in `files`, attributing temporary keys through `lineage`.
    public static func count(
        _ files: [InputFile], roots: Set<RootIdentity>, lineage: LineageMap, using parallel: ParallelReader
    ) -> Activity {
        var total = Activity()
        guard !roots.isEmpty else { return total }
        parallel.run(
            files,
            process: { file, reader, emit in
                var partial = Activity()
                let report = reader.read(file) { event in partial.add(event, roots: roots, lineage: lineage) }
                emit(partial, partial.callsPerSlot.count * 64)
                return report
            },
            consume: { _, item in
                if case .output(let partial) = item { total.merge(partial) }
            })
        for (root, events) in total.containment {
            total.containment[root] = Array(
                events.sorted { ($0.time, $0.kind.rawValue, $0.eventID ?? "") < ($1.time, $1.kind.rawValue, $1.eventID ?? "") }
                    .prefix(maxContainmentEvents))
        }
        return total
    }

    mutating func merge(_ other: Activity) {
        events += other.events
        attributed += other.attributed
        for (root, hours) in other.callsPerSlot { callsPerSlot[root, default: [:]].merge(hours, uniquingKeysWith: +) }
        for (root, list) in other.containment { containment[root, default: []] += list }
    }

    /// Counts one event.
    public mutating func add(_ event: Event, roots: Set<RootIdentity>, lineage: LineageMap) {
        events += 1
        guard let time = event.eventTime else { return }
        let identity = event.member(.userIdentity)
        let account = event.member(.recipientAccountId)?.scalarText ?? identity?.member("accountId")?.scalarText ?? "?"
        let actor = Self.actor(identity, account: account, at: time, lineage: lineage)
        let root = RootIdentity(actor: actor, account: account)
        if roots.contains(root) {
            attributed += 1
            callsPerSlot[root, default: [:]][time / Self.slotSeconds, default: 0] += 1
        }
        if let (target, kind) = Self.containment(event, actor: root, account: account), roots.contains(target) {
            containment[target, default: []].append(
                ContainmentEvent(kind: kind, time: time, eventID: event.member(.eventID)?.scalarText))
        }
    }

    /// The actor of an event as a finding would name it, with the IAM user at the root of a temporary key's lineage.
    static func actor(_ identity: JSONValue?, account: String, at time: Int64, lineage: LineageMap) -> Finding.Actor {
        var actor = Finding.Actor.blank
        guard let identity else { return actor }
        actor.type = identity.member("type")?.string
        actor.arn = identity.member("arn")?.string
        actor.userName = identity.member("userName")?.string
        if actor.type == "AssumedRole" {
            actor.roleName = identity.member("sessionContext")?.member("sessionIssuer")?.member("userName")?.string
            actor.sessionName = actor.arn.flatMap { $0.split(separator: "/").last.map(String.init) }
            actor.identityCenterUserId = identity.member("onBehalfOf")?.member("userId")?.string
        }
        if let key = identity.member("accessKeyId")?.string, key.hasPrefix("ASIA"),
            let user = lineage.originUser(of: key, account: account, at: time)
        {
            actor.originUserName = user.name
            if user.account != account { actor.originAccount = user.account }
        }
        return actor
    }

    /// A successful call that contains an identity: which identity, and how.
    static func containment(_ event: Event, actor: RootIdentity, account: String) -> (RootIdentity, ContainmentEvent.Kind)? {
        guard event.member(.errorCode)?.scalarText == nil, let name = event.member(.eventName)?.string else { return nil }
        let request = event.member(.requestParameters)
        let user = request?.member("userName")?.string
        func onUser() -> RootIdentity? {
            if let user { return RootIdentity(account: account, kind: .iamUser, name: user) }
            // Without a userName the call acts on the caller's own user.
            return actor.kind == .iamUser ? actor : nil
        }
        switch name {
        case "AttachUserPolicy":
            let arn = request?.member("policyArn")?.string ?? ""
            guard arn.contains("Quarantine") || arn.contains("DenyAll") || arn.contains("AWSDenyAll") else { return nil }
            return onUser().map { ($0, .quarantine) }
        case "UpdateAccessKey":
            guard request?.member("status")?.string == "Inactive" else { return nil }
            return onUser().map { ($0, .keyDeactivated) }
        case "DeleteAccessKey":
            return onUser().map { ($0, .keyDeleted) }
        case "DeleteLoginProfile":
            return onUser().map { ($0, .loginProfileDeleted) }
        case "PutUserPolicy", "PutRolePolicy":
            guard let document = request?.member("policyDocument")?.string, document.contains("aws:TokenIssueTime") else {
                return nil
            }
            if name == "PutUserPolicy" { return onUser().map { ($0, .sessionsRevoked) } }
            guard let role = request?.member("roleName")?.string else { return nil }
            return (RootIdentity(account: account, kind: .assumedRole, name: role), .sessionsRevoked)
        default:
            return nil
        }
    }
}
