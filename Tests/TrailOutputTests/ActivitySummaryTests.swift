import Foundation
import Testing
import TrailReader

@testable import TrailOutput

/// `ActivitySummary` over CloudTrail records read by the real reader.
@Suite struct ActivitySummaryTests {
    static func record(
        _ name: String, source: String = "iam.amazonaws.com", time: String, identity: [String: Any], ip: String = "203.0.113.9",
        region: String = "us-east-1", agent: String = "aws-cli/2.15.0 Python/3.11.6", error: String? = nil
    ) -> [String: Any] {
        var r: [String: Any] = [
            "eventVersion": "1.09", "eventTime": time, "eventSource": source, "eventName": name, "awsRegion": region,
            "sourceIPAddress": ip, "userAgent": agent, "eventID": UUID().uuidString.lowercased(),
            "readOnly": true, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333",
            "userIdentity": identity, "requestParameters": NSNull(), "responseElements": NSNull(),
        ]
        if let error {
            r["errorCode"] = error
            r["errorMessage"] = "User is not authorized to perform: iam:\(name)"
        }
        return r
    }

    static var jack: [String: Any] { [
        "type": "IAMUser", "principalId": "AIDAEXAMPLEJACK00001", "arn": "arn:aws:iam::111122223333:user/jack",
        "accountId": "111122223333", "accessKeyId": "AKIAEXAMPLEJACK00001", "userName": "jack",
    ] }
    static var session: [String: Any] { [
        "type": "AssumedRole", "principalId": "AROAEXAMPLEROLE00001:ci", "accountId": "111122223333",
        "arn": "arn:aws:sts::111122223333:assumed-role/deploy/ci", "accessKeyId": "ASIAEXAMPLESESSION01",
        "sessionContext": ["sessionIssuer": ["type": "Role", "arn": "arn:aws:iam::111122223333:role/deploy", "userName": "deploy"]],
    ] }
    static var service: [String: Any] { ["type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"] }

    static func summarise(
        _ records: [[String: Any]], limits: ActivitySummary.Limits = .init(), grouping: ActivitySummary.Grouping = .actor
    ) throws -> ActivitySummary {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-activity-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try JSONSerialization.data(withJSONObject: ["Records": records]).write(to: url)
        var summary = ActivitySummary(limits: limits, grouping: grouping)
        let report = FileReader(options: ReaderOptions()).read(InputFile(path: url.path)) { summary.add($0) }
        #expect(report.diagnostics.isEmpty)
        return summary
    }

    @Test func perIdentityAndTopTables() throws {
        var records: [[String: Any]] = []
        for k in 0..<6 {
            records.append(Self.record("ListUsers", time: "2026-11-20T10:0\(k):00Z", identity: Self.jack, ip: "198.51.100.\(k % 3)",
                region: k < 4 ? "us-east-1" : "eu-west-1", error: k == 5 ? "AccessDenied" : nil))
        }
        records.append(Self.record("GetCallerIdentity", source: "sts.amazonaws.com", time: "2026-11-20T09:59:00Z", identity: Self.session))
        records.append(Self.record("PutBucketAcl", source: "s3.amazonaws.com", time: "2026-11-20T11:00:00Z", identity: Self.session, error: "AccessDenied"))
        records.append(Self.record("GetBucketAcl", source: "s3.amazonaws.com", time: "2026-11-20T11:30:00Z", identity: Self.service,
            ip: "cloudtrail.amazonaws.com", agent: "cloudtrail.amazonaws.com"))
        let s = try Self.summarise(records)
        #expect(s.events == 9)
        #expect(s.errors == 2)
        #expect(s.firstSeen.map(Timestamp.format) == "2026-11-20T09:59:00Z")
        #expect(s.lastSeen.map(Timestamp.format) == "2026-11-20T11:30:00Z")
        let ids = s.identities.top(10)
        #expect(ids.map(\.key) == [
            "arn:aws:iam::111122223333:user/jack", "arn:aws:sts::111122223333:assumed-role/deploy/ci",
            "AWSService:cloudtrail.amazonaws.com",
        ])
        #expect(ids.map(\.count) == [6, 2, 1])
        let jack = ids[0].value
        #expect(jack.errors == 1)
        #expect(jack.addresses.values == ["198.51.100.0", "198.51.100.1", "198.51.100.2"])
        #expect(jack.regions.values == ["us-east-1", "eu-west-1"])
        #expect(jack.keys.values == ["AKIAEXAMPLEJACK00001"])
        #expect(jack.firstSeen.map(Timestamp.format) == "2026-11-20T10:00:00Z")
        #expect(jack.lastSeen.map(Timestamp.format) == "2026-11-20T10:05:00Z")
        #expect(s.eventNames.top(1).first?.key == "iam:ListUsers")
        #expect(s.errorCodes.top(5).map { "\($0.key)=\($0.count)" } == ["AccessDenied=2"])
        #expect(s.regions.top(5).map { "\($0.key)=\($0.count)" } == ["us-east-1=7", "eu-west-1=2"])
        #expect(s.accessKeys.top(5).map { "\($0.key)=\($0.count)" } == ["AKIAEXAMPLEJACK00001=6", "ASIAEXAMPLESESSION01=2"])
    }

    /// By issuer: sessions of one role count as the role, a federation session as the user that minted it; an IAM
    /// user, which has no issuer, as itself.
    @Test func groupedByIssuer() throws {
        var other = Self.session
        other["arn"] = "arn:aws:sts::111122223333:assumed-role/deploy/nightly"
        let federated: [String: Any] = [
            "type": "FederatedUser", "principalId": "111122223333:maint", "accountId": "111122223333",
            "arn": "arn:aws:sts::111122223333:federated-user/maint", "accessKeyId": "ASIAEXAMPLEFEDERATE1",
            "sessionContext": ["sessionIssuer": ["type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/jack", "userName": "jack"]],
        ]
        let records = [
            Self.record("GetCallerIdentity", source: "sts.amazonaws.com", time: "2026-11-20T10:00:00Z", identity: Self.session),
            Self.record("GetCallerIdentity", source: "sts.amazonaws.com", time: "2026-11-20T10:01:00Z", identity: other),
            Self.record("ListUsers", time: "2026-11-20T10:02:00Z", identity: Self.jack),
            Self.record("ListUsers", time: "2026-11-20T10:03:00Z", identity: federated, ip: "192.0.2.77"),
        ]
        let byActor = try Self.summarise(records)
        #expect(byActor.identities.tracked == 4)
        let byIssuer = try Self.summarise(records, grouping: .issuer)
        #expect(byIssuer.identities.top(5).map { "\($0.key)=\($0.count)" } == [
            "arn:aws:iam::111122223333:role/deploy=2", "arn:aws:iam::111122223333:user/jack=2",
        ])
        let jack = try #require(byIssuer.identities.top(5).last)
        #expect(jack.value.keys.values == ["AKIAEXAMPLEJACK00001", "ASIAEXAMPLEFEDERATE1"])
        #expect(jack.value.addresses.values == ["203.0.113.9", "192.0.2.77"])
    }

    /// A stream with more identities than tracked: memory stays at the cap and the busiest one is still first.
    @Test func manyIdentitiesStayBounded() throws {
        var records: [[String: Any]] = []
        for k in 0..<300 {
            var who = Self.session
            who["arn"] = "arn:aws:sts::111122223333:assumed-role/worker/i-\(String(format: "%017x", k))"
            records.append(Self.record("DescribeInstances", source: "ec2.amazonaws.com", time: "2026-11-20T10:00:00Z", identity: who))
            if k % 3 == 0 { records.append(Self.record("ListUsers", time: "2026-11-20T10:00:01Z", identity: Self.jack, ip: "192.0.2.\(k % 40)")) }
        }
        var limits = ActivitySummary.Limits()
        limits.identities = 20
        limits.values = 20
        limits.distinctPerIdentity = 8
        let s = try Self.summarise(records, limits: limits)
        #expect(s.identities.tracked == 20)
        #expect(!s.identities.isExact)
        let first = try #require(s.identities.top(1).first)
        #expect(first.key == "arn:aws:iam::111122223333:user/jack")
        #expect(first.count - first.error <= 100 && 100 <= first.count)
        #expect(first.value.addresses.countText == "8+")
        #expect(s.sourceAddresses.tracked == 20)
        #expect(s.events == 400)
    }

    /// The text and JSON reports: hostile values stay escaped, and the JSON says what is exact.
    @Test func reportsAreInert() throws {
        var who = Self.jack
        who["arn"] = "arn:aws:iam::111122223333:user/jack\u{1B}[31m\u{202E}"
        let s = try Self.summarise([
            Self.record("ListUsers", time: "2026-11-20T10:00:00Z", identity: who, agent: "curl\u{1B}]0;pwned\u{07}\u{202E}")
        ])
        for color in [false, true] {
            let text = ActivityReport(s, top: 5).text(style: TerminalStyle(color: color))
            #expect(!text.unicodeScalars.contains { $0.value == 0x202E })
            #expect(text.contains("jack\\u{1b}[31m\\u{202e}"))
            #expect(!text.contains("jack\u{1B}"))
        }
        let json = ActivityReport(s, top: 5).json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        let identities = try #require(object["identities"] as? [String: Any])
        #expect(identities["exact"] as? Bool == true)
        let top = try #require(identities["top"] as? [[String: Any]])
        #expect(top.first?["identity"] as? String == "arn:aws:iam::111122223333:user/jack\u{1B}[31m\u{202E}")
        #expect(!String(decoding: json, as: UTF8.self).unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x1B })
    }
}
