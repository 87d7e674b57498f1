import Foundation
import Testing

/// `trailhound events` end to end, on the bundled logs.
@Suite struct EventsCommandTests {
    /// manifest.tsv: path, record_index, eventID, eventTime, in the order a reader must deliver them.
    let manifest: [[String]]

    init() throws { manifest = try CLI.tsv("logs/manifest.tsv") }

    @Test func demoTreeYieldsExactlyItsRecordsInOrder() throws {
        let r = try CLI.run(["events", "Fixtures/logs", "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.eventIDs == manifest.map { $0[2] })
        #expect(Set(r.eventIDs).count == r.eventIDs.count)
        #expect(r.stderr.contains("\(manifest.count) delivered"))
        #expect(r.stderr.contains("2 digest"))
    }

    @Test func sameOutputOnAnyThreadCountAndArgumentOrder() throws {
        let one = try CLI.run(["events", "Fixtures/logs", "--threads", "1"])
        let two = try CLI.run(["events", "Fixtures/logs", "--threads", "2"])
        let eight = try CLI.run(["events", "Fixtures/logs", "--threads", "8"])
        #expect(one.stdout == two.stdout)
        #expect(one.stdout == eight.stdout)
        // Files named one by one, in reverse, still read in the order of the times in their names.
        let files = Array(Set(manifest.map { "Fixtures/logs/" + $0[0] })).sorted().reversed()
        let named = try CLI.run(["events", "--threads", "2"] + files)
        #expect(named.stdout == one.stdout)
    }

    @Test func everyFormatGivesTheSameEvents() throws {
        let expected = try CLI.tsv("formats/expected.tsv")
        let files = Array(Set(expected.map { $0[0] })).sorted()
        #expect(files.count >= 9)
        for file in files {
            let ids = expected.filter { $0[0] == file }.map { $0[1] }
            let r = try CLI.run(["events", "Fixtures/formats/" + file])
            #expect(r.status == 0, "\(file): \(r.stderr)")
            #expect(r.eventIDs == ids, "\(file)")
            for line in r.lines {
                #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any], "\(file)")
            }
        }
    }

    @Test func standardInput() throws {
        let data = try Data(contentsOf: CLI.fixtures.appendingPathComponent("formats/delivery.json.gz"))
        let r = try CLI.run(["events", "-"], stdin: data)
        #expect(r.status == 0)
        #expect(r.eventIDs.count == 6)
    }

    @Test func accountRegionAndTimeFilters() throws {
        let r = try CLI.run(["events", "Fixtures/logs", "--account", "444455556666", "--region", "eu-west-1,us-west-2"])
        let expected = manifest.filter { $0[0].contains("/444455556666/") && !$0[0].contains("/us-east-1/") }.map { $0[2] }
        #expect(r.status == 0)
        #expect(!expected.isEmpty)
        #expect(r.eventIDs == expected)

        let since = "2026-11-21T06:00:00Z"
        let until = "2026-11-21T18:00:00Z"
        let window = try CLI.run(["events", "Fixtures/logs", "--since", since, "--until", until])
        let inWindow = manifest.filter { $0[3] >= since && $0[3] <= until }.map { $0[2] }
        #expect(Set(window.eventIDs) == Set(inWindow))
        #expect(window.eventIDs.count == inWindow.count)
        #expect(window.stderr.contains("filtered"))
    }

    @Test func whereFieldsAndTable() throws {
        let r = try CLI.run([
            "events", "Fixtures/logs", "--where", "eventSource=sts.amazonaws.com", "--where", "eventName=Get*Token",
            "--fields", "eventName,userIdentity.type,requestParameters.durationSeconds",
        ])
        #expect(r.status == 0)
        #expect(!r.lines.isEmpty)
        for line in r.lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["eventName", "userIdentity.type", "requestParameters.durationSeconds"])
            let name = try #require(object["eventName"] as? String)
            #expect(name.hasPrefix("Get") && name.hasSuffix("Token"))
        }
        let table = try CLI.run(["events", "Fixtures/formats/delivery.json", "--format", "table"])
        #expect(table.lines.count == 7)
        #expect(table.lines[0].hasPrefix("eventTime"))
    }

    @Test func badInputIsReportedAndExitsTwo() throws {
        // From Fixtures/malformed/README.md: records still delivered before each fault.
        let delivered = [
            "truncated.json.gz": 4, "corrupt.json.gz": 4, "bad-crc.json.gz": 10, "invalid-json.json": 3,
            "invalid-json.json.gz": 3, "not-cloudtrail.json": 0, "records-not-events.json": 2, "empty.json.gz": 0,
            "empty-member.json.gz": 0, "whitespace.json": 0, "bomb.json.gz": 1, "trailing-garbage.json.gz": 5,
            "unterminated.json": 2, "deep.json": 1, "binary.json": 0,
        ]
        for (file, count) in delivered.sorted(by: { $0.key < $1.key }) {
            let r = try CLI.run(["events", "Fixtures/malformed/" + file, "--max-inflated-bytes", "1M"])
            #expect(r.status == 2, "\(file)")
            #expect(r.eventIDs.count == count, "\(file): \(r.stderr)")
            #expect(r.stderr.contains("Fixtures/malformed/" + file), "\(file)")
        }
        // One bad file among good ones: counted, reported, and nothing else lost.
        let mixed = try CLI.run(["events", "Fixtures/logs", "Fixtures/malformed/truncated.json.gz"])
        #expect(mixed.status == 2)
        #expect(mixed.eventIDs.count == manifest.count + 4)
        #expect(mixed.stderr.contains("1 partly read"))
    }

    @Test func usageErrorsExitTwoWithAMessage() throws {
        for args in [
            ["events", "Fixtures/logs", "--since", "last tuesday"], ["events", "Fixtures/logs", "--where", "eventName"],
            ["events", "Fixtures/logs", "--max-inflated-bytes", "lots"], ["events", "Fixtures/logs", "--threads", "0"],
            ["events", "Fixtures/logs", "--since", "2026-11-22", "--until", "2026-11-21"],
        ] {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stdout.isEmpty)
            #expect(!r.stderr.isEmpty)
        }
        let missing = try CLI.run(["events", "/nonexistent/logs"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/logs"))
    }
}
