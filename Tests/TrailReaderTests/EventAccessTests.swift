import Foundation
import Testing

@testable import TrailReader

/// Field access by dotted path, on records as CloudTrail writes them.
@Suite struct EventAccessTests {
    let text = """
        {"eventVersion":"1.11","userIdentity":{"type":"FederatedUser","principalId":"111122223333:ops","arn":"arn:aws:sts::111122223333:federated-user/ops","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEFED000001","sessionContext":{"attributes":{"creationDate":"2026-11-20T10:00:00Z","mfaAuthenticated":"false"},"sessionIssuer":{"type":"IAMUser","principalId":"AIDAEXAMPLEUSER00001","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"}}},"eventTime":"2026-11-20T10:05:00Z","eventSource":"sts.amazonaws.com","eventName":"GetFederationToken","awsRegion":"us-east-1","requestParameters":{"name":"ops","durationSeconds":129600,"policy":"{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Allow\\",\\"Action\\":\\"*\\",\\"Resource\\":\\"*\\"}]}","policyArns":[{"arn":"arn:aws:iam::aws:policy/AdministratorAccess"},{"arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}]},"responseElements":null,"errorCode":null,"readOnly":false,"resources":[{"ARN":"arn:aws:iam::111122223333:user/alice","type":"AWS::IAM::User"}],"note":"caf\\u00e9 \\ud83d\\ude00 tab\\tend","eventID":"a1"}
        """

    func withEvent(_ body: (Event) throws -> Void) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("one.json")
        try write(Array(text.utf8), to: url)
        var seen = 0
        var failure: Error?
        _ = FileReader(options: ReaderOptions()).read(InputFile(path: url.path)) { event in
            seen += 1
            do { try body(event) } catch { failure = error }
        }
        if let failure { throw failure }
        #expect(seen == 1)
    }

    @Test func nestedPaths() throws {
        try withEvent { e in
            #expect(e.string(at: FieldPath("userIdentity.sessionContext.sessionIssuer.arn")!) == "arn:aws:iam::111122223333:user/alice")
            #expect(e.string(at: FieldPath("eventName")!) == "GetFederationToken")
            #expect(e.value(at: FieldPath("requestParameters.durationSeconds")!)?.int64 == 129_600)
            #expect(e.string(at: FieldPath("requestParameters.policyArns.0.arn")!) == "arn:aws:iam::aws:policy/AdministratorAccess")
            #expect(e.value(at: FieldPath("requestParameters.policyArns")!)?.count == 2)
            #expect(e.string(at: FieldPath("resources.0.type")!) == "AWS::IAM::User")
            #expect(e.value(at: FieldPath("readOnly")!)?.bool == false)
            #expect(e.eventTime == Timestamp.parse("2026-11-20T10:05:00Z"))
        }
    }

    @Test func policyStringDecodesToJSON() throws {
        try withEvent { e in
            let policy = try #require(e.string(at: FieldPath("requestParameters.policy")!))
            let object = try JSONSerialization.jsonObject(with: Data(policy.utf8)) as? [String: Any]
            #expect(object?["Version"] as? String == "2012-10-17")
        }
    }

    @Test func escapesAndUnicode() throws {
        try withEvent { e in
            #expect(e.string(at: FieldPath("note")!) == "café 😀 tab\tend")
        }
    }

    @Test func absentAndNull() throws {
        try withEvent { e in
            #expect(e.value(at: FieldPath("responseElements")!)?.isNull == true)
            #expect(e.value(at: FieldPath("responseElements.credentials.accessKeyId")!) == nil)
            #expect(e.value(at: FieldPath("errorCode")!)?.isNull == true)
            #expect(e.string(at: FieldPath("errorCode")!) == nil)
            #expect(e.value(at: FieldPath("nosuch.field")!) == nil)
            #expect(e.value(at: FieldPath("requestParameters.policyArns.7.arn")!) == nil)
            #expect(e.value(at: FieldPath("eventName.more")!) == nil)
            #expect(e.value(at: FieldPath("eventname")!) == nil)  // field names are case-sensitive, as in CloudTrail
        }
    }

    @Test func memberNamesInOrder() throws {
        try withEvent { e in
            #expect(e.memberNames.prefix(4) == ["eventVersion", "userIdentity", "eventTime", "eventSource"])
            #expect(e.looksLikeCloudTrail)
        }
    }

    @Test func fieldPathParsing() {
        #expect(FieldPath("a..b") == nil)
        #expect(FieldPath("") == nil)
        #expect(FieldPath(".a") == nil)
        #expect(FieldPath("a.0.b")?.components.map(\.index) == [nil, 0, nil])
    }

    @Test func timestamps() {
        #expect(Timestamp.parse("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.parse("2026-11-20T10:05:00Z") == 1_795_169_100)
        #expect(Timestamp.parse("2026-11-20T10:05:00.123Z") == 1_795_169_100)
        #expect(Timestamp.parse("2026-11-20T12:05:00+02:00") == 1_795_169_100)
        #expect(Timestamp.parse("2026-11-20 10:05:00") == 1_795_169_100)
        #expect(Timestamp.parse("2026-11-20") == 1_795_132_800)
        #expect(Timestamp.parse("2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp.parse("2026-02-29T00:00:00Z") == nil)
        #expect(Timestamp.parse("2026-13-01") == nil)
        #expect(Timestamp.parse("yesterday") == nil)
        #expect(Timestamp.parse("2026-11-20T10:05:00Zjunk") == nil)
        #expect(Timestamp.format(1_795_169_100) == "2026-11-20T10:05:00Z")
        // The in-place writer agrees with Foundation's ISO 8601 formatter from 1583 (Foundation is Julian before the
        // Gregorian reform) to 9999, and years outside 0-9999 still format.
        let iso = ISO8601DateFormatter()
        iso.timeZone = TimeZone(identifier: "UTC")
        var s: Int64 = Timestamp.parse("1583-01-01T00:00:00Z")!
        while s < 253_402_300_800 {  // 10000-01-01
            #expect(Timestamp.format(s) == iso.string(from: Date(timeIntervalSince1970: TimeInterval(s))), "\(s)")
            s += 86_400 * 3_391 + 7_919
        }
        #expect(Timestamp.format(253_402_300_799) == "9999-12-31T23:59:59Z")
        #expect(Timestamp.format(253_402_300_800) == "10000-01-01T00:00:00Z")
        #expect(Timestamp.format(-62_135_596_801).hasSuffix("-12-31T23:59:59Z"))
    }

    /// The reader's quick validity check agrees with the parser, on valid times, near misses and mutations.
    @Test func timestampValidityAgreesWithParse() {
        var cases = [
            "1970-01-01T00:00:00Z", "2026-11-20T10:05:00Z", "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z",
            "2026-02-28T23:59:60Z", "2026-04-31T00:00:00Z", "2026-12-31T24:00:00Z", "2026-00-10T00:00:00Z",
            "2026-11-00T00:00:00Z", "2026-11-20T10:60:00Z", "2026-11-20T10:05:61Z", "2026-11-20T10:05:00.5Z",
            "2026-11-20T12:05:00+02:00", "2026-11-20 10:05:00", "2026-11-20", "yesterday", "", "2026-11-20T10:05:00z",
            "2000-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-1a-20T10:05:00Z", "2026-11-20T10:05:0/Z",
        ]
        let base = Array("2026-11-20T10:05:00Z".utf8)
        for k in base.indices {
            for b: UInt8 in [0x2F, 0x30, 0x39, 0x3A, 0x20, 0x54, 0x5A, 0x2D] {
                var v = base
                v[k] = b
                cases.append(String(decoding: v, as: UTF8.self))
            }
        }
        for text in cases {
            var t = text
            let valid = t.withUTF8 { Timestamp.isValid(UnsafeRawBufferPointer($0)) }
            #expect(valid == (Timestamp.parse(text) != nil), "\(text)")
        }
    }

    @Test func whereMatching() throws {
        try withEvent { e in
            var scratch: [UInt8] = []
            func m(_ s: String) -> Bool { try! FieldMatch(parsing: s).matches(e, scratch: &scratch) }
            #expect(m("eventName=GetFederationToken"))
            #expect(m("eventName=getfederation*"))
            #expect(m("eventName=*Token"))
            #expect(m("eventName=Get?ederationToken"))
            #expect(!m("eventName=GetFederation"))
            #expect(m("eventName!=AssumeRole"))
            #expect(m("requestParameters.durationSeconds=129600"))
            #expect(m("requestParameters.policyArns.arn=*ReadOnly*") == false)  // objects in arrays need an index
            #expect(m("requestParameters.policyArns.1.arn=*ReadOnly*"))
            #expect(!m("errorCode=*"))  // null never matches
            #expect(m("errorCode!=*"))
            #expect(!m("missing.field=*"))
            #expect(m("note=caf\u{e9}*"))
            // Nothing after the operator: absent, null, "" and [] are the empty value.
            #expect(m("errorCode="))  // null
            #expect(!m("errorCode!="))
            #expect(m("missing.field="))
            #expect(!m("missing.field!="))
            #expect(!m("eventName="))
            #expect(m("eventName!="))
            #expect(!m("requestParameters.policyArns="))  // a non-empty array has a value
            #expect(m("requestParameters.policyArns!="))
            #expect(throws: FieldMatch.ParseError.self) { try FieldMatch(parsing: "eventName") }
        }
    }
}
