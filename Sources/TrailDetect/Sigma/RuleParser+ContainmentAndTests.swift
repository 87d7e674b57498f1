import Foundation
import TrailReader
import Yams

/// trailhound's extensions a rule's findings use: `containment:` and `tests:`.
extension RuleParser {
    /// `containment:` (a trailhound extension): action ids, or `{id:, subject:}`.
    static func parseContainment(_ node: Node, file: String) throws -> [ContainmentRef] {
        func fail(_ node: Node?, _ message: String) -> DetectError {
            DetectError(.rule, file: file, line: node?.mark?.line, message)
        }
        var containment: [ContainmentRef] = []
        guard let seq = node.sequence else { throw fail(node, "'containment' must be a list of action ids") }
        for item in seq {
            if let id = item.scalar?.string {
                containment.append(ContainmentRef(id: id, subject: .actor, line: item.mark?.line))
            } else if let m = item.mapping, let id = m["id"]?.string {
                let subjectText = m["subject"]?.string ?? "actor"
                guard let subject = ContainmentRef.Subject(rawValue: subjectText) else {
                    throw fail(item, "containment subject '\(subjectText)' is not actor, target, origin or opener")
                }
                containment.append(ContainmentRef(id: id, subject: subject, line: item.mark?.line))
            } else {
                throw fail(item, "a containment entry is an action id or {id:, subject:}")
            }
        }
        return containment
    }

    /// `tests:` (a trailhound extension): `match` and `no_match` events.
    static func parseTests(_ node: Node, file: String) throws -> RuleTests {
        func fail(_ node: Node?, _ message: String) -> DetectError {
            DetectError(.rule, file: file, line: node?.mark?.line, message)
        }
        var tests = RuleTests()
        guard let m = node.mapping else { throw fail(node, "'tests' must be a mapping with match and no_match lists") }
        for (k, v) in m {
            let key = k.string ?? ""
            guard key == "match" || key == "no_match" else { throw fail(k, "tests has '\(key)'; use match and no_match") }
            guard let seq = v.sequence else { throw fail(v, "tests.\(key) must be a list of events") }
            for event in seq {
                guard event.mapping != nil else { throw fail(event, "a test event must be a mapping") }
                let c = RuleTests.Case(json: JSONFromYAML.json(event), line: event.mark?.line)
                if key == "match" { tests.match.append(c) } else { tests.noMatch.append(c) }
            }
        }
        return tests
    }
}
