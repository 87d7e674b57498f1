// Hot path: the invariants are in RecordScanner.swift. Faults, recovery, and records too large.

extension RecordScanner {
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
}
