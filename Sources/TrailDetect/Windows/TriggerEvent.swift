/// An event kept in the first pass because it opens or closes a window, or is an absence rule's event or what it
/// waits for: its text, read again once lineage is complete.
struct TriggerEvent: Sendable {
    let rule: Int
    let json: [UInt8]
    let file: String
    let index: Int
    let time: Int64
    let eventID: String

    static func < (a: TriggerEvent, b: TriggerEvent) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if a.eventID != b.eventID { return a.eventID < b.eventID }
        if a.file != b.file { return a.file < b.file }
        if a.index != b.index { return a.index < b.index }
        return a.rule < b.rule
    }
}
