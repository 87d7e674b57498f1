import TrailDetect

/// A finding as one line of JSON, written by hand: the bytes Foundation's `JSONEncoder` makes of a `VersionedFinding`
/// with `.sortedKeys` and `.withoutEscapingSlashes` (a test compares the two on the demo and Invictus findings and on hostile strings).
///
/// Why by hand: the encoder boxes every value into a tree of enums and dictionaries, sorts each object's keys at run
/// time and retains and releases all of it; on a mix with thousands of findings that was a fifth of a scan's CPU.
/// Here each type writes its members in a fixed order (already sorted, byte order, as the encoder sorts ASCII keys),
/// leaves out `nil` optionals (as synthesized `Codable` does) and escapes strings as the encoder does: `"` and `\`,
/// the controls with a short form (`\b \t \n \f \r`) and the other controls as `\u00XX` (lowercase hex).
/// A member added to `Finding` must be added here too (the test over real findings fails until it is).
enum FindingJSON {
    static func line(_ f: Finding, into w: inout JSONBuilder) {
        w.open()
        if let v = f.account { w.member("account", v) }
        w.key("actor")
        actor(f.actor, &w)
        w.key("containment")
        w.open(array: true)
        for c in f.containment { w.element(); containment(c, &w) }
        w.close(array: true)
        w.member("count", f.count)
        if let list = f.credentials {
            w.key("credentials")
            w.open(array: true)
            for c in list { w.element(); credential(c, &w) }
            w.close(array: true)
        }
        w.key("evidence")
        w.open(array: true)
        for e in f.evidence { w.element(); evidence(e, &w) }
        w.close(array: true)
        w.member("evidenceNotListed", f.evidenceNotListed)
        w.member("firstSeen", f.firstSeen)
        w.member("id", f.id)
        w.member("lastSeen", f.lastSeen)
        w.member("regions", f.regions)
        w.key("rule")
        rule(f.rule, &w)
        w.member("schemaVersion", FindingSchema.version)
        if let s = f.state { w.key("state"); state(s, &w) }
        if let t = f.target { w.key("target"); target(t, &w) }
        w.member("title", f.title)
        w.close()
    }

    static func rule(_ r: Finding.Rule, _ w: inout JSONBuilder) {
        w.open()
        w.member("file", r.file)
        w.member("id", r.id)
        w.member("level", r.level)
        w.member("tactics", r.tactics)
        w.member("techniques", r.techniques)
        w.member("title", r.title)
        w.close()
    }

    static func actor(_ a: Finding.Actor, _ w: inout JSONBuilder) {
        w.open()
        w.member("accessKeyIds", a.accessKeyIds)
        if let v = a.arn { w.member("arn", v) }
        if let v = a.federatedName { w.member("federatedName", v) }
        if let v = a.identityCenterUserId { w.member("identityCenterUserId", v) }
        w.member("originAccessKeyIds", a.originAccessKeyIds)
        if let v = a.originAccount { w.member("originAccount", v) }
        if let v = a.originUserName { w.member("originUserName", v) }
        if let v = a.parentArn { w.member("parentArn", v) }
        if let v = a.roleName { w.member("roleName", v) }
        if let v = a.sessionName { w.member("sessionName", v) }
        w.member("sourceIPAddresses", a.sourceIPAddresses)
        if let v = a.type { w.member("type", v) }
        if let v = a.userName { w.member("userName", v) }
        w.close()
    }

    static func target(_ t: Finding.Target, _ w: inout JSONBuilder) {
        w.open()
        w.member("accessKeyIds", t.accessKeyIds)
        if let keys = t.createdKeys {
            w.key("createdKeys")
            w.open(array: true)
            for k in keys {
                w.element()
                w.open()
                w.member("accessKeyId", k.accessKeyId)
                w.member("userName", k.userName)
                w.close()
            }
            w.close(array: true)
        }
        if let v = t.groupName { w.member("groupName", v) }
        if let v = t.identityCenterUserId { w.member("identityCenterUserId", v) }
        if let v = t.policyArn { w.member("policyArn", v) }
        if let v = t.policyName { w.member("policyName", v) }
        if let resources = t.resources {
            w.key("resources")
            w.open()
            for name in resources.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                w.member(name, resources[name]!)
            }
            w.close()
        }
        if let v = t.roleName { w.member("roleName", v) }
        if let v = t.trailName { w.member("trailName", v) }
        if let v = t.userName { w.member("userName", v) }
        w.close()
    }

    static func evidence(_ e: Finding.Evidence, _ w: inout JSONBuilder) {
        w.open()
        if let v = e.errorCode { w.member("errorCode", v) }
        if let v = e.eventID { w.member("eventID", v) }
        if let v = e.eventName { w.member("eventName", v) }
        if let v = e.eventSource { w.member("eventSource", v) }
        if let v = e.eventTime { w.member("eventTime", v) }
        w.member("file", e.file)
        w.member("recordIndex", e.recordIndex)
        w.close()
    }

    static func state(_ s: Finding.State, _ w: inout JSONBuilder) {
        w.open()
        if let v = s.closed { w.key("closed"); evidence(v, &w) }
        if let v = s.key { w.member("key", v) }
        w.member("kind", s.kind)
        if let v = s.measure { w.member("measure", v) }
        if let v = s.opened { w.key("opened"); evidence(v, &w) }
        if let v = s.openedBy { w.key("openedBy"); actor(v, &w) }
        if let v = s.openedByRule { w.member("openedByRule", v) }
        if let v = s.until { w.member("until", v) }
        w.close()
    }

    static func credential(_ c: Finding.Credential, _ w: inout JSONBuilder) {
        w.open()
        w.member("accessKeyId", c.accessKeyId)
        if let v = c.eventID { w.member("eventID", v) }
        if let v = c.expiresAt { w.member("expiresAt", v) }
        if let v = c.issuedAt { w.member("issuedAt", v) }
        w.member("kind", c.kind)
        if let v = c.mintedBy { w.member("mintedBy", v) }
        if let v = c.parentAccessKeyId { w.member("parentAccessKeyId", v) }
        if let v = c.principal { w.member("principal", v) }
        w.close()
    }

    static func containment(_ c: RenderedContainment, _ w: inout JSONBuilder) {
        w.open()
        w.member("id", c.id)
        w.member("references", c.references)
        w.key("steps")
        w.open(array: true)
        for step in c.steps {
            w.element()
            w.open()
            w.member("commands", step.commands)
            if let d = step.document {
                w.key("document")
                w.open()
                w.member("content", d.content)
                w.member("file", d.file)
                w.close()
            }
            w.member("title", step.title)
            if let v = step.why { w.member("why", v) }
            w.close()
        }
        w.close(array: true)
        if let v = c.subject { w.member("subject", v) }
        w.member("title", c.title)
        w.member("why", c.why)
        w.close()
    }
}

/// JSON text built in one byte array: a comma goes before a member or element unless it is its container's first
/// (the byte before is then the opening bracket).
struct JSONBuilder {
    var out: [UInt8] = []

    mutating func open(array: Bool = false) { out.append(array ? 0x5B : 0x7B) }
    mutating func close(array: Bool = false) { out.append(array ? 0x5D : 0x7D) }

    /// Before an array element.
    mutating func element() {
        if let last = out.last, last != 0x5B { out.append(0x2C) }
    }

    mutating func key(_ name: StaticString) {
        key(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    mutating func key(_ name: UnsafeRawBufferPointer) {
        if let last = out.last, last != 0x7B { out.append(0x2C) }
        JSONText.string(name, into: &out)
        out.append(0x3A)
    }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { JSONText.string(UnsafeRawBufferPointer($0), into: &out) }
    }

    mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    mutating func member(_ name: StaticString, _ value: Int) {
        key(name)
        out.append(contentsOf: String(value).utf8)
    }

    mutating func member(_ name: StaticString, _ list: [String]) {
        key(name)
        strings(list)
    }

    mutating func member(_ name: String, _ list: [String]) {
        var name = name
        name.withUTF8 { key(UnsafeRawBufferPointer($0)) }
        strings(list)
    }

    mutating func strings(_ list: [String]) {
        open(array: true)
        for s in list {
            element()
            string(s)
        }
        close(array: true)
    }
}

enum JSONText {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// `s` (valid UTF-8) as a JSON string, escaped as `JSONEncoder` escapes it without escaping slashes.
    static func string(_ s: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.append(0x22)
        let n = s.count
        var run = 0  // start of the bytes not yet copied
        var i = 0
        while i < n {
            // Eight bytes at a time while none needs an escape (the common case: ids, ARNs, times, commands).
            if i + 8 <= n, !needsEscape(s.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            let c = s[i]
            guard c < 0x20 || c == 0x22 || c == 0x5C else {
                i += 1
                continue
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[run..<i]))
            i += 1
            run = i
            switch c {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, 0x62]
            case 0x09: out += [0x5C, 0x74]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0C: out += [0x5C, 0x66]
            case 0x0D: out += [0x5C, 0x72]
            default: out += [0x5C, 0x75, 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]]
            }
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[run..<n]))
        out.append(0x22)
    }

    /// Whether any of the eight bytes is a control (below 0x20), `"` or `\`.
    @inline(__always)
    static func needsEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let control = (w &- ones &* 0x20) & ~w
        let q = w ^ (ones &* 0x22)
        let b = w ^ (ones &* 0x5C)
        return (control | ((q &- ones) & ~q) | ((b &- ones) & ~b)) & high != 0
    }
}
