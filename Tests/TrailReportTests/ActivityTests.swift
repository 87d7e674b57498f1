import Foundation
import Testing
import TrailDetect
import TrailReader
import TrailReport

/// The timelines' counts: calls attributed to the root identity through lineage, and containment read from the logs.
@Suite struct ActivityTests {
    static let account = "111122223333"

    static func user(_ name: String, key: String) -> String {
        #"{"type":"IAMUser","principalId":"AIDAEXAMPLE000000001","arn":"arn:aws:iam::111122223333:user/\#(name)","accountId":"111122223333","accessKeyId":"\#(key)","userName":"\#(name)"}"#
    }

    static func event(_ time: String, _ name: String, identity: String, request: String = "null", response: String = "null", error: String? = nil) -> String {
        """
        {"eventVersion":"1.11","userIdentity":\(identity),"eventTime":"\(time)","eventSource":"iam.amazonaws.com",\
        "eventName":"\(name)","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.77","userAgent":"aws-cli/2.15.30",\
        "requestParameters":\(request),"responseElements":\(response),\(error.map { #""errorCode":"\#($0)","# } ?? "")\
        "eventID":"\(UUID().uuidString.lowercased())","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,\
        "recipientAccountId":"111122223333","eventCategory":"Management"}
        """
    }

    @Test func callsOfMintedSessionsCountForTheUserAndContainmentIsMarked() throws {
        let responder = Self.user("responder", key: "AKIAEXAMPLERESPOND01")
        let leaked = Self.user("build-bot", key: "AKIAEXAMPLELEAKED001")
        let session = #"{"type":"FederatedUser","principalId":"111122223333:maint","arn":"arn:aws:sts::111122223333:federated-user/maint","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEFEDERAT01","sessionContext":{"sessionIssuer":{"type":"IAMUser","principalId":"AIDAEXAMPLE000000001","arn":"arn:aws:iam::111122223333:user/build-bot","accountId":"111122223333","userName":"build-bot"}}}"#
        let records = [
            Self.event("2026-11-21T03:15:50Z", "GetFederationToken", identity: leaked,
                request: #"{"name":"maint","durationSeconds":129600}"#,
                response: #"{"credentials":{"accessKeyId":"ASIAEXAMPLEFEDERAT01","sessionToken":"x","expiration":"Nov 22, 2026, 3:15:50 PM"},"federatedUser":{"federatedUserId":"111122223333:maint","arn":"arn:aws:sts::111122223333:federated-user/maint"}}"#),
            Self.event("2026-11-21T03:20:00Z", "ListUsers", identity: session),
            Self.event("2026-11-21T03:21:00Z", "ListRoles", identity: session),
            Self.event("2026-11-21T04:40:00Z", "ListUsers", identity: leaked),
            Self.event("2026-11-21T05:00:00Z", "AttachUserPolicy", identity: responder,
                request: #"{"userName":"build-bot","policyArn":"arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"}"#),
            Self.event("2026-11-21T05:01:00Z", "UpdateAccessKey", identity: responder,
                request: #"{"userName":"build-bot","accessKeyId":"AKIAEXAMPLELEAKED001","status":"Inactive"}"#),
            // A denied attempt contains nothing; a key made active is not containment.
            Self.event("2026-11-21T05:02:00Z", "DeleteAccessKey", identity: responder,
                request: #"{"userName":"build-bot","accessKeyId":"AKIAEXAMPLELEAKED001"}"#, error: "AccessDenied"),
            Self.event("2026-11-21T05:03:00Z", "UpdateAccessKey", identity: responder,
                request: #"{"userName":"build-bot","accessKeyId":"AKIAEXAMPLELEAKED001","status":"Active"}"#),
            Self.event("2026-11-21T05:04:00Z", "PutUserPolicy", identity: responder,
                request: #"{"userName":"build-bot","policyName":"revoke","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":{\"aws:TokenIssueTime\":\"2026-11-21T05:04:00Z\"}}}]}"}"#),
        ]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("activity-\(UUID().uuidString)")
        let folder = dir.appendingPathComponent("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/21")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = #"{"Records":["# + records.joined(separator: ",") + "]}"
        try Data(Gzip.compress(Array(text.utf8))).write(
            to: folder.appendingPathComponent("111122223333_CloudTrail_us-east-1_20261121T0300Z_activity0000001.json.gz"))

        let files = Discovery(options: ReaderOptions()).discover([dir.path]).files
        let (lineage, _) = LineageMap.build(files, using: ParallelReader(options: ReaderOptions()))
        let buildBot = RootIdentity(account: Self.account, kind: .iamUser, name: "build-bot")
        let activity = Activity.count(files, roots: [buildBot], lineage: lineage, using: ParallelReader(options: ReaderOptions()))
        let slots = try #require(activity.callsPerSlot[buildBot])
        // Its own two calls and the federated session's two, in the slots they fell in; the responder's are not its.
        #expect(slots.values.reduce(0, +) == 4)
        func slot(_ time: String) -> Int64 { Timestamp.parse(time)! / Activity.slotSeconds }
        #expect(slots[slot("2026-11-21T03:10:00Z")] == 1)
        #expect(slots[slot("2026-11-21T03:20:00Z")] == 2)
        #expect(slots[slot("2026-11-21T04:40:00Z")] == 1)
        #expect(activity.events == records.count)
        let marks = (activity.containment[buildBot] ?? []).map(\.kind)
        #expect(marks == [.quarantine, .keyDeactivated, .sessionsRevoked])
    }
}
