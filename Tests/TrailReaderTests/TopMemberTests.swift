import Foundation
import Testing

@testable import TrailReader

/// The fast top-level member lookup: the generated classifier is exact, and the slot table agrees with a walk over
/// the record's keys, including duplicate keys, escaped keys, and names that only resemble CloudTrail's.
@Suite struct TopMemberTests {
    func classify(_ name: String) -> TopMember? {
        Array(name.utf8).withUnsafeBytes { TopMember.classify($0) }
    }

    @Test func everyNameClassifiesToItself() {
        for m in TopMember.allCases { #expect(classify("\(m)") == m, "\(m)") }
        #expect(TopMember.allCases.count < TopMember.slotCount)
    }

    @Test func nearMissesAreNotMembers() {
        for m in TopMember.allCases {
            let name = Array("\(m)".utf8)
            // Each byte changed in turn (case flipped or bumped), one byte dropped, one added, must not classify.
            for k in name.indices {
                var changed = name
                changed[k] = changed[k] ^ 0x20
                #expect(changed.withUnsafeBytes { TopMember.classify($0) } == nil, "\(m) with byte \(k) flipped")
                changed[k] = name[k] &+ 1
                #expect(changed.withUnsafeBytes { TopMember.classify($0) } == nil, "\(m) with byte \(k) bumped")
            }
            #expect(Array(name.dropLast()).withUnsafeBytes { TopMember.classify($0) } == nil)
            #expect((name + [0x73]).withUnsafeBytes { TopMember.classify($0) } == nil)
        }
        for other in ["", "a", "eventid", "CloudTrailEvent", "Records", "sessionCredentialFromConsoleX", "userIdentity "] {
            #expect(classify(other) == nil, "\(other)")
        }
    }

    /// Every lookup by member agrees with a walk over the keys, on records with unusual shapes.
    @Test func slotsAgreeWithTheWalk() throws {
        let records = [
            // Duplicate key: the last wins (as in jq), as the walk finds it.
            #"{"eventTime":"2026-11-20T10:00:00Z","eventName":"First","eventSource":"s3.amazonaws.com","eventName":"Second"}"#,
            // Escaped key: read decoded, as jq reads it, so it is that member.
            #"{"eventTime":"2026-11-20T10:00:00Z","event\u004eame":"Escaped","eventSource":"iam.amazonaws.com"}"#,
            // Members nested deeper are not top-level members.
            #"{"eventTime":"2026-11-20T10:00:00Z","requestParameters":{"eventName":"Inner","errorCode":"x"},"eventSource":"sts.amazonaws.com","eventName":"Outer","sessionCredentialFromConsole":"true","vpcEndpointAccountId":"111122223333"}"#,
        ]
        for text in records {
            let json = Array(text.utf8)
            let checked = EventParser.withEvent(json) { event -> Bool in
                for m in TopMember.allCases {
                    let byName = Array("\(m)".utf8).withUnsafeBytes { event.walk($0) }
                    let bySlot = event.member(m)
                    #expect(byName?.bytes.baseAddress == bySlot?.bytes.baseAddress, "\(m) in \(text)")
                    #expect(byName?.bytes.count == bySlot?.bytes.count)
                }
                return true
            }
            #expect(checked == true)
        }
        let last = EventParser.withEvent(Array(records[0].utf8)) { $0.member(.eventName)?.string }
        #expect(last == "Second")
        let escaped = EventParser.withEvent(Array(records[1].utf8)) { $0.member(.eventName)?.string }
        #expect(escaped == "Escaped")
        let outer = EventParser.withEvent(Array(records[2].utf8)) { $0.member(.eventName)?.string }
        #expect(outer == "Outer")
    }

    /// The generated table is what the generator prints now, and its names are the enum's cases, in order.
    @Test func generatedTableIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/gen-top-members.py").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let table = try String(contentsOf: root.appendingPathComponent("Sources/CScan/include/top_members.h"), encoding: .utf8)
        #expect(table == output, "Sources/CScan/include/top_members.h is not what scripts/gen-top-members.py prints")
        let lines = table.split(separator: "\n")
        for m in TopMember.allCases {
            let entry = "{\(m.rawValue), \("\(m)".utf8.count), "
            #expect(lines.contains { $0.contains(entry) && $0.hasSuffix("// \(m)") }, "\(m)")
        }
    }
}

/// The fast path for CloudTrail's own timestamp form agrees with the general parser, and rejects what it does.
@Suite struct TimestampFastPathTests {
    func both(_ text: String) -> (fast: Int64?, general: Int64?) {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw in
            (raw.count == 20 ? Timestamp.parseCloudTrail(raw) : nil, Timestamp.parseGeneral(raw))
        }
    }

    @Test func agreesWithTheGeneralParser() {
        // Every day of two years (one leap), at times across the day, and the round trip through format.
        var seconds: Int64 = Timestamp.parse("2023-12-31T00:00:00Z")!
        let end: Int64 = Timestamp.parse("2026-01-02T00:00:00Z")!
        var k: Int64 = 0
        while seconds < end {
            let text = Timestamp.format(seconds)
            let (fast, general) = both(text)
            #expect(fast == seconds && general == seconds, "\(text)")
            k += 1
            seconds += 86_400 + (k * 7919) % 86_400 / 24
        }
    }

    @Test func rejectsWhatTheGeneralParserRejects() {
        let invalid = [
            "2026-02-29T10:00:00Z", "2024-02-30T10:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
            "2026-11-00T00:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T10:60:00Z", "2026-11-20T10:00:61Z",
            "2026-1a-20T10:00:00Z", "2026-11-20T10:00:0/Z", "2026/11/20T10:00:00Z", "2026-11-20 10:00:00Z",
            "2026-11-20T10:00:00z", "2026-11-20T10:00:00+",
        ]
        for text in invalid {
            let (fast, general) = both(text)
            #expect(fast == nil, "\(text)")
            // What the fast path leaves, the general parser decides (a space or lower-case z is valid there).
            #expect(Timestamp.parse(text) == general, "\(text)")
        }
        #expect(Timestamp.parse("2024-02-29T23:59:60Z") == Timestamp.parse("2024-03-01T00:00:00Z"))
    }
}

/// `read(_:through:)`: records up to the one asked for are delivered, the rest of the file is not read, and the next
/// read of the same reader sees a whole file again.
@Suite struct ReadThroughTests {
    @Test func stopsAfterTheLastRecordWanted() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let records = (0..<5000).map {
            #"{"eventVersion":"1.09","eventTime":"2026-11-20T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","eventID":"e\#($0)","padding":"\#(String(repeating: "x", count: 200))"}"#
        }
        let url = folder.appendingPathComponent("big.json.gz")
        try write(gzip(Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)), to: url)
        let reader = FileReader(options: ReaderOptions())
        var seen: [Int] = []
        let report = reader.read(InputFile(path: url.path), through: 41) { seen.append($0.index) }
        #expect(seen == Array(0...41))
        #expect(report.problemCount == 0)
        #expect(report.jsonBytes < 5000 * 200 / 2, "read \(report.jsonBytes) bytes for 42 records")
        var all = 0
        _ = reader.read(InputFile(path: url.path)) { _ in all += 1 }
        #expect(all == 5000)
    }
}
