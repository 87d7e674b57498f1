import Foundation
import TrailReader

/// One line of the exchange format between the stages of a scaled-out scan (`trailhound stage`): JSON Lines, each
/// line an object with a `kind` and the one member that kind carries. Every file starts with a `header` line naming
/// the format and its version; a reader refuses another format or a newer version.
///
/// Partial findings (`builder`) carry the file they came from and their position in its output, so the reduce can
/// merge them in the order one machine merges them (files in discovery order: the time in their names, then path).
public struct ExchangeLine: Codable, Sendable {
    public static let format = "trailhound-exchange"
    public static let version = 1

    public var kind: Kind
    public var issuance: Issuance?
    public var trigger: Trigger?
    public var signal: SignalEntry?
    public var group: Group?
    public var latest: Int64?

    // The members a stage reads by the few (headers, files, partial findings, outcomes) are kept out of line: a
    // partial finding alone is about 1 KB, and inline it made every line 1.6 KB, which the stages copied at every
    // filter and sort of their tens of thousands of issuance and trigger lines (most of `stage context`'s time).
    public var header: Header? {
        get { headerBox?.value }
        set { headerBox = newValue.map(Boxed.init) }
    }
    public var file: FileEntry? {
        get { fileBox?.value }
        set { fileBox = newValue.map(Boxed.init) }
    }
    public var builder: Partial? {
        get { builderBox?.value }
        set { builderBox = newValue.map(Boxed.init) }
    }
    public var outcome: Outcome? {
        get { outcomeBox?.value }
        set { outcomeBox = newValue.map(Boxed.init) }
    }
    private var headerBox: Boxed<Header>?
    private var fileBox: Boxed<FileEntry>?
    private var builderBox: Boxed<Partial>?
    private var outcomeBox: Boxed<Outcome>?

    /// How many members the line carries besides its kind (one, as the stages write lines), without copying any.
    var memberCount: Int {
        func one(_ present: Bool) -> Int { present ? 1 : 0 }
        return one(headerBox != nil) + one(fileBox != nil) + one(builderBox != nil) + one(outcomeBox != nil)
            + one(issuance != nil) + one(trigger != nil) + one(signal != nil) + one(group != nil) + one(latest != nil)
    }

    /// An immutable value on the heap (a new one is made when the member is set).
    final class Boxed<Value: Sendable>: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    enum CodingKeys: String, CodingKey {
        case kind, header, file, builder, issuance, trigger, signal, group, outcome, latest
    }

    // What the synthesized conformance did (members in declaration order, absent ones omitted), written out because
    // four members are stored out of line.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        header = try c.decodeIfPresent(Header.self, forKey: .header)
        file = try c.decodeIfPresent(FileEntry.self, forKey: .file)
        builder = try c.decodeIfPresent(Partial.self, forKey: .builder)
        issuance = try c.decodeIfPresent(Issuance.self, forKey: .issuance)
        trigger = try c.decodeIfPresent(Trigger.self, forKey: .trigger)
        signal = try c.decodeIfPresent(SignalEntry.self, forKey: .signal)
        group = try c.decodeIfPresent(Group.self, forKey: .group)
        outcome = try c.decodeIfPresent(Outcome.self, forKey: .outcome)
        latest = try c.decodeIfPresent(Int64.self, forKey: .latest)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(header, forKey: .header)
        try c.encodeIfPresent(file, forKey: .file)
        try c.encodeIfPresent(builder, forKey: .builder)
        try c.encodeIfPresent(issuance, forKey: .issuance)
        try c.encodeIfPresent(trigger, forKey: .trigger)
        try c.encodeIfPresent(signal, forKey: .signal)
        try c.encodeIfPresent(group, forKey: .group)
        try c.encodeIfPresent(outcome, forKey: .outcome)
        try c.encodeIfPresent(latest, forKey: .latest)
    }

    public enum Kind: String, Codable, Sendable {
        case header, file, builder, issuance, trigger, signal, group, outcome, latest
    }

    public struct Header: Codable, Sendable {
        public var format: String
        public var version: Int
        /// `map-global`, `map-local`, `signals`, `outcomes`, `context`, `partials`.
        public var stage: String
    }

    /// A file read by the first stage: its report and the fingerprint of the keys its events would join windows with.
    public struct FileEntry: Codable, Sendable {
        public var path: String
        public var status: String
        public var records: Int
        public var delivered: Int
        public var rejected: Int
        public var problems: [String]
        /// `FileKeys.bytes` in base64; absent when the file gave no key (the second pass never reads it).
        public var keys: String?
        public var minTime: Int64?
        public var maxTime: Int64?
    }

    /// A partial finding. `phase`: 0 per-event rules (first pass), 1 absence rules, 2 correlation evidence, 3 second
    /// pass. `file` is the file it came from (none for phase 1), `seq` its position in that file's output.
    public struct Partial: Codable, Sendable {
        public var phase: Int
        public var file: String?
        public var seq: Int
        public var record: FindingRecord
    }

    public struct Issuance: Codable, Sendable {
        public var file: String
        public var seq: Int
        public var api: String
        public var account: String
        public var childKey: String
        public var parentKey: String?
        public var parentPrincipal: String
        public var childPrincipal: String?
        public var issuedAt: Int64
        public var expiresAt: Int64
        public var eventID: String?
    }

    public struct Trigger: Codable, Sendable {
        public var seq: Int
        public var ruleId: String
        /// The event's JSON text in base64.
        public var json: String
        public var file: String
        public var index: Int
        public var time: Int64
        public var eventID: String
    }

    public struct SignalEntry: Codable, Sendable {
        public var seq: Int
        public var correlationId: String
        public var baseId: String
        public var group: UInt64
        public var value: UInt64
        public var time: Int64
        public var event: UInt64
        public var file: String
        public var record: Int
    }

    public struct Group: Codable, Sendable {
        public var group: UInt64
        public var values: [String]
    }

    /// A correlation group that reached its condition: its evidence as files and record indexes, and its count and
    /// time span over every match.
    public struct Outcome: Codable, Sendable {
        public var id: String
        public var ruleId: String
        public var group: [String]
        public var measure: String
        public var evidence: [EvidenceRef]
        public var count: Int
        public var first: Int64
        public var last: Int64
    }

    public struct EvidenceRef: Codable, Sendable {
        public var file: String
        public var record: Int
    }

    public init(kind: Kind) { self.kind = kind }

    public static func header(_ stage: String) -> ExchangeLine {
        var l = ExchangeLine(kind: .header)
        l.header = Header(format: format, version: version, stage: stage)
        return l
    }
}

/// Reading and writing exchange files.
public enum Exchange {
    public struct FormatError: Error, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let message: String
        public var description: String { "\(path):\(line): \(message)" }
    }

    /// Encodes lines as JSON Lines, a header first.
    public static func encode(_ lines: [ExchangeLine], stage: String) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out: [UInt8] = []
        out += try encoder.encode(ExchangeLine.header(stage))
        out.append(0x0A)
        for l in lines {
            if !FastWrite.line(l, into: &out) { out += try encoder.encode(l) }
            out.append(0x0A)
        }
        return Data(out)
    }

    /// Decodes an exchange file: its first line must be a header of this format at a version this trailhound reads
    /// (`stages`: the stages accepted). A bad line is an error naming the file and line.
    public static func decode(_ data: Data, path: String, stages: Set<String>) throws -> [ExchangeLine] {
        let decoder = JSONDecoder()
        var lines: [ExchangeLine] = []
        var n = 0
        // Lines found with memchr over the bytes (Data's generic split was a tenth of a second-pass task, whose context
        // is tens of megabytes); empty lines are skipped, as split skipped them.
        let raws: [Range<Int>] = data.withUnsafeBytes { b in
            var ranges: [Range<Int>] = []
            var start = 0
            while start < b.count {
                let end = memchr(b.baseAddress! + start, 0x0A, b.count - start)
                    .map { b.baseAddress!.distance(to: UnsafeRawPointer($0)) } ?? b.count
                if end > start { ranges.append(start..<end) }
                start = end + 1
            }
            return ranges
        }
        for range in raws {
            n += 1
            let line: ExchangeLine
            let fast = n > 1
                ? data.withUnsafeBytes { b -> ExchangeLine? in
                    let raw = UnsafeRawBufferPointer(rebasing: b[range])
                    return ExactLine.read(raw) ?? FastLine.read(raw)
                } : nil
            if let fast {
                line = fast
            } else {
                let raw = data.withUnsafeBytes { Data($0[range]) }
                do { line = try decoder.decode(ExchangeLine.self, from: raw) } catch {
                    throw FormatError(path: path, line: n, message: "not an exchange line (\(error))")
                }
            }
            if n == 1 {
                guard line.kind == .header, let h = line.header, h.format == ExchangeLine.format else {
                    throw FormatError(path: path, line: 1, message: "not a \(ExchangeLine.format) file (no header)")
                }
                guard h.version <= ExchangeLine.version else {
                    throw FormatError(
                        path: path, line: 1, message: "exchange version \(h.version) is newer than this trailhound's (\(ExchangeLine.version))")
                }
                guard stages.contains(h.stage) else {
                    throw FormatError(
                        path: path, line: 1, message: "a '\(h.stage)' file where \(stages.sorted().joined(separator: " or ")) was expected")
                }
                continue
            }
            lines.append(line)
        }
        if n == 0 { throw FormatError(path: path, line: 0, message: "empty exchange file (no header)") }
        return lines
    }
}

/// Issuance, trigger, signal and group lines, read with the reader's own JSON scanner instead of `JSONDecoder`.
///
/// Written by hand because a context is mostly issuance and trigger lines, by the ten thousand, and every second-pass
/// and reduce task reads the whole context (`JSONDecoder` was most of such a task's time); a correlate task reads
/// nothing but signal and group lines. A line is read here only when the
/// result is certainly what `JSONDecoder` gives: valid UTF-8 without a backslash or control character (so no string
/// has an escape), one
/// object with `kind` and its one member, each known member once, strings as strings, integers as plain integers.
/// Anything else (another kind, an escape, a member twice or of another type, a number with a fraction, exponent or
/// leading zero, a missing member) returns nil, and `JSONDecoder` reads the line, or names what is wrong with it.
enum FastLine {
    static func read(_ raw: Data.SubSequence) -> ExchangeLine? {
        raw.withUnsafeBytes { read($0) }
    }

    static func read(_ raw: UnsafeRawBufferPointer) -> ExchangeLine? {
        // As `Exchange.encode` writes them (keys sorted): other kinds (the partial findings of a reduce's input, by the
        // thousand) go straight to JSONDecoder instead of being scanned twice.
        guard raw.starts(with: issuancePrefix) || raw.starts(with: triggerPrefix) || raw.starts(with: signalPrefix)
            || raw.starts(with: groupPrefix)
        else { return nil }
        let bytes = Array(raw)
        // No escape and no control character (which JSON does not allow raw in a string), valid UTF-8.
        let plain = bytes.withUnsafeBufferPointer { b in
            for c in b where c == 0x5C || c < 0x20 { return false }
            return true
        }
        guard plain, String(validating: bytes, as: UTF8.self) != nil else { return nil }
        return EventParser.withEvent(bytes) { event -> ExchangeLine? in
            // The object is the whole line (the scanner stops at its end: anything after it is JSONDecoder's to refuse).
            guard event.bytes.count == raw.count else { return nil }
            let top = JSONValue(bytes: event.bytes)
            var kind: String?
            var payload: JSONValue?
            var payloadKey: String?
            var others = 0
            var ok = true
            top.forEachMember { key, value in
                let name = String(decoding: key, as: UTF8.self)
                if name == "kind" {
                    if kind != nil { ok = false }
                    kind = value.kind == .string ? value.string : nil
                } else if name == "issuance" || name == "trigger" || name == "signal" || name == "group" {
                    if payload != nil { ok = false }
                    payload = value
                    payloadKey = name
                } else {
                    others += 1
                }
                return ok
            }
            guard ok, others == 0, let kind, let payload, payloadKey == kind, payload.kind == .object,
                let fields = Fields(payload)
            else { return nil }
            switch kind {
            case "issuance":
                guard let file = fields.string("file"), let seq = fields.int("seq"), let api = fields.string("api"),
                    let account = fields.string("account"), let childKey = fields.string("childKey"),
                    let parentKey = fields.optionalString("parentKey"),
                    let parentPrincipal = fields.string("parentPrincipal"),
                    let childPrincipal = fields.optionalString("childPrincipal"), let issuedAt = fields.int("issuedAt"),
                    let expiresAt = fields.int("expiresAt"), let eventID = fields.optionalString("eventID")
                else { return nil }
                var line = ExchangeLine(kind: .issuance)
                line.issuance = ExchangeLine.Issuance(
                    file: file, seq: Int(seq), api: api, account: account, childKey: childKey, parentKey: parentKey,
                    parentPrincipal: parentPrincipal, childPrincipal: childPrincipal, issuedAt: issuedAt,
                    expiresAt: expiresAt, eventID: eventID)
                return line
            case "trigger":
                guard let seq = fields.int("seq"), let ruleId = fields.string("ruleId"), let json = fields.string("json"),
                    let file = fields.string("file"), let index = fields.int("index"), let time = fields.int("time"),
                    let eventID = fields.string("eventID")
                else { return nil }
                var line = ExchangeLine(kind: .trigger)
                line.trigger = ExchangeLine.Trigger(
                    seq: Int(seq), ruleId: ruleId, json: json, file: file, index: Int(index), time: time, eventID: eventID)
                return line
            case "signal":
                guard let seq = fields.int("seq"), let correlationId = fields.string("correlationId"),
                    let baseId = fields.string("baseId"), let group = fields.uint("group"), let value = fields.uint("value"),
                    let time = fields.int("time"), let ev = fields.uint("event"), let file = fields.string("file"),
                    let record = fields.int("record")
                else { return nil }
                var line = ExchangeLine(kind: .signal)
                line.signal = ExchangeLine.SignalEntry(
                    seq: Int(seq), correlationId: correlationId, baseId: baseId, group: group, value: value, time: time,
                    event: ev, file: file, record: Int(record))
                return line
            default:
                guard let group = fields.uint("group"), let array = fields.values.first(where: { $0.name == "values" })?.value,
                    array.kind == .array
                else { return nil }
                var values: [String] = []
                var strings = true
                array.forEachElement { v in
                    if v.kind == .string, let s = v.string { values.append(s) } else { strings = false }
                    return strings
                }
                guard strings else { return nil }
                var line = ExchangeLine(kind: .group)
                line.group = ExchangeLine.Group(group: group, values: values)
                return line
            }
        } ?? nil
    }

    static let issuancePrefix = Array(#"{"issuance":{"#.utf8)
    static let triggerPrefix = Array(#"{"kind":"trigger","trigger":{"#.utf8)
    static let signalPrefix = Array(#"{"kind":"signal","signal":{"#.utf8)
    static let groupPrefix = Array(#"{"group":{"#.utf8)

    /// An object's members by name (a dozen at most: a list, not a table); nil when one is there twice.
    struct Fields {
        var values: [(name: String, value: JSONValue)] = []

        init?(_ object: JSONValue) {
            var twice = false
            var values: [(name: String, value: JSONValue)] = []
            values.reserveCapacity(12)
            object.forEachMember { key, value in
                let name = String(decoding: key, as: UTF8.self)
                if values.contains(where: { $0.name == name }) { twice = true }
                values.append((name, value))
                return !twice
            }
            guard !twice else { return nil }
            self.values = values
        }

        subscript(_ name: String) -> JSONValue? { values.first { $0.name == name }?.value }

        func string(_ name: String) -> String? {
            guard let v = self[name], v.kind == .string else { return nil }
            return v.string
        }

        /// Absent or null: nil inside (`.some(nil)`); a string: it; another type: nil (not read here).
        func optionalString(_ name: String) -> String?? {
            guard let v = self[name], !v.isNull else { return .some(nil) }
            return v.kind == .string ? .some(v.string) : nil
        }

        /// A plain integer (as `ExactLine` reads one: no leading zero, no "-0", no fraction or exponent), else nil.
        func int(_ name: String) -> Int64? {
            guard let v = self[name], v.kind == .number else { return nil }
            var c = ExactLine.Cursor(bytes: v.bytes)
            guard let n = c.signed(), c.at == v.bytes.count else { return nil }
            return n
        }

        /// A plain unsigned integer that fits in 64 bits (no sign, leading zero, fraction or exponent), else nil.
        func uint(_ name: String) -> UInt64? {
            guard let v = self[name], v.kind == .number else { return nil }
            var c = ExactLine.Cursor(bytes: v.bytes)
            guard let n = c.unsigned(), c.at == v.bytes.count else { return nil }
            return n
        }
    }
}

/// Issuance, trigger, signal, group and latest lines written by hand, byte for byte what `JSONEncoder` (keys sorted,
/// slashes not escaped) writes for them.
///
/// Written by hand because a map task writes these lines by the ten thousand (every role assumption is an issuance,
/// every correlation match a signal) and `JSONEncoder` was a quarter of its time. A line is written here only when
/// every string in it is printable ASCII without a quote or backslash, which `JSONEncoder` copies as it is; any other
/// line (and every other kind) is left to `JSONEncoder`. `linesWrittenByHandAreWhatJSONEncoderWrites` compares the two.
enum FastWrite {
    /// Appends `line`'s JSON (no newline) and returns true, or leaves `out` as it was and returns false.
    static func line(_ line: ExchangeLine, into out: inout [UInt8]) -> Bool {
        // The kind's own member and no other (what `ExchangeLine`'s encoding would add is not written here).
        guard line.memberCount == 1 else { return false }
        let mark = out.count
        var w = Writer(out: out)
        out = []
        let ok: Bool
        switch line.kind {
        case .issuance: ok = line.issuance.map { w.issuance($0) } ?? false
        case .trigger: ok = line.trigger.map { w.trigger($0) } ?? false
        case .signal: ok = line.signal.map { w.signal($0) } ?? false
        case .group: ok = line.group.map { w.group($0) } ?? false
        case .latest: ok = line.latest.map { w.latest($0) } ?? false
        default: ok = false
        }
        out = w.out
        if !ok { out.removeSubrange(mark...) }
        return ok
    }

    struct Writer {
        var out: [UInt8]
        /// Stays true while every string written was one `JSONEncoder` copies unchanged.
        var plain = true

        mutating func raw(_ s: StaticString) {
            s.withUTF8Buffer { out.append(contentsOf: $0) }
        }

        mutating func string(_ s: String) {
            out.append(0x22)
            var s = s
            s.withUTF8 { b in
                for c in b where c < 0x20 || c > 0x7E || c == 0x22 || c == 0x5C { plain = false }
                out.append(contentsOf: b)
            }
            out.append(0x22)
        }

        mutating func number<I: BinaryInteger>(_ n: I) {
            out.append(contentsOf: String(n).utf8)
        }

        /// `,"key":` (without the comma when `first`).
        mutating func key(_ k: StaticString, first: Bool = false) {
            if !first { out.append(0x2C) }
            out.append(0x22)
            raw(k)
            raw("\":")
        }

        mutating func issuance(_ i: ExchangeLine.Issuance) -> Bool {
            raw("{\"issuance\":{")
            key("account", first: true); string(i.account)
            key("api"); string(i.api)
            key("childKey"); string(i.childKey)
            if let p = i.childPrincipal { key("childPrincipal"); string(p) }
            if let e = i.eventID { key("eventID"); string(e) }
            key("expiresAt"); number(i.expiresAt)
            key("file"); string(i.file)
            key("issuedAt"); number(i.issuedAt)
            if let p = i.parentKey { key("parentKey"); string(p) }
            key("parentPrincipal"); string(i.parentPrincipal)
            key("seq"); number(i.seq)
            raw("},\"kind\":\"issuance\"}")
            return plain
        }

        mutating func trigger(_ t: ExchangeLine.Trigger) -> Bool {
            raw("{\"kind\":\"trigger\",\"trigger\":{")
            key("eventID", first: true); string(t.eventID)
            key("file"); string(t.file)
            key("index"); number(t.index)
            key("json"); string(t.json)
            key("ruleId"); string(t.ruleId)
            key("seq"); number(t.seq)
            key("time"); number(t.time)
            raw("}}")
            return plain
        }

        mutating func signal(_ s: ExchangeLine.SignalEntry) -> Bool {
            raw("{\"kind\":\"signal\",\"signal\":{")
            key("baseId", first: true); string(s.baseId)
            key("correlationId"); string(s.correlationId)
            key("event"); number(s.event)
            key("file"); string(s.file)
            key("group"); number(s.group)
            key("record"); number(s.record)
            key("seq"); number(s.seq)
            key("time"); number(s.time)
            key("value"); number(s.value)
            raw("}}")
            return plain
        }

        mutating func group(_ g: ExchangeLine.Group) -> Bool {
            raw("{\"group\":{\"group\":")
            number(g.group)
            raw(",\"values\":[")
            for (n, v) in g.values.enumerated() {
                if n > 0 { out.append(0x2C) }
                string(v)
            }
            raw("]},\"kind\":\"group\"}")
            return plain
        }

        mutating func latest(_ t: Int64) -> Bool {
            raw("{\"kind\":\"latest\",\"latest\":")
            number(t)
            raw("}")
            return true
        }
    }
}

/// Lines exactly as `FastWrite` writes them (members in its order, strings of printable ASCII without a quote or
/// backslash, plain integers), read back by a strict parser of that one shape.
///
/// Written by hand because every second-pass and reduce task reads the whole context, tens of thousands of issuance
/// lines, and the general reader (`FastLine`: the record scanner, UTF-8 validation, a member list per line) was most
/// of such a task's time. Anything else, a member added, moved or missing, a space, an escape, a character beyond
/// ASCII, a number with a sign, leading zero, fraction or exponent, or one too big, returns nil and the general readers
/// take the line; what is read here is what `JSONDecoder` gives (`ExchangeFastLineTests` checks both on mutated lines).
enum ExactLine {
    static func read(_ raw: UnsafeRawBufferPointer) -> ExchangeLine? {
        var c = Cursor(bytes: raw)
        let line: ExchangeLine?
        switch raw.first == 0x7B && raw.count > 2 ? raw[2] : 0 {
        case UInt8(ascii: "i"): line = c.issuance()
        case UInt8(ascii: "k"): line = c.trigger() ?? { c.at = 0; return c.signal() }()
        case UInt8(ascii: "g"): line = c.group()
        default: line = nil
        }
        return c.at == raw.count ? line : nil
    }

    struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        /// Steps over `literal` when the bytes at the cursor are it.
        mutating func take(_ literal: StaticString) -> Bool {
            let n = literal.utf8CodeUnitCount
            guard at + n <= bytes.count else { return false }
            let same = literal.withUTF8Buffer { l in memcmp(bytes.baseAddress! + at, l.baseAddress!, n) == 0 }
            if same { at += n }
            return same
        }

        mutating func string() -> String? {
            guard at < bytes.count, bytes[at] == 0x22 else { return nil }
            let start = at + 1
            var i = start
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x22 { break }
                guard b >= 0x20, b <= 0x7E, b != 0x5C else { return nil }
                i += 1
            }
            guard i < bytes.count else { return nil }
            at = i + 1
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        }

        /// Digits: no sign, no leading zero (but "0" itself), within `UInt64`.
        mutating func unsigned() -> UInt64? {
            let start = at
            var n: UInt64 = 0
            while at < bytes.count, bytes[at] >= 0x30, bytes[at] <= 0x39 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(bytes[at] - 0x30))
                guard !o1, !o2 else { return nil }
                n = a
                at += 1
            }
            guard at > start, bytes[start] != 0x30 || at == start + 1 else { return nil }
            // A fraction or exponent follows: not a plain integer.
            if at < bytes.count, bytes[at] == 0x2E || bytes[at] == 0x65 || bytes[at] == 0x45 { return nil }
            return n
        }

        /// An optional minus (not "-0"), then `unsigned`, within `Int64`.
        mutating func signed() -> Int64? {
            let negative = at < bytes.count && bytes[at] == 0x2D
            if negative { at += 1 }
            guard let u = unsigned() else { return nil }
            if negative {
                guard u != 0, u <= UInt64(Int64.max) + 1 else { return nil }
                return u == UInt64(Int64.max) + 1 ? .min : -Int64(u)
            }
            return u <= UInt64(Int64.max) ? Int64(u) : nil
        }

        mutating func int() -> Int? { signed().flatMap { Int(exactly: $0) } }

        mutating func issuance() -> ExchangeLine? {
            guard take(#"{"issuance":{"account":"#), let account = string(),
                take(#","api":"#), let api = string(),
                take(#","childKey":"#), let childKey = string()
            else { return nil }
            var childPrincipal: String?
            if take(#","childPrincipal":"#) { guard let s = string() else { return nil }; childPrincipal = s }
            var eventID: String?
            if take(#","eventID":"#) { guard let s = string() else { return nil }; eventID = s }
            guard take(#","expiresAt":"#), let expiresAt = signed(),
                take(#","file":"#), let file = string(),
                take(#","issuedAt":"#), let issuedAt = signed()
            else { return nil }
            var parentKey: String?
            if take(#","parentKey":"#) { guard let s = string() else { return nil }; parentKey = s }
            guard take(#","parentPrincipal":"#), let parentPrincipal = string(),
                take(#","seq":"#), let seq = int(),
                take(#"},"kind":"issuance"}"#)
            else { return nil }
            var line = ExchangeLine(kind: .issuance)
            line.issuance = ExchangeLine.Issuance(
                file: file, seq: seq, api: api, account: account, childKey: childKey, parentKey: parentKey,
                parentPrincipal: parentPrincipal, childPrincipal: childPrincipal, issuedAt: issuedAt,
                expiresAt: expiresAt, eventID: eventID)
            return line
        }

        mutating func trigger() -> ExchangeLine? {
            guard take(#"{"kind":"trigger","trigger":{"eventID":"#), let eventID = string(),
                take(#","file":"#), let file = string(),
                take(#","index":"#), let index = int(),
                take(#","json":"#), let json = string(),
                take(#","ruleId":"#), let ruleId = string(),
                take(#","seq":"#), let seq = int(),
                take(#","time":"#), let time = signed(),
                take("}}")
            else { return nil }
            var line = ExchangeLine(kind: .trigger)
            line.trigger = ExchangeLine.Trigger(
                seq: seq, ruleId: ruleId, json: json, file: file, index: index, time: time, eventID: eventID)
            return line
        }

        mutating func signal() -> ExchangeLine? {
            guard take(#"{"kind":"signal","signal":{"baseId":"#), let baseId = string(),
                take(#","correlationId":"#), let correlationId = string(),
                take(#","event":"#), let event = unsigned(),
                take(#","file":"#), let file = string(),
                take(#","group":"#), let group = unsigned(),
                take(#","record":"#), let record = int(),
                take(#","seq":"#), let seq = int(),
                take(#","time":"#), let time = signed(),
                take(#","value":"#), let value = unsigned(),
                take("}}")
            else { return nil }
            var line = ExchangeLine(kind: .signal)
            line.signal = ExchangeLine.SignalEntry(
                seq: seq, correlationId: correlationId, baseId: baseId, group: group, value: value, time: time,
                event: event, file: file, record: record)
            return line
        }

        mutating func group() -> ExchangeLine? {
            guard take(#"{"group":{"group":"#), let group = unsigned(), take(#","values":["#) else { return nil }
            var values: [String] = []
            if !take("]") {
                repeat {
                    guard let s = string() else { return nil }
                    values.append(s)
                } while take(",")
                guard take("]") else { return nil }
            }
            guard take(#"},"kind":"group"}"#) else { return nil }
            var line = ExchangeLine(kind: .group)
            line.group = ExchangeLine.Group(group: group, values: values)
            return line
        }
    }
}
