/// What the scanner found wrong with the input, with the offset of the byte it stopped at.
public struct ScanFault: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Not JSON at this point.
        case syntax(String)
        /// Nesting deeper than the configured limit.
        case tooDeep(Int)
        /// A top-level value that is neither an object nor an array.
        case notObject(String)
        /// Input ended inside a value.
        case unexpectedEnd
    }
    public var kind: Kind
    /// Offset in the scanned stream where the problem was detected.
    public var offset: Int
    /// Index of the record being read (element index in `Records`, or top-level value index).
    public var recordIndex: Int
}
