/// `absence:` (a trailhound extension): the rule's event, with no event of another rule for the same key within
/// `within` after it.
struct AbsenceSpec: Sendable {
    var of: [TriggerSpec]
    let keys: [KeyTemplate]
    let within: Int64
}
