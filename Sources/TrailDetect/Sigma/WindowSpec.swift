/// `state:` (a trailhound extension): the rule's events count only while a window is open for their key — opened by
/// an event of one rule, closed by an event of another, or by `lasts`, or never.
struct WindowSpec: Sendable {
    var openedBy: [TriggerSpec]
    var closedBy: [TriggerSpec]
    /// The keys of the rule's own events.
    let keys: [KeyTemplate]
    /// The longest a window stays open (seconds).
    let lasts: Int64?
}
