// Hot path. The record scanner validates JSON byte by byte and finds CloudTrail records as they stream by.
//
// Invariants:
// - `scan` reads bytes `base[from..<to]` only; `base` stays valid and unmodified for the duration of the call.
// - Every offset the scanner keeps (record start, key table entries) is relative to `base` and lies in
//   `0..<to`; the owner of the buffer calls `shift(by:)` before moving bytes, so kept offsets stay correct.
// - The nesting stack is a fixed allocation of `maxDepth` bytes; deeper input is a fault, never a crash.
// - No allocation happens per byte or per record: the key table grows only when a record has more top-level
//   keys than ever seen before.

import CScan
public struct RecordScanner: ~Copyable {
    // Grammar states.
    @usableFromInline static let sTop: UInt8 = 0
    static let sValue: UInt8 = 1
    static let sArrayFirst: UInt8 = 2
    static let sObjectFirst: UInt8 = 3
    static let sObjectKey: UInt8 = 4
    static let sColon: UInt8 = 5
    static let sAfterValue: UInt8 = 6
    static let sString: UInt8 = 7
    static let sEscape: UInt8 = 8
    static let sUnicode: UInt8 = 9
    static let sNumber: UInt8 = 10
    static let sLiteral: UInt8 = 11
    static let sSkipLine: UInt8 = 12
    static let sFailed: UInt8 = 13

    // Number sub-states.
    static let nMinus: UInt8 = 0, nZero: UInt8 = 1, nInt: UInt8 = 2, nDot: UInt8 = 3, nFrac: UInt8 = 4
    static let nE: UInt8 = 5, nESign: UInt8 = 6, nExp: UInt8 = 7

    static let containerObject: UInt8 = 1
    static let containerArray: UInt8 = 2

    public let maxDepth: Int
    public let maxRecordBytes: Int

    var state: UInt8 = RecordScanner.sTop
    var depth = 0
    let stack: UnsafeMutablePointer<UInt8>
    var stringIsKey = false
    var stringStart = 0
    var unicodeLeft = 0
    var numberState: UInt8 = 0
    var literal: StaticString = "true"
    var literalIndex = 0

    // Record tracking.
    public internal(set) var layout: RecordLayout = .none
    /// Depth of the array whose elements are records; 0 when there is none.
    var elementDepth = 0
    var elementIndex = 0
    /// Index of the current top-level value (the record index for JSON Lines).
    var topIndex = 0
    public internal(set) var inRecord = false
    var oversize = false
    public internal(set) var recordStart = 0
    /// Depth of the record's own members (the depth after its `{`).
    var memberDepth = 0
    var recordIndex = 0
    var recordLineBreaks = false
    /// A top-level key of the record in progress holds an escape.
    var recordEscapedKey = false
    /// The top-level object has a member only events have (so a later `Records` member is not an envelope).
    var eventKeySeen = false
    /// A completed top-level value spanned lines (so the input is not JSON Lines).
    var topMultiLine = false
    /// 0: the key just read is ordinary; 1: `Records`; 2: `Events`.
    var pendingEnvelope: UInt8 = 0
    var keys: UnsafeMutablePointer<KeyEntry>
    var keyCapacity = 32
    var keyCount = 0
    /// The special bytes (`cscan_special_mask64`) of the 64 buffer bytes from `specialStart`; valid only within one
    /// call of `scan` (the buffer moves between calls).
    var specialStart = Int.min
    var specialMask: UInt64 = 0
    /// Absolute stream offset of buffer offset 0, for messages.
    public internal(set) var streamBase = 0
    public internal(set) var fault: ScanFault?

    public init(maxDepth: Int = 512, maxRecordBytes: Int = 64 << 20) {
        self.maxDepth = maxDepth
        self.maxRecordBytes = maxRecordBytes
        stack = .allocate(capacity: maxDepth + 1)
        keys = .allocate(capacity: keyCapacity)
    }

    deinit {
        stack.deallocate()
        keys.deallocate()
    }

    /// Prepares for a new, independent stream.
    public mutating func reset() {
        state = Self.sTop
        depth = 0
        layout = .none
        elementDepth = 0
        elementIndex = 0
        topIndex = 0
        inRecord = false
        oversize = false
        keyCount = 0
        pendingEnvelope = 0
        topMultiLine = false
        streamBase = 0
        fault = nil
    }

    /// The lowest buffer offset the scanner still needs (the start of a record in progress), or `scanned`.
    public func retainFrom(scanned: Int) -> Int {
        (inRecord && !oversize) ? min(recordStart, scanned) : scanned
    }

    /// The buffer's bytes moved `delta` bytes towards its start: adjust every kept offset.
    public mutating func shift(by delta: Int) {
        guard delta != 0 else { return }
        streamBase += delta
        recordStart -= delta
        stringStart -= delta
        for k in 0..<keyCount {
            keys[k].keyStart -= delta
            keys[k].valueStart -= delta
            keys[k].valueEnd -= delta
        }
    }

    /// True when the stream may end here without loss: not inside any value.
    public var isAtTopLevel: Bool { state == Self.sTop || state == Self.sSkipLine }

    /// The fault for input that ends at `offset` in the current state, if any.
    public mutating func finish(at offset: Int) -> ScanFault? {
        if let fault { return fault }
        if isAtTopLevel { return nil }
        let f = ScanFault(kind: .unexpectedEnd, offset: streamBase + offset, recordIndex: currentIndex)
        fault = f
        state = Self.sFailed
        return f
    }

    /// Top-level values read so far (0 for input with no JSON at all).
    public var valuesSeen: Int { topIndex + (state == Self.sTop ? 0 : 1) }

    var currentIndex: Int { elementDepth > 0 ? elementIndex : topIndex }

    /// Scans `base[from..<to]`. Calls `onRecord` for each complete record and `onNotice` for recoverable
    /// problems. Returns the offset up to which bytes were consumed (always `to` unless a fatal fault stops
    /// the scan; then `fault` is set).
    ///
    /// One step per grammar state (`RecordScanner+Grammar.swift`); each reads from `i`, moves `i` on, and returns
    /// false when a fatal fault stopped the scan at `i`.
    public mutating func scan(
        _ base: UnsafePointer<UInt8>, from: Int, to end: Int,
        onRecord: (ScannedRecord) -> Void,
        onNotice: (ScanNotice) -> Void
    ) -> Int {
        var i = from
        specialStart = Int.min
        while i < end {
            let c = base[i]
            switch state {
            case Self.sString: if !stringChain(base, &i, end, onNotice) { return i }
            case Self.sAfterValue: if !afterValue(base, c, &i, end, onRecord, onNotice) { return i }
            case Self.sValue, Self.sArrayFirst: if !valueStart(base, c, &i, onRecord, onNotice) { return i }
            case Self.sObjectKey, Self.sObjectFirst: if !objectKey(base, c, &i, onRecord, onNotice) { return i }
            case Self.sColon: if !colon(base, c, &i, end, onNotice) { return i }
            case Self.sTop: if !topLevel(base, c, &i, onNotice) { return i }
            case Self.sEscape: if !escape(c, &i, onNotice) { return i }
            case Self.sUnicode: if !unicodeDigit(c, &i, onNotice) { return i }
            case Self.sNumber: if !number(c, &i, onNotice) { return i }
            case Self.sLiteral: if !literalByte(c, &i, onNotice) { return i }
            case Self.sSkipLine: skipLine(c, &i)
            default:  // failed
                return i
            }
        }
        return end
    }
}
