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

/// Events the scanner reports besides complete records.
public enum ScanNotice {
    /// An array element where an event object was expected (`42` inside `Records`).
    case nonObjectElement(index: Int, offset: Int, kind: String)
    /// A record larger than the limit; it is validated but not delivered.
    case recordTooLarge(index: Int, offset: Int)
    /// A fault in a top-level value; the scanner skipped to the next line and goes on (JSON Lines).
    case recovered(ScanFault)
    /// `Records` (or `Events`) a second time in one envelope (`{"Records":[…],"Records":[…]}`, which CloudTrail never
    /// writes): its elements are records too, indexed from 0 again.
    case repeatedEnvelope(offset: Int)
}

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
    public private(set) var layout: RecordLayout = .none
    /// Depth of the array whose elements are records; 0 when there is none.
    var elementDepth = 0
    var elementIndex = 0
    /// Index of the current top-level value (the record index for JSON Lines).
    var topIndex = 0
    public private(set) var inRecord = false
    var oversize = false
    public private(set) var recordStart = 0
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
    public private(set) var streamBase = 0
    public private(set) var fault: ScanFault?

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
            case Self.sString:
                // Strings are most of CloudTrail's bytes, and `"key":"value","key"` most of its structure: this case
                // runs through such chains without going back to the dispatch for each token.
                strings: while true {
                    // Skip plain bytes; stop at '"', '\\' or a control byte.
                    i = nextSpecial(base, i, end)
                    guard i < end else { break strings }
                    let b = base[i]
                    if b == 0x5C {
                        state = Self.sEscape
                        if stringIsKey && inRecord && depth == memberDepth { recordEscapedKey = true }
                        i += 1
                        break strings
                    }
                    if b < 0x20 {
                        if fail(.syntax("control character in string"), at: i, onNotice) { return i }
                        break strings
                    }
                    let wasKey = stringIsKey
                    endString(base, at: i)
                    i += 1
                    if wasKey {
                        // `":"` then a string value.
                        if i + 1 < end && base[i] == 0x3A && base[i + 1] == 0x22 {
                            if inRecord && depth == memberDepth && !oversize { keys[keyCount - 1].valueStart = i + 1 }
                            pendingEnvelope = 0
                            state = Self.sString
                            stringIsKey = false
                            i += 2
                            continue strings
                        }
                        // `":{"` then the nested object's first key.
                        if i + 2 < end && base[i] == 0x3A && base[i + 1] == 0x7B && base[i + 2] == 0x22
                            && depth < maxDepth
                        {
                            if inRecord && depth == memberDepth && !oversize { keys[keyCount - 1].valueStart = i + 1 }
                            pendingEnvelope = 0
                            depth += 1
                            stack[depth] = Self.containerObject
                            state = Self.sString
                            stringIsKey = true
                            stringStart = i + 3
                            i += 3
                            continue strings
                        }
                    } else if i + 1 < end && base[i] == 0x2C && base[i + 1] == 0x22
                        && stack[depth] == Self.containerObject
                    {
                        // `","` then the next key.
                        state = Self.sString
                        stringIsKey = true
                        stringStart = i + 2
                        i += 2
                        continue strings
                    }
                    break strings
                }
                continue
            case Self.sAfterValue:
                switch c {
                case 0x2C:  // ,
                    if stack[depth] == Self.containerObject {
                        if i + 1 < end && base[i + 1] == 0x22 {
                            // `,"` then the next key (after a number, literal, object or array).
                            state = Self.sString
                            stringIsKey = true
                            stringStart = i + 2
                            i += 2
                            continue
                        }
                        state = Self.sObjectKey
                    } else {
                        state = Self.sValue
                    }
                case 0x7D:  // }
                    if stack[depth] != Self.containerObject {
                        if fail(.syntax("'}' closes an array"), at: i, onNotice) { return i }
                        continue
                    }
                    closeContainer(base, at: i, onRecord: onRecord, onNotice)
                    // `},"` then the next key.
                    if i + 2 < end && base[i + 1] == 0x2C && base[i + 2] == 0x22 && depth > 0
                        && stack[depth] == Self.containerObject
                    {
                        state = Self.sString
                        stringIsKey = true
                        stringStart = i + 3
                        i += 3
                        continue
                    }
                case 0x5D:  // ]
                    if stack[depth] != Self.containerArray {
                        if fail(.syntax("']' closes an object"), at: i, onNotice) { return i }
                        continue
                    }
                    closeContainer(base, at: i, onRecord: onRecord, onNotice)
                case 0x20, 0x09:
                    break
                case 0x0A, 0x0D:
                    if lineBreak(at: i, onNotice) {
                        i += 1
                        continue
                    }
                default:
                    if fail(.syntax("expected ',' or a closing bracket"), at: i, onNotice) { return i }
                    continue
                }
                i += 1
            case Self.sValue, Self.sArrayFirst:
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                    if c != 0x20 && c != 0x09 { _ = lineBreak(at: i, onNotice) }
                    i += 1
                    continue
                }
                if c == 0x5D && state == Self.sArrayFirst {
                    closeContainer(base, at: i, onRecord: onRecord, onNotice)
                    i += 1
                    continue
                }
                if !beginValue(base, c, at: i, onNotice) { return i }
                i += 1
            case Self.sObjectKey, Self.sObjectFirst:
                if c == 0x22 {
                    state = Self.sString
                    stringIsKey = true
                    stringStart = i + 1
                } else if c == 0x20 || c == 0x09 {
                } else if c == 0x0A || c == 0x0D {
                    _ = lineBreak(at: i, onNotice)
                } else if c == 0x7D && state == Self.sObjectFirst {
                    closeContainer(base, at: i, onRecord: onRecord, onNotice)
                } else {
                    if fail(.syntax("expected a string key"), at: i, onNotice) { return i }
                    continue
                }
                i += 1
            case Self.sColon:
                if c == 0x3A {
                    state = Self.sValue
                    // `:` then a value's first byte: begin it here rather than through another dispatch.
                    if i + 1 < end {
                        let v = base[i + 1]
                        if v != 0x20 && v != 0x0A && v != 0x0D && v != 0x09 {
                            if !beginValue(base, v, at: i + 1, onNotice) { return i + 1 }
                            i += 2
                            continue
                        }
                    }
                } else if c == 0x20 || c == 0x09 {
                } else if c == 0x0A || c == 0x0D {
                    _ = lineBreak(at: i, onNotice)
                } else {
                    if fail(.syntax("expected ':' after a key"), at: i, onNotice) { return i }
                    continue
                }
                i += 1
            case Self.sTop:
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                    i += 1
                    continue
                }
                if !beginValue(base, c, at: i, onNotice) { return i }
                i += 1
            case Self.sEscape:
                switch c {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                    state = Self.sString
                case 0x75:
                    state = Self.sUnicode
                    unicodeLeft = 4
                default:
                    if fail(.syntax("invalid escape in string"), at: i, onNotice) { return i }
                    continue
                }
                i += 1
            case Self.sUnicode:
                let isHex = (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66)
                if !isHex {
                    if fail(.syntax("invalid \\u escape"), at: i, onNotice) { return i }
                    continue
                }
                unicodeLeft -= 1
                if unicodeLeft == 0 { state = Self.sString }
                i += 1
            case Self.sNumber:
                if advanceNumber(c) {
                    i += 1
                } else {
                    // The byte ends the number; it is read again as what follows a value.
                    if numberState == Self.nMinus || numberState == Self.nDot || numberState == Self.nE
                        || numberState == Self.nESign
                    {
                        if fail(.syntax("malformed number"), at: i, onNotice) { return i }
                        continue
                    }
                    endScalar(at: i)
                }
            case Self.sLiteral:
                let expected = literal.utf8Start[literalIndex]
                if c != expected {
                    if fail(.syntax("invalid literal"), at: i, onNotice) { return i }
                    continue
                }
                literalIndex += 1
                i += 1
                if literalIndex == literal.utf8CodeUnitCount { endScalar(at: i) }
            case Self.sSkipLine:
                if c == 0x0A {
                    state = Self.sTop
                    depth = 0
                }
                i += 1
            default:  // failed
                return i
            }
        }
        return end
    }

    /// Handles the first byte of a value. Returns false when a fatal fault stopped the scan.
    @inline(__always)
    mutating func beginValue(
        _ base: UnsafePointer<UInt8>, _ c: UInt8, at i: Int, _ onNotice: (ScanNotice) -> Void
    ) -> Bool {
        if depth == 0 {
            // A new top-level value.
            if c == 0x7B {
                layout = .topLevelObject
                startRecord(at: i, memberDepth: 1, index: topIndex)
            } else if c == 0x5B {
                layout = .bareArray
                elementDepth = 1
                elementIndex = 0
            } else {
                let f = ScanFault(
                    kind: .notObject(Self.valueKind(c)), offset: streamBase + i, recordIndex: topIndex)
                guard topIndex > 0 else {
                    // The first value is not an object or array: this is not a log, not a broken line of one.
                    fault = f
                    state = Self.sFailed
                    return false
                }
                recover(f, onNotice)
                return true  // state is now "skip to the next line"; nothing more to do with this byte
            }
        } else if depth == elementDepth {
            if c == 0x7B {
                startRecord(at: i, memberDepth: depth + 1, index: elementIndex)
            } else {
                onNotice(.nonObjectElement(index: elementIndex, offset: streamBase + i, kind: Self.valueKind(c)))
            }
        } else if inRecord && depth == memberDepth && !oversize {
            keys[keyCount - 1].valueStart = i
        }
        if depth == 1 && pendingEnvelope != 0 && c == 0x5B {
            // `{"Records":[` or `{"Events":[`: the object is an envelope, its array elements are the records.
            if layout != .topLevelObject { repeatedEnvelope(at: i, onNotice) }
            layout = pendingEnvelope == 1 ? .recordsEnvelope : .lookupEventsEnvelope
            inRecord = false
            elementDepth = 2
            elementIndex = 0
        }
        pendingEnvelope = 0
        switch c {
        case 0x7B, 0x5B:
            if depth >= maxDepth {
                let f = ScanFault(kind: .tooDeep(maxDepth), offset: streamBase + i, recordIndex: currentIndex)
                fault = f
                state = Self.sFailed
                return false
            }
            depth += 1
            stack[depth] = c == 0x7B ? Self.containerObject : Self.containerArray
            state = c == 0x7B ? Self.sObjectFirst : Self.sArrayFirst
        case 0x22:
            state = Self.sString
            stringIsKey = false
        case 0x2D:
            state = Self.sNumber
            numberState = Self.nMinus
        case 0x30:
            state = Self.sNumber
            numberState = Self.nZero
        case 0x31...0x39:
            state = Self.sNumber
            numberState = Self.nInt
        case 0x74:
            state = Self.sLiteral
            literal = "true"
            literalIndex = 1
        case 0x66:
            state = Self.sLiteral
            literal = "false"
            literalIndex = 1
        case 0x6E:
            state = Self.sLiteral
            literal = "null"
            literalIndex = 1
        default:
            return !fail(.syntax("expected a value"), at: i, onNotice)
        }
        return true
    }

    @inline(__always)
    mutating func startRecord(at i: Int, memberDepth d: Int, index: Int) {
        inRecord = true
        oversize = false
        recordStart = i
        memberDepth = d
        recordIndex = index
        keyCount = 0
        recordLineBreaks = false
        recordEscapedKey = false
        eventKeySeen = false
    }

    @inline(never)
    func repeatedEnvelope(at i: Int, _ onNotice: (ScanNotice) -> Void) {
        onNotice(.repeatedEnvelope(offset: streamBase + i))
    }

    @inline(__always)
    mutating func endString(_ base: UnsafePointer<UInt8>, at i: Int) {
        if stringIsKey {
            state = Self.sColon
            if inRecord && depth == memberDepth && !oversize {
                if keyCount == keyCapacity { growKeys() }
                keys[keyCount] = KeyEntry(
                    keyStart: stringStart, keyLength: i - stringStart, valueStart: 0, valueEnd: 0)
                keyCount += 1
            }
            if depth == 1 && elementDepth == 0 && !oversize && !eventKeySeen {
                // `Records`/`Events` in an object that is not itself an event (no eventTime, eventName, eventSource or
                // eventVersion before it): a delivery envelope. An event that happens to have such a member stays an
                // event. Also after an envelope's array ended (elementDepth is 0 again): the array again, which jq's
                // `.Records` reads as the last one, so its elements are read as records too.
                let n = i - stringStart
                if (n == 9 || n == 12 || n == 11) && Self.isEventKey(base + stringStart, n) {
                    eventKeySeen = true
                } else if n == 7 && Self.equals(base + stringStart, "Records") {
                    pendingEnvelope = 1
                } else if n == 6 && Self.equals(base + stringStart, "Events") {
                    pendingEnvelope = 2
                }
            }
        } else {
            endScalar(at: i + 1)
        }
    }

    /// The offset of the first '"', '\\' or control byte at or after `i` (or `end`), from the 64-byte mask of the
    /// block the scanner is in; strings are short, so one mask serves several.
    @inline(__always)
    mutating func nextSpecial(_ base: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        var i = from
        while true {
            let offset = i &- specialStart
            if offset >= 0 && offset < 64 {
                let rest = specialMask >> UInt64(offset)
                if rest != 0 { return i + rest.trailingZeroBitCount }
                i = specialStart + 64
            }
            guard end - i >= 64 else { return i + cscan_plain_run(base + i, end - i) }
            specialMask = cscan_special_mask64(base + i)
            specialStart = i
        }
    }

    /// A string, number or literal ended just before `end`.
    @inline(__always)
    mutating func endScalar(at end: Int) {
        state = depth == 0 ? Self.sTop : Self.sAfterValue
        if inRecord && depth == memberDepth && !oversize {
            keys[keyCount - 1].valueEnd = end
        }
        if depth == elementDepth { elementIndex += 1 }
        if depth == 0 { topIndex += 1 }
    }

    @inline(__always)
    mutating func closeContainer(
        _ base: UnsafePointer<UInt8>, at i: Int, onRecord: (ScannedRecord) -> Void,
        _ onNotice: (ScanNotice) -> Void
    ) {
        depth -= 1
        state = depth == 0 ? Self.sTop : Self.sAfterValue
        if inRecord {
            if depth == memberDepth && !oversize {
                keys[keyCount - 1].valueEnd = i + 1
            } else if depth == memberDepth - 1 {
                inRecord = false
                if !oversize && i + 1 - recordStart > maxRecordBytes {
                    onNotice(.recordTooLarge(index: recordIndex, offset: streamBase + recordStart))
                } else if !oversize {
                    let rec = ScannedRecord(
                        start: recordStart, end: i + 1, index: recordIndex, streamOffset: streamBase + recordStart,
                        layout: layout,
                        hasLineBreaks: recordLineBreaks, hasEscapedKey: recordEscapedKey,
                        keys: UnsafeBufferPointer(start: keys, count: keyCount))
                    onRecord(rec)
                }
            }
        }
        if depth == elementDepth {
            elementIndex += 1
        } else if depth < elementDepth {
            elementDepth = 0
        }
        if depth == 0 {
            if recordLineBreaks { topMultiLine = true }
            topIndex += 1
            layout = .none
        }
    }

    /// Marks the record in progress as too large once it passes the limit. Called by the buffer owner when it
    /// would otherwise have to grow the buffer past `maxRecordBytes`.
    public mutating func dropOversizeRecord(scanned: Int, onNotice: (ScanNotice) -> Void) {
        guard inRecord && !oversize else { return }
        oversize = true
        onNotice(.recordTooLarge(index: recordIndex, offset: streamBase + recordStart))
    }

    /// A line break between tokens inside a record. In JSON Lines input (every top-level value so far on one line)
    /// a record cannot span lines, so the line was cut short: it is reported and reading resumes with the next line,
    /// which is where the next record starts. Returns true when it did that (the scan resumes at `i + 1`).
    @inline(__always)
    mutating func lineBreak(at i: Int, _ onNotice: (ScanNotice) -> Void) -> Bool {
        guard inRecord else { return false }
        recordLineBreaks = true
        guard layout == .topLevelObject && elementDepth == 0 && topIndex > 0 && !topMultiLine else { return false }
        onNotice(.recovered(ScanFault(kind: .syntax("the line ends inside a record"), offset: streamBase + i, recordIndex: topIndex)))
        state = Self.sTop
        inRecord = false
        layout = .none
        depth = 0
        topIndex += 1
        return true
    }

    /// Records a fault at `i`. In JSON Lines input (a one-line top-level object) the scan recovers at the next
    /// line and the function returns false; otherwise the scan stops and it returns true.
    mutating func fail(_ kind: ScanFault.Kind, at i: Int, _ onNotice: (ScanNotice) -> Void) -> Bool {
        let f = ScanFault(kind: kind, offset: streamBase + i, recordIndex: currentIndex)
        if layout == .topLevelObject && elementDepth == 0 && !recordLineBreaks {
            // A broken line of JSON Lines: skip it and go on with the next. (A fault in a value that spans lines is
            // a broken document, not a broken line; it ends the file.)
            recover(f, onNotice)
            return false
        }
        fault = f
        state = Self.sFailed
        return true
    }

    /// Skips to the end of the current line and resumes with the next top-level value.
    mutating func recover(_ f: ScanFault, _ onNotice: (ScanNotice) -> Void) {
        onNotice(.recovered(f))
        state = Self.sSkipLine
        inRecord = false
        layout = .none
        elementDepth = 0
        depth = 0
        topIndex += 1
    }

    @inline(__always)
    mutating func advanceNumber(_ c: UInt8) -> Bool {
        let digit = c >= 0x30 && c <= 0x39
        switch numberState {
        case Self.nMinus:
            if c == 0x30 {
                numberState = Self.nZero
            } else if digit {
                numberState = Self.nInt
            } else {
                return false
            }
        case Self.nZero:
            if c == 0x2E {
                numberState = Self.nDot
            } else if c | 0x20 == 0x65 {
                numberState = Self.nE
            } else {
                return false
            }
        case Self.nInt:
            if digit {
            } else if c == 0x2E {
                numberState = Self.nDot
            } else if c | 0x20 == 0x65 {
                numberState = Self.nE
            } else {
                return false
            }
        case Self.nDot:
            if digit { numberState = Self.nFrac } else { return false }
        case Self.nFrac:
            if digit {
            } else if c | 0x20 == 0x65 {
                numberState = Self.nE
            } else {
                return false
            }
        case Self.nE:
            if c == 0x2B || c == 0x2D {
                numberState = Self.nESign
            } else if digit {
                numberState = Self.nExp
            } else {
                return false
            }
        case Self.nESign:
            if digit { numberState = Self.nExp } else { return false }
        default:
            return digit
        }
        return true
    }

    mutating func growKeys() {
        let bigger = UnsafeMutablePointer<KeyEntry>.allocate(capacity: keyCapacity * 2)
        bigger.moveInitialize(from: keys, count: keyCount)
        keys.deallocate()
        keys = bigger
        keyCapacity *= 2
    }

    static func isEventKey(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        (n == 9 && (equals(p, "eventTime") || equals(p, "eventName"))) || (n == 11 && equals(p, "eventSource"))
            || (n == 12 && equals(p, "eventVersion"))
    }

    @inline(__always)
    static func equals(_ p: UnsafePointer<UInt8>, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        let q = s.utf8Start
        for k in 0..<n where p[k] != q[k] { return false }
        return true
    }

    static func valueKind(_ c: UInt8) -> String {
        switch c {
        case 0x7B: return "an object"
        case 0x5B: return "an array"
        case 0x22: return "a string"
        case 0x74, 0x66: return "a boolean"
        case 0x6E: return "null"
        case 0x2D, 0x30...0x39: return "a number"
        default: return "not JSON"
        }
    }
}
