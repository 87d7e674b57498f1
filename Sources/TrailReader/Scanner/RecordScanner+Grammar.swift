// Hot path: the invariants are in RecordScanner.swift. The steps of `scan`, one per grammar state.
//
// Each step reads from `i`, moves `i` past what it consumed, and returns false when a fatal fault stopped the scan
// at `i` (`fault` is then set). A recoverable fault leaves `i` where it was: the byte is read again in the state the
// recovery chose.
//
// Every step is `@_transparent`, so `scan` compiles to the one loop it was when these were its cases. With
// `@inline(__always)` the optimizer still left `afterValue`, `colon` and `valueStart` (or, in another arrangement, the
// string chain) as calls: +2.2 % instructions for the reader, +1.0 % for the scan (callgrind, 30 files); transparent
// steps measure as before (+0.03 % and -0.1 %). Keep them small and free of `private` names (a transparent body
// cannot use them).

extension RecordScanner {
    /// In a string: runs through `"key":"value","key"` chains (most of CloudTrail's bytes and structure) without
    /// going back to the dispatch for each token.
    @_transparent
    mutating func stringChain(
        _ base: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, _ onNotice: (ScanNotice) -> Void
    ) -> Bool {
        while true {
            // Skip plain bytes; stop at '"', '\\' or a control byte.
            i = nextSpecial(base, i, end)
            guard i < end else { return true }
            let b = base[i]
            if b == 0x5C {
                state = Self.sEscape
                if stringIsKey && inRecord && depth == memberDepth { recordEscapedKey = true }
                i += 1
                return true
            }
            if b < 0x20 { return !fail(.syntax("control character in string"), at: i, onNotice) }
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
                    continue
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
                    continue
                }
            } else if i + 1 < end && base[i] == 0x2C && base[i + 1] == 0x22
                && stack[depth] == Self.containerObject
            {
                // `","` then the next key.
                state = Self.sString
                stringIsKey = true
                stringStart = i + 2
                i += 2
                continue
            }
            return true
        }
    }

    /// After a value: `,`, a closing bracket, or white space.
    @_transparent
    mutating func afterValue(
        _ base: UnsafePointer<UInt8>, _ c: UInt8, _ i: inout Int, _ end: Int,
        _ onRecord: (ScannedRecord) -> Void, _ onNotice: (ScanNotice) -> Void
    ) -> Bool {
        switch c {
        case 0x2C:  // ,
            if stack[depth] == Self.containerObject {
                if i + 1 < end && base[i + 1] == 0x22 {
                    // `,"` then the next key (after a number, literal, object or array).
                    state = Self.sString
                    stringIsKey = true
                    stringStart = i + 2
                    i += 2
                    return true
                }
                state = Self.sObjectKey
            } else {
                state = Self.sValue
            }
        case 0x7D:  // }
            if stack[depth] != Self.containerObject { return !fail(.syntax("'}' closes an array"), at: i, onNotice) }
            closeContainer(base, at: i, onRecord: onRecord, onNotice)
            // `},"` then the next key.
            if i + 2 < end && base[i + 1] == 0x2C && base[i + 2] == 0x22 && depth > 0
                && stack[depth] == Self.containerObject
            {
                state = Self.sString
                stringIsKey = true
                stringStart = i + 3
                i += 3
                return true
            }
        case 0x5D:  // ]
            if stack[depth] != Self.containerArray { return !fail(.syntax("']' closes an object"), at: i, onNotice) }
            closeContainer(base, at: i, onRecord: onRecord, onNotice)
        case 0x20, 0x09:
            break
        case 0x0A, 0x0D:
            if lineBreak(at: i, onNotice) {
                i += 1
                return true
            }
        default:
            return !fail(.syntax("expected ',' or a closing bracket"), at: i, onNotice)
        }
        i += 1
        return true
    }

    /// Where a value (or, first in an array, `]`) is expected.
    @_transparent
    mutating func valueStart(
        _ base: UnsafePointer<UInt8>, _ c: UInt8, _ i: inout Int,
        _ onRecord: (ScannedRecord) -> Void, _ onNotice: (ScanNotice) -> Void
    ) -> Bool {
        if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
            if c != 0x20 && c != 0x09 { _ = lineBreak(at: i, onNotice) }
            i += 1
            return true
        }
        if c == 0x5D && state == Self.sArrayFirst {
            closeContainer(base, at: i, onRecord: onRecord, onNotice)
            i += 1
            return true
        }
        if !beginValue(base, c, at: i, onNotice) { return false }
        i += 1
        return true
    }

    /// After a key: `:`, then (read here rather than through another dispatch) the value's first byte.
    @_transparent
    mutating func colon(
        _ base: UnsafePointer<UInt8>, _ c: UInt8, _ i: inout Int, _ end: Int, _ onNotice: (ScanNotice) -> Void
    ) -> Bool {
        if c == 0x3A {
            state = Self.sValue
            if i + 1 < end {
                let v = base[i + 1]
                if v != 0x20 && v != 0x0A && v != 0x0D && v != 0x09 {
                    if !beginValue(base, v, at: i + 1, onNotice) {
                        i += 1
                        return false
                    }
                    i += 2
                    return true
                }
            }
        } else if c == 0x20 || c == 0x09 {
        } else if c == 0x0A || c == 0x0D {
            _ = lineBreak(at: i, onNotice)
        } else {
            return !fail(.syntax("expected ':' after a key"), at: i, onNotice)
        }
        i += 1
        return true
    }

    /// Where a key (or, first in an object, `}`) is expected.
    @_transparent
    mutating func objectKey(
        _ base: UnsafePointer<UInt8>, _ c: UInt8, _ i: inout Int,
        _ onRecord: (ScannedRecord) -> Void, _ onNotice: (ScanNotice) -> Void
    ) -> Bool {
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
            return !fail(.syntax("expected a string key"), at: i, onNotice)
        }
        i += 1
        return true
    }

    /// Between top-level values.
    @_transparent
    mutating func topLevel(
        _ base: UnsafePointer<UInt8>, _ c: UInt8, _ i: inout Int, _ onNotice: (ScanNotice) -> Void
    ) -> Bool {
        if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
            i += 1
            return true
        }
        if !beginValue(base, c, at: i, onNotice) { return false }
        i += 1
        return true
    }

    /// The byte after a backslash in a string.
    @_transparent
    mutating func escape(_ c: UInt8, _ i: inout Int, _ onNotice: (ScanNotice) -> Void) -> Bool {
        switch c {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
            state = Self.sString
        case 0x75:
            state = Self.sUnicode
            unicodeLeft = 4
        default:
            return !fail(.syntax("invalid escape in string"), at: i, onNotice)
        }
        i += 1
        return true
    }

    /// One of the four hex digits of a `\u` escape.
    @_transparent
    mutating func unicodeDigit(_ c: UInt8, _ i: inout Int, _ onNotice: (ScanNotice) -> Void) -> Bool {
        let isHex = (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66)
        if !isHex { return !fail(.syntax("invalid \\u escape"), at: i, onNotice) }
        unicodeLeft -= 1
        if unicodeLeft == 0 { state = Self.sString }
        i += 1
        return true
    }

    /// In a number.
    @_transparent
    mutating func number(_ c: UInt8, _ i: inout Int, _ onNotice: (ScanNotice) -> Void) -> Bool {
        if advanceNumber(c) {
            i += 1
            return true
        }
        // The byte ends the number; it is read again as what follows a value.
        if numberState == Self.nMinus || numberState == Self.nDot || numberState == Self.nE
            || numberState == Self.nESign
        {
            return !fail(.syntax("malformed number"), at: i, onNotice)
        }
        endScalar(at: i)
        return true
    }

    /// In `true`, `false` or `null`.
    @_transparent
    mutating func literalByte(_ c: UInt8, _ i: inout Int, _ onNotice: (ScanNotice) -> Void) -> Bool {
        let expected = literal.utf8Start[literalIndex]
        if c != expected { return !fail(.syntax("invalid literal"), at: i, onNotice) }
        literalIndex += 1
        i += 1
        if literalIndex == literal.utf8CodeUnitCount { endScalar(at: i) }
        return true
    }

    /// Skipping the rest of a broken line (JSON Lines recovery).
    @_transparent
    mutating func skipLine(_ c: UInt8, _ i: inout Int) {
        if c == 0x0A {
            state = Self.sTop
            depth = 0
        }
        i += 1
    }
}
