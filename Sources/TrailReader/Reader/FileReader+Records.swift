// Hot path: the invariants are in FileReader.swift. Scanning the buffer and handing records out as events.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FileReader {
    /// Scans new bytes, delivering records. Returns false when a fault ends the file.
    func scanAvailable(_ body: (Event) -> Void) -> Bool {
        let base = UnsafePointer(buffer.assumingMemoryBound(to: UInt8.self))
        scanned = scanner.scan(
            base, from: scanned, to: filled,
            onRecord: { rec in
                if rec.index > stopAfter {
                    stopped = true
                    return
                }
                if rec.layout == .lookupEventsEnvelope {
                    unwrapLookupEvent(rec, body)
                } else {
                    deliver(rec, base: UnsafeRawPointer(base), body)
                }
            },
            onNotice: { notice($0) })
        if stopped { return false }
        if let fault = scanner.fault {
            reportFault(fault)
            return false
        }
        if scanner.inRecord && filled - scanner.recordStart > options.maxRecordBytes {
            scanner.dropOversizeRecord(scanned: scanned) { notice($0) }
        }
        return true
    }

    func deliver(_ rec: ScannedRecord, base: UnsafeRawPointer, _ body: (Event) -> Void) {
        let event = Event(
            bytes: UnsafeRawBufferPointer(start: base + rec.start, count: rec.end - rec.start), base: base,
            keys: rec.keys, slots: slots, index: rec.index, offset: rec.streamOffset, hasLineBreaks: rec.hasLineBreaks,
            hasEscapedKey: rec.hasEscapedKey)
        accept(event, notEvent: "an object without eventTime, eventName and eventSource", body)
    }

    /// Counts a record and hands it on if it is a CloudTrail event that passes the filters.
    func accept(_ event: Event, notEvent: String, _ body: (Event) -> Void) {
        guard event.looksLikeCloudTrail else {
            report.rejected += 1
            fail(.notCloudTrail, offset: event.offset, record: event.index, message: notEvent)
            return
        }
        report.records += 1
        if !event.hasValidTime { reportUntimed(event) }
        if event.hasEscapedKey {
            report.escapedKeys += 1
            fail(
                .escapedKey, offset: event.offset, record: event.index,
                message: "a top-level key is written with escapes (as CloudTrail never writes them: the record was "
                    + "edited); read as the name it decodes to, as jq reads it")
        }
        if options.hasEventFilter {
            if !passesFilters(event) {
                report.filtered += 1
                return
            }
            if !options.conditions.isEmpty && !options.conditions.allSatisfy({ $0.matches(event, scratch: &whereScratch) }) {
                report.filtered += 1
                report.filteredByWhere += 1
                return
            }
        }
        report.delivered += 1
        body(event)
    }

    /// An event whose `eventTime` is there but is not a time (`"yesterday"`, `null`, a number, `2026-13-45…`).
    func reportUntimed(_ event: Event) {
        report.untimed += 1
        // The value as the file holds it (quotes and escapes included: a time spelled with escapes is not read).
        var shown = event.member(.eventTime).map { String(decoding: $0.bytes.prefix(80), as: UTF8.self) } ?? "?"
        if (event.member(.eventTime)?.bytes.count ?? 0) > 80 { shown += "…" }
        fail(
            .invalidEventTime, offset: event.offset, record: event.index,
            message: "\(shown) is not a time; the event is read, but gives no time to findings (first and last seen, "
                + "containment cutoffs) and never passes --since or --until")
    }

    /// `aws cloudtrail lookup-events` wraps each event as a JSON string in `CloudTrailEvent`.
    func unwrapLookupEvent(_ rec: ScannedRecord, _ body: (Event) -> Void) {
        let base = UnsafeRawPointer(buffer)
        let offset = rec.streamOffset
        let wrapper = Event(
            bytes: UnsafeRawBufferPointer(start: base + rec.start, count: rec.end - rec.start), base: base,
            keys: rec.keys, slots: slots, index: rec.index, offset: offset, hasLineBreaks: rec.hasLineBreaks,
            hasEscapedKey: rec.hasEscapedKey)
        guard let raw = wrapper.member("CloudTrailEvent")?.rawStringContents else {
            report.rejected += 1
            fail(.notCloudTrail, offset: offset, record: rec.index, message: "an Events element without CloudTrailEvent")
            return
        }
        embedded.removeAll(keepingCapacity: true)
        JSONString.unescape(raw, into: &embedded)
        embeddedScanner.reset()
        var problem: String?
        embedded.withUnsafeBufferPointer { inner in
            let innerBase = inner.baseAddress!
            var found: ScannedRecord?
            var values = 0
            _ = embeddedScanner.scan(
                innerBase, from: 0, to: inner.count,
                onRecord: { innerRec in
                    values += 1
                    if values == 1 { found = innerRec }
                }, onNotice: { _ in values += 1 })
            if let fault = embeddedScanner.fault ?? embeddedScanner.finish(at: inner.count) {
                problem = "invalid JSON at byte \(fault.offset) of the string"
            } else if embeddedScanner.valuesSeen != 1 || values != 1 || found?.layout != .topLevelObject {
                problem = "not exactly one event object"
            } else if let innerRec = found {
                // The scanner is done with the string, so the record's key table is still as it left it.
                let event = Event(
                    bytes: UnsafeRawBufferPointer(start: innerBase + innerRec.start, count: innerRec.end - innerRec.start),
                    base: UnsafeRawPointer(innerBase), keys: innerRec.keys, slots: slots, index: rec.index, offset: offset,
                    hasLineBreaks: innerRec.hasLineBreaks, hasEscapedKey: innerRec.hasEscapedKey)
                accept(event, notEvent: "CloudTrailEvent is not an event", body)
            }
        }
        if let problem {
            report.rejected += 1
            fail(.invalidJSON, offset: offset, record: rec.index, message: "CloudTrailEvent: \(problem)")
        }
    }

    func notice(_ notice: ScanNotice) {
        if case .repeatedEnvelope(let offset) = notice {
            report.repeatedEnvelopes += 1
            fail(
                .repeatedEnvelope, offset: offset,
                message: "Records appears again in the file (CloudTrail writes it once: the file was edited); every "
                    + "array's records are read, and each array's are numbered from 0 (jq '.Records' shows only the last)")
            return
        }
        report.rejected += 1
        switch notice {
        case .nonObjectElement(let index, let offset, let kind):
            fail(.notCloudTrail, offset: offset, record: index, message: "\(kind) where an event object was expected")
        case .recordTooLarge(let index, let offset):
            fail(.recordTooLarge, offset: offset, record: index, message: "larger than \(options.maxRecordBytes) bytes; skipped")
        case .recovered(let fault):
            reportFault(fault, recovered: true)
        case .repeatedEnvelope:
            break
        }
    }

    func reportFault(_ fault: ScanFault, recovered: Bool = false) {
        let tail = recovered ? "; skipped to the next line" : "; the rest of the file was not read"
        switch fault.kind {
        case .syntax(let what):
            fail(.invalidJSON, offset: fault.offset, record: fault.recordIndex, message: what + tail)
        case .tooDeep(let limit):
            fail(.tooDeep, offset: fault.offset, record: fault.recordIndex, message: "deeper than \(limit) levels" + tail)
        case .notObject(let kind):
            fail(.notCloudTrail, offset: fault.offset, record: fault.recordIndex, message: "a top-level value that is \(kind)" + tail)
        case .unexpectedEnd:
            fail(
                .truncatedJSON, offset: fault.offset, record: fault.recordIndex,
                message: "the JSON ends inside a value (the file is cut short)")
        }
    }

    func passesFilters(_ event: Event) -> Bool {
        if options.since != nil || options.until != nil {
            guard let t = event.eventTime else { return false }
            if let since = options.since, t < since { return false }
            if let until = options.until, t > until { return false }
        }
        if !options.accounts.isEmpty {
            let account = event.member(.recipientAccountId)?.string
                ?? event.member(.userIdentity)?.member("accountId")?.string
            guard let account, options.accounts.contains(account) else { return false }
        }
        if !options.regions.isEmpty {
            guard let region = event.member(.awsRegion)?.string, options.regions.contains(region) else { return false }
        }
        return true
    }
}
