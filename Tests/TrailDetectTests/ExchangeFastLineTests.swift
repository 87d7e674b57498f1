import Foundation
import Testing

@testable import TrailDetect

/// Issuance and trigger lines of the exchange format are read without `JSONDecoder` (issue 21: the context is mostly
/// these lines, and every second-pass and reduce task reads it whole). Whatever the line, the fast reader must give
/// what `JSONDecoder` gives, or leave the line to it.
@Suite struct ExchangeFastLineTests {
    static func encoded(_ line: ExchangeLine) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(line), as: UTF8.self)
    }

    /// The fast reading of `text`, which must equal `JSONDecoder`'s when there is one; returns whether it was fast.
    @discardableResult
    static func check(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        let data = Data(text.utf8)
        let slow = try? JSONDecoder().decode(ExchangeLine.self, from: data)
        guard let fast = FastLine.read(data[...]) else { return false }
        let expected = try #require(slow, "read fast, but JSONDecoder refuses: \(text)", sourceLocation: sourceLocation)
        #expect(try encoded(fast) == encoded(expected), sourceLocation: sourceLocation)
        return true
    }

    @Test func linesTheStagesWriteAreReadAsJSONDecoderReadsThem() throws {
        let texts = ["", "AKIA", "ключ-🔑", "a/b//c", "\"quoted\"", "tab\there", "back\\slash", "\u{7f}", "line\nbreak",
                     String(repeating: "x", count: 5_000)]
        var fast = 0
        for (n, t) in texts.enumerated() {
            var i = ExchangeLine(kind: .issuance)
            i.issuance = ExchangeLine.Issuance(
                file: "/logs/\(t).json.gz", seq: n, api: "AssumeRole", account: "111122223333", childKey: "ASIA\(t)",
                parentKey: n % 2 == 0 ? nil : t, parentPrincipal: "arn:aws:iam::111122223333:user/\(t)",
                childPrincipal: n % 3 == 0 ? nil : "arn:aws:sts::111122223333:assumed-role/r/\(t)",
                issuedAt: Int64(n) * 1_000_000_007 - 5, expiresAt: Int64.max - Int64(n), eventID: n % 4 == 0 ? nil : t)
            var g = ExchangeLine(kind: .trigger)
            g.trigger = ExchangeLine.Trigger(
                seq: n, ruleId: "rule-\(t)", json: Data(t.utf8).base64EncodedString(), file: "/logs/\(t)", index: -n,
                time: Int64.min + Int64(n), eventID: t)
            for line in [i, g] {
                let text = try Self.encoded(line)
                if try Self.check(text) { fast += 1 }
                // And through the file reader, which must give back the same lines.
                let file = try Exchange.encode([line], stage: "context")
                let back = try Exchange.decode(file, path: "x", stages: ["context"])
                #expect(back.count == 1)
                #expect(try Self.encoded(back[0]) == text)
            }
        }
        // Lines with an escape (quotes, a tab, a backslash, a line break) are left to JSONDecoder; the others are fast.
        #expect(fast >= 10)
    }

    @Test func oddLinesAreReadAsJSONDecoderReadsThemOrLeftToIt() throws {
        let issuance = #""issuance":{"account":"1","api":"A","childKey":"K","expiresAt":2,"file":"f","issuedAt":1,"parentPrincipal":"P","seq":0"#
        let trigger = #""trigger":{"eventID":"e","file":"f","index":3,"json":"e30=","ruleId":"r","seq":0,"time":5"#
        let cases = [
            "{\(issuance)},\"kind\":\"issuance\"}",
            "{\"kind\":\"trigger\",\(trigger)}}",
            "{\(issuance),\"eventID\":null,\"parentKey\":null},\"kind\":\"issuance\"}",
            "{\(issuance),\"future\":[1,{\"x\":2}]},\"kind\":\"issuance\"}",
            "{\(issuance),\"seq\":1},\"kind\":\"issuance\"}",
            "{\(issuance)},\"kind\":\"issuance\",\"kind\":\"trigger\"}",
            "{\(issuance)},\"kind\":\"trigger\"}",
            "{\(issuance)},\"kind\":\"issuance\",\"latest\":3}",
            "{\(issuance),\"eventID\":7},\"kind\":\"issuance\"}",
            "{\"kind\":\"trigger\",\(trigger.replacingOccurrences(of: "\"index\":3", with: "\"index\":3.0"))}}",
            "{\"kind\":\"trigger\",\(trigger.replacingOccurrences(of: "\"index\":3", with: "\"index\":03"))}}",
            "{\"kind\":\"trigger\",\(trigger.replacingOccurrences(of: "\"index\":3", with: "\"index\":-0"))}}",
            "{\"kind\":\"trigger\",\(trigger.replacingOccurrences(of: "\"index\":3", with: "\"index\":1e2"))}}",
            "{\"kind\":\"trigger\",\(trigger.replacingOccurrences(of: "\"time\":5", with: "\"time\":99999999999999999999"))}}",
            "{\"kind\":\"trigger\",\(trigger.replacingOccurrences(of: "\"time\":5", with: "\"time\":\"5\""))}}",
            "{\"kind\":\"trigger\",\(trigger.replacingOccurrences(of: ",\"time\":5", with: ""))}}",
            "{\"kind\":\"trigger\",\(trigger)}}}",
            "{\"kind\":\"trigger\",\(trigger)}",
            "{\"kind\":\"trigger\",\(trigger)}} {}",
            "{\"kind\":\"issuance\",\(issuance)}}",
            "[\"kind\"]",
            "{\"kind\":\"latest\",\"latest\":5}",
        ]
        var fast = 0
        for c in cases where try Self.check(c) { fast += 1 }
        #expect(fast == 4)
    }
}
