/// An event kept in the first pass because it opens or closes a window, or is an absence rule's event or what it
/// waits for: its text, read again once lineage is complete.
struct TriggerEvent: Sendable {
    let rule: Int
    /// The event's text, unless it was moved to a spill file (`spilled`).
    private(set) var json: [UInt8]
    let file: String
    let index: Int
    let time: Int64
    let eventID: String
    private var spilled: (spill: SpillFile, offset: Int64, length: Int)?

    init(rule: Int, json: [UInt8], file: String, index: Int, time: Int64, eventID: String) {
        self.rule = rule
        self.json = json
        self.file = file
        self.index = index
        self.time = time
        self.eventID = eventID
    }

    /// Moves the text to `spill` (it stays here when it cannot be written there).
    mutating func spill(to spill: SpillFile) {
        guard spilled == nil, let (offset, length) = spill.append(json) else { return }
        spilled = (spill, offset, length)
        json = []
    }

    /// The event's text, from memory or from the spill file (nil only when the spill file cannot be read back).
    var text: [UInt8]? {
        guard let spilled else { return json }
        return spilled.spill.read(spilled.offset, spilled.length)
    }

    static func < (a: TriggerEvent, b: TriggerEvent) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if a.eventID != b.eventID { return a.eventID < b.eventID }
        if a.file != b.file { return a.file < b.file }
        if a.index != b.index { return a.index < b.index }
        return a.rule < b.rule
    }
}
