import TrailReader

/// Formats events for `trailhound events`: JSON Lines (the record itself, or the chosen fields) or a compact
/// table for people. Appends to a byte buffer so the caller decides when to write.
public struct EventWriter: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, table, csv
    }

    public let format: Format
    /// Fields to project; empty for the whole record (JSON Lines) or the default columns (table).
    public let fields: [FieldPath]
    let columns: [Column]
    /// The zone of the table's `eventTime` (JSON Lines and CSV keep the record's own text).
    public let time: TableTime

    public init(format: Format, fields: [FieldPath], time: TableTime = .utc) {
        self.format = format
        self.fields = fields
        self.time = time
        columns = (fields.isEmpty ? Column.defaults : fields.map { Column(title: $0.description, path: $0, width: 0, shorten: nil) })
            .map { c in
                // A time with its offset (`+01:00`) is five characters longer than one in UTC.
                time.isUTC || c.width == 0 || c.path.description != "eventTime" ? c : Column(title: c.title, path: c.path, width: c.width + 5, shorten: c.shorten)
            }
    }

    /// The table's header line, or nothing for JSON Lines.
    public func header(into out: inout [UInt8]) {
        switch format {
        case .table: appendRow(columns.map(\.title), into: &out)
        case .csv: out += Array(CSV.row(columns.map(\.title)).utf8)
        case .jsonl: break
        }
    }

    public func write(_ event: Event, into out: inout [UInt8]) {
        switch format {
        case .jsonl:
            if fields.isEmpty {
                appendMinified(event.bytes, hasLineBreaks: event.hasLineBreaks, into: &out)
            } else {
                out.append(0x7B)
                for (k, field) in fields.enumerated() {
                    if k > 0 { out.append(0x2C) }
                    out.append(0x22)
                    JSONString.escape(field.description.utf8, into: &out)
                    out.append(contentsOf: [0x22, 0x3A])
                    if let value = event.value(at: field) {
                        appendMinified(value.bytes, hasLineBreaks: event.hasLineBreaks, into: &out)
                    } else {
                        out.append(contentsOf: "null".utf8)
                    }
                }
                out.append(0x7D)
            }
            out.append(0x0A)
        case .table:
            appendRow(tableCells(event), into: &out)
        case .csv:
            out += Array(CSV.row(columns.map { $0.text(event) }).utf8)
        }
    }

    /// A table row and the time it sorts by (events without a readable time sort last, in reading order).
    public struct TimedRow: Sendable {
        public let seconds: Int64
        public let bytes: [UInt8]
    }

    /// The event as a table row, with its time, for a table sorted once every file is read.
    public func timedRow(_ event: Event) -> TimedRow {
        var bytes: [UInt8] = []
        appendRow(tableCells(event), into: &bytes)
        return TimedRow(seconds: event.eventTime ?? .max, bytes: bytes)
    }

    /// Rows in time order; rows with the same time keep the order they were read in.
    public static func sorted(_ rows: [TimedRow]) -> [TimedRow] {
        rows.enumerated().sorted { a, b in
            a.element.seconds != b.element.seconds ? a.element.seconds < b.element.seconds : a.offset < b.offset
        }.map(\.element)
    }

    func tableCells(_ event: Event) -> [String] {
        columns.map { column in
            let text = column.text(event)
            return column.path.description == "eventTime" ? time.format(text) : text
        }
    }

    func appendRow(_ cells: [String], into out: inout [UInt8]) {
        for (k, column) in columns.enumerated() {
            let cell = TerminalText.sanitize(cells[k])
            out.append(contentsOf: cell.utf8)
            if k < columns.count - 1 {
                let pad = max(1, column.width - cell.count + 1)
                out.append(contentsOf: repeatElement(0x20, count: pad))
            }
        }
        out.append(0x0A)
    }

    /// Copies JSON text, dropping whitespace between tokens when the text has line breaks, so each record stays on
    /// one line.
    func appendMinified(_ bytes: UnsafeRawBufferPointer, hasLineBreaks: Bool, into out: inout [UInt8]) {
        let start = out.count
        defer {
            UTF8Repair.repair(&out, from: start)
            TerminalText.inertJSON(&out, from: start)
        }
        guard hasLineBreaks else {
            out.append(contentsOf: bytes)
            return
        }
        var inString = false
        var escaped = false
        for b in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if b == 0x5C {
                    escaped = true
                } else if b == 0x22 {
                    inString = false
                }
                out.append(b)
            } else if b == 0x22 {
                inString = true
                out.append(b)
            } else if b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09 {
                out.append(b)
            }
        }
    }

    struct Column: Sendable {
        let title: String
        let path: FieldPath
        let width: Int
        let shorten: (@Sendable (String) -> String)?

        func text(_ event: Event) -> String {
            guard let value = event.value(at: path) else { return "-" }
            let text = value.scalarText ?? (value.isNull ? "-" : String(decoding: value.bytes, as: UTF8.self))
            return shorten?(text) ?? text
        }

        static let defaults: [Column] = [
            Column(title: "eventTime", path: FieldPath("eventTime")!, width: 20, shorten: nil),
            Column(title: "account", path: FieldPath("recipientAccountId")!, width: 12, shorten: nil),
            Column(title: "region", path: FieldPath("awsRegion")!, width: 14, shorten: nil),
            Column(
                title: "service", path: FieldPath("eventSource")!, width: 16,
                shorten: { source in
                    source.hasSuffix(".amazonaws.com") ? String(source.dropLast(".amazonaws.com".count)) : source
                }),
            Column(title: "name", path: FieldPath("eventName")!, width: 28, shorten: nil),
            Column(
                title: "actor", path: FieldPath("userIdentity.arn")!, width: 44,
                shorten: { arn in
                    // arn:aws:iam::123456789012:user/alice → user/alice
                    let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
                    return parts.count == 6 ? String(parts[5]) : arn
                }),
            Column(title: "sourceIPAddress", path: FieldPath("sourceIPAddress")!, width: 16, shorten: nil),
            Column(title: "errorCode", path: FieldPath("errorCode")!, width: 0, shorten: nil),
        ]
    }
}
