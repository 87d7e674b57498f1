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
    public var header: Header?
    public var file: FileEntry?
    public var builder: Partial?
    public var issuance: Issuance?
    public var trigger: Trigger?
    public var signal: SignalEntry?
    public var group: Group?
    public var outcome: Outcome?
    public var latest: Int64?

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
        var out = Data()
        for l in [ExchangeLine.header(stage)] + lines {
            out.append(try encoder.encode(l))
            out.append(0x0A)
        }
        return out
    }

    /// Decodes an exchange file: its first line must be a header of this format at a version this trailhound reads
    /// (`stages`: the stages accepted). A bad line is an error naming the file and line.
    public static func decode(_ data: Data, path: String, stages: Set<String>) throws -> [ExchangeLine] {
        let decoder = JSONDecoder()
        var lines: [ExchangeLine] = []
        var n = 0
        for raw in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
            n += 1
            let line: ExchangeLine
            if n > 1, let fast = FastLine.read(raw) {
                line = fast
            } else {
                do { line = try decoder.decode(ExchangeLine.self, from: Data(raw)) } catch {
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

/// Issuance and trigger lines, read with the reader's own JSON scanner instead of `JSONDecoder`.
///
/// Written by hand because a context is mostly these lines, by the ten thousand, and every second-pass and reduce
/// task reads the whole context: `JSONDecoder` was most of such a task's time. A line is read here only when the
/// result is certainly what `JSONDecoder` gives: valid UTF-8 without a backslash or control character (so no string
/// has an escape), one
/// object with `kind` and its one member, each known member once, strings as strings, integers as plain integers.
/// Anything else (another kind, an escape, a member twice or of another type, a number with a fraction, exponent or
/// leading zero, a missing member) returns nil, and `JSONDecoder` reads the line, or names what is wrong with it.
enum FastLine {
    static func read(_ raw: Data.SubSequence) -> ExchangeLine? {
        // As `Exchange.encode` writes them (keys sorted): other kinds (the partial findings of a reduce's input, by the
        // thousand) go straight to JSONDecoder instead of being scanned twice.
        guard raw.starts(with: issuancePrefix) || raw.starts(with: triggerPrefix) else { return nil }
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
                } else if name == "issuance" || name == "trigger" {
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
            if kind == "issuance" {
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
            }
            guard let seq = fields.int("seq"), let ruleId = fields.string("ruleId"), let json = fields.string("json"),
                let file = fields.string("file"), let index = fields.int("index"), let time = fields.int("time"),
                let eventID = fields.string("eventID")
            else { return nil }
            var line = ExchangeLine(kind: .trigger)
            line.trigger = ExchangeLine.Trigger(
                seq: Int(seq), ruleId: ruleId, json: json, file: file, index: Int(index), time: time, eventID: eventID)
            return line
        } ?? nil
    }

    static let issuancePrefix = Array(#"{"issuance":{"#.utf8)
    static let triggerPrefix = Array(#"{"kind":"trigger","trigger":{"#.utf8)

    /// An object's members by name; nil when one is there twice.
    struct Fields {
        var values: [String: JSONValue] = [:]

        init?(_ object: JSONValue) {
            var twice = false
            var values: [String: JSONValue] = [:]
            object.forEachMember { key, value in
                let name = String(decoding: key, as: UTF8.self)
                if values.updateValue(value, forKey: name) != nil { twice = true }
                return !twice
            }
            guard !twice else { return nil }
            self.values = values
        }

        func string(_ name: String) -> String? {
            guard let v = values[name], v.kind == .string else { return nil }
            return v.string
        }

        /// Absent or null: nil inside (`.some(nil)`); a string: it; another type: nil (not read here).
        func optionalString(_ name: String) -> String?? {
            guard let v = values[name], !v.isNull else { return .some(nil) }
            return v.kind == .string ? .some(v.string) : nil
        }

        func int(_ name: String) -> Int64? {
            guard let v = values[name], v.kind == .number else { return nil }
            let b = v.bytes
            let digits = b.first == 0x2D ? b.dropFirst() : b[...]
            // A leading zero is not JSON (JSONDecoder refuses it); "-0" is left to it too.
            guard let first = digits.first, first != 0x30 || (digits.count == 1 && b.first != 0x2D) else { return nil }
            return v.int64
        }
    }
}
