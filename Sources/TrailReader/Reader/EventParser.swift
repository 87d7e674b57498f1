/// Parses one event held in memory (a rule's test event, a lookup result) with the same scanner the reader uses.
public enum EventParser {
    /// Calls `body` with the event if `json` is exactly one JSON object; returns false (without calling) otherwise.
    public static func withEvent<R>(_ json: [UInt8], index: Int = 0, _ body: (Event) -> R) -> R? {
        var scanner = RecordScanner()
        var result: R?
        var records = 0
        let slots = UnsafeMutablePointer<UInt16>.allocate(capacity: TopMember.slotCount)
        defer { slots.deallocate() }
        json.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            _ = scanner.scan(
                base, from: 0, to: buffer.count,
                onRecord: { rec in
                    records += 1
                    guard records == 1, rec.layout == .topLevelObject else { return }
                    let event = Event(
                        bytes: UnsafeRawBufferPointer(start: base + rec.start, count: rec.end - rec.start),
                        base: UnsafeRawPointer(base), keys: rec.keys, slots: slots, index: index, offset: rec.start,
                        hasLineBreaks: rec.hasLineBreaks,
            hasEscapedKey: rec.hasEscapedKey)
                    result = body(event)
                }, onNotice: { _ in })
            if scanner.finish(at: buffer.count) != nil || records != 1 { result = nil }
        }
        return result
    }
}
