import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// The `state:` and `absence:` extensions, on inline rules.
@Suite struct StateRuleTests {
    /// The rule that closes states (and that the absence waits for).
    static let closedRule = """
        title: Closed
        name: closed
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: DetachUserPolicy}
          condition: sel
        finding: false
        """

    static let rules = """
        title: Opened
        name: opened
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: AttachUserPolicy}
          condition: sel
        finding: false
        ---
        \(closedRule)
        ---
        title: Inside
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: ListUsers}
          condition: sel
        state:
          opened-by:
            - {rule: opened, key: "{requestParameters.userName}", instance: "{requestParameters.policyArn}"}
          closed-by:
            - {rule: closed, key: "{requestParameters.userName}", instance: "{requestParameters.policyArn}"}
          key: "{userIdentity.userName}"
          lasts: 1h
        """

    static func event(_ n: Int, _ name: String, at seconds: Int, user: String = "u", target: String = "u", policy: String = "p1") -> String {
        CorrelationTests.event(n, name, key: "AKIAAAAA", at: seconds, user: user)
            .replacingOccurrences(of: #""requestParameters":{"userName":"x\#(n)"}"#, with: #""requestParameters":{"userName":"\#(target)","policyArn":"\#(policy)"}"#)
    }

    @Test func insideUntilClosedByTheSameInstanceOrItsTimeRunsOut() throws {
        let events = [
            Self.event(1, "ListUsers", at: 0),                      // before: no
            Self.event(2, "AttachUserPolicy", at: 10),
            Self.event(3, "ListUsers", at: 20),                     // inside: yes
            Self.event(4, "DetachUserPolicy", at: 30, policy: "p2"), // another policy: does not close
            Self.event(5, "ListUsers", at: 40),                     // yes
            Self.event(6, "ListUsers", at: 40, user: "other"),      // another key: no
            Self.event(7, "ListUsers", at: 4000),                   // after lasts (1h): no
        ]
        let findings = try CorrelationTests.scan(Self.rules, events)
        #expect(findings.count == 1)
        #expect(Set(findings[0].evidence.compactMap(\.eventID)) == ["00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000005"])
        #expect(findings[0].state?.opened?.eventID == "00000000-0000-4000-8000-000000000002")
        let closed = try CorrelationTests.scan(Self.rules, [
            Self.event(2, "AttachUserPolicy", at: 10), Self.event(4, "DetachUserPolicy", at: 30), Self.event(5, "ListUsers", at: 40),
        ])
        #expect(closed.isEmpty)
        // A finding inside a window that was closed later names both events, and who opened it (read back from the
        // triggers when the finding is made).
        let later = try CorrelationTests.scan(Self.rules, [
            Self.event(2, "AttachUserPolicy", at: 10), Self.event(3, "ListUsers", at: 20), Self.event(4, "DetachUserPolicy", at: 30),
        ])
        #expect(later.count == 1)
        #expect(later.first?.state?.opened?.eventName == "AttachUserPolicy")
        #expect(later.first?.state?.closed?.eventID == "00000000-0000-4000-8000-000000000004")
        #expect(later.first?.state?.closed?.eventName == "DetachUserPolicy")
        #expect(later.first?.state?.openedBy?.userName == "u")
        // The rule's window lasts 1h, so it ends at its close.
        #expect(later.first?.state?.until != nil && later.first?.state?.until == later.first?.state?.closed?.eventTime)
    }

    /// A window keyed by the origin user: a role session's events count once its issuance (by a user whose window
    /// is open) is known, even when the same session (the same `userIdentity` bytes) was seen earlier, before its
    /// issuance's time, when it had no origin. The second pass keeps a per-identity answer; it must not be the
    /// earlier event's.
    @Test func aSessionSeenBeforeItsIssuanceStillJoinsItsOriginsWindowAfterIt() throws {
        let yaml = """
            title: Opened
            name: opened
            logsource: {product: aws, service: cloudtrail}
            detection:
              sel: {eventName: AttachUserPolicy}
              condition: sel
            finding: false
            ---
            title: Origin inside
            logsource: {product: aws, service: cloudtrail}
            detection:
              sel: {eventName: ListUsers}
              condition: sel
            state:
              opened-by:
                - {rule: opened, key: "{requestParameters.userName}"}
              key: "{trailhound.origin.userName}"
              lasts: 1h
            """
        func at(_ seconds: Int) -> String { Timestamp.format(Int64(1_795_000_000 + seconds)) }
        let session = #"{"type":"AssumedRole","principalId":"AROAEXAMPLEROLE00001:s1","arn":"arn:aws:sts::111122223333:assumed-role/ops/s1","accountId":"111122223333","accessKeyId":"ASIAEXAMPLESESSION01","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEROLE00001","arn":"arn:aws:iam::111122223333:role/ops","accountId":"111122223333","userName":"ops"},"attributes":{"creationDate":"\#(at(100))","mfaAuthenticated":"false"}}}"#
        func call(_ n: Int, _ seconds: Int) -> String {
            #"{"eventVersion":"1.11","userIdentity":\#(session),"eventTime":"\#(at(seconds))","eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.9","requestParameters":null,"responseElements":null,"eventID":"00000000-0000-4000-8000-\#(String(format: "%012d", n))","recipientAccountId":"111122223333"}"#
        }
        let assume = #"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE0001","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEALICE0001","userName":"alice"},"eventTime":"\#(at(100))","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.9","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/ops","roleSessionName":"s1"},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLESESSION01","sessionToken":"x","expiration":"Nov 18, 2026, 1:00:00 PM"},"assumedRoleUser":{"assumedRoleId":"AROAEXAMPLEROLE00001:s1","arn":"arn:aws:sts::111122223333:assumed-role/ops/s1"}},"eventID":"00000000-0000-4000-8000-000000000003","recipientAccountId":"111122223333"}"#
        // `CorrelationTests.scan` writes the second half to the first file: both session calls, in this order, then
        // (second file) the issuance and the window opening on alice.
        let events = [
            assume, Self.event(4, "AttachUserPolicy", at: 50, target: "alice"),
            call(1, 20), call(2, 200),
        ]
        let findings = try CorrelationTests.scan(yaml, events)
        #expect(findings.count == 1)
        #expect(findings.first?.evidence.compactMap(\.eventID) == ["00000000-0000-4000-8000-000000000002"])
    }

    /// A rule with two `state:` entries: an event counts inside a window of both. When nothing opens one of them, the
    /// other's windows are not built (every role assumption opens one of `role_reassumed_after_revocation`'s, which
    /// also needs a revocation): none counted, none kept for the state file, the same findings.
    static let twoEntries = """
        title: Revoked
        name: revoked
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: AttachUserPolicy}
          condition: sel
        finding: false
        ---
        title: Seen
        name: seen
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: ListUsers}
          condition: sel
        finding: false
        ---
        title: Seen again after revoked
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: ListUsers}
          condition: sel
        state:
          - opened-by:
              - {rule: revoked, key: "{requestParameters.userName}"}
            key: "{userIdentity.userName}"
          - opened-by:
              - {rule: seen, key: "{userIdentity.userName}"}
            key: "{userIdentity.userName}"
        """

    @Test func windowsOfARuleWithAnEntryNothingOpensAreNotBuilt() throws {
        let seen = (0..<40).map { Self.event($0, "ListUsers", at: $0, user: "u\($0 % 10)") }
        // Nothing revoked: the second entry's windows (one per user) would be built for nothing.
        let none = try CorrelationTests.analyse(Self.twoEntries, seen)
        #expect(none.triggers == 40)
        #expect(none.windowsOpened == 0)
        #expect(none.windowIndex?.identities().isEmpty == true)
        #expect(none.findings.isEmpty)
        // A revocation whose key gives no value (no requestParameters.userName) opens nothing either: the windows
        // built for the other entry are dropped.
        let keyless = Self.event(100, "AttachUserPolicy", at: 100, user: "admin")
            .replacingOccurrences(of: #""userName":"u","policyArn""#, with: #""policyArn""#)
        #expect(keyless.contains(#""requestParameters":{"policyArn""#))
        let dropped = try CorrelationTests.analyse(Self.twoEntries, seen + [keyless])
        #expect(dropped.windowsOpened == 0)
        #expect(dropped.windowIndex?.identities().isEmpty == true)
        // u3 revoked at 100: both entries open; u3's ListUsers after it counts, u4's does not.
        let revoked = Self.event(101, "AttachUserPolicy", at: 100, user: "admin", target: "u3")
        let after = [Self.event(200, "ListUsers", at: 200, user: "u3"), Self.event(201, "ListUsers", at: 201, user: "u4")]
        let both = try CorrelationTests.analyse(Self.twoEntries, seen + [revoked] + after)
        #expect(both.windowsOpened == 11)
        #expect(both.findings.count == 1)
        #expect(both.findings.first?.evidence.map(\.eventID) == ["00000000-0000-4000-8000-000000000200"])
    }

    /// Which rules' windows are built at all: those with a trigger event for each of their entries.
    @Test func liveRulesAreThoseWithAnOpenerForEveryEntry() throws {
        let (parsed, errors) = RuleSet.link(try RuleParser.parseAll(Self.twoEntries, file: "two.yml"))
        #expect(errors.isEmpty)
        let rules = RuleSet(rules: parsed, catalog: bundled.0.catalog, containment: bundled.0.containment)
        let both = try #require(rules.rules.firstIndex { $0.windows.count == 2 })
        func trigger(_ name: String) throws -> TriggerEvent {
            let rule = try #require(rules.rules.firstIndex { $0.name == name })
            return TriggerEvent(rule: rule, json: [], file: "f", index: 0, time: 0, eventID: "")
        }
        #expect(WindowIndex.liveRules([], rules: rules).isEmpty)
        #expect(WindowIndex.liveRules([try trigger("seen"), try trigger("seen")], rules: rules).isEmpty)
        #expect(WindowIndex.liveRules([try trigger("revoked")], rules: rules).isEmpty)
        #expect(WindowIndex.liveRules([try trigger("seen"), try trigger("revoked")], rules: rules) == [both])
        // A trigger whose every use is of a rule that cannot match is not even read; one of a live rule gives its keys.
        let seen = try #require(rules.rules.firstIndex { $0.name == "seen" })
        let text = Array(Self.event(1, "ListUsers", at: 0, user: "u7").utf8)
        let event = TriggerEvent(rule: seen, json: text, file: "f", index: 0, time: 0, eventID: "")
        let context = EventContext(catalog: rules.catalog)
        #expect(WindowIndex.prepare(event, rules: rules, context: context, live: []) == nil)
        let prepared = try #require(WindowIndex.prepare(event, rules: rules, context: context, live: [both]))
        #expect(prepared.uses.map(\.keys) == [["u7"]])
    }

    @Test func absenceFiresOnlyOnceTheLogsCoverTheWait() throws {
        let yaml = Self.closedRule + "\n---\n" + """
            title: Never closed
            logsource: {product: aws, service: cloudtrail}
            detection:
              sel: {eventName: AttachUserPolicy}
              condition: sel
            absence:
              of: [{rule: closed, key: "{requestParameters.userName}"}]
              key: "{requestParameters.userName}"
              within: 10m
            """
        let open = [Self.event(1, "AttachUserPolicy", at: 0, target: "a"), Self.event(2, "AttachUserPolicy", at: 0, target: "b"),
                    Self.event(3, "DetachUserPolicy", at: 300, target: "b")]
        // The logs end at 300 s: the wait (600 s) is not over, nothing yet.
        #expect(try CorrelationTests.scan(yaml, open).isEmpty)
        let later = open + [Self.event(4, "ListUsers", at: 700)]
        let findings = try CorrelationTests.scan(yaml, later)
        #expect(findings.count == 1)
        #expect(findings.first?.target?.userName == "a")
        #expect(findings.first?.state?.kind == "absence")
    }

    @Test func badStateRulesAreErrors() throws {
        let originTrigger = """
            title: O
            name: o
            logsource: {product: aws, service: cloudtrail}
            detection:
              sel: {trailhound.origin.isDerived: 'true'}
              condition: sel
            ---
            title: S
            logsource: {product: aws, service: cloudtrail}
            detection:
              sel: {eventName: X}
              condition: sel
            state:
              opened-by: [{rule: o, key: "{userIdentity.arn}"}]
              key: "{userIdentity.arn}"
            """
        #expect(throws: DetectError.self) { _ = try RuleSet.compile(yaml: originTrigger, file: "s.yml") }
        #expect(throws: DetectError.self) { _ = try RuleSet.compile(yaml: Self.rules.replacingOccurrences(of: "lasts: 1h", with: "lasts: soon"), file: "s.yml") }
        #expect(throws: DetectError.self) { _ = try RuleSet.compile(yaml: Self.rules.replacingOccurrences(of: "key: \"{userIdentity.userName}\"", with: "key: \"{nope.}\""), file: "s.yml") }
        #expect(throws: DetectError.self) { _ = try RuleSet.compile(yaml: Self.rules.replacingOccurrences(of: "rule: closed", with: "rule: missing"), file: "s.yml") }
    }
}

@Test func keyHashesAreTheHashesOfTheKeys() throws {
    let template = try KeyTemplate.parse("{recipientAccountId}/user/{trailhound.origin.userName}/{userIdentity.accessKeyId}").get()
    let context = EventContext(catalog: bundled.0.catalog)
    let json = RuleTestRunner.completed(#"{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/jack","userName":"jack","accessKeyId":"AKIAEXAMPLEJACK00001"}}"#, index: 0)
    _ = EventParser.withEvent(Array(json.utf8)) { event in
        context.reset(event)
        var hashes: [UInt64] = []
        template.forEachKeyHash(context) { hashes.append($0) }
        #expect(template.values(context) == ["111122223333/user/jack/AKIAEXAMPLEJACK00001"])
        #expect(hashes == template.values(context).map(FileKeys.fnvString))
    }
}

/// A file's key fingerprints: repeats collapse, every inserted key is found, others almost never are, and the bytes
/// kept in the state file read back the same (a one-byte 0xFF blob is a file whose keys are unknown).
@Test func fileKeyFingerprints() throws {
    var keys = FileKeys()
    let names = (0..<500).map { "111122223333/user/user\($0)" }
    for _ in 0..<3 { for n in names { keys.insert(n) } }
    keys.saw(100)
    keys.saw(200)
    keys.seal()
    #expect(keys.prints.count == 500)
    #expect(keys.prints == keys.prints.sorted())
    for n in names { #expect(keys.mayContain(FileKeys.fingerprint(n))) }
    let strangers = (0..<10_000).filter { keys.mayContain(FileKeys.fingerprint("111122223333/user/other\($0)")) }
    #expect(strangers.count <= 1)
    let back = try #require(FileKeys(bytes: keys.bytes, minTime: keys.minTime, maxTime: keys.maxTime))
    #expect(back.prints == keys.prints && back.minTime == 100 && back.maxTime == 200)
    var other = FileKeys()
    other.insert("111122223333/key/AKIAEXAMPLE")
    other.seal()
    keys.formUnion(other)
    #expect(keys.prints.count == 501 && keys.mayContain(FileKeys.fingerprint("111122223333/key/AKIAEXAMPLE")))
    let unknown = try #require(FileKeys(bytes: [0xFF], minTime: 0, maxTime: 1))
    #expect(unknown.saturated && unknown.mayContain(12345))
    #expect(FileKeys(bytes: [1, 2, 3], minTime: 0, maxTime: 1) == nil)
}

/// Findings made from their builders on several threads are the findings made on one, in the same order.
@Test func findingsMadeOnThreadsEqualFindingsMadeOnOne() throws {
    let rules = bundled.0
    let detector = Detector(rules: rules)
    for n in 0..<300 {
        // An access key made for another user, by 300 creators: one finding each, with containment to render.
        let json = #"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE\#(100_000 + n)","arn":"arn:aws:iam::111122223333:user/admin\#(n)","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE\#(100_000_000 + n)","userName":"admin\#(n)"},"eventTime":"2026-11-20T10:\#(String(format: "%02d", n % 60)):00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","requestParameters":{"userName":"victim\#(n)"},"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLE\#(200_000_000 + n)","status":"Active","userName":"victim\#(n)"}},"eventID":"00000000-0000-4000-8000-\#(String(format: "%012d", n))","recipientAccountId":"111122223333"}"#
        _ = EventParser.withEvent(Array(json.utf8), index: n) { detector.process($0, file: "f\(n % 7).json.gz") }
    }
    var set = FindingSet()
    set.merge(detector.take())
    let one = set.findings(rules, lineage: LineageMap())
    #expect(one.count >= 300)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    for threads in [2, 3, 8] {
        let many = set.findings(rules, lineage: LineageMap(), threads: threads)
        #expect(try encoder.encode(many) == encoder.encode(one))
    }
}

/// A trigger's text moved to the spill file reads back byte for byte; without a spill file it stays in memory.
@Test func triggerTextSpillsToDiskAndReadsBack() throws {
    let spill = SpillFile()
    var kept: [TriggerEvent] = []
    for n in 0..<500 {
        let json = Array(#"{"eventName":"AssumeRole","n":\#(n),"pad":"\#(String(repeating: "x", count: n))"}"#.utf8)
        var t = TriggerEvent(rule: 0, json: json, file: "f.json.gz", index: n, time: Int64(n), eventID: "e\(n)")
        t.spill(to: spill)
        #expect(t.json.isEmpty)
        kept.append(t)
    }
    for (n, t) in kept.enumerated().reversed() {
        let text = try #require(t.text)
        #expect(String(decoding: text, as: UTF8.self).contains(#""n":\#(n),"#))
        #expect(text.count == #"{"eventName":"AssumeRole","n":\#(n),"pad":""}"#.utf8.count + n)
    }
    // Empty text is never spilled (there is nothing to keep).
    var empty = TriggerEvent(rule: 0, json: [], file: "f", index: 0, time: 0, eventID: "")
    empty.spill(to: spill)
    #expect(empty.text == [])
}

/// A file's key fingerprint moved to the spill file once the file is read reads back the same (keys, times, an
/// unknown file's saturation); a file with none stays without.
@Test func fileKeysSpillToDiskAndReadBack() throws {
    let (rules, errors) = RuleSet.link(try RuleParser.parseAll(StateRuleTests.rules, file: "state.yml"))
    #expect(errors.isEmpty)
    let set = RuleSet(rules: rules, catalog: bundled.0.catalog, containment: bundled.0.containment)
    let files = (0..<4).map { InputFile(path: "f\($0).json.gz") }
    let run = AnalysisRun(
        files, rules: set, using: ParallelReader(options: ReaderOptions()), carryover: Analysis.Carryover(), earlier: [],
        unfinished: [])
    var written: [FileKeys] = []
    for n in 0..<3 {
        var keys = n == 2 ? FileKeys.unknown(minTime: 5, maxTime: 9) : FileKeys()
        for k in 0..<((n + 1) * 300) { keys.insert("111122223333/user/u\(k % 700)/\(n)") }
        keys.saw(Int64(100 * n))
        keys.saw(Int64(100 * n + 42))
        keys.seal()
        run.fileKeys[n] = keys
        written.append(keys)
        run.spillKeys(n)
    }
    run.spillKeys(3)
    for n in 0..<3 {
        #expect(run.fileKeys[n] == nil, "file \(n) moved out of memory")
        let back = try #require(run.keys(n))
        #expect(back.bytes == written[n].bytes && back.minTime == written[n].minTime && back.maxTime == written[n].maxTime)
        #expect(back.saturated == (n == 2))
        #expect(written[n].bytes.count == (n == 2 ? 1 : 4 * min((n + 1) * 300, 700)))
    }
    #expect(run.keys(3) == nil)
}

/// Windows built with their triggers' keys worked out on several threads (blocks of 2,048) are the windows built on
/// one: the same findings, states and counts.
@Test func windowsBuiltOnThreadsEqualWindowsBuiltOnOne() throws {
    var events: [String] = []
    for n in 0..<6_000 {
        let user = "u\(n % 300)"
        let name = ["AttachUserPolicy", "ListUsers", "DetachUserPolicy", "ListUsers"][n % 4]
        events.append(StateRuleTests.event(n, name, at: n * 7, user: user, target: "u\((n / 4) % 300)", policy: "p\(n % 3)"))
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-windows-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let folder = dir.appendingPathComponent("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/18")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for k in 0..<3 {
        let part = events.enumerated().filter { $0.offset % 3 == k }.map(\.element)
        try Data(Gzip.compress(Array((#"{"Records":["# + part.joined(separator: ",") + "]}").utf8))).write(
            to: folder.appendingPathComponent("111122223333_CloudTrail_us-east-1_20261118T120\(k)Z_abcdefgh\(k).json.gz"))
    }
    let (rules, errors) = RuleSet.link(try RuleParser.parseAll(StateRuleTests.rules, file: "state.yml"))
    #expect(errors.isEmpty)
    let set = RuleSet(rules: rules, catalog: bundled.0.catalog, containment: bundled.0.containment)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var results: [(Data, Int, Int)] = []
    for threads in [1, 3] {
        var options = ReaderOptions()
        options.threads = threads
        let files = Discovery(options: options).discover([dir.path]).files
        let result = Analysis.run(files, rules: set, using: ParallelReader(options: options)) { _ in }
        results.append((try encoder.encode(result.findings), result.windowsOpened, result.triggers))
    }
    #expect(results[0].2 > 2_048)
    #expect(results[0].1 > 0)
    #expect(results[0].0 == results[1].0)
    #expect(results[0].1 == results[1].1)
}

/// A trigger written to the spill file whole (`encodeRecord`) reads back the same: its rule, file (by position, or
/// its path when it is none of the scan's files), record, time, id (a UUID's bits or text) and text.
@Test func triggerRecordsSpillToDiskAndReadBack() throws {
    let spill = SpillFile()
    let files = (0..<3).map { InputFile(path: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/2\($0)/f.json.gz") }
    let ids = ["0a1b2c3d-0000-4000-8000-00000000000f", "", "not-a-uuid", "É1", "0A1B2C3D-0000-4000-8000-00000000000F"]
    var originals: [TriggerEvent] = []
    var w = SpillWriter(out: [])
    for n in 0..<10 {
        let file = n < 9 ? files[n % 3].path : "gone.json.gz"
        var t = TriggerEvent(
            rule: n * 7, json: Array(#"{"n":\#(n)}"#.utf8), file: file, index: n * 100_000, time: Int64(n) * 86_400 - 3_600,
            eventID: ids[n % ids.count])
        var unspilled = w
        #expect(!t.encodeRecord(into: &unspilled, fileIndex: nil), "a text still in memory is not written")
        t.spill(to: spill)
        #expect(t.encodeRecord(into: &w, fileIndex: n < 9 ? n % 3 : nil))
        originals.append(t)
    }
    let back: [TriggerEvent] = try w.out.withUnsafeBytes { raw in
        var r = SpillReader(bytes: raw)
        let list = try (0..<10).map { _ in try #require(TriggerEvent.decodeRecord(&r, files: files, spill: spill)) }
        #expect(r.atEnd)
        return list
    }
    for (a, b) in zip(originals, back) {
        #expect(a.rule == b.rule && a.file == b.file && a.index == b.index && a.time == b.time)
        #expect(a.id == b.id && a.eventID == b.eventID && a.text == b.text)
    }
    #expect(back.map(\.eventID) == (0..<10).map { ids[$0 % ids.count] })
    // Cut short, the bytes are not a trigger.
    w.out.dropLast().withUnsafeBytes { raw in
        var r = SpillReader(bytes: raw)
        for _ in 0..<9 { _ = TriggerEvent.decodeRecord(&r, files: files, spill: spill) }
        #expect(TriggerEvent.decodeRecord(&r, files: files, spill: spill) == nil)
    }
}

/// The first pass keeps trigger events in the spill file and reads back only those a rule can use: a trigger of the
/// second entry of a two-entry rule whose first entry nothing opened is never read back; once the other entry's
/// trigger is there, both are. What does not read back is counted, never silently dropped.
@Test func onlyTriggersARuleCanUseAreReadBack() throws {
    let (parsed, errors) = RuleSet.link(try RuleParser.parseAll(StateRuleTests.twoEntries, file: "two.yml"))
    #expect(errors.isEmpty)
    let rules = RuleSet(rules: parsed, catalog: bundled.0.catalog, containment: bundled.0.containment)
    let seen = try #require(rules.rules.firstIndex { $0.name == "seen" })
    let revoked = try #require(rules.rules.firstIndex { $0.name == "revoked" })
    let files = [InputFile(path: "f0.json.gz"), InputFile(path: "f1.json.gz")]
    func run() -> AnalysisRun {
        AnalysisRun(
            files, rules: rules, using: ParallelReader(options: ReaderOptions()), carryover: Analysis.Carryover(),
            earlier: [], unfinished: [])
    }
    func trigger(_ rule: Int, _ n: Int) -> TriggerEvent {
        TriggerEvent(
            rule: rule, json: Array(StateRuleTests.event(n, "ListUsers", at: n, user: "u\(n)").utf8), file: files[n % 2].path,
            index: n, time: Int64(n), eventID: "00000000-0000-4000-8000-\(String(format: "%012d", n))")
    }
    let alone = run()
    alone.keep((0..<50).map { trigger(seen, $0) }, fileIndex: { $0.index % 2 })
    #expect(alone.triggerCount == 50 && alone.triggers.isEmpty && alone.triggerChunks.count == 1)
    #expect(alone.liveTriggers().isEmpty)

    let both = run()
    both.keep((0..<50).map { trigger(seen, $0) }, fileIndex: { $0.index % 2 })
    both.keep([trigger(revoked, 50)], fileIndex: { $0.index % 2 })
    let live = both.liveTriggers()
    #expect(live.map(\.eventID) == (0...50).map { "00000000-0000-4000-8000-\(String(format: "%012d", $0))" })
    #expect(live.map(\.file) == (0...50).map { files[$0 % 2].path })
    #expect(live.map(\.rule) == Array(repeating: seen, count: 50) + [revoked])
    #expect(live.allSatisfy { $0.text.map { String(decoding: $0, as: UTF8.self).contains("ListUsers") } == true })
    #expect(both.spill.unreadable.load(ordering: .relaxed) == 0)
    // A trigger's text that does not read back is counted too.
    both.spill.discardForTesting()
    #expect(live[0].text == nil)
    #expect(both.spill.unreadable.load(ordering: .relaxed) == 1)

    let failing = run()
    failing.keep((0..<50).map { trigger(seen, $0) } + [trigger(revoked, 50)], fileIndex: { $0.index % 2 })
    failing.spill.discardForTesting()
    #expect(failing.liveTriggers().isEmpty)
    #expect(failing.spill.unreadable.load(ordering: .relaxed) == 51)
}

/// Correlation matches and group values kept by the first pass wait in the spill file and read back as they were
/// (the first values of a group win, as before); what does not read back is counted, and a group whose values do
/// not read back gives no outcome rather than one under another id.
@Test func correlationMatchesAndGroupValuesSpillAndReadBack() throws {
    let files = [InputFile(path: "f0.json.gz"), InputFile(path: "f1.json.gz")]
    func run() -> AnalysisRun {
        AnalysisRun(
            files, rules: bundled.0, using: ParallelReader(options: ReaderOptions()), carryover: Analysis.Carryover(),
            earlier: [], unfinished: [])
    }
    func signal(_ n: Int) -> Signal {
        Signal(
            correlation: Int32(n % 3), base: Int32(n % 5), group: UInt64(n % 40), value: UInt64(n) &* 0x9E37_79B9,
            time: Int64(n) - 500, event: UInt64(n) << 20, file: -1, record: Int32(n))
    }
    let a = run()
    for f in 0..<2 {
        let batch = (0..<300).map { signal(f * 300 + $0) }
        let values = Dictionary(uniqueKeysWithValues: (0..<40).map { (UInt64($0), ["file\(f)", "group \($0)", "é\($0)"]) })
        a.keep(batch, groupValues: values, file: f)
    }
    #expect(a.signals.isEmpty && a.signalCount == 600 && a.groupValues.isEmpty)
    let back = a.allSignals()
    #expect(back.count == 600)
    for (n, s) in back.enumerated() {
        let e = signal(n)
        #expect(
            s.correlation == e.correlation && s.base == e.base && s.group == e.group && s.value == e.value
                && s.time == e.time && s.event == e.event && s.record == e.record && s.file == Int32(n / 300))
    }
    #expect(a.values(ofGroup: 7) == ["file0", "group 7", "é7"])
    #expect(a.values(ofGroup: 99) == [])
    #expect(a.spill.unreadable.load(ordering: .relaxed) == 0)
    a.spill.discardForTesting()
    #expect(a.values(ofGroup: 7) == nil)
    #expect(a.spill.unreadable.load(ordering: .relaxed) == 1)
    let b = run()
    b.keep((0..<300).map(signal), groupValues: [:], file: 0)
    b.spill.discardForTesting()
    #expect(b.allSignals().isEmpty)
    #expect(b.spill.unreadable.load(ordering: .relaxed) == 300)
}
