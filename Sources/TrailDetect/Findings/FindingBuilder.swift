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
    @OutOfLine var target: Finding.Target?
    var evidence: [Finding.Evidence] = []
    /// What opened the state this finding's events fell in (stateful rules).
    @OutOfLine var state: Finding.State?
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
        // The time's text is made once and shared by `first`, `last` and the evidence (one finding in ten thousand
        // events has a single one: three strings of the same twenty bytes each).
        var timeText: String?
        if let raw = event.member(.eventTime)?.rawStringContents, let time = Timestamp.parse(raw) {
            let isFirst = time < first.0
            let isLast = time > last.0 || (time == last.0 && last.1.isEmpty)
            if isFirst || isLast {
                let text = Timestamp.text(raw, time)
                if isFirst { first = (time, text) }
                if isLast { last = (time, text) }
                // As written (and so as the evidence gives it): the text was made from these bytes.
                if text.utf8.elementsEqual(raw) { timeText = text }
            }
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
        if evidence.count < Self.maxEvidence { evidence.append(Self.evidence(event, file: file, time: timeText)) }
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
        if context.lineage != nil {
            a.originUserName = d(.originUserName)
            if a.originUserName != nil, let principal = d(.originPrincipal) {
                let parts = principal.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
                if parts.count == 6, TemplateValueKind.accountId.accepts(String(parts[4])),
                    String(parts[4]) != d(.actorAccount)
                {
                    a.originAccount = String(parts[4])
                }
            }
        }
        return a
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

    /// The evidence item for an event. `time`, when given, is the text of its `eventTime` (as written, not escaped).
    /// Its event source, name and error code are shared with other findings' (`SharedText`).
    static func evidence(_ event: Event, file: String, time: String? = nil) -> Finding.Evidence {
        func s(_ name: StaticString) -> String? { event.member(name)?.scalarText }
        let shared = SharedText.shared
        return Finding.Evidence(
            eventID: s("eventID"), eventTime: time ?? s("eventTime"), eventSource: shared.text(event.member(.eventSource)),
            eventName: shared.text(event.member(.eventName)), errorCode: shared.text(event.member(.errorCode)), file: file,
            recordIndex: event.index)
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
                for (variable, values) in t.resources ?? [:] { addResources(variable, values) }
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
}

/// An optional value kept out of line, in a box shared by copies until one changes it. A builder's target and state
/// are most of its size (the state, with its opener's actor and two evidence records, is half a kilobyte) and most
/// findings have neither, while builders are moved and copied as findings merge and sort, and thousands wait in an
/// array until written.
@propertyWrapper
struct OutOfLine<Value: Sendable>: @unchecked Sendable {
    // Sendable: the box is changed only when this wrapper holds its only reference (copy on write).
    final class Box {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box?

    init(wrappedValue: Value?) { box = wrappedValue.map(Box.init) }

    var wrappedValue: Value? {
        get { box?.value }
        set {
            guard let newValue else {
                box = nil
                return
            }
            if box != nil, isKnownUniquelyReferenced(&box) { box!.value = newValue } else { box = Box(newValue) }
        }
    }
}
