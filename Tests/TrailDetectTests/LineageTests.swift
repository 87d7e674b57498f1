import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// Credential lineage (groundwork for correlation): temporary keys traced back to the key that minted them.
@Suite struct LineageTests {
    func issuance(_ api: String, parent: String?, child: String, at time: String, duration: Int? = nil, expiration: String? = nil) -> CredentialIssuance? {
        let params = duration.map { #","requestParameters":{"durationSeconds":\#($0)}"# } ?? ""
        let exp = expiration.map { #","expiration":"\#($0)""# } ?? ""
        let json = """
            {"eventTime":"\(time)","eventSource":"sts.amazonaws.com","eventName":"\(api)","recipientAccountId":"111122223333",\
            "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"\(parent.map { #","accessKeyId":"\#($0)""# } ?? "")}\(params),\
            "responseElements":{"credentials":{"accessKeyId":"\(child)"\(exp)}}}
            """
        return EventParser.withEvent(Array(json.utf8)) { CredentialIssuance($0) } ?? nil
    }

    @Test func issuancesAreReadFromSTSResponses() throws {
        let gft = try #require(issuance("GetFederationToken", parent: "AKIAEXAMPLE000000001", child: "ASIAEXAMPLE000000001", at: "2026-11-20T10:00:00Z", expiration: "Nov 21, 2026, 10:00:00 PM"))
        #expect(gft.expiresAt == Timestamp.parse("2026-11-21T22:00:00Z"))
        let noExpiry = try #require(issuance("AssumeRole", parent: "ASIAEXAMPLE000000001", child: "ASIAEXAMPLE000000002", at: "2026-11-20T10:00:00Z", duration: 900))
        #expect(noExpiry.expiresAt == Timestamp.parse("2026-11-20T10:15:00Z")!)
        let defaulted = try #require(issuance("GetSessionToken", parent: "AKIAEXAMPLE000000001", child: "ASIAEXAMPLE000000003", at: "2026-11-20T10:00:00Z"))
        #expect(defaulted.expiresAt - defaulted.issuedAt == 43_200)
        #expect(CredentialIssuance.parseExpiration("Jul 30, 2024 9:53:13 PM") == Timestamp.parse("2024-07-30T21:53:13Z"))
        #expect(CredentialIssuance.parseExpiration("Aug 2, 2024, 12:05:00 AM") == Timestamp.parse("2024-08-02T00:05:00Z"))
        #expect(CredentialIssuance.parseExpiration("2026-11-20T10:00:00Z") == Timestamp.parse("2026-11-20T10:00:00Z"))
        #expect(issuance("ListUsers", parent: nil, child: "ASIAX", at: "2026-11-20T10:00:00Z") == nil)
    }

    @Test func chainsOfAnyDepthLeadToTheOrigin() throws {
        var map = LineageMap()
        for i in [
            issuance("GetSessionToken", parent: "AKIAORIGIN0000000001", child: "ASIASESSION000000001", at: "2026-11-20T10:00:00Z"),
            issuance("AssumeRole", parent: "ASIASESSION000000001", child: "ASIAROLE000000000001", at: "2026-11-20T10:05:00Z"),
            issuance("AssumeRole", parent: "ASIAROLE000000000001", child: "ASIAROLE000000000002", at: "2026-11-20T10:10:00Z"),
        ] { map.add(try #require(i)) }
        let t = Timestamp.parse("2026-11-20T10:20:00Z")!
        let chain = map.chain(of: "ASIAROLE000000000002", account: "111122223333", at: t)
        #expect(chain.map(\.childKey) == ["ASIAROLE000000000002", "ASIAROLE000000000001", "ASIASESSION000000001"])
        #expect(map.origin(of: "ASIAROLE000000000002", account: "111122223333", at: t) == "AKIAORIGIN0000000001")
        #expect(map.descendants(of: "AKIAORIGIN0000000001", account: "111122223333").map(\.childKey)
            == ["ASIASESSION000000001", "ASIAROLE000000000001", "ASIAROLE000000000002"])
        // Keyed by account and validity window: another account, or a time after expiry, finds nothing.
        #expect(map.chain(of: "ASIAROLE000000000002", account: "444455556666", at: t).isEmpty)
        #expect(map.chain(of: "ASIAROLE000000000002", account: "111122223333", at: t + 7200).isEmpty)
    }

    @Test func theDemoFederationSessionTracesBackToBuildBotsKey() throws {
        var map = LineageMap()
        var federatedKeys: [(String, Int64)] = []
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/logs")
        let files = Discovery(options: ReaderOptions()).discover([folder.path]).files
        let reader = FileReader(options: ReaderOptions())
        for file in files {
            _ = reader.read(file) { event in
                if let i = CredentialIssuance(event) { map.add(i) }
                if event.member("userIdentity")?.member("type")?.string == "FederatedUser",
                    let key = event.member("userIdentity")?.member("accessKeyId")?.string, let t = event.eventTime
                {
                    federatedKeys.append((key, t))
                }
            }
        }
        #expect(map.count > 0)
        let traced = federatedKeys.compactMap { map.origin(of: $0.0, account: "111122223333", at: $0.1) }
        #expect(!traced.isEmpty)
        #expect(traced.allSatisfy { $0.hasPrefix("AKIA") })
    }
}

/// `trailhound.origin.*`: rules can match events by the long-term key their temporary credentials came from.
@Suite struct OriginFieldTests {
    @Test func originFieldsFollowTheLineage() throws {
        var map = LineageMap()
        let issue = """
            {"eventTime":"2026-11-20T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetFederationToken","recipientAccountId":"111122223333",\
            "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/build-bot","accessKeyId":"AKIALEAKED0000000001"},\
            "responseElements":{"credentials":{"accessKeyId":"ASIAFED0000000000001"}}}
            """
        _ = EventParser.withEvent(Array(issue.utf8)) { e in CredentialIssuance(e).map { map.add($0) } }
        let set = try ruleSet(rule("sel:\n  trailhound.origin.accessKeyId: AKIALEAKED0000000001\n  trailhound.origin.isDerived: 'true'\ncondition: sel"))
        #expect(set.secondPassReadsAll)
        let detector = Detector(rules: set, lineage: map)
        let call = """
            {"eventTime":"2026-11-20T11:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","recipientAccountId":"111122223333",\
            "userIdentity":{"type":"FederatedUser","arn":"arn:aws:sts::111122223333:federated-user/maint","accessKeyId":"ASIAFED0000000000001",\
            "sessionContext":{"sessionIssuer":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/build-bot","userName":"build-bot"}}}}
            """
        let direct = call.replacingOccurrences(of: "ASIAFED0000000000001", with: "AKIALEAKED0000000001")
        let late = call.replacingOccurrences(of: "2026-11-20T11:00:00Z", with: "2026-11-22T11:00:00Z")  // after expiry
        for json in [call, direct, late] {
            _ = EventParser.withEvent(Array(RuleTestRunner.completed(json, index: 0).utf8)) { detector.process($0, file: "f") }
        }
        let found = detector.take()
        #expect(found.count == 1)
        #expect(found.first?.count == 1)
        var all = FindingSet()
        all.merge(found)
        let finding = try #require(all.findings(set).first)
        #expect(finding.actor.originAccessKeyIds == ["AKIALEAKED0000000001"])
        // Without lineage the origin of a temporary key is unknown, and the rule does not match it.
        let plain = Detector(rules: set)
        _ = EventParser.withEvent(Array(RuleTestRunner.completed(call, index: 0).utf8)) { plain.process($0, file: "f") }
        #expect(plain.take().isEmpty)
    }
}

/// The trace table's folding: the same API and outcome recurring within the gap is one run, other calls between.
@Suite struct CallRunTests {
    func call(_ time: String, _ name: String, error: String? = nil, key: String = "AKIAEXAMPLE000000001", ip: String = "203.0.113.7")
        -> CredentialTrace.Call
    {
        CredentialTrace.Call(
            eventTime: time, account: "111122223333", region: "us-east-1", eventSource: "iam.amazonaws.com",
            eventName: name, errorCode: error, accessKeyId: key, principal: nil, sourceIPAddress: ip, userAgent: nil,
            eventID: nil, readOnly: nil, file: "f", recordIndex: 0)
    }

    @Test func interleavedRepeatsFoldWithinTheGap() {
        let calls = [
            call("2026-11-20T10:00:00Z", "ListUsers"),
            call("2026-11-20T10:00:01Z", "ListRoles"),
            call("2026-11-20T10:00:02Z", "ListUsers", key: "ASIAEXAMPLE000000002"),
            call("2026-11-20T10:00:03Z", "ListUsers", error: "AccessDenied"),
            call("2026-11-20T10:04:59Z", "ListUsers"),
            call("2026-11-20T10:20:00Z", "ListUsers"),  // more than 5 minutes after the last: a new run
            call("not a time", "ListUsers"),
        ]
        let runs = CallRun.collapse(calls)
        #expect(runs.map(\.count) == [3, 1, 1, 1, 1])
        #expect(runs.map { $0.first.eventName } == ["ListUsers", "ListRoles", "ListUsers", "ListUsers", "ListUsers"])
        #expect(runs[0].last.eventTime == "2026-11-20T10:04:59Z")
        #expect(runs[0].accessKeyIds == ["AKIAEXAMPLE000000001", "ASIAEXAMPLE000000002"])
        #expect(runs[2].first.errorCode == "AccessDenied")
        #expect(CallRun.collapse(calls, gap: -1).count == calls.count)
        #expect(CallRun.collapse(calls).reduce(0) { $0 + $1.count } == calls.count)
    }

    /// The trace's default view: calls per credential and service, denied counted, first and last time, writes
    /// named in the order first called with their counts; nothing lost.
    @Test func activityCountsEveryCallAndNamesWrites() {
        func at(_ time: String, _ source: String, _ name: String, error: String? = nil, key: String? = "AKIAEXAMPLE000000001")
            -> CredentialTrace.Call
        {
            CredentialTrace.Call(
                eventTime: time, account: "111122223333", region: "us-east-1", eventSource: source, eventName: name,
                errorCode: error, accessKeyId: key, principal: nil, sourceIPAddress: "203.0.113.7", userAgent: nil,
                eventID: nil, readOnly: nil, file: "f", recordIndex: 0)
        }
        let calls = [
            at("2026-11-20T10:00:00Z", "iam.amazonaws.com", "ListUsers"),
            at("2026-11-20T10:00:01Z", "iam.amazonaws.com", "CreateUser"),
            at("2026-11-20T10:00:02Z", "iam.amazonaws.com", "AttachUserPolicy", error: "AccessDenied"),
            at("2026-11-20T10:00:03Z", "iam.amazonaws.com", "CreateUser"),
            at("2026-11-20T10:00:04Z", "s3.amazonaws.com", "ListBuckets"),
            at("2026-11-20T10:05:00Z", "sts.amazonaws.com", "GetFederationToken"),
            at("2026-11-20T10:06:00Z", "s3.amazonaws.com", "PutBucketPolicy\u{1B}[31m", key: "ASIAEXAMPLE000000002"),
            at("2026-11-20T10:07:00Z", "signin.amazonaws.com", "ConsoleLogin", key: nil),
        ]
        let activity = CredentialActivity(calls) { $0 == "AccessDenied" }
        #expect(activity.credentials.map(\.accessKeyId) == ["AKIAEXAMPLE000000001", "-", "ASIAEXAMPLE000000002"])
        #expect(activity.credentials.reduce(0) { $0 + $1.calls } == calls.count)
        let first = activity.credentials[0]
        #expect(first.calls == 6)
        #expect(first.denied == 1)
        #expect(first.firstTime == "2026-11-20T10:00:00Z")
        #expect(first.lastTime == "2026-11-20T10:05:00Z")
        #expect(first.services.map(\.eventSource) == ["iam.amazonaws.com", "s3.amazonaws.com", "sts.amazonaws.com"])
        let iam = first.services[0]
        #expect(iam.calls == 4)
        #expect(iam.reads == 1)
        #expect(iam.denied == 1)
        #expect(iam.writes.map(\.name) == ["CreateUser", "AttachUserPolicy"])
        #expect(iam.writes.map(\.calls) == [2, 1])
        #expect(iam.writes.map(\.denied) == [0, 1])
        #expect(first.services[1].writes.isEmpty)
        #expect(first.services[2].writes.map(\.name) == ["GetFederationToken"], "minting counts as a write")
        // Values stay as they are here (the table escapes them).
        #expect(activity.writeAPIs.contains("s3.amazonaws.com:PutBucketPolicy\u{1B}[31m"))
        #expect(activity.writeAPIs.count == 5)
    }

    @Test func writesAreJudgedByReadOnlyThenByVerb() {
        func c(_ name: String, readOnly: Bool?) -> CredentialTrace.Call {
            CredentialTrace.Call(
                eventTime: "2026-11-20T10:00:00Z", account: nil, region: nil, eventSource: nil, eventName: name,
                errorCode: nil, accessKeyId: nil, principal: nil, sourceIPAddress: nil, userAgent: nil, eventID: nil,
                readOnly: readOnly, file: "f", recordIndex: 0)
        }
        #expect(!c("ListUsers", readOnly: nil).isWrite)
        #expect(!c("DescribeInstances", readOnly: nil).isWrite)
        #expect(c("CreateUser", readOnly: nil).isWrite)
        #expect(c("Getaway", readOnly: nil).isWrite)  // not the verb Get
        #expect(c("ConsoleLogin", readOnly: false).isWrite)
        #expect(!c("CreateUser", readOnly: true).isWrite)  // the record says so
        #expect(c("AssumeRole", readOnly: true).isWrite)  // minting is kept
        #expect(c("GetSessionToken", readOnly: true).isWrite)
    }
}
