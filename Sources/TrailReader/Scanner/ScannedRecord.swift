/// A complete record found by the scanner; its offsets are relative to the buffer passed to `scan`.
public struct ScannedRecord {
    public var start: Int
    public var end: Int
    public var index: Int
    /// Offset of `start` in the whole stream.
    public var streamOffset: Int
    public var layout: RecordLayout
    /// True when the record contains line breaks between tokens (pretty-printed input).
    public var hasLineBreaks: Bool
    /// True when a top-level key is written with escapes (`"event\u004eame"`): its raw bytes are not its name.
    public var hasEscapedKey: Bool = false
    public var keys: UnsafeBufferPointer<KeyEntry>
}

/// A member of a record's top-level object: where its key and value sit in the buffer.
public struct KeyEntry: Sendable {
    public var keyStart: Int
    public var keyLength: Int
    public var valueStart: Int
    public var valueEnd: Int
}

/// How the current top-level value delivers records.
public enum RecordLayout: UInt8, Sendable {
    case none
    /// A top-level object that is itself one event (single event, or one line of JSON Lines).
    case topLevelObject
    /// `{"Records":[...]}`: each array element is an event.
    case recordsEnvelope
    /// `{"Events":[{"CloudTrailEvent":"..."}]}` from `aws cloudtrail lookup-events`.
    case lookupEventsEnvelope
    /// A bare array of events.
    case bareArray
}
