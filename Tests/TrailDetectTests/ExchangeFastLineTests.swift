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

    /// Signal and group lines (all a correlate task reads) too, with the odd numbers a hand-written reader gets wrong.
    @Test func signalAndGroupLinesAreReadAsJSONDecoderReadsThemOrLeftToIt() throws {
        let signal = #""signal":{"baseId":"b","correlationId":"c","event":18446744073709551615,"file":"/f","group":7,"record":3,"seq":0,"time":-5,"value":0"#
        let cases = [
            "{\"kind\":\"signal\",\(signal)}}",
            "{\"group\":{\"group\":18446744073709551615,\"values\":[\"111122223333\",\"ASIA\"]},\"kind\":\"group\"}",
            "{\"group\":{\"group\":0,\"values\":[]},\"kind\":\"group\"}",
            "{\"kind\":\"signal\",\(signal.replacingOccurrences(of: "18446744073709551615", with: "18446744073709551616"))}}",
            "{\"kind\":\"signal\",\(signal.replacingOccurrences(of: "\"group\":7", with: "\"group\":-7"))}}",
            "{\"kind\":\"signal\",\(signal.replacingOccurrences(of: "\"group\":7", with: "\"group\":07"))}}",
            "{\"kind\":\"signal\",\(signal.replacingOccurrences(of: "\"group\":7", with: "\"group\":7.5"))}}",
            "{\"kind\":\"signal\",\(signal.replacingOccurrences(of: "\"group\":7", with: "\"group\":7,\"group\":8"))}}",
            "{\"kind\":\"signal\",\(signal.replacingOccurrences(of: ",\"value\":0", with: ""))}}",
            "{\"group\":{\"group\":1,\"values\":[\"a\",2]},\"kind\":\"group\"}",
            "{\"group\":{\"group\":1,\"values\":[\"a\",null]},\"kind\":\"group\"}",
            "{\"group\":{\"group\":1,\"values\":\"a\"},\"kind\":\"group\"}",
            "{\"group\":{\"group\":1},\"kind\":\"group\"}",
            "{\"group\":{\"group\":1,\"values\":[\"a\"]},\"kind\":\"signal\"}",
        ]
        var fast = 0
        for c in cases where try Self.check(c) { fast += 1 }
        #expect(fast == 3)
    }

    /// The lines a map task writes by the ten thousand are written by hand (`FastWrite`); the file must be byte for
    /// byte what `JSONEncoder` writes, whatever the strings (those it would escape are left to it), and read back the
    /// same. Seeded, so a failure is repeatable.
    @Test func linesWrittenByHandAreWhatJSONEncoderWrites() throws {
        let texts = ["", "AKIA", "a/b//c", "111122223333", "arn:aws:sts::1:assumed-role/r/s", "~ !#$%&'()*+,-.:;<=>?@[]^_`{|}",
                     "\"q\"", "back\\slash", "tab\t", "\u{1}", "\u{7f}", "ключ", "🔑", "\u{2028}", String(repeating: "y", count: 3000)]
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        func text() -> String { texts[next(texts.count)] }
        func int() -> Int64 { [Int64.min, -1, 0, 7, 1_795_154_410, Int64.max][next(6)] }
        func uint() -> UInt64 { [0, 1, 42, UInt64(Int64.max), UInt64.max][next(5)] }
        var lines: [ExchangeLine] = []
        for n in 0..<600 {
            var l: ExchangeLine
            switch n % 5 {
            case 0:
                l = ExchangeLine(kind: .issuance)
                l.issuance = ExchangeLine.Issuance(
                    file: text(), seq: n, api: text(), account: text(), childKey: text(),
                    parentKey: next(2) == 0 ? nil : text(), parentPrincipal: text(),
                    childPrincipal: next(2) == 0 ? nil : text(), issuedAt: int(), expiresAt: int(),
                    eventID: next(2) == 0 ? nil : text())
            case 1:
                l = ExchangeLine(kind: .trigger)
                l.trigger = ExchangeLine.Trigger(
                    seq: n, ruleId: text(), json: text(), file: text(), index: Int(int()), time: int(), eventID: text())
            case 2:
                l = ExchangeLine(kind: .signal)
                l.signal = ExchangeLine.SignalEntry(
                    seq: n, correlationId: text(), baseId: text(), group: uint(), value: uint(), time: int(),
                    event: uint(), file: text(), record: Int(int()))
            case 3:
                l = ExchangeLine(kind: .group)
                l.group = ExchangeLine.Group(group: uint(), values: (0..<next(4)).map { _ in text() })
            default:
                l = ExchangeLine(kind: .latest)
                l.latest = int()
            }
            lines.append(l)
        }
        // A line with two members (never written by the stages) is JSONEncoder's too.
        var two = ExchangeLine(kind: .latest)
        two.latest = 5
        two.group = ExchangeLine.Group(group: 1, values: ["a"])
        lines.append(two)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var expected = try encoder.encode(ExchangeLine.header("map-global")) + Data([0x0A])
        var byHand = 0
        for l in lines {
            expected += try encoder.encode(l) + Data([0x0A])
            var scratch: [UInt8] = [1, 2, 3]
            if FastWrite.line(l, into: &scratch) {
                byHand += 1
                #expect(Array(scratch[..<3]) == [1, 2, 3])
            } else {
                #expect(scratch == [1, 2, 3], "a refused line leaves the output as it was")
            }
        }
        let file = try Exchange.encode(lines, stage: "map-global")
        #expect(file == expected)
        // Most lines have only plain strings: written by hand (so the comparison above is not JSONEncoder's with itself).
        #expect(byHand > 150)
        #expect(byHand < lines.count)
        let back = try Exchange.decode(file, path: "x", stages: ["map-global"])
        #expect(try back.map(Self.encoded) == lines.map(Self.encoded))
    }

    /// The strict reader of `FastWrite`'s own lines (`ExactLine`) reads every line `FastWrite` writes, and on lines
    /// changed a byte at a time (a digit, sign, dot, exponent, quote, backslash, brace, comma, space or a byte beyond
    /// ASCII put in, taken out or swapped) it reads what `JSONDecoder` reads, or leaves the line to the other readers.
    /// Seeded, so a failure is repeatable.
    @Test func exactReaderReadsWhatJSONDecoderReadsOrNothing() throws {
        var seed: UInt64 = 0x9E6C_63D0_676A_9A99
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        let texts = ["", "0", "a", "AKIA", "/logs/a.json.gz", "arn:aws:sts::1:assumed-role/r/s", "111122223333"]
        let ints: [Int64] = [.min, -10, -1, 0, 1, 10, 1_795_154_410, .max]
        let uints: [UInt64] = [0, 1, 10, UInt64(Int64.max) + 1, .max]
        func text() -> String { texts[next(texts.count)] }
        var lines: [ExchangeLine] = []
        for n in 0..<400 {
            var l: ExchangeLine
            switch n % 4 {
            case 0:
                l = ExchangeLine(kind: .issuance)
                l.issuance = ExchangeLine.Issuance(
                    file: text(), seq: Int(ints[next(ints.count)]), api: text(), account: text(), childKey: text(),
                    parentKey: next(2) == 0 ? nil : text(), parentPrincipal: text(),
                    childPrincipal: next(2) == 0 ? nil : text(), issuedAt: ints[next(ints.count)],
                    expiresAt: ints[next(ints.count)], eventID: next(2) == 0 ? nil : text())
            case 1:
                l = ExchangeLine(kind: .trigger)
                l.trigger = ExchangeLine.Trigger(
                    seq: n, ruleId: text(), json: text(), file: text(), index: Int(ints[next(ints.count)]),
                    time: ints[next(ints.count)], eventID: text())
            case 2:
                l = ExchangeLine(kind: .signal)
                l.signal = ExchangeLine.SignalEntry(
                    seq: n, correlationId: text(), baseId: text(), group: uints[next(uints.count)],
                    value: uints[next(uints.count)], time: ints[next(ints.count)], event: uints[next(uints.count)],
                    file: text(), record: Int(ints[next(ints.count)]))
            default:
                l = ExchangeLine(kind: .group)
                l.group = ExchangeLine.Group(group: uints[next(uints.count)], values: (0..<next(4)).map { _ in text() })
            }
            lines.append(l)
        }
        let inserts: [[UInt8]] = ["0", "9", "-", ".", "e", "E", "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "x", "é", "null"]
            .map { Array($0.utf8) }
        var exactly = 0
        var mutatedRead = 0
        for l in lines {
            var written: [UInt8] = []
            #expect(FastWrite.line(l, into: &written))
            let original = written.withUnsafeBytes { ExactLine.read($0) }
            #expect(try original.map(Self.encoded) == Self.encoded(l))
            if original != nil { exactly += 1 }
            for _ in 0..<12 {
                var m = written
                let at = next(m.count)
                switch next(3) {
                case 0: m.remove(at: at)
                case 1: m.insert(contentsOf: inserts[next(inserts.count)], at: at)
                default: m.replaceSubrange(at..<(at + 1), with: inserts[next(inserts.count)])
                }
                guard let exact = m.withUnsafeBytes({ ExactLine.read($0) }) else { continue }
                mutatedRead += 1
                let decoded = try #require(
                    try? JSONDecoder().decode(ExchangeLine.self, from: Data(m)),
                    "read exactly, but JSONDecoder refuses: \(String(decoding: m, as: UTF8.self))")
                #expect(try Self.encoded(exact) == Self.encoded(decoded), "\(String(decoding: m, as: UTF8.self))")
            }
        }
        #expect(exactly == lines.count)
        // Some changes keep a valid line (a digit added to a string or number): those are read, and compared.
        #expect(mutatedRead > 50)
    }
}
