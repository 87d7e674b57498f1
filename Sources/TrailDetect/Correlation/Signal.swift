/// A match of a rule that a correlation rule counts (48 bytes).
struct Signal: Sendable {
    let correlation: Int32
    let base: Int32
    /// Hash of the correlation and its group-by values (the values are in `DetectorOutput.groupValues`).
    let group: UInt64
    /// Hash of the `value_count` field's value.
    let value: UInt64
    let time: Int64
    /// Hash of the event id (`FindingBuilder.eventHash`): the same event delivered twice counts once.
    let event: UInt64
    /// The file's index in the scan (set when the file's results are merged) and the record's index in it.
    var file: Int32
    let record: Int32
}
