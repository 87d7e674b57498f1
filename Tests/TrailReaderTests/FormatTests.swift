import Foundation
import Testing

@testable import TrailReader

/// Every input format yields the same events, in the same order, whatever the buffer boundaries.
@Suite struct FormatTests {
    let records = (1...4).map { record(id: "e\($0)", extra: $0 == 2 ? ",\"note\":\"a \\\"quoted\\\" \\\\ \\u00e9 value\"" : "") }

    func check(_ text: String, name: String, expectIDs: [String]? = nil, gz: Bool = false) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(name)
        try write(gz ? gzip(Array(text.utf8)) : Array(text.utf8), to: url)
        for sizes in [FileReader.BufferSizes(), tinySizes] {
          for kind in InflaterKind.available {
            var options = ReaderOptions()
            options.inflater = kind
            let result = readFile(url.path, options: options, sizes: sizes)
            #expect(result.eventIDs == (expectIDs ?? ["e1", "e2", "e3", "e4"]), "\(name) with \(sizes), \(kind)")
            #expect(result.report.status == .read, "\(name): \(result.report.diagnostics)")
            for event in result.events {
                #expect(try JSONSerialization.jsonObject(with: Data(event.utf8)) is [String: Any])
            }
          }
        }
    }

    @Test func deliveryObject() throws {
        try check(delivery(records), name: "a.json")
        try check(delivery(records), name: "a.json.gz", gz: true)
    }

    @Test func deliveryObjectWithOtherKeysAndSpacing() throws {
        let text = "{ \"meta\" : {\"x\":[1,2,{\"Records\":3}]},\n \"Records\" : [\n" + records.joined(separator: " ,\n ")
            + "\n] , \"tail\": null }\n"
        try check(text, name: "b.json")
    }

    @Test func jsonLines() throws {
        try check(records.joined(separator: "\n") + "\n", name: "c.jsonl")
        try check(records.joined(separator: "\r\n"), name: "c2.jsonl")
    }

    @Test func bareArray() throws {
        try check("[" + records.joined(separator: ",") + "]", name: "d.json")
    }

    @Test func singleEvent() throws {
        try check(records[0], name: "e.json", expectIDs: ["e1"])
    }

    @Test func lookupEventsOutput() throws {
        let wrapped = records.enumerated().map { k, r -> String in
            var escaped: [UInt8] = []
            JSONString.escape(r.utf8, into: &escaped)
            return """
                {
                    "EventId": "e\(k + 1)",
                    "EventName": "GetCallerIdentity",
                    "ReadOnly": "true",
                    "EventTime": "2026-11-20T10:00:00+00:00",
                    "Resources": [],
                    "CloudTrailEvent": "\(String(decoding: escaped, as: UTF8.self))"
                }
                """
        }
        try check("{\n    \"Events\": [\n" + wrapped.joined(separator: ",\n") + "\n    ],\n    \"NextToken\": \"abc\"\n}\n", name: "f.json")
    }

    @Test func prettyPrintedRecordsAreMarked() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("p.json")
        let object = try JSONSerialization.jsonObject(with: Data(delivery(records).utf8))
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted]).write(to: url)
        let reader = FileReader(options: ReaderOptions())
        var breaks: [Bool] = []
        _ = reader.read(InputFile(path: url.path)) { breaks.append($0.hasLineBreaks) }
        #expect(breaks == [true, true, true, true])
    }

    @Test func concatenatedGzipMembers() throws {
        let text = Array(delivery(records).utf8)
        let cut = text.count / 2
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("g.json.gz")
        try write(gzip(Array(text[..<cut])) + gzip(Array(text[cut...])), to: url)
        for sizes in [FileReader.BufferSizes(), tinySizes] {
            for kind in InflaterKind.available {
                var options = ReaderOptions()
                options.inflater = kind
                let result = readFile(url.path, options: options, sizes: sizes)
                #expect(result.eventIDs == ["e1", "e2", "e3", "e4"], "\(kind)")
                #expect(result.report.status == .read)
            }
        }
    }

    @Test func gzipRecognisedFromContentNotName() throws {
        try check(delivery(records), name: "plain-but-named.json.gz")
        try check(delivery(records), name: "compressed-but-named.json", gz: true)
    }

    @Test func recordIndexesPointIntoRecords() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("h.json")
        try write(Array(delivery([records[0], "17", records[1]]).utf8), to: url)
        let result = readFile(url.path)
        #expect(result.indexes == [0, 2])
        #expect(result.report.rejected == 1)
    }
}
