import TrailReader

/// One open window of a `state:` rule: from the event that opened it until the event that closed it, its `lasts`, or
/// forever. (In code, a `state:` rule keeps windows; "state" is only the `--state` file.)
///
/// Compact: the opening and closing events are kept as positions among the window index's trigger events, whose text
/// waits in the spill file; their evidence and the opener are read back only when a finding is made in the window
/// (`WindowIndex.describe`), not held for each of the thousands of windows (every AssumeRole opens one).
struct Window: Sendable {
    let key: String
    /// What a closer must share with the opener (a policy ARN or name), when the rule says.
    let instance: String?
    let open: Int64
    var close: Int64
    /// Whether the opening event has an id (the window's identity: `WindowIndex.openedEventID`, the trigger event's
    /// own, not a copy per window: each role assumption opens one).
    let openedHasEventID: Bool
    /// The opening event and, once closed by an event, the closing one: positions in `WindowIndex.triggers`.
    let opened: Int32
    var closed: Int32?
    /// The account of the opening event, when the rule's keys are per account (to choose files for the second pass).
    let account: String?
    let openedByRule: String
    let endsOnItsOwn: Bool

    /// An event at `time` is inside: strictly after the opening event, and before the close.
    func contains(_ time: Int64) -> Bool { open < time && time < close }
}
