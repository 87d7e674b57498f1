import TrailReader

/// A builder as bytes, for the spill file (`FindingSet` moves builders there while files are read, so a scan's
/// memory does not grow with its findings). Written by hand, on the scan's path: Foundation's encoders cost about
/// fifty microseconds a builder (half a second per ten thousand findings, each written and read back at least once),
/// and this form is a fifth of their size. Only this process reads it back, so it carries no version.
///
/// Every stored property of `FindingBuilder` and of the finding parts it holds is written; `BuilderCodecTests` fails
/// when one is added and not written here. Integers are LEB128 (zig-zag for signed ones); a string is its UTF-8 length
/// and bytes; an optional string is 0 for nil, else its length plus one; an optional value is a byte 0 or 1 before it.
extension FindingBuilder {
    /// Appends this builder's bytes to `out`.
    func encode(into out: inout [UInt8]) {
        var w = SpillWriter(out: out)
        out = []
        w.string(id)
        w.int(Int64(ruleIndex))
        w.string(title)
        w.int(first.0)
        w.string(first.1)
        w.int(last.0)
        w.string(last.1)
        w.int(Int64(count))
        w.optional(account)
        w.strings(regions)
        w.actor(actor)
        w.flag(target != nil)
        if let t = target {
            w.optional(t.userName)
            w.optional(t.roleName)
            w.optional(t.identityCenterUserId)
            w.strings(t.accessKeyIds)
            w.optional(t.policyArn)
            w.optional(t.policyName)
            w.optional(t.groupName)
            w.optional(t.trailName)
            w.flag(t.createdKeys != nil)
            if let keys = t.createdKeys {
                w.uint(UInt64(keys.count))
                for k in keys {
                    w.string(k.userName)
                    w.string(k.accessKeyId)
                }
            }
            w.flag(t.resources != nil)
            if let resources = t.resources {
                w.uint(UInt64(resources.count))
                // Sorted, so that equal builders give equal bytes.
                for name in resources.keys.sorted() {
                    w.string(name)
                    w.strings(resources[name]!)
                }
            }
        }
        w.uint(UInt64(evidence.count))
        for e in evidence { w.evidence(e) }
        w.flag(state != nil)
        if let s = state {
            w.string(s.kind)
            w.optional(s.key)
            w.optional(s.openedByRule)
            w.flag(s.opened != nil)
            if let e = s.opened { w.evidence(e) }
            w.flag(s.openedBy != nil)
            if let a = s.openedBy { w.actor(a) }
            w.flag(s.closed != nil)
            if let e = s.closed { w.evidence(e) }
            w.optional(s.until)
            w.optional(s.measure)
        }
        w.uint(UInt64(eventHashes.count))
        for h in eventHashes { w.fixed(h) }
        w.int(Int64(unidentified))
        out = w.out
    }

    /// The builder `encode` wrote in `bytes`; nil when they are not one (cut short, or not a builder's bytes).
    static func decode(_ bytes: UnsafeRawBufferPointer) -> FindingBuilder? {
        var r = SpillReader(bytes: bytes)
        guard let id = r.string(), let ruleIndex = r.int(), let title = r.string() else { return nil }
        var b = FindingBuilder(id: id, ruleIndex: Int(ruleIndex), title: title)
        guard let firstTime = r.int(), let firstText = r.string(), let lastTime = r.int(), let lastText = r.string(),
            let count = r.int(), let account = r.optional(), let regions = r.strings(), let actor = r.actor(),
            let hasTarget = r.flag()
        else { return nil }
        b.first = (firstTime, firstText)
        b.last = (lastTime, lastText)
        b.count = Int(count)
        b.account = account
        b.regions = regions
        b.actor = actor
        if hasTarget {
            var t = Finding.Target()
            guard let user = r.optional(), let role = r.optional(), let center = r.optional(), let keys = r.strings(),
                let policyArn = r.optional(), let policyName = r.optional(), let group = r.optional(),
                let trail = r.optional(), let hasCreated = r.flag()
            else { return nil }
            (t.userName, t.roleName, t.identityCenterUserId, t.accessKeyIds) = (user, role, center, keys)
            (t.policyArn, t.policyName, t.groupName, t.trailName) = (policyArn, policyName, group, trail)
            if hasCreated {
                guard let n = r.count() else { return nil }
                var created: [Finding.CreatedKey] = []
                created.reserveCapacity(n)
                for _ in 0..<n {
                    guard let user = r.string(), let key = r.string() else { return nil }
                    created.append(Finding.CreatedKey(userName: user, accessKeyId: key))
                }
                t.createdKeys = created
            }
            guard let hasResources = r.flag() else { return nil }
            if hasResources {
                guard let n = r.count() else { return nil }
                var resources: [String: [String]] = [:]
                for _ in 0..<n {
                    guard let name = r.string(), let values = r.strings() else { return nil }
                    resources[name] = values
                }
                t.resources = resources
            }
            b.target = t
        }
        guard let evidenceCount = r.count() else { return nil }
        b.evidence.reserveCapacity(evidenceCount)
        for _ in 0..<evidenceCount {
            guard let e = r.evidence() else { return nil }
            b.evidence.append(e)
        }
        guard let hasState = r.flag() else { return nil }
        if hasState {
            guard let kind = r.string(), let key = r.optional(), let openedByRule = r.optional() else { return nil }
            var s = Finding.State(kind: kind, key: key, openedByRule: openedByRule)
            guard let hasOpened = r.flag() else { return nil }
            if hasOpened {
                guard let e = r.evidence() else { return nil }
                s.opened = e
            }
            guard let hasOpener = r.flag() else { return nil }
            if hasOpener {
                guard let a = r.actor() else { return nil }
                s.openedBy = a
            }
            guard let hasClosed = r.flag() else { return nil }
            if hasClosed {
                guard let e = r.evidence() else { return nil }
                s.closed = e
            }
            guard let until = r.optional(), let measure = r.optional() else { return nil }
            (s.until, s.measure) = (until, measure)
            b.state = s
        }
        guard let hashCount = r.count() else { return nil }
        b.eventHashes.reserveCapacity(hashCount)
        for _ in 0..<hashCount {
            guard let h = r.fixed() else { return nil }
            b.eventHashes.insert(h)
        }
        guard let unidentified = r.int(), r.atEnd else { return nil }
        b.unidentified = Int(unidentified)
        return b
    }
}

extension SpillWriter {
    mutating func actor(_ a: Finding.Actor) {
        for s in [a.type, a.arn, a.userName, a.roleName, a.sessionName, a.federatedName, a.parentArn, a.identityCenterUserId] {
            optional(s)
        }
        strings(a.accessKeyIds)
        strings(a.originAccessKeyIds)
        optional(a.originUserName)
        optional(a.originAccount)
        strings(a.sourceIPAddresses)
    }

    mutating func evidence(_ e: Finding.Evidence) {
        optional(e.eventID)
        optional(e.eventTime)
        optional(e.eventSource)
        optional(e.eventName)
        optional(e.errorCode)
        string(e.file)
        int(Int64(e.recordIndex))
    }
}


extension SpillReader {
    mutating func actor() -> Finding.Actor? {
        var a = Finding.Actor()
        guard let type = optional(), let arn = optional(), let user = optional(), let role = optional(),
            let session = optional(), let federated = optional(), let parent = optional(), let center = optional(),
            let keys = strings(), let origins = strings(), let originUser = optional(), let originAccount = optional(),
            let addresses = strings()
        else { return nil }
        (a.type, a.arn, a.userName, a.roleName, a.sessionName, a.federatedName) = (type, arn, user, role, session, federated)
        (a.parentArn, a.identityCenterUserId, a.accessKeyIds, a.originAccessKeyIds) = (parent, center, keys, origins)
        (a.originUserName, a.originAccount, a.sourceIPAddresses) = (originUser, originAccount, addresses)
        return a
    }

    mutating func evidence() -> Finding.Evidence? {
        guard let id = optional(), let time = optional(), let source = optional(), let name = optional(),
            let error = optional(), let length = count(), length <= bytes.count - at
        else { return nil }
        let file: String
        let raw = UnsafeRawBufferPointer(rebasing: bytes[at..<at + length])
        if let last = lastFile, last.utf8.elementsEqual(raw) {
            file = last
            at += length
        } else {
            guard let s = text(length) else { return nil }
            file = s
            lastFile = s
        }
        guard let record = int() else { return nil }
        return Finding.Evidence(
            eventID: id, eventTime: time, eventSource: source, eventName: name, errorCode: error, file: file,
            recordIndex: Int(record))
    }
}
