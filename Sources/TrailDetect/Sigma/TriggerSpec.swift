/// An event of another rule that opens or closes a window (or, for absence, the event that must follow).
struct TriggerSpec: Sendable {
    /// The rule's `name` or `id`, as written.
    let rule: String
    /// Resolved by `RuleSet`.
    var ruleIndex = -1
    /// The window's key, read from the trigger's event; nil for a closer that closes by `instance` in every key.
    let key: KeyTemplate?
    /// What a closer must share with the opener to close it (a policy ARN or name): the first of these templates
    /// that gives a value; nil: any.
    let instance: [KeyTemplate]?
}
