import TrailReader

/// An event kept in the first pass because it opens or closes a window, or is an absence rule's event or what it
/// waits for: its text, read again once lineage is complete.
struct TriggerEvent: Sendable {
    // Laid out for size (80 bytes): a busy day keeps a trigger per role assumption, hundreds of thousands a year.
    let time: Int64
    let file: String
    /// The event's text, unless it was moved to a spill file (`spillFile`).
    private(set) var json: [UInt8]
    private var spillFile: SpillFile?
    private var spillOffset: Int64 = 0
    let id: CompactEventID
    private let ruleIndex: Int32
    /// The record's index in its file (a CloudTrail file holds far fewer than 2^31 records).
    private let record: Int32
    private var spillLength: Int32 = 0

    var rule: Int { Int(ruleIndex) }
    var index: Int { Int(record) }
    /// The event id as written ("" when the event has none).
    var eventID: String { id.text }

    init(rule: Int, json: [UInt8], file: String, index: Int, time: Int64, id: CompactEventID) {
        ruleIndex = Int32(rule)
        self.json = json
        self.file = file
        record = Int32(clamping: index)
        self.time = time
        self.id = id
    }

    init(rule: Int, json: [UInt8], file: String, index: Int, time: Int64, eventID: String) {
        self.init(rule: rule, json: json, file: file, index: index, time: time, id: CompactEventID(eventID))
    }

    /// Moves the text to `spill` (it stays here when it cannot be written there).
    mutating func spill(to spill: SpillFile) {
        guard spillFile == nil, let (offset, length) = spill.append(json), let length32 = Int32(exactly: length) else { return }
        (spillFile, spillOffset, spillLength) = (spill, offset, length32)
        json = []
    }

    /// The event's text, from memory or from the spill file (nil only when the spill file cannot be read back, which
    /// is counted: the run's findings are then incomplete).
    var text: [UInt8]? {
        guard let spillFile else { return json }
        guard let bytes = spillFile.read(spillOffset, Int(spillLength)) else {
            spillFile.unreadable.add(1, ordering: .relaxed)
            return nil
        }
        return bytes
    }

    static func < (a: TriggerEvent, b: TriggerEvent) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if a.id != b.id { return a.id < b.id }
        if a.file != b.file { return a.file < b.file }
        if a.index != b.index { return a.index < b.index }
        return a.rule < b.rule
    }
}

extension TriggerEvent {
    /// Appends this trigger, all but its text (which must be in a spill file already), to `w`; false, writing
    /// nothing, when its text is still in memory. `fileIndex` is its file's position in the scan's files, nil when it
    /// is none of them (its path is written then).
    func encodeRecord(into w: inout SpillWriter, fileIndex: Int?) -> Bool {
        guard spillFile != nil else { return false }
        w.int(time)
        w.uint(UInt64(UInt32(bitPattern: ruleIndex)))
        w.int(Int64(record))
        if let fileIndex {
            w.uint(UInt64(fileIndex) + 1)
        } else {
            w.uint(0)
            w.string(file)
        }
        switch id {
        case .uuid(let hi, let lo):
            w.flag(true)
            w.fixed(hi)
            w.fixed(lo)
        case .text(let t):
            w.flag(false)
            w.string(t)
        }
        w.int(spillOffset)
        w.uint(UInt64(spillLength))
        return true
    }

    /// A trigger `encodeRecord` wrote, its text in `spill`; nil when the bytes are not one. `files` are the files
    /// its `fileIndex` counts in.
    static func decodeRecord(_ r: inout SpillReader, files: [InputFile], spill: SpillFile) -> TriggerEvent? {
        guard let time = r.int(), let rule = r.uint(), rule <= UInt64(Int32.max), let record = r.int(),
            let f = r.uint()
        else { return nil }
        let file: String
        if f == 0 {
            guard let path = r.string() else { return nil }
            file = path
        } else {
            guard f - 1 < UInt64(files.count) else { return nil }
            file = files[Int(f - 1)].path
        }
        guard let isUUID = r.flag() else { return nil }
        let id: CompactEventID
        if isUUID {
            guard let hi = r.fixed(), let lo = r.fixed() else { return nil }
            id = .uuid(hi, lo)
        } else {
            guard let text = r.string() else { return nil }
            id = .text(text)
        }
        guard let offset = r.int(), let length = r.uint(), let length32 = Int32(exactly: length) else { return nil }
        var t = TriggerEvent(rule: Int(rule), json: [], file: file, index: Int(record), time: time, id: id)
        (t.spillFile, t.spillOffset, t.spillLength) = (spill, offset, length32)
        return t
    }
}

/// An event id as a trigger or an issuance keeps it: a UUID as CloudTrail writes it (36 characters, lowercase
/// hexadecimal and four dashes) as its 128 bits, any other text as it is. The text of a UUID is a heap object of 80
/// bytes (or 36 bytes and a reference in lineage's texts); a trigger is kept for every role assumption, an issuance
/// for every STS call. Ordered and compared as the text is: two UUIDs by their bits (the dashes stand at the same places,
/// and the digits 0-9 and a-f sort as their values), anything else by the texts.
enum CompactEventID: Sendable, Comparable {
    case uuid(UInt64, UInt64)
    case text(String)

    init(_ text: String) {
        var t = text
        self = t.withUTF8 { Self.uuid(UnsafeRawBufferPointer($0)) } ?? .text(text)
    }

    /// The id of the bytes of an event's `eventID` (as written, without quotes): nil when there is none.
    init(raw: UnsafeRawBufferPointer?, text: () -> String?) {
        if let raw, let packed = Self.uuid(raw) { self = packed } else { self = .text(text() ?? "") }
    }

    static func uuid(_ raw: UnsafeRawBufferPointer) -> CompactEventID? {
        guard raw.count == 36 else { return nil }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        var digits = 0
        for (i, b) in raw.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard b == 0x2D else { return nil }
                continue
            }
            let v: UInt8
            switch b {
            case 0x30...0x39: v = b &- 0x30
            case 0x61...0x66: v = b &- 0x61 &+ 10
            default: return nil
            }
            if digits < 16 { hi = hi << 4 | UInt64(v) } else { lo = lo << 4 | UInt64(v) }
            digits += 1
        }
        return .uuid(hi, lo)
    }

    var text: String {
        switch self {
        case .text(let t): return t
        case .uuid(let hi, let lo):
            let hex = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(36)
            for n in 0..<32 {
                if n == 8 || n == 12 || n == 16 || n == 20 { out.append(0x2D) }
                let word = n < 16 ? hi : lo
                out.append(hex[Int(word >> UInt64(4 * (15 - n % 16)) & 0xF)])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    static func == (a: CompactEventID, b: CompactEventID) -> Bool {
        if case .uuid(let ah, let al) = a, case .uuid(let bh, let bl) = b { return ah == bh && al == bl }
        return a.text == b.text
    }

    static func < (a: CompactEventID, b: CompactEventID) -> Bool {
        if case .uuid(let ah, let al) = a, case .uuid(let bh, let bl) = b { return ah != bh ? ah < bh : al < bl }
        return a.text < b.text
    }
}
