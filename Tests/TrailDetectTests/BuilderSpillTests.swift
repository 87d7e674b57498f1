import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// Finding builders written to the spill file (`FindingBuilder.encode`) and read back, and a `FindingSet` that moves
/// them there while files are read.
@Suite struct BuilderSpillTests {
    static func evidence(_ n: Int, file: String = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/a.json.gz") -> Finding.Evidence {
        Finding.Evidence(
            eventID: "00000000-0000-4000-8000-\(String(format: "%012d", n))", eventTime: "2026-11-20T10:00:0\(n % 10)Z",
            eventSource: "iam.amazonaws.com", eventName: n % 2 == 0 ? "AttachUserPolicy" : nil,
            errorCode: n % 3 == 0 ? "AccessDenied" : nil, file: file, recordIndex: n)
    }

    /// A builder with every field set, in the forms a field can take (nil and empty apart, text beyond ASCII,
    /// negative times, several evidence files).
    static func full(ruleIndex: Int) -> FindingBuilder {
        var b = FindingBuilder(id: "0123456789abcdef0123456789abcdef", ruleIndex: ruleIndex, title: "Kéy made for «victim» 🔑")
        b.first = (-62_135_596_800, "0001-01-01T00:00:00Z")
        b.last = (1_795_000_000, "2026-11-20T10:00:09+02:00")
        b.count = 1_234_567
        b.account = "111122223333"
        b.regions = ["us-east-1", "eu-west-3", ""]
        b.actor = Finding.Actor(
            type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/r/s", userName: nil, roleName: "r",
            sessionName: "s", federatedName: "", parentArn: "arn:aws:iam::111122223333:role/r",
            identityCenterUserId: "d-1234567890.ab", accessKeyIds: ["ASIAEXAMPLE1", "ASIAEXAMPLE2"],
            originAccessKeyIds: ["AKIAEXAMPLE1"], originUserName: "alice", originAccount: "444455556666",
            sourceIPAddresses: ["198.51.100.7", "2001:db8::1"])
        b.target = Finding.Target(
            userName: "victim", roleName: nil, identityCenterUserId: "", accessKeyIds: ["AKIAEXAMPLE9"],
            policyArn: "arn:aws:iam::aws:policy/AdministratorAccess", policyName: "p", groupName: nil, trailName: "t",
            createdKeys: [Finding.CreatedKey(userName: "victim", accessKeyId: "AKIAEXAMPLE9")],
            resources: ["secretId": ["s1", "s2"], "parameterName": [], "profileId": ["p"]])
        b.evidence = (0..<7).map { evidence($0, file: $0 < 4 ? "a.json.gz" : "b.json.gz") }
        b.state = Finding.State(
            kind: "inside", key: "111122223333/user/victim", openedByRule: "quarantine", opened: evidence(90),
            openedBy: Finding.Actor(type: "IAMUser", userName: "admin", accessKeyIds: ["AKIAEXAMPLE3"]), closed: evidence(91),
            until: "2026-11-21T10:00:00Z", measure: "event_count 12 >= 10 in 5m")
        b.eventHashes = [0, 1, .max, 0x8000_0000_0000_0000, 42]
        b.unidentified = 3
        return b
    }

    static func roundTrip(_ b: FindingBuilder) throws -> FindingBuilder {
        var bytes: [UInt8] = [9, 9]  // appended after what is there
        b.encode(into: &bytes)
        #expect(bytes.prefix(2) == [9, 9])
        return try #require(bytes.dropFirst(2).withUnsafeBytes { FindingBuilder.decode($0) })
    }

    @Test func everyFieldReadsBackAsWritten() throws {
        let rules = bundled.0
        for b in [Self.full(ruleIndex: 3), FindingBuilder(id: "", ruleIndex: 0, title: "")] {
            let back = try Self.roundTrip(b)
            #expect(back.record(rules) == b.record(rules))
            #expect(back.ruleIndex == b.ruleIndex && back.eventHashes == b.eventHashes)
        }
        // nil and empty lists of created keys and resources stay apart.
        var b = Self.full(ruleIndex: 1)
        b.target!.createdKeys = []
        b.target!.resources = nil
        b.state!.openedBy = nil
        let back = try Self.roundTrip(b)
        #expect(back.target?.createdKeys == [] && back.target?.resources == nil && back.state?.openedBy == nil)
        #expect(back.record(rules) == b.record(rules))
    }

    /// A property added to a builder or a finding part it holds must be written by the codec too: this lists what
    /// it writes, and fails when a type has a property it does not know.
    @Test func theCodecWritesEveryStoredProperty() {
        func labels(_ value: Any) -> [String] { Mirror(reflecting: value).children.compactMap(\.label) }
        let b = Self.full(ruleIndex: 0)
        #expect(
            labels(b) == [
                "id", "ruleIndex", "title", "first", "last", "count", "account", "regions", "actor", "_target", "evidence",
                "_state", "eventHashes", "unidentified",
            ])
        #expect(
            labels(b.actor) == [
                "type", "arn", "userName", "roleName", "sessionName", "federatedName", "parentArn", "identityCenterUserId",
                "accessKeyIds", "originAccessKeyIds", "originUserName", "originAccount", "sourceIPAddresses",
            ])
        #expect(
            labels(b.target!) == [
                "userName", "roleName", "identityCenterUserId", "accessKeyIds", "policyArn", "policyName", "groupName",
                "trailName", "createdKeys", "resources",
            ])
        #expect(labels(b.evidence[0]) == ["eventID", "eventTime", "eventSource", "eventName", "errorCode", "file", "recordIndex"])
        #expect(labels(b.state!) == ["kind", "key", "openedByRule", "opened", "openedBy", "closed", "until", "measure"])
        #expect(labels(b.target!.createdKeys![0]) == ["userName", "accessKeyId"])
    }

    /// Bytes cut short anywhere, or followed by more, are not a builder.
    @Test func cutOrLongerBytesDoNotReadBack() {
        var bytes: [UInt8] = []
        Self.full(ruleIndex: 2).encode(into: &bytes)
        for n in 0..<bytes.count {
            #expect(bytes.prefix(n).withUnsafeBytes { FindingBuilder.decode($0) } == nil, "cut at \(n)")
        }
        #expect((bytes + [0]).withUnsafeBytes { FindingBuilder.decode($0) } == nil)
    }

    /// Builders of a detector over events that repeat findings across "files", merged file by file.
    static func partials() -> [[FindingBuilder]] {
        let detector = Detector(rules: bundled.0)
        var out: [[FindingBuilder]] = []
        for file in 0..<12 {
            for n in 0..<60 {
                // 90 creators, so most findings come back in later files (merged with a builder already spilled).
                let who = (file * 37 + n) % 90
                let json = #"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE\#(100_000 + who)","arn":"arn:aws:iam::111122223333:user/admin\#(who)","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE\#(100_000_000 + who)","userName":"admin\#(who)"},"eventTime":"2026-11-20T\#(String(format: "%02d", 23 - file)):\#(String(format: "%02d", n)):00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-\#(1 + file % 2)","sourceIPAddress":"198.51.100.\#(file)","requestParameters":{"userName":"victim\#(who)"},"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLE\#(200_000_000 + who)","status":"Active","userName":"victim\#(who)"}},"eventID":"00000000-0000-4000-8000-\#(String(format: "%012d", file * 1000 + n))","recipientAccountId":"111122223333"}"#
                _ = EventParser.withEvent(Array(json.utf8), index: n) { detector.process($0, file: "f\(file).json.gz") }
            }
            out.append(detector.take())
        }
        return out
    }

    /// A set that spills its builders gives the findings a set that keeps them gives, byte for byte, in the same
    /// order; the builders wait in the spill file, and one merged again is read back.
    @Test func spilledSetGivesTheFindingsOfOneInMemory() throws {
        let rules = bundled.0
        let spill = SpillFile()
        var kept = FindingSet()
        var spilled = FindingSet(spill: spill, heldLimit: 8)
        for partial in Self.partials() {
            kept.merge(partial)
            spilled.merge(partial)
        }
        #expect(kept.count == 90 && spilled.count == 90)
        #expect(spilled.table.heldCount <= 8 + 60)
        #expect(spilled.table.entries.filter { $0.held < 0 }.count >= 30, "builders wait in the spill file")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let a = kept.findings(rules, lineage: LineageMap())
        let b = spilled.findings(rules, lineage: LineageMap(), threads: 3)
        #expect(a.map(\.id) == b.map(\.id))
        #expect(try encoder.encode(a) == encoder.encode(b))
        #expect(a.contains { $0.evidence.count > 1 }, "findings merged across files")
        #expect(spilled.stream(rules).unreadable == 0)
        // Merging a spilled set into another reads it back.
        var again = FindingSet(spill: spill, heldLimit: 4)
        again.merge(spilled)
        #expect(try encoder.encode(again.findings(rules, lineage: LineageMap())) == encoder.encode(a))
    }

    /// A builder that cannot be read back (the spill file failed under the scan) is not dropped: its finding is made
    /// with its id and rule, and counted so that the writer reports the output incomplete.
    @Test func aBuilderThatCannotBeReadBackIsCountedNotDropped() {
        let rules = bundled.0
        let spill = SpillFile()
        var set = FindingSet(spill: spill, heldLimit: 8)
        for partial in Self.partials() { set.merge(partial) }
        let spilledCount = set.table.entries.filter { $0.held < 0 }.count
        #expect(spilledCount > 0)
        spill.discardForTesting()
        let stream = set.stream(rules, lineage: LineageMap())
        let made = stream.all()
        #expect(made.count == 90)
        #expect(stream.unreadable == spilledCount)
        #expect(made.filter { $0.evidence.isEmpty }.count == spilledCount)
    }
}

/// Builders spilled in several writes (each a quarter megabyte at most) read back as they were.
@Test func largeBuildersSpillInSeveralWritesAndReadBack() throws {
    let rules = bundled.0
    let spill = SpillFile()
    var kept = FindingSet()
    var spilled = FindingSet(spill: spill, heldLimit: 256)
    let builders = (0..<300).map { n -> FindingBuilder in
        var b = BuilderSpillTests.full(ruleIndex: n % rules.rules.count)
        b = FindingBuilder(id: "finding-\(n)", ruleIndex: b.ruleIndex, title: b.title)
        b.evidence = (0..<FindingBuilder.maxEvidence).map { BuilderSpillTests.evidence(n * 1000 + $0) }
        b.first = (Int64(n), "t\(n)")
        return b
    }
    kept.merge(builders)
    spilled.merge(builders)
    #expect(spilled.table.heldCount == 0 && spilled.table.entries.allSatisfy { $0.held < 0 })
    #expect(spilled.table.entries.last!.offset > 4 * BuilderTable.writeBytes)
    #expect(spilled.list.map { $0.record(rules) } == kept.list.map { $0.record(rules) })
}

/// A trigger's event id orders and compares as its text does, whether kept as a UUID's bits or as text.
@Test func triggerEventIDsOrderAsTheirText() {
    var texts = (0..<40).map { _ in UUID().uuidString.lowercased() }
    texts += [
        "", "a", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", UUID().uuidString, "0000000-00000-0000-0000-000000000000",
        "00000000-0000-0000-0000-00000000000g", "00000000-0000-0000-0000-0000000000000", "zzz", "é", "e\u{301}",
        String(texts[0].dropLast()) + "-", String(texts[1].prefix(35)),
    ]
    let ids = texts.map { CompactEventID($0) }
    #expect(ids.prefix(40).allSatisfy { if case .uuid = $0 { true } else { false } })
    #expect(ids.dropFirst(40).filter { if case .uuid = $0 { true } else { false } }.count == 2)
    for (t, id) in zip(texts, ids) { #expect(id.text == t) }
    for (a, ia) in zip(texts, ids) {
        for (b, ib) in zip(texts, ids) {
            #expect((ia < ib) == (a < b), "\(a) < \(b)")
            #expect((ia == ib) == (a == b), "\(a) == \(b)")
        }
    }
}

/// Values in blocks read, change and put in order as an array's do, across block boundaries.
@Test func blocksBehaveAsAnArray() {
    var blocks = Blocks<Int>()
    var array: [Int] = []
    for n in 0..<(3 * Blocks<Int>.blockSize + 17) {
        blocks.append(n * 7 % 1000)
        array.append(n * 7 % 1000)
    }
    #expect(blocks.count == array.count && Array(blocks) == array)
    blocks[4096] = -1
    array[4096] = -1
    let order = array.indices.sorted { array[$0] != array[$1] ? array[$0] < array[$1] : $0 < $1 }
    WindowIndex.permute(&blocks, order)
    #expect(Array(blocks) == order.map { array[$0] })
    #expect(Array(Blocks(array)) == array)
}
