import Synchronization
import TrailReader

/// The texts that thousands of findings repeat in their evidence (an event source, an event name, an error code),
/// made once and shared: a Swift string longer than 15 bytes is a heap object of its own, and `sts.amazonaws.com` in
/// the evidence of 6,000 findings was 6,000 of them. Only texts of 16 to 64 bytes written without escapes are shared
/// (shorter ones are stored inline anyway), and at most `limit` of them, so hostile logs cannot grow it; any other
/// value is made as `scalarText` makes it. Threads share it behind a lock (taken once per evidence field kept).
final class SharedText: Sendable {
    static let shared = SharedText()
    static let limit = 4096
    private let texts = Mutex<[UInt64: String]>([:])

    /// `value.scalarText`, shared when it is one of the texts above.
    func text(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        guard let raw = value.rawStringContents, raw.count > 15, raw.count <= 64, !raw.contains(0x5C) else {
            return value.scalarText
        }
        let h = FastHash.mix(0x5A7E, raw)
        if let known = texts.withLock({ $0[h] }), known.utf8.elementsEqual(raw) { return known }
        let made = String(decoding: raw, as: UTF8.self)
        // Bytes that are not UTF-8 were repaired (most repairs change the count): such a text is never found again
        // (its bytes are not the raw ones), so it takes no place.
        guard made.utf8.count == raw.count else { return made }
        texts.withLock { t in
            if t.count < Self.limit && t[h] == nil { t[h] = made }
        }
        return made
    }
}
