import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let rulesFolder = repository.appendingPathComponent("rules")

/// The bundled rules, loaded once.
let bundled: (RuleSet, RuleLoadReport) = RuleSet.load(bundled: rulesFolder)

/// A rule set made of one rule written inline (with the bundled policy facts and containment catalog).
func ruleSet(_ yaml: String) throws -> RuleSet {
    let rule = try RuleParser.parse(yaml, file: "inline.yml")
    return RuleSet(rules: [rule], catalog: bundled.0.catalog, containment: bundled.0.containment)
}

/// Whether the single rule of `set` matches the event given as JSON (completed like a rule test event).
func matches(_ set: RuleSet, _ json: String, rule: Int = 0) -> Bool {
    let text = RuleTestRunner.completed(json, index: 0)
    let context = EventContext(catalog: set.catalog)
    return EventParser.withEvent(Array(text.utf8)) { event in
        context.reset(event)
        return set.rules[rule].matches(context)
    } ?? false
}

/// The derived fields of an event.
func enrichment(_ json: String) -> Enrichment {
    let text = RuleTestRunner.completed(json, index: 0)
    return EventParser.withEvent(Array(text.utf8)) { Enrichment($0, catalog: bundled.0.catalog) }!
}

func gzip(_ data: [UInt8]) -> [UInt8] { Gzip.compress(data) }

/// A Sigma rule around a detection block.
func rule(_ detection: String, extra: String = "") -> String {
    """
    title: test rule
    id: 00000000-0000-4000-8000-000000000001
    logsource: {product: aws, service: cloudtrail}
    level: high
    detection:
    \(detection.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
    \(extra)
    """
}
