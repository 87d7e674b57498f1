import Testing

@testable import TrailDetect
@testable import TrailReader

/// `SharedText` gives exactly what `scalarText` gives for every value, and shares the storage of a repeated text of
/// 16 to 64 bytes (what keeps thousands of findings' evidence from holding a copy of the same event source each).
@Suite struct SharedTextTests {
    static func value<T>(_ json: String, _ body: (JSONValue) -> T) -> T { value(Array(json.utf8), body) }

    static func value<T>(_ bytes: [UInt8], _ body: (JSONValue) -> T) -> T {
        var bytes = bytes
        return bytes.withUnsafeMutableBytes { body(JSONValue(bytes: UnsafeRawBufferPointer($0))) }
    }

    /// The address of a string's bytes (its storage; nil for one stored inline).
    static func storage(_ s: String) -> UnsafeRawPointer? {
        var s = s
        guard s.utf8.count > 15 else { return nil }
        return s.withUTF8 { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func givesWhatScalarTextGives() {
        let shared = SharedText()
        let cases = [
            #""sts.amazonaws.com""#, #""s3""#, #""""#, #""GetFederationToken""#, #""Client.UnauthorizedOperation""#,
            #""esc\u0061ped.amazonaws.com""#, #""quote\"d.amazonaws.com.example""#, "\"" + String(repeating: "x", count: 64) + "\"",
            "\"" + String(repeating: "y", count: 65) + "\"", #""ünïcödé.amazonaws.com""#, "12345678901234567890", "true",
            "null", #"{"a":"sts.amazonaws.com"}"#, #"["sts.amazonaws.com"]"#,
        ].map { Array($0.utf8) } + [Array("\"not utf-8: ".utf8) + [0xFF, 0xC3, 0x28, 0xFE] + Array(" here\"".utf8)]
        for json in cases {
            for _ in 0..<3 {
                let (got, want) = Self.value(json) { (shared.text($0), $0.scalarText) }
                #expect(got == want, "\(json)")
            }
        }
        #expect(shared.text(nil) == nil)
    }

    /// The evidence gives an event's time as written; firstSeen and lastSeen in CloudTrail's form. The time's text is
    /// shared only when the two are the same bytes.
    @Test func evidenceKeepsTheTimeAsWritten() throws {
        let yaml = """
            title: Listed
            logsource: {product: aws, service: cloudtrail}
            detection:
              sel: {eventName: ListUsers}
              condition: sel
            """
        let written = CorrelationTests.event(1, "ListUsers", key: "AKIAAAAA", at: 0)
            .replacingOccurrences(of: Timestamp.format(1_795_000_000), with: "2026-11-20T12:00:00+02:00")
        let canonical = CorrelationTests.event(2, "ListUsers", key: "AKIAAAAA", at: 0, user: "other")
        let findings = try CorrelationTests.scan(yaml, [written, canonical])
        let offset = try #require(findings.first { $0.actor.userName == "u" })
        #expect(offset.evidence.map(\.eventTime) == ["2026-11-20T12:00:00+02:00"])
        #expect(offset.firstSeen == "2026-11-20T10:00:00Z" && offset.lastSeen == "2026-11-20T10:00:00Z")
        let plain = try #require(findings.first { $0.actor.userName == "other" })
        #expect(plain.evidence.map(\.eventTime) == [Timestamp.format(1_795_000_000)])
        #expect(plain.firstSeen == Timestamp.format(1_795_000_000))
    }

    @Test func repeatedTextsShareTheirStorage() throws {
        let shared = SharedText()
        let a = try #require(Self.value(#""sts.amazonaws.com""#) { shared.text($0) })
        let b = try #require(Self.value(#""sts.amazonaws.com""#) { shared.text($0) })
        #expect(a == b)
        #expect(Self.storage(a) != nil && Self.storage(a) == Self.storage(b))
        // Escaped or too long: made each time, as scalarText makes them.
        let e1 = try #require(Self.value(#""esc\u0061ped.amazonaws.com""#) { shared.text($0) })
        let e2 = try #require(Self.value(#""esc\u0061ped.amazonaws.com""#) { shared.text($0) })
        #expect(e1 == "escaped.amazonaws.com" && Self.storage(e1) != Self.storage(e2))
        // Bounded: past the limit, texts are still right, only no longer shared.
        for n in 0..<(SharedText.limit + 10) {
            let text = "service-\(n).amazonaws.com"
            #expect(Self.value("\"\(text)\"") { shared.text($0) } == text)
        }
        let late1 = try #require(Self.value(#""late-comer.amazonaws.com""#) { shared.text($0) })
        let late2 = try #require(Self.value(#""late-comer.amazonaws.com""#) { shared.text($0) })
        #expect(late1 == late2 && Self.storage(late1) != Self.storage(late2))
        // What was shared before stays shared.
        let c = try #require(Self.value(#""sts.amazonaws.com""#) { shared.text($0) })
        #expect(Self.storage(c) == Self.storage(a))
    }
}
