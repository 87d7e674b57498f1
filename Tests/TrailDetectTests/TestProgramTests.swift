import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// The flat form of field tests the hot path evaluates (`TestProgram`) answers exactly as the tests themselves, for
/// every test of every bundled rule and of rules with every modifier, on every event of the demo logs and scenarios
/// and on events made to hit the edge cases (escapes, arrays, nulls, numbers, derived fields).
@Suite struct TestProgramTests {
    static let modifierRules = """
        sel_plain:
          eventName: [CreateUser, 'Get*', '*Key', '*Policy*', 'A?sumeRole', 'Put\\*Literal']
        sel_cased:
          eventSource|cased: iam.amazonaws.com
        sel_mods:
          userIdentity.arn|contains: ':user/'
          userAgent|startswith: 'aws-cli'
          requestParameters.userName|endswith: 'bot'
        sel_all:
          requestParameters.policyArns.arn|contains|all: [arn, Admin]
        sel_index:
          resources.0.ARN|startswith: 'arn:aws:iam'
        sel_null:
          errorCode: null
        sel_exists:
          responseElements|exists: true
          additionalEventData|exists: false
        sel_re:
          sourceIPAddress|re: '^10\\.'
        sel_cidr:
          sourceIPAddress|cidr: 192.0.2.0/24
        sel_num:
          requestParameters.durationSeconds|gte: 3600
        sel_ref:
          requestParameters.userName|fieldref: trailhound.actor.userName
        sel_derived:
          trailhound.actor.type: [IAMUser, AssumedRole]
          trailhound.policy.isAdmin: 'true'
        sel_unknown_top:
          note|contains: 'caf'
        condition: 1 of sel_*
        """

    static let edgeEvents = [
        #"{"eventName":"Put*Literal","eventSource":"IAM.amazonaws.com","note":"caf\u00e9","userAgent":"aws-cli/2"}"#,
        #"{"eventName":"PutUserPolicy","requestParameters":{"policyArns":[{"arn":"arn:aws:iam::aws:policy/AdministratorAccess"},null,{"arn":7}],"userName":"deploy-bot","durationSeconds":43200}}"#,
        #"{"eventName":"AssumeRole","sourceIPAddress":"192.0.2.44","errorCode":"AccessDenied","responseElements":null,"resources":[{"ARN":"arn:aws:iam::111122223333:role/x"}]}"#,
        #"{"eventName":"CreateAccessKey","sourceIPAddress":"10.1.2.3","requestParameters":{"userName":"alice"},"userIdentity":{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::111122223333:user/alice"},"additionalEventData":{"x":1}}"#,
        #"{"eventName":"A\u0073sumeRole","requestParameters":{"durationSeconds":"900","policyArns":"arn"},"resources":"none"}"#,
    ]

    func compare(_ set: RuleSet, _ events: [[UInt8]], sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        let context = EventContext(catalog: set.catalog)
        var compared = 0
        for json in events {
            _ = EventParser.withEvent(json) { event in
                for detection in set.detections {
                    for t in detection.tests.indices {
                        context.reset(event)
                        let expected = detection.tests[t].matches(context)
                        context.reset(event)
                        let flat = detection.program.matches(t, context)
                        #expect(flat == expected, "test \(t) (\(detection.tests[t].field)) on \(String(decoding: json, as: UTF8.self).prefix(200))", sourceLocation: sourceLocation)
                        compared += 1
                    }
                }
            }
        }
        return compared
    }

    @Test func agreesOnModifiersAndEdgeCases() throws {
        let set = try ruleSet(rule(Self.modifierRules))
        let events = Self.edgeEvents.map { Array(RuleTestRunner.completed($0, index: 0).utf8) }
        #expect(compare(set, events) == events.count * set.detections[0].tests.count)
    }

    @Test func agreesOnBundledRulesOverTheDemoAndScenarios() throws {
        var events: [[UInt8]] = []
        let folders = [repository.appendingPathComponent("Fixtures/logs"), repository.appendingPathComponent("Fixtures/scenarios")]
        for folder in folders {
            let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)!
                .compactMap { $0 as? URL }.filter { $0.lastPathComponent.hasSuffix(".json.gz") }
            for url in files {
                _ = FileReader(options: ReaderOptions()).read(InputFile(path: url.path)) { events.append(Array($0.bytes)) }
            }
        }
        #expect(events.count > 500)
        let compared = compare(bundled.0, events)
        #expect(compared > 10_000)
    }
}
