import Foundation
import Testing

@testable import TrailReader

/// Bad input is a diagnostic naming the file and offset; records before the fault are still delivered.
@Suite struct MalformedTests {
    // Records that differ enough that the compressed stream is spread over all of them.
    let ten = (0..<10).map { k in
        record(id: "m\(k)", extra: ",\"pad\":\"" + (0..<40).map { String(($0 * 7919 + k * 104_729) % 1_000_003, radix: 36) }.joined() + "\"")
    }
    var tenText: [UInt8] { Array(delivery(ten).utf8) }

    func read(_ bytes: [UInt8], name: String, options: ReaderOptions = ReaderOptions()) throws -> [ReadResult] {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(name)
        try write(bytes, to: url)
        // Every inflater this build has (zlib, and ISA-L where installed), with normal and tiny buffers.
        return InflaterKind.available.flatMap { kind -> [ReadResult] in
            var options = options
            options.inflater = kind
            return [readFile(url.path, options: options), readFile(url.path, options: options, sizes: tinySizes)]
        }
    }

    func kinds(_ r: ReadResult) -> [Diagnostic.Kind] { r.report.diagnostics.map(\.kind) }

    @Test func truncatedGzip() throws {
        let gz = gzip(tenText)
        for r in try read(Array(gz[..<(gz.count * 7 / 10)]), name: "t.json.gz") {
            #expect(kinds(r) == [.truncatedGzip])
            #expect(r.report.status == .partial)
            #expect(r.events.count >= 3 && r.events.count < 10)
            #expect(r.eventIDs == Array(["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"].prefix(r.events.count)))
        }
    }

    @Test func corruptDeflateData() throws {
        var gz = gzip(tenText)
        for k in (gz.count / 2)..<(gz.count / 2 + 8) { gz[k] ^= 0x5A }
        for r in try read(gz, name: "c.json.gz") {
            #expect(r.report.problemCount >= 1)
            #expect([.corruptGzip, .invalidJSON, .notCloudTrail, .truncatedJSON].contains(kinds(r).first!))
            #expect(r.events.count < 10)
        }
    }

    @Test func badCRCStillDeliversRecordsButIsReported() throws {
        var gz = gzip(tenText)
        gz[gz.count - 8] ^= 0xFF
        for r in try read(gz, name: "crc.json.gz") {
            #expect(kinds(r) == [.corruptGzip])
            #expect(r.report.diagnostics[0].message.contains("incorrect data check"))
            #expect(r.report.status == .partial)
        }
    }

    @Test func invalidJSONNamesTheByteOffset() throws {
        let bad = record(id: "m3").replacingOccurrences(of: "\"readOnly\":true", with: "\"readOnly\":tru")
        let text = delivery(Array(ten[0..<3]) + [bad] + Array(ten[4...]))
        let expected = Array(text.utf8).firstRange(of: Array("tru,".utf8))!.lowerBound + 3
        for name in ["i.json", "i.json.gz"] {
            let bytes = name.hasSuffix(".gz") ? gzip(Array(text.utf8)) : Array(text.utf8)
            for r in try read(bytes, name: name) {
                #expect(r.eventIDs == ["m0", "m1", "m2"])
                #expect(kinds(r) == [.invalidJSON])
                #expect(r.report.diagnostics[0].offset == expected)
                #expect(r.report.diagnostics[0].recordIndex == 3)
                #expect(r.report.diagnostics[0].description.contains("i.json"))
            }
        }
    }

    @Test func validJSONThatIsNotCloudTrail() throws {
        for r in try read(Array("{\"hello\":\"world\",\"items\":[1,2,3]}".utf8), name: "n.json") {
            #expect(kinds(r) == [.notCloudTrail])
            #expect(r.report.status == .failed)
        }
        for r in try read(Array("\"just a string\"".utf8), name: "s.json") {
            #expect(kinds(r) == [.notCloudTrail])
            #expect(r.report.status == .failed)
        }
    }

    @Test func nonEventElementsAreRejectedOneByOne() throws {
        let text = delivery([ten[0], "42", "{\"foo\":\"bar\"}", ten[1]])
        for r in try read(Array(text.utf8), name: "r.json") {
            #expect(r.eventIDs == ["m0", "m1"])
            #expect(r.report.rejected == 2)
            #expect(kinds(r) == [.notCloudTrail, .notCloudTrail])
            #expect(r.report.diagnostics.map(\.recordIndex) == [1, 2])
        }
    }

    @Test func emptyInputs() throws {
        for (bytes, name) in [([UInt8](), "e.json.gz"), (gzip([]), "m.json.gz"), (Array(" \n\t\n".utf8), "w.json")] {
            for r in try read(bytes, name: name) {
                #expect(kinds(r) == [.empty], "\(name)")
                #expect(r.report.status == .failed)
            }
        }
        for r in try read(Array("{\"Records\":[]}".utf8), name: "none.json") {
            #expect(r.report.status == .read)
            #expect(r.events.isEmpty)
        }
    }

    @Test func decompressionBombStopsAtTheCap() throws {
        let bomb = Array("{\"Records\":[\(ten[0]),".utf8) + [UInt8](repeating: 0x20, count: 8 << 20) + Array("]}".utf8)
        var options = ReaderOptions()
        options.maxInflatedBytes = 1 << 20
        for r in try read(gzip(bomb, level: 9), name: "b.json.gz", options: options) {
            #expect(r.eventIDs == ["m0"])
            #expect(kinds(r) == [.inflateLimit])
        }
    }

    @Test func trailingGarbageAfterGzip() throws {
        for r in try read(gzip(tenText) + Array("not gzip at all, junk".utf8), name: "g.json.gz") {
            #expect(r.events.count == 10)
            #expect(kinds(r) == [.trailingData])
        }
        for r in try read(gzip(tenText) + [UInt8](repeating: 0, count: 512), name: "z.json.gz") {
            #expect(r.events.count == 10)
            #expect(r.report.status == .read)
        }
    }

    @Test func unterminatedJSON() throws {
        let text = Array(delivery(ten).utf8)
        let cut = Array(text[..<(text.firstRange(of: Array("m2-req".utf8))!.lowerBound)])
        for r in try read(cut, name: "u.json") {
            #expect(r.eventIDs == ["m0", "m1"])
            #expect(kinds(r) == [.truncatedJSON])
            #expect(r.report.diagnostics[0].recordIndex == 2)
        }
    }

    @Test func absurdNestingIsAFaultNotACrash() throws {
        let text = Array("{\"Records\":[".utf8) + [UInt8](repeating: 0x5B, count: 100_000)
        for r in try read(text, name: "deep.json") {
            #expect(kinds(r).last == .tooDeep)
        }
    }

    @Test func binaryGarbage() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) | 0x80 }
        for r in try read(bytes, name: "bin.json") {
            #expect(r.report.status == .failed)
            #expect(r.report.problemCount >= 1)
        }
    }

    @Test func missingFileIsUnreadable() {
        let r = readFile("/nonexistent/trailhound/file.json.gz")
        #expect(kinds(r) == [.unreadable])
        #expect(r.report.status == .failed)
    }

    @Test func oversizeRecordIsSkippedOthersDelivered() throws {
        let big = record(id: "big", extra: ",\"pad\":\"" + String(repeating: "x", count: 300_000) + "\"")
        var options = ReaderOptions()
        options.maxRecordBytes = 64 << 10
        for r in try read(Array(delivery([ten[0], big, ten[1]]).utf8), name: "big.json", options: options) {
            #expect(r.eventIDs == ["m0", "m1"])
            #expect(kinds(r) == [.recordTooLarge])
        }
    }

    /// An eventTime that is there but is not a time: the event is delivered (rules still see it), counted and
    /// reported with its record, and the run has an input problem (exit 2); a time filter never passes it.
    @Test func eventTimeThatIsNotATimeIsReportedAndCounted() throws {
        let bad = [
            record(id: "t0"), record(id: "t1", time: "yesterday"), record(id: "t2", time: "2026-13-45T00:00:00Z"),
            record(id: "t3").replacingOccurrences(of: #""eventTime":"2026-11-20T10:00:00Z""#, with: #""eventTime":null"#),
            record(id: "t4").replacingOccurrences(of: #""eventTime":"2026-11-20T10:00:00Z""#, with: #""eventTime":1763632800"#),
            record(id: "t5", time: "2026-11-20T12:00:00.250+02:00"),
        ]
        for r in try read(Array(delivery(bad).utf8), name: "times.json") {
            #expect(r.eventIDs == ["t0", "t1", "t2", "t3", "t4", "t5"])
            #expect(r.report.untimed == 4)
            #expect(kinds(r) == [.invalidEventTime, .invalidEventTime, .invalidEventTime, .invalidEventTime])
            #expect(r.report.diagnostics.map(\.recordIndex) == [1, 2, 3, 4])
            #expect(r.report.diagnostics.first?.message.hasPrefix("\"yesterday\" is not a time") == true)
            #expect(r.report.status == .read)
            var summary = RunSummary()
            summary.add(r.report)
            #expect(summary.untimed == 4 && summary.hasInputProblems)
        }
        var options = ReaderOptions()
        options.since = 0
        for r in try read(Array(delivery(bad).utf8), name: "times.json", options: options) {
            #expect(r.eventIDs == ["t0", "t5"])
            #expect(r.report.filtered == 4 && r.report.untimed == 4)
        }
    }

    /// `Records` twice in one file (jq's `.Records` is the last array; trailhound once read only the first, silently):
    /// every array's records are read, each array numbered from 0, and the edited file is reported.
    @Test func recordsTwiceAreAllReadAndReported() throws {
        let text = #"{"Records":["# + ten[0] + "," + ten[1] + #"],"other":{"Records":[1]},"Records":["# + ten[2] + "]}"
        for r in try read(Array(text.utf8), name: "twice.json") {
            #expect(r.eventIDs == ["m0", "m1", "m2"])
            #expect(r.indexes == [0, 1, 0])
            #expect(kinds(r) == [.repeatedEnvelope])
            #expect(r.report.repeatedEnvelopes == 1 && r.report.rejected == 0 && r.report.status == .read)
            var summary = RunSummary()
            summary.add(r.report)
            #expect(summary.hasInputProblems)
        }
        func wrapped(_ id: String) -> String {
            let inner = #"{"eventTime":"2026-11-20T10:00:00Z","eventName":"A","eventSource":"s","eventID":"\#(id)"}"#
            return #"{"CloudTrailEvent":""# + inner.replacingOccurrences(of: "\"", with: "\\\"") + #""}"#
        }
        let lookup = #"{"Events":["# + wrapped("l0") + #"],"NextToken":"x","Events":["# + wrapped("l1") + "]}"
        for r in try read(Array(lookup.utf8), name: "lookup.json") {
            #expect(r.eventIDs == ["l0", "l1"])
            #expect(kinds(r) == [.repeatedEnvelope], "\(r.report.diagnostics)")
        }
        // An event with a `Records` member stays an event; one envelope is not reported.
        for r in try read(Array(delivery(Array(ten.prefix(2))).utf8), name: "once.json") {
            #expect(r.eventIDs == ["m0", "m1"] && kinds(r).isEmpty)
        }
    }

    @Test func brokenJSONLinesLineIsSkippedAndTheRestRead() throws {
        let text = [ten[0], "{\"eventTime\": oops}", ten[1], "{\"unterminated\":\"x", ten[2]].joined(separator: "\n")
        for r in try read(Array(text.utf8), name: "l.jsonl") {
            #expect(r.eventIDs == ["m0", "m1", "m2"])
            #expect(kinds(r) == [.invalidJSON, .invalidJSON])
            #expect(r.report.diagnostics.map(\.recordIndex) == [1, 3])
        }
    }
}

/// Regressions found in review.
@Suite struct ReaderRegressionTests {
    func read(_ text: String, name: String = "x.json", options: ReaderOptions = ReaderOptions()) throws -> [ReadResult] {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(name)
        try write(Array(text.utf8), to: url)
        return [readFile(url.path, options: options), readFile(url.path, options: options, sizes: tinySizes)]
    }

    @Test func anEventWithARecordsMemberIsStillAnEvent() throws {
        let event = record(id: "r1", extra: ",\"Records\":[],\"Events\":[1]")
        for r in try read(event + "\n" + record(id: "r2") + "\n", name: "x.jsonl") {
            #expect(r.eventIDs == ["r1", "r2"])
            #expect(r.report.status == .read)
        }
    }

    @Test func oversizeJSONLinesRecordWithShortKeysAfterTheCut() throws {
        var options = ReaderOptions()
        options.maxRecordBytes = 1200
        let big = record(id: "big", extra: ",\"pad\":\"" + String(repeating: "x", count: 2000) + "\",\"Events\":\"y\",\"Records\":\"z\"")
        for r in try read([record(id: "a"), big, record(id: "b")].joined(separator: "\n"), name: "o.jsonl", options: options) {
            #expect(r.eventIDs == ["a", "b"])
            #expect(r.report.diagnostics.map(\.kind) == [.recordTooLarge])
        }
    }

    @Test func lookupEventsWithBrokenEmbeddedEvents() throws {
        func wrap(_ inner: String) -> String {
            var escaped: [UInt8] = []
            JSONString.escape(inner.utf8, into: &escaped)
            return "{\"EventId\":\"x\",\"CloudTrailEvent\":\"\(String(decoding: escaped, as: UTF8.self))\"}"
        }
        let good = record(id: "g")
        let text = "{\"Events\":[" + [wrap(good), wrap(String(good.dropLast())), wrap(good + " trailing"), wrap(good)].joined(separator: ",") + "]}"
        for r in try read(text) {
            #expect(r.eventIDs == ["g", "g"])
            #expect(r.indexes == [0, 3])
            #expect(r.report.rejected == 2)
            #expect(r.report.diagnostics.map(\.recordIndex) == [1, 2])
        }
    }

    @Test func aJSONLinesLineCutShortLosesOnlyThatLine() throws {
        // A CloudWatch export line cut off inside an array, then more lines: only the cut line is lost.
        let cut = String(record(id: "cut").prefix(200)) + ",\"list\":[1,2"
        let text = [record(id: "a"), cut, record(id: "b"), "{\"eventTime\":\"2026-11-20T10:00:00Z\",\"nested\":{\"x\":", record(id: "c")]
            .joined(separator: "\n") + "\n"
        for r in try read(text, name: "cut.jsonl") {
            #expect(r.eventIDs == ["a", "b", "c"])
            #expect(r.report.diagnostics.map(\.kind) == [.invalidJSON, .invalidJSON])
            #expect(r.report.diagnostics.map(\.recordIndex) == [1, 3])
        }
        // A pretty-printed single event is not JSON Lines: its line breaks are fine.
        let object = try JSONSerialization.jsonObject(with: Data(record(id: "p").utf8))
        let pretty = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted]), as: UTF8.self)
        for r in try read(pretty + "\n" + pretty, name: "pretty.json") {
            #expect(r.eventIDs == ["p", "p"])
            #expect(r.report.status == .read)
        }
    }

    @Test func int64Extremes() throws {
        let text = record(id: "n", extra: ",\"min\":-9223372036854775808,\"max\":9223372036854775807,\"over\":9223372036854775808")
        for r in try read(text) {
            #expect(r.eventIDs == ["n"])
        }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("n.json")
        try write(Array(text.utf8), to: url)
        _ = FileReader(options: ReaderOptions()).read(InputFile(path: url.path)) { e in
            #expect(e.value(at: FieldPath("min")!)?.int64 == Int64.min)
            #expect(e.value(at: FieldPath("max")!)?.int64 == Int64.max)
            #expect(e.value(at: FieldPath("over")!)?.int64 == nil)
        }
    }
}
