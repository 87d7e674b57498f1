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
            do { line = try decoder.decode(ExchangeLine.self, from: Data(raw)) } catch {
                throw FormatError(path: path, line: n, message: "not an exchange line (\(error))")
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
