import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// A record with a key twice: every way trailhound reads a field sees the last, as jq, Python's json and most JSON
/// parsers do (`jq -c '[.eventName, .userIdentity.arn]'` on these records prints the second values), so a rule
/// never sees one value while the analyst checking it with jq sees another.
@Suite struct DuplicateKeyTests {
    /// `eventName` twice at the top level (ListUsers, then CreateUser), and keys twice inside `userIdentity`,
    /// `sessionContext.sessionIssuer`, `requestParameters` and the STS response, plus an unlisted top-level key.
    static let record = """
        {"eventVersion":"1.11","eventName":"ListUsers","userIdentity":{"type":"AWSService","arn":"arn:aws:iam::111122223333:user/first",\
        "accessKeyId":"ASIAFIRST00000000001","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::111122223333:role/first",\
        "userName":"first","arn":"arn:aws:iam::111122223333:role/last","userName":"last"}},"type":"IAMUser",\
        "arn":"arn:aws:iam::111122223333:user/last","userName":"last","accessKeyId":"ASIALAST000000000001"},\
        "eventTime":"2026-11-20T10:00:00Z","eventSource":"iam.amazonaws.com","custom":"first","awsRegion":"us-east-1",\
        "requestParameters":{"userName":"first-user","userName":"backdoor"},"responseElements":{"credentials":\
        {"accessKeyId":"ASIACHILDFIRST000001","accessKeyId":"ASIACHILDLAST0000001"}},"eventID":"d1",\
        "recipientAccountId":"111122223333","custom":"last","eventName":"CreateUser"}
        """

    func withEvent<T>(_ text: String = record, _ body: (Event) -> T) -> T? {
        EventParser.withEvent(Array(text.utf8), body)
    }

    @Test func topLevelAndNestedDuplicatesReadTheLastValue() throws {
        let values = withEvent { e in
            [
                e.member(.eventName)?.string, e.string(at: FieldPath("eventName")!), e.member("custom")?.string,
                e.string(at: FieldPath("custom")!), e.string(at: FieldPath("userIdentity.arn")!),
                e.string(at: FieldPath("userIdentity.type")!), e.member(.userIdentity)?.member("accessKeyId")?.string,
                e.string(at: FieldPath("userIdentity.sessionContext.sessionIssuer.userName")!),
                e.string(at: FieldPath("requestParameters.userName")!),
            ]
        }
        #expect(
            values == [
                "CreateUser", "CreateUser", "last", "last", "arn:aws:iam::111122223333:user/last", "IAMUser",
                "ASIALAST000000000001", "last", "backdoor",
            ])
    }

    /// The first occurrence of every CloudTrail member in the member table, then each again: the table holds the
    /// last of each.
    @Test func theMemberTableKeepsTheLastOfEveryMember() throws {
        let first = TopMember.allCases.map { "\"\($0)\":\"first-\($0)\"" }.joined(separator: ",")
        let last = TopMember.allCases.map { "\"\($0)\":\"last-\($0)\"" }.joined(separator: ",")
        let text = "{\(first),\(last)}"
        let seen = withEvent(text) { e in TopMember.allCases.map { e.member($0)?.string } }
        #expect(seen == TopMember.allCases.map { "last-\($0)" })
    }

    /// Rules see what jq sees: the bundled CreateUser rule fires on the record above, and not on the same record
    /// with the two eventName values swapped.
    @Test func rulesSeeTheValueJqSees() throws {
        let createUser = try #require(bundled.0.rules.firstIndex { $0.file.hasSuffix("iam_user_created.yml") })
        func fires(_ text: String) -> Bool {
            let context = EventContext(catalog: bundled.0.catalog)
            return withEvent(text) { e in
                context.reset(e)
                return bundled.0.rules[createUser].matches(context)
            } ?? false
        }
        #expect(fires(Self.record))
        let swapped = Self.record.replacingOccurrences(of: #""eventName":"ListUsers""#, with: "\u{1}")
            .replacingOccurrences(of: #""eventName":"CreateUser""#, with: #""eventName":"ListUsers""#)
            .replacingOccurrences(of: "\u{1}", with: #""eventName":"CreateUser""#)
        #expect(!fires(swapped))
        // A selection on a nested duplicate (through the rule engine's flat field tests).
        let set = try ruleSet(rule("sel:\n  requestParameters.userName: backdoor\n  userIdentity.type: IAMUser\ncondition: sel"))
        #expect(matches(set, Self.record))
        let other = try ruleSet(rule("sel:\n  requestParameters.userName: first-user\ncondition: sel"))
        #expect(!matches(other, Self.record))
    }

    /// Derived fields and lineage read the same last values.
    @Test func enrichmentAndLineageReadTheLastValue() throws {
        let e = enrichment(Self.record)
        #expect(e.values(.actorArn) == ["arn:aws:iam::111122223333:user/last"])
        #expect(e.values(.actorType) == ["IAMUser"])
        #expect(e.values(.actorAccessKeyId) == ["ASIALAST000000000001"])
        let sts = Self.record.replacingOccurrences(of: #""eventSource":"iam.amazonaws.com""#, with: #""eventSource":"sts.amazonaws.com""#)
            .replacingOccurrences(of: #""eventName":"CreateUser""#, with: #""eventName":"AssumeRole""#)
        let issuance = try #require(withEvent(sts) { CredentialIssuance($0) } ?? nil)
        #expect(issuance.childKey == "ASIACHILDLAST0000001")
        #expect(issuance.parentKey == "ASIALAST000000000001")
        #expect(issuance.parentPrincipal == "arn:aws:iam::111122223333:user/last")
    }

    /// A key written with escapes is the key it decodes to (`"event\u004eame"` is eventName), at the top level
    /// and nested, as jq reads it: a second eventName spelled with an escape cannot hide from the rules.
    @Test func escapedKeysAreTheNamesTheyDecodeTo() throws {
        let text = #"{"eventVersion":"1.11","eventName":"ListUsers","eventTime":"2026-11-20T10:00:00Z","eventSource":"iam.amazonaws.com","userIdentity":{"type":"AWSService","arn":"arn:aws:iam::111122223333:user/first","\u0074ype":"IAMUser","\u0061rn":"arn:aws:iam::111122223333:user/last"},"requestParameters":{"userName":"first-user","user\u004eame":"backdoor"},"cust\u006fm":"decoded","event\u004eame":"CreateUser","recipientAccountId":"111122223333"}"#
        let values = withEvent(text) { e in
            [
                e.member(.eventName)?.string, e.string(at: FieldPath("eventName")!), e.member("custom")?.string,
                e.string(at: FieldPath("userIdentity.arn")!), e.string(at: FieldPath("userIdentity.type")!),
                e.string(at: FieldPath("requestParameters.userName")!),
            ]
        }
        #expect(values == ["CreateUser", "CreateUser", "decoded", "arn:aws:iam::111122223333:user/last", "IAMUser", "backdoor"])
        let createUser = try #require(bundled.0.rules.firstIndex { $0.file.hasSuffix("iam_user_created.yml") })
        let context = EventContext(catalog: bundled.0.catalog)
        #expect(withEvent(text) { e in
            context.reset(e)
            return bundled.0.rules[createUser].matches(context)
        } == true)
        let e = enrichment(text)
        #expect(e.values(.actorArn) == ["arn:aws:iam::111122223333:user/last"])
        #expect(e.values(.actorType) == ["IAMUser"])
        // Through the file reader too (the scanner flags the record), and a record without escapes is unchanged.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-escaped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("log.json")
        try Data(("{\"Records\":[" + text + "," + Self.record + "]}").utf8).write(to: url)
        var names: [String?] = []
        let report = FileReader(options: ReaderOptions()).read(InputFile(path: url.path)) { names.append($0.member(.eventName)?.string) }
        #expect(names == ["CreateUser", "CreateUser"])
        // CloudTrail never escapes its keys: the edited record is reported, and the run has an input problem.
        #expect(report.escapedKeys == 1)
        #expect(report.diagnostics.map(\.kind) == [.escapedKey] && report.diagnostics.first?.recordIndex == 0)
        #expect(report.status == .read)
        var summary = RunSummary()
        summary.add(report)
        #expect(summary.hasInputProblems)
    }
}
