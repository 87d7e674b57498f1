import TrailReader

/// One open window of a `state:` rule: from the event that opened it until the event that closed it, its `lasts`, or
/// forever. (In code, a `state:` rule keeps windows; "state" is only the `--state` file.)
struct Window: Sendable {
    let key: String
    /// What a closer must share with the opener (a policy ARN or name), when the rule says.
    let instance: String?
    let open: Int64
    var close: Int64
    let opened: Finding.Evidence
    var closed: Finding.Evidence?
    /// The account of the opening event, when the rule's keys are per account (to choose files for the second pass).
    let account: String?
    let openedByRule: String
    /// Who made the opening event.
    let opener: Finding.Actor?
    let endsOnItsOwn: Bool

    /// An event at `time` is inside: strictly after the opening event, and before the close.
    func contains(_ time: Int64) -> Bool { open < time && time < close }

    func describe() -> Finding.State {
        Finding.State(
            kind: "inside", key: key, openedByRule: openedByRule, opened: opened, openedBy: opener, closed: closed,
            until: close == .max ? nil : (closed == nil || endsOnItsOwn ? Timestamp.format(close) : nil))
    }
}
