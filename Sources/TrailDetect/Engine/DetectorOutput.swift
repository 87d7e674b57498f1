/// What a detector gathered from one file.
struct DetectorOutput: Sendable {
    var builders: [FindingBuilder] = []
    var issuances: [CredentialIssuance] = []
    var triggers: [TriggerEvent] = []
    var signals: [Signal] = []
    /// The group-by values of correlation groups first seen in this file.
    var groupValues: [UInt64: [String]] = [:]
    var latestEventTime: Int64 = .min
    var fileKeys = FileKeys()
}
