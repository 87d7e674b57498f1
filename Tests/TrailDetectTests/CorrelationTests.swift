import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// Sigma correlation rules, each type, through a real scan of gzip files.
@Suite struct CorrelationTests {
    /// A minimal CloudTrail event.
    static func event(_ n: Int, _ name: String, key: String, at seconds: Int, ip: String = "192.0.2.1", user: String = "u",
                      error: String? = nil) -> String {
        let time = Timestamp.format(Int64(1_795_000_000 + seconds))
        let err = error.map { #","errorCode":"\#($0)""# } ?? ""
        return #"{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/\#(user)","userName":"\#(user)","accessKeyId":"\#(key)"},"eventTime":"\#(time)","eventSource":"iam.amazonaws.com","eventName":"\#(name)","awsRegion":"us-east-1","sourceIPAddress":"\#(ip)","requestParameters":{"userName":"x\#(n)"},"eventID":"00000000-0000-4000-8000-\#(String(format: "%012d", n))","recipientAccountId":"111122223333"\#(err)}"#
    }

    /// Scans `events` (written to two gzip files, halves swapped, so order in files does not matter) with `yaml`.
    static func scan(_ yaml: String, _ events: [String]) throws -> [Finding] { try analyse(yaml, events).findings }

    /// `scan`, with the whole result (windows, counts).
    static func analyse(_ yaml: String, _ events: [String]) throws -> Analysis.Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-corr-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/18")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let half = events.count / 2
        for (k, part) in [Array(events[half...]), Array(events[..<half])].enumerated() {
            let json = #"{"Records":["# + part.joined(separator: ",") + "]}"
            try Data(Gzip.compress(Array(json.utf8))).write(
                to: folder.appendingPathComponent("111122223333_CloudTrail_us-east-1_20261118T120\(k)Z_abcdefgh\(k).json.gz"))
        }
        let (rules, errors) = RuleSet.link(try RuleParser.parseAll(yaml, file: "corr.yml"))
        if let e = errors.first { throw e }
        let set = RuleSet(rules: rules, catalog: bundled.0.catalog, containment: bundled.0.containment)
        let options = ReaderOptions()
        let files = Discovery(options: options).discover([dir.path]).files
        return Analysis.run(files, rules: set, using: ParallelReader(options: options)) { _ in }
    }

    static let base = """
        title: Created
        name: created
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: CreateUser}
          condition: sel
        ---
        title: Listed
        name: listed
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: ListUsers}
          condition: sel
        ---

        """

    @Test func eventCountPerGroupWithinTheTimespan() throws {
        let yaml = Self.base + """
            title: Many creations
            correlation: {type: event_count, rules: [created], group-by: [userIdentity.accessKeyId], timespan: 5m, condition: {gte: 3}}
            """
        var events: [String] = []
        for k in 0..<3 { events.append(Self.event(k, "CreateUser", key: "AKIAAAAA", at: k * 60)) }
        // Three for another key, but spread wider than 5 minutes.
        for k in 0..<3 { events.append(Self.event(10 + k, "CreateUser", key: "AKIABBBB", at: k * 200)) }
        let findings = try Self.scan(yaml, events)
        #expect(findings.count == 1)
        #expect(findings.first?.count == 3)
        #expect(findings.first?.actor.accessKeyIds == ["AKIAAAAA"])
        #expect(findings.first?.state?.kind == "correlation")
        // The counted rule gives no findings of its own (generate: false).
        #expect(findings.allSatisfy { $0.title.hasPrefix("Many creations") })
    }

    /// Matches whose eventTime is not a time fall in no time window: they never make a correlation whose times
    /// (and so containment cutoff) would be 1970.
    @Test func matchesWithoutATimeAreNotCorrelated() throws {
        let yaml = Self.base + """
            title: Many creations
            correlation: {type: event_count, rules: [created], group-by: [userIdentity.accessKeyId], timespan: 5m, condition: {gte: 3}}
            """
        func untimed(_ k: Int) -> String {
            Self.event(k, "CreateUser", key: "AKIAAAAA", at: 0).replacingOccurrences(
                of: #""eventTime":"\#(Timestamp.format(1_795_000_000))""#, with: #""eventTime":"soon""#)
        }
        #expect(untimed(1).contains(#""eventTime":"soon""#))
        #expect(try Self.scan(yaml, (0..<4).map(untimed)).isEmpty)
        // Two timed matches and two untimed ones are two, not four.
        #expect(try Self.scan(yaml, [Self.event(0, "CreateUser", key: "AKIAAAAA", at: 0), Self.event(1, "CreateUser", key: "AKIAAAAA", at: 10), untimed(2), untimed(3)]).isEmpty)
        let three = try Self.scan(yaml, [Self.event(0, "CreateUser", key: "AKIAAAAA", at: 0), Self.event(1, "CreateUser", key: "AKIAAAAA", at: 10), Self.event(4, "CreateUser", key: "AKIAAAAA", at: 20), untimed(2)])
        #expect(three.count == 1)
        #expect(three.first?.firstSeen == Timestamp.format(1_795_000_000))
    }

    @Test func valueCountCountsDistinctValues() throws {
        let yaml = Self.base + """
            title: Many addresses
            correlation:
              type: value_count
              rules: [created]
              group-by: [userIdentity.accessKeyId]
              timespan: 1h
              condition: {field: sourceIPAddress, gte: 3}
            """
        let events = [
            Self.event(1, "CreateUser", key: "AKIAAAAA", at: 0, ip: "192.0.2.1"),
            Self.event(2, "CreateUser", key: "AKIAAAAA", at: 10, ip: "192.0.2.1"),
            Self.event(3, "CreateUser", key: "AKIAAAAA", at: 20, ip: "192.0.2.2"),
            Self.event(4, "CreateUser", key: "AKIABBBB", at: 30, ip: "192.0.2.1"),
            Self.event(5, "CreateUser", key: "AKIABBBB", at: 40, ip: "192.0.2.2"),
            Self.event(6, "CreateUser", key: "AKIABBBB", at: 50, ip: "192.0.2.3"),
        ]
        let findings = try Self.scan(yaml, events)
        #expect(findings.map(\.actor.accessKeyIds) == [["AKIABBBB"]])
        #expect(findings.first?.state?.measure?.contains("3 distinct sourceIPAddress") == true)
    }

    @Test func temporalAndTemporalOrdered() throws {
        let temporal = Self.base + """
            title: Both
            correlation: {type: temporal, rules: [created, listed], group-by: [userIdentity.accessKeyId], timespan: 10m}
            """
        let ordered = temporal.replacingOccurrences(of: "type: temporal,", with: "type: temporal_ordered,")
        // ListUsers then CreateUser: temporal fires, temporal_ordered (created first) does not.
        let events = [Self.event(1, "ListUsers", key: "AKIAAAAA", at: 0), Self.event(2, "CreateUser", key: "AKIAAAAA", at: 60)]
        #expect(try Self.scan(temporal, events).count == 1)
        #expect(try Self.scan(ordered, events).isEmpty)
        let inOrder = [Self.event(1, "CreateUser", key: "AKIAAAAA", at: 0), Self.event(2, "ListUsers", key: "AKIAAAAA", at: 60)]
        let found = try Self.scan(ordered, inOrder)
        #expect(found.count == 1)
        #expect(found.first?.count == 2)
        // Too far apart.
        let late = [Self.event(1, "CreateUser", key: "AKIAAAAA", at: 0), Self.event(2, "ListUsers", key: "AKIAAAAA", at: 3600)]
        #expect(try Self.scan(ordered, late).isEmpty)
    }

    @Test func aliasesGroupByDifferentFieldsPerRule() throws {
        // The user a creation names (requestParameters.userName) and the user who then lists (userIdentity.userName).
        let yaml = Self.base + """
            title: Created then used
            correlation:
              type: temporal_ordered
              rules: [created, listed]
              group-by: [who]
              aliases:
                who:
                  created: requestParameters.userName
                  listed: userIdentity.userName
              timespan: 1h
            """
        let events = [
            Self.event(7, "CreateUser", key: "AKIAAAAA", at: 0, user: "admin"),  // creates x7
            Self.event(8, "ListUsers", key: "AKIABBBB", at: 60, user: "x7"),
            Self.event(9, "ListUsers", key: "AKIACCCC", at: 90, user: "someone"),
        ]
        let findings = try Self.scan(yaml, events)
        #expect(findings.count == 1)
        #expect(findings.first?.state?.key == "who=x7")
        #expect(Set(findings.first?.evidence.compactMap(\.eventID) ?? []) == ["00000000-0000-4000-8000-000000000007", "00000000-0000-4000-8000-000000000008"])
    }

    @Test func generateKeepsTheCountedRulesFindings() throws {
        let yaml = Self.base + """
            title: Many creations
            correlation: {type: event_count, rules: [created], group-by: [userIdentity.accessKeyId], timespan: 5m, condition: {gte: 2}, generate: true}
            """
        let findings = try Self.scan(yaml, [Self.event(1, "CreateUser", key: "AKIAAAAA", at: 0), Self.event(2, "CreateUser", key: "AKIAAAAA", at: 5)])
        #expect(findings.contains { $0.title.hasPrefix("Created") })
        #expect(findings.contains { $0.title.hasPrefix("Many creations") })
    }

    @Test func badCorrelationsAreErrors() throws {
        #expect(throws: DetectError.self) {
            _ = try RuleSet.compile(yaml: Self.base + "title: x\ncorrelation: {type: event_count, rules: [nothere], timespan: 5m, condition: {gte: 2}}", file: "c.yml")
        }
        #expect(throws: DetectError.self) {
            _ = try RuleSet.compile(yaml: Self.base + "title: x\ncorrelation: {type: event_count, rules: [created], timespan: 5 minutes, condition: {gte: 2}}", file: "c.yml")
        }
        #expect(throws: DetectError.self) {
            _ = try RuleSet.compile(yaml: Self.base + "title: x\ncorrelation: {type: value_count, rules: [created], timespan: 5m, condition: {gte: 2}}", file: "c.yml")
        }
    }
}
