import Foundation
import Testing

/// An eventTime that is not a time never becomes a finding's first or last time, nor the cutoff its containment
/// commands revoke sessions by; the run says so on stderr and exits 2.
@Suite struct EventTimeTests {
    /// StopLogging by a role session (a finding whose containment revokes the role's sessions issued before the
    /// cutoff, the finding's last time), once per given eventTime (raw JSON).
    static func logs(_ times: [String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-times-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let records = times.enumerated().map { k, time in
            """
            {"eventVersion":"1.11","eventTime":\(time),"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",\
            "awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","eventID":"time-\(k)","recipientAccountId":"111122223333",\
            "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Deploy/s1","accountId":"111122223333",\
            "accessKeyId":"ASIAEXAMPLETIME00001","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/Deploy","userName":"Deploy"}}},\
            "requestParameters":{"name":"main"}}
            """
        }
        try Data(("{\"Records\":[" + records.joined(separator: ",") + "]}").utf8).write(to: folder.appendingPathComponent("log.json"))
        return folder
    }

    func finding(_ times: [String]) throws -> (finding: [String: Any], text: String, run: CLI.Result) {
        let folder = try Self.logs(times)
        defer { try? FileManager.default.removeItem(at: folder) }
        let r = try CLI.run(["scan", folder.path, "--format", "jsonl"])
        let line = try #require(r.lines.first { $0.contains("stopped logging") })
        return (try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]), line, r)
    }

    /// The commands that revoke the role's older sessions, as one text.
    func revocation(_ f: [String: Any]) -> String {
        let actions = f["containment"] as? [[String: Any]] ?? []
        let revoke = actions.first { $0["id"] as? String == "role-revoke-older-sessions" }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: revoke ?? [:])) ?? Data(), as: UTF8.self)
    }

    @Test func aMalformedTimeIsNeverTheCutoff() throws {
        // The malformed time comes first and last, around a valid one written with an offset.
        let (f, text, r) = try finding([#""not-a-time""#, #""2026-11-20T12:00:00+02:00""#, #""9999-99-99T99:99:99Z""#])
        #expect(r.status == 2)
        #expect(r.stderr.contains("invalid eventTime: \"not-a-time\" is not a time"))
        #expect(r.stderr.contains("records: 2 with an eventTime that is not a time"))
        #expect(f["count"] as? Int == 3, "the events still count")
        #expect(f["firstSeen"] as? String == "2026-11-20T10:00:00Z")
        #expect(f["lastSeen"] as? String == "2026-11-20T10:00:00Z")
        let revoke = revocation(f)
        #expect(revoke.contains(#"aws:TokenIssueTime\":\"2026-11-20T10:00:00Z"#), "\(revoke)")
        // The malformed values appear only as what the evidence says the records hold.
        let containment = String(describing: f["containment"] ?? "")
        #expect(!containment.contains("not-a-time") && !containment.contains("9999"))
        #expect(text.components(separatedBy: "not-a-time").count == 2, "only in the evidence")
    }

    @Test func noValidTimeMeansNoTimeNotAMadeUpOne() throws {
        let (f, _, r) = try finding([#""yesterday""#, "null"])
        #expect(r.status == 2)
        #expect(f["firstSeen"] as? String == "")
        #expect(f["lastSeen"] as? String == "")
        let revoke = revocation(f)
        #expect(!revoke.contains("yesterday") && !revoke.contains("1970"))
        #expect(!revoke.contains("TokenIssueTime\\\":\\\"\\\""), "no empty cutoff either: \(revoke)")
    }
}
