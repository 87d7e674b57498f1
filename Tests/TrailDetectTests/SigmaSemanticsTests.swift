import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// Sigma's matching semantics, each with events that must and must not match.
@Suite struct SigmaSemanticsTests {
    func check(_ detection: String, match: [String], noMatch: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let set = try ruleSet(rule(detection))
        for e in match { #expect(matches(set, e), "should match: \(e)", sourceLocation: sourceLocation) }
        for e in noMatch { #expect(!matches(set, e), "should not match: \(e)", sourceLocation: sourceLocation) }
    }

    @Test func plainValuesAreCaseInsensitiveAndListsAreOr() throws {
        try check(
            """
            sel:
              eventName: [CreateUser, DeleteUser]
            condition: sel
            """,
            match: [#"{"eventName":"CreateUser"}"#, #"{"eventName":"createuser"}"#, #"{"eventName":"DELETEUSER"}"#],
            noMatch: [#"{"eventName":"CreateUserX"}"#, #"{"eventName":"Create"}"#, #"{"eventSource":"x"}"#])
    }

    @Test func casedModifier() throws {
        try check(
            """
            sel:
              eventName|cased: CreateUser
            condition: sel
            """, match: [#"{"eventName":"CreateUser"}"#], noMatch: [#"{"eventName":"createuser"}"#])
    }

    @Test func wildcardsAndEscapes() throws {
        try check(
            """
            sel:
              userAgent: 'aws-cli/2.*'
              requestParameters.bucketName: 'log?-*'
            condition: sel
            """,
            match: [#"{"userAgent":"AWS-CLI/2.15","requestParameters":{"bucketName":"logs-2026"}}"#],
            noMatch: [#"{"userAgent":"aws-cli/1.2","requestParameters":{"bucketName":"logs-2026"}}"#,
                      #"{"userAgent":"aws-cli/2.1","requestParameters":{"bucketName":"log-x"}}"#])
        try check(
            """
            sel:
              requestParameters.key: 'a\\*b'
            condition: sel
            """, match: [#"{"requestParameters":{"key":"a*b"}}"#], noMatch: [#"{"requestParameters":{"key":"axxb"}}"#])
        try check(
            """
            sel:
              requestParameters.key: 'C:\\Windows\\x'
            condition: sel
            """, match: [#"{"requestParameters":{"key":"C:\\Windows\\x"}}"#], noMatch: [#"{"requestParameters":{"key":"C:Windowsx"}}"#])
    }

    @Test func containsStartsEndsAndAll() throws {
        try check(
            """
            sel:
              userAgent|contains|all: [Boto3, Linux]
              sourceIPAddress|startswith: '203.0.'
              eventSource|endswith: '.amazonaws.com'
            condition: sel
            """,
            match: [#"{"userAgent":"x Boto3/1.0 y linux","sourceIPAddress":"203.0.113.5","eventSource":"s3.amazonaws.com"}"#],
            noMatch: [#"{"userAgent":"x Boto3/1.0 y","sourceIPAddress":"203.0.113.5","eventSource":"s3.amazonaws.com"}"#,
                      #"{"userAgent":"Boto3 Linux","sourceIPAddress":"10.203.0.1","eventSource":"s3.amazonaws.com"}"#])
    }

    @Test func regexCidrAndNumbers() throws {
        try check(
            """
            sel:
              userAgent|re: '^aws-cli/[0-9]+'
              sourceIPAddress|cidr: ['203.0.113.0/24', '2001:db8::/32']
              requestParameters.durationSeconds|gte: 43200
            condition: sel
            """,
            match: [#"{"userAgent":"aws-cli/2","sourceIPAddress":"203.0.113.9","requestParameters":{"durationSeconds":129600}}"#,
                    #"{"userAgent":"aws-cli/2","sourceIPAddress":"2001:db8::1","requestParameters":{"durationSeconds":43200}}"#],
            noMatch: [#"{"userAgent":"AWS-CLI/2","sourceIPAddress":"203.0.113.9","requestParameters":{"durationSeconds":129600}}"#,
                      #"{"userAgent":"aws-cli/2","sourceIPAddress":"203.0.114.9","requestParameters":{"durationSeconds":129600}}"#,
                      #"{"userAgent":"aws-cli/2","sourceIPAddress":"iam.amazonaws.com","requestParameters":{"durationSeconds":129600}}"#,
                      #"{"userAgent":"aws-cli/2","sourceIPAddress":"203.0.113.9","requestParameters":{"durationSeconds":900}}"#])
        try check(
            """
            sel:
              userAgent|re|i: '^aws-cli'
            condition: sel
            """, match: [#"{"userAgent":"AWS-CLI/2"}"#], noMatch: [#"{"userAgent":"x aws-cli"}"#])
    }

    @Test func nullAbsentAndExists() throws {
        try check(
            """
            sel:
              errorCode: null
            condition: sel
            """, match: [#"{"eventName":"x"}"#, #"{"errorCode":null}"#], noMatch: [#"{"errorCode":"AccessDenied"}"#])
        try check(
            """
            sel:
              requestParameters.userName|exists: true
            condition: sel
            """, match: [#"{"requestParameters":{"userName":"a"}}"#],
            noMatch: [#"{"requestParameters":null}"#, #"{"requestParameters":{"userName":null}}"#, #"{"eventName":"x"}"#])
        // A value never matches an absent or null field, and `not` of it does.
        try check(
            """
            sel:
              errorCode: '*'
            condition: not sel
            """, match: [#"{"errorCode":null}"#, #"{"eventName":"x"}"#], noMatch: [#"{"errorCode":"AccessDenied"}"#])
    }

    @Test func fieldref() throws {
        try check(
            """
            sel:
              requestParameters.userName|fieldref: userIdentity.userName
            condition: sel
            """,
            match: [#"{"userIdentity":{"userName":"Jack"},"requestParameters":{"userName":"jack"}}"#],
            noMatch: [#"{"userIdentity":{"userName":"jack"},"requestParameters":{"userName":"jackson"}}"#,
                      #"{"requestParameters":{"userName":"jack"}}"#])
        try check(
            """
            sel:
              requestParameters.userName|fieldref|startswith: userIdentity.userName
            condition: sel
            """,
            match: [#"{"userIdentity":{"userName":"jack"},"requestParameters":{"userName":"jackson"}}"#],
            noMatch: [#"{"userIdentity":{"userName":"jackson"},"requestParameters":{"userName":"jack"}}"#])
    }

    @Test func arraysAreSearchedElementByElement() throws {
        try check(
            """
            sel:
              requestParameters.policyArns.arn|endswith: '/AdministratorAccess'
            condition: sel
            """,
            match: [#"{"requestParameters":{"policyArns":[{"arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"},{"arn":"arn:aws:iam::aws:policy/AdministratorAccess"}]}}"#],
            noMatch: [#"{"requestParameters":{"policyArns":[{"arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}]}}"#])
        try check(
            """
            sel:
              resources.0.type: AWS::IAM::User
            condition: sel
            """, match: [#"{"resources":[{"type":"AWS::IAM::User"}]}"#], noMatch: [#"{"resources":[{"type":"x"},{"type":"AWS::IAM::User"}]}"#])
    }

    @Test func conditions() throws {
        let detection = """
            sel_a:
              eventName: A
            sel_b:
              eventName: B
            filter_x:
              userAgent: x
            filter_y:
              userAgent: y
            condition: (1 of sel_*) and not 1 of filter_*
            """
        try check(detection, match: [#"{"eventName":"A"}"#, #"{"eventName":"B","userAgent":"z"}"#],
                  noMatch: [#"{"eventName":"A","userAgent":"x"}"#, #"{"eventName":"B","userAgent":"y"}"#, #"{"eventName":"C"}"#])
        try check(
            """
            sel_a:
              eventSource: s
            sel_b:
              eventName: B
            condition: all of sel_*
            """, match: [#"{"eventSource":"s","eventName":"B"}"#], noMatch: [#"{"eventSource":"s","eventName":"A"}"#])
        try check(
            """
            a:
              eventName: A
            b:
              eventName: B
            condition: 1 of them
            """, match: [#"{"eventName":"B"}"#], noMatch: [#"{"eventName":"C"}"#])
        try check(
            """
            a:
              - eventName: A
                userAgent: u
              - eventName: B
            condition: a
            """, match: [#"{"eventName":"A","userAgent":"u"}"#, #"{"eventName":"B"}"#], noMatch: [#"{"eventName":"A"}"#])
        try check(
            """
            a:
              eventName: A
            b:
              userAgent: u
            condition: a or b and not a
            """, match: [#"{"eventName":"A"}"#, #"{"userAgent":"u"}"#], noMatch: [#"{"eventName":"B"}"#])
    }

    @Test func derivedFieldsInSelections() throws {
        try check(
            """
            sel:
              eventName: CreateAccessKey
              trailhound.target.isOtherUser: 'true'
            condition: sel
            """,
            match: [#"{"eventName":"CreateAccessKey","userIdentity":{"type":"IAMUser","userName":"jack"},"requestParameters":{"userName":"jackson"}}"#,
                    #"{"eventName":"CreateAccessKey","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s"},"requestParameters":{"userName":"jack"}}"#],
            noMatch: [#"{"eventName":"CreateAccessKey","userIdentity":{"type":"IAMUser","userName":"jack"},"requestParameters":{"userName":"JACK"}}"#,
                      #"{"eventName":"CreateAccessKey","userIdentity":{"type":"IAMUser","userName":"jack"},"requestParameters":{}}"#])
    }

    @Test func indexLimitsEvaluation() throws {
        let set = try ruleSet(rule("sel:\n  eventName: CreateUser\ncondition: sel"))
        #expect(set.rules[0].eventNames == ["createuser"])
        let detector = Detector(rules: set)
        for (k, name) in ["GetObject", "CreateUser", "createuser", "DescribeInstances"].enumerated() {
            let json = RuleTestRunner.completed(#"{"eventName":"\#(name)","eventSource":"iam.amazonaws.com"}"#, index: k)
            _ = EventParser.withEvent(Array(json.utf8)) { detector.process($0, file: "f") }
        }
        #expect(detector.evaluated == 2)
        #expect(detector.take().first?.count == 2)
        // The same event delivered twice (an organisation trail and an account trail) counts once.
        let again = RuleTestRunner.completed(#"{"eventName":"CreateUser","eventSource":"iam.amazonaws.com"}"#, index: 9)
        _ = EventParser.withEvent(Array(again.utf8)) { detector.process($0, file: "org-trail") }
        _ = EventParser.withEvent(Array(again.utf8)) { detector.process($0, file: "account-trail") }
        #expect(detector.take().first?.count == 1)
        let negated = try ruleSet(rule("sel:\n  eventName: CreateUser\ncondition: not sel"))
        #expect(negated.rules[0].eventNames == nil)
        let either = try ruleSet(rule("a:\n  eventName: A\nb:\n  eventName|startswith: B\ncondition: a or b"))
        #expect(either.rules[0].eventNames == nil)
        let both = try ruleSet(rule("a:\n  eventName: [A, B]\nb:\n  userAgent: x\ncondition: a and b"))
        #expect(both.rules[0].eventNames == ["a", "b"])
        // Without an eventName, eventSource indexes the rule.
        let bySource = try ruleSet(rule("a:\n  eventSource: [iam.amazonaws.com, STS.amazonaws.com]\nf:\n  eventName: GetCallerIdentity\ncondition: a and not f"))
        #expect(bySource.rules[0].eventNames == nil)
        #expect(bySource.rules[0].eventSources == ["iam.amazonaws.com", "sts.amazonaws.com"])
        let sourceDetector = Detector(rules: bySource)
        for (source, name) in [("s3.amazonaws.com", "GetObject"), ("iam.amazonaws.com", "ListUsers"), ("sts.amazonaws.com", "GetCallerIdentity")] {
            let json = RuleTestRunner.completed(#"{"eventName":"\#(name)","eventSource":"\#(source)"}"#, index: 0)
            _ = EventParser.withEvent(Array(json.utf8)) { sourceDetector.process($0, file: "f") }
        }
        #expect(sourceDetector.evaluated == 2)
        #expect(sourceDetector.take().count == 1)
    }
}

/// Rules that cannot load say why, with the file and line.
@Suite struct RuleLoadingTests {
    func parse(_ yaml: String) -> DetectError? {
        do {
            _ = try RuleParser.parse(yaml, file: "r.yml")
            return nil
        } catch let e as DetectError {
            return e
        } catch {
            return nil
        }
    }

    @Test func unsupportedFeaturesAreWarningsNamingTheFeature() {
        let keywords = parse(rule("keywords:\n  - evil\ncondition: keywords"))
        #expect(keywords?.kind == .unsupported)
        #expect(keywords?.message.contains("keyword") == true)
        let b64 = parse(rule("sel:\n  requestParameters.x|base64offset|contains: abc\ncondition: sel"))
        #expect(b64?.kind == .unsupported)
        #expect(b64?.message.contains("base64offset") == true)
        #expect(b64?.line == 7)
        let agg = parse(rule("sel:\n  eventName: A\ncondition: sel | count() > 5"))
        #expect(agg?.kind == .unsupported)
    }

    @Test func invalidRulesAreErrorsWithLines() {
        let yaml = parse("title: x\ndetection:\n  sel: [unclosed\n")
        #expect(yaml?.kind == .yaml)
        #expect(yaml?.line != nil)
        let unknown = parse(rule("sel:\n  eventName: A\ncondition: sel and other"))
        #expect(unknown?.kind == .rule)
        #expect(unknown?.message.contains("other") == true)
        let badField = parse(rule("sel:\n  trailhound.nosuch: A\ncondition: sel"))
        #expect(badField?.kind == .rule)
        #expect(badField?.line == 7)
        let badRegex = parse(rule("sel:\n  eventName|re: '('\ncondition: sel"))
        #expect(badRegex?.kind == .rule)
        let noCondition = parse(rule("sel:\n  eventName: A"))
        #expect(noCondition?.kind == .rule)
        let level = parse(rule("sel:\n  eventName: A\ncondition: sel").replacingOccurrences(of: "level: high", with: "level: severe"))
        #expect(level?.kind == .rule)
    }

    @Test func aFolderWithBadRulesLoadsTheRest() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try rule("sel:\n  eventName: A\ncondition: sel").write(to: folder.appendingPathComponent("good.yml"), atomically: true, encoding: .utf8)
        try "title: [".write(to: folder.appendingPathComponent("broken.yml"), atomically: true, encoding: .utf8)
        try rule("k:\n  - x\ncondition: k").replacingOccurrences(of: "000000000001", with: "000000000002")
            .write(to: folder.appendingPathComponent("keywords.yml"), atomically: true, encoding: .utf8)
        let (set, report) = RuleSet.load(bundled: rulesFolder, extra: [folder], includeBundledRules: false)
        #expect(set.rules.count == 1)
        #expect(report.files == 3)
        #expect(report.errors.count == 1)
        #expect(report.errors.first?.file.hasSuffix("broken.yml") == true)
        #expect(report.skipped.count == 1)
    }
}
