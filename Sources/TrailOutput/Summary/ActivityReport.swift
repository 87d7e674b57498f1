import Foundation
import TrailReader

/// An `ActivitySummary` for people (a table) or programs (one JSON document), its top `n` of each table.
public struct ActivityReport: Sendable {
    public let summary: ActivitySummary
    public let top: Int

    public init(_ summary: ActivitySummary, top: Int) {
        self.summary = summary
        self.top = top
    }

    // MARK: JSON

    struct Counted: Encodable {
        let value: String
        let count: Int
        /// How much of `count` may belong to other values (present only once the table overflowed).
        let maxOvercount: Int?
    }

    struct Table: Encodable {
        /// Distinct values tracked, and whether every count is exact (the table never overflowed).
        let tracked: Int
        let exact: Bool
        let top: [Counted]
    }

    struct Identity: Encodable {
        let identity: String
        let events: Int
        let maxOvercount: Int?
        let errors: Int
        let firstSeen: String?
        let lastSeen: String?
        let accessKeyIds: Distinct
        let sourceIPAddresses: Distinct
        let regions: Distinct
        let userAgents: Distinct
    }

    struct Distinct: Encodable {
        let values: [String]
        /// True when more values were seen than are listed (past the per-identity cap).
        let more: Bool
    }

    struct Document: Encodable {
        let events: Int
        let errors: Int
        let firstSeen: String?
        let lastSeen: String?
        let identities: IdentityTable
        let accessKeys: Table
        let sourceIPAddresses: Table
        let regions: Table
        let userAgents: Table
        let eventNames: Table
        let errorCodes: Table
    }

    struct IdentityTable: Encodable {
        let tracked: Int
        let exact: Bool
        let top: [Identity]
    }

    static func table(_ counter: TopCounter<String, NoPayload>, _ n: Int) -> Table {
        Table(
            tracked: counter.tracked, exact: counter.isExact,
            top: counter.top(n).map { Counted(value: $0.key, count: $0.count, maxOvercount: $0.error > 0 ? $0.error : nil) })
    }

    static func distinct(_ d: DistinctValues) -> Distinct { Distinct(values: d.values.sorted(), more: d.overflowed) }

    /// The summary as one JSON document (log values inert on a terminal, as JSON escapes).
    public func json() -> [UInt8] {
        let s = summary
        let identities = s.identities.top(top).map { e in
            Identity(
                identity: e.key, events: e.count, maxOvercount: e.error > 0 ? e.error : nil, errors: e.value.errors,
                firstSeen: e.value.firstSeen.map(Timestamp.format), lastSeen: e.value.lastSeen.map(Timestamp.format),
                accessKeyIds: Self.distinct(e.value.keys), sourceIPAddresses: Self.distinct(e.value.addresses),
                regions: Self.distinct(e.value.regions), userAgents: Self.distinct(e.value.userAgents))
        }
        let document = Document(
            events: s.events, errors: s.errors, firstSeen: s.firstSeen.map(Timestamp.format),
            lastSeen: s.lastSeen.map(Timestamp.format),
            identities: IdentityTable(tracked: s.identities.tracked, exact: s.identities.isExact, top: identities),
            accessKeys: Self.table(s.accessKeys, top), sourceIPAddresses: Self.table(s.sourceAddresses, top),
            regions: Self.table(s.regions, top), userAgents: Self.table(s.userAgents, top), eventNames: Self.table(s.eventNames, top),
            errorCodes: Self.table(s.errorCodes, top))
        var bytes = Array((try? FindingWriter.encoder(pretty: true).encode(document)) ?? Data("{}".utf8)) + [0x0A]
        TerminalText.inertJSON(&bytes)
        return bytes
    }

    // MARK: Text

    /// The summary as tables for a terminal; every log value through `TerminalText.sanitize`.
    public func text(style: TerminalStyle) -> String {
        let s = summary
        func t(_ time: Int64?) -> String { time.map(Timestamp.format) ?? "-" }
        func n(_ count: Int, _ error: Int) -> String { error > 0 ? "≤\(count)" : String(count) }
        var lines: [String] = []
        let span = s.firstSeen == nil ? "" : ", \(t(s.firstSeen)) → \(t(s.lastSeen))"
        lines.append(style.bold(
            "\(s.events) events, \(s.errors) errors\(span); \(s.identities.tracked)\(s.identities.isExact ? "" : "+") identities"))

        let ids = s.identities.top(top)
        if !ids.isEmpty {
            lines.append("")
            lines.append(style.bold("Identities by events") + style.dim(" (top \(ids.count) of \(s.identities.tracked)\(s.identities.isExact ? "" : "+"))"))
            let rows = ids.map { e -> [String] in
                let a = e.value
                return [
                    n(e.count, e.error), String(a.errors), a.keys.countText, a.addresses.countText, a.regions.countText,
                    a.userAgents.countText, t(a.firstSeen), t(a.lastSeen), TerminalText.sanitize(e.key),
                ]
            }
            lines += Self.columns(
                ["EVENTS", "ERRORS", "KEYS", "IPS", "REGIONS", "AGENTS", "FIRST SEEN", "LAST SEEN", "IDENTITY"], rows,
                rightAligned: 6, style: style)
        }
        let tables: [(String, TopCounter<String, NoPayload>)] = [
            ("Access keys", s.accessKeys), ("Source IP addresses", s.sourceAddresses), ("Regions", s.regions),
            ("User agents", s.userAgents), ("Event names", s.eventNames), ("Error codes", s.errorCodes),
        ]
        for (title, counter) in tables {
            let entries = counter.top(top)
            guard !entries.isEmpty else { continue }
            lines.append("")
            lines.append(style.bold(title) + style.dim(" (top \(entries.count) of \(counter.tracked)\(counter.isExact ? "" : "+"))"))
            lines += Self.columns(
                ["EVENTS", title.uppercased()], entries.map { [n($0.count, $0.error), TerminalText.sanitize($0.key)] },
                rightAligned: 1, style: style)
        }
        if !(s.identities.isExact && tables.allSatisfy { $0.1.isExact }) {
            lines.append("")
            lines.append(style.dim(
                "≤N: a table was full, so this count may include up to its overcount of other values (--format json shows it)."))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rows under a header, columns padded to their widest cell; the first `rightAligned` columns to the right.
    static func columns(_ header: [String], _ rows: [[String]], rightAligned: Int, style: TerminalStyle) -> [String] {
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == cells.count - 1 ? cell : c < rightAligned ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        return ["  " + style.dim(line(header))] + rows.map { "  " + line($0) }
    }
}
