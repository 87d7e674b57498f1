// Hot path: the invariants are in RecordScanner.swift. Values and records: where they begin and end, and the key table.

import CScan

extension RecordScanner {
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
