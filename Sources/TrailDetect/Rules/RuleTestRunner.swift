import Foundation
import TrailReader

/// Runs the `tests:` of rules: every `match` event must match and every `no_match` event must not.
public struct RuleTestRunner: Sendable {
    public struct Failure: Sendable, CustomStringConvertible {
        public let rule: String
        public let file: String
        public let line: Int?
        public let message: String
        public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(rule): \(message)" }
    }

    public struct Result: Sendable {
        public var rule: String
        public var cases = 0
        public var failures: [Failure] = []
    }

    public let rules: RuleSet

    public init(rules: RuleSet) { self.rules = rules }

    /// A test event completed with what every CloudTrail record has, so the reader accepts it.
    public static func completed(_ json: String, index: Int) -> String {
        guard var object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return json }
        let defaults: [String: Any] = [
            "eventVersion": "1.11", "eventTime": "2026-11-20T10:00:00Z", "awsRegion": "us-east-1",
            "recipientAccountId": "111122223333", "eventID": String(format: "00000000-0000-4000-8000-%012d", index),
            "eventType": "AwsApiCall", "eventSource": "unknown.amazonaws.com", "eventName": "Unknown",
        ]
        for (k, v) in defaults where object[k] == nil { object[k] = v }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(json.utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs one rule's tests.
    public func run(_ ruleIndex: Int) -> Result {
        let rule = rules.rules[ruleIndex]
        var result = Result(rule: rule.id)
        let context = EventContext(catalog: rules.catalog)
        func check(_ c: RuleTests.Case, expect: Bool, n: Int) {
            result.cases += 1
            let json = Self.completed(c.json, index: n)
            let verdict = EventParser.withEvent(Array(json.utf8)) { event -> Bool in
                context.reset(event)
                return rule.matches(context)
            }
            guard let verdict else {
                result.failures.append(Failure(rule: rule.id, file: rule.file, line: c.line, message: "test event is not a JSON object"))
                return
            }
            if verdict != expect {
                result.failures.append(
                    Failure(
                        rule: rule.id, file: rule.file, line: c.line,
                        message: expect ? "match event did not match" : "no_match event matched"))
            }
        }
        for (n, c) in rule.tests.match.enumerated() { check(c, expect: true, n: n) }
        for (n, c) in rule.tests.noMatch.enumerated() { check(c, expect: false, n: 1000 + n) }
        return result
    }

    /// Static checks `rules check` makes beyond compiling: tests present, containment ids that exist, fields spelled
    /// as CloudTrail spells them.
    public func lint(_ ruleIndex: Int) -> [Failure] {
        let rule = rules.rules[ruleIndex]
        var problems: [Failure] = []
        func add(_ line: Int?, _ m: String) { problems.append(Failure(rule: rule.id, file: rule.file, line: line, message: m)) }
        // A correlation rule has no detection of its own: the rules it counts have tests, and scenario fixtures
        // (Fixtures/scenarios, checked by `swift test`) test the correlation.
        if rule.correlation == nil {
            if rule.tests.match.isEmpty { add(nil, "no match test") }
            if rule.tests.noMatch.isEmpty { add(nil, "no no_match test") }
        }
        for ref in rule.containment where rules.containment[ref.id] == nil {
            add(ref.line, "containment '\(ref.id)' does not exist in rules/containment/")
        }
        for field in Set(rule.fields.map(\.description)).sorted() {
            if let problem = CloudTrailFields.problem(field) { add(nil, problem) }
        }
        return problems
    }
}
