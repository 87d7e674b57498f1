import Foundation
import TrailReader
import Yams

/// Reads a Sigma rule file into a `SigmaRule`. Invalid rules throw a `DetectError` naming the file and line; rules
/// that use a Sigma feature trailhound does not support throw one of kind `.unsupported`, which callers report as a
/// warning and skip.
enum RuleParser {
    /// Parses a file with one rule.
    static func parse(_ text: String, file: String) throws -> SigmaRule {
        let rules = try parseAll(text, file: file)
        guard rules.count == 1 else {
            throw DetectError(.rule, file: file, "the file has \(rules.count) rules; one was expected")
        }
        return rules[0]
    }

    /// Parses a file of one or more rules (YAML documents separated by `---`, as Sigma correlation rules and the
    /// rules they reference are often kept together).
    static func parseAll(_ text: String, file: String) throws -> [SigmaRule] {
        var documents: [Node] = []
        do {
            // The basic resolver leaves scalars untyped (Yams' default types them with regular expressions, which cost
            // more than everything else at start-up); `YAMLScalar` types plain scalars the way YAML 1.2's core schema does.
            let parser = try Parser(yaml: text, resolver: .basic)
            while let root = try parser.nextRoot() { documents.append(root) }
        } catch let error as YamlError {
            throw DetectError(.yaml, file: file, line: Self.line(of: error), "\(Self.problem(of: error))")
        } catch {
            throw DetectError(.yaml, file: file, "\(error)")
        }
        guard !documents.isEmpty else { throw DetectError(.rule, file: file, line: 1, "the file has no rule") }
        return try documents.map { try parseDocument($0, file: file) }
    }

    static func parseDocument(_ root: Node, file: String) throws -> SigmaRule {
        guard let map = root.mapping else { throw DetectError(.rule, file: file, line: root.mark?.line, "a rule is a mapping") }
        if map["action"] != nil {
            throw DetectError(.unsupported, file: file, line: root.mark?.line, "a Sigma v1 rule collection ('action:')")
        }
        func fail(_ node: Node?, _ message: String) -> DetectError {
            DetectError(.rule, file: file, line: node?.mark?.line, message)
        }
        func string(_ key: String, required: Bool = true) throws -> String? {
            guard let node = map[key] else {
                if required { throw DetectError(.rule, file: file, line: root.mark?.line, "'\(key)' is missing") }
                return nil
            }
            guard let s = node.scalar?.string else { throw fail(node, "'\(key)' must be a string") }
            return s
        }
        func strings(_ key: String) throws -> [String] {
            guard let node = map[key] else { return [] }
            if let s = node.scalar { return [s.string] }
            guard let seq = node.sequence else { throw fail(node, "'\(key)' must be a list") }
            return seq.map { $0.scalar?.string ?? "" }
        }

        let title = try string("title")!
        let id = try string("id", required: false) ?? title
        let levelText = try string("level", required: false) ?? "medium"
        guard let level = SigmaRule.Level(rawValue: levelText.lowercased()) else {
            throw fail(map["level"], "level '\(levelText)' is not informational, low, medium, high or critical")
        }
        if let node = map["correlation"] {
            return try parseCorrelation(node, map: map, root: root, file: file, id: id, title: title, level: level)
        }
        guard let detection = map["detection"]?.mapping else { throw fail(map["detection"] ?? root, "'detection' must be a mapping") }

        var names: [String] = []
        var selections: [[[FieldTest]]] = []
        var conditionTexts: [String] = []
        for (keyNode, value) in detection {
            let name = keyNode.string ?? ""
            if name == "condition" {
                if let s = value.scalar?.string {
                    conditionTexts = [s]
                } else if let seq = value.sequence {
                    conditionTexts = seq.compactMap(\.string)
                } else {
                    throw fail(value, "'condition' must be a string or a list of strings")
                }
                continue
            }
            if name == "timeframe" {
                throw DetectError(.unsupported, file: file, line: keyNode.mark?.line, "'timeframe' (use a correlation rule)")
            }
            names.append(name)
            selections.append(try parseSelection(value, name: name, file: file))
        }
        guard !conditionTexts.isEmpty else { throw fail(map["detection"], "'detection' has no 'condition'") }
        var conditions: [Condition] = []
        for text in conditionTexts {
            do {
                conditions.append(try ConditionParser.parse(text, selections: names))
            } catch let failure as ConditionParser.Failure {
                let node = detection["condition"]
                if failure.message.hasPrefix("aggregation") {
                    throw DetectError(.unsupported, file: file, line: node?.mark?.line, failure.message)
                }
                throw fail(node, failure.message)
            }
        }
        let condition = conditions.count == 1 ? conditions[0] : .or(conditions)

        // Extensions.
        var containment: [ContainmentRef] = []
        if let node = map["containment"] {
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
        }
        var groupBy: [RuleField] = []
        for name in try strings("group-by") {
            guard let f = RuleField(name) else { throw fail(map["group-by"], "group-by field '\(name)' is not a field") }
            groupBy.append(f)
        }
        var tests = RuleTests()
        if let node = map["tests"] {
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
        }

        let fields = selections.flatMap { $0.flatMap { $0.map(\.field) } }
        /// The literal values `name` must take for the condition to hold, if the detection pins them down.
        func literals(_ name: String) -> Set<String>? {
            let field = RuleField.json(FieldPath(name)!)
            return condition.constraint { i in
                var union = Set<String>()
                for alternative in selections[i] {
                    guard let test = alternative.first(where: { $0.field == field }),
                        case .values(let matchers, false, false) = test.kind
                    else { return nil }
                    for m in matchers {
                        guard case .pattern(let p) = m, let literal = p.literalBytes else { return nil }
                        union.insert(String(decoding: literal, as: UTF8.self).lowercased())
                    }
                }
                return union
            }
        }
        let eventNames = literals("eventName")
        let eventSources = literals("eventSource")
        var findings = true
        if let node = map["finding"] {
            guard case .bool(let flag) = YAMLScalar.kind(node) else { throw fail(node, "'finding' is true or false") }
            findings = flag
        }
        var windows: [WindowSpec] = []
        if let node = map["state"] {
            let items = node.sequence.map { Array($0) } ?? [node]
            for item in items { windows.append(try parseWindow(item, file: file)) }
        }
        let absence = try map["absence"].map { try parseAbsence($0, file: file) }
        if !windows.isEmpty && absence != nil { throw fail(map["absence"], "a rule has 'state' or 'absence', not both") }
        var keyFields = windows.flatMap { $0.keys.flatMap(\.fields) }
        keyFields += absence?.keys.flatMap(\.fields) ?? []
        return SigmaRule(
            id: id, name: try string("name", required: false), title: title, level: level,
            status: try string("status", required: false),
            description: try string("description", required: false), tags: try strings("tags"),
            references: try strings("references"), file: file,
            detection: CompiledDetection(selections: selections, names: names, condition: condition), containment: containment, groupBy: groupBy,
            titleTemplate: try string("title-template", required: false), tests: tests, eventNames: eventNames,
            eventSources: eventSources,
            fields: fields + keyFields,
            usesDerivedFields: (fields + keyFields).contains { if case .derived = $0 { return true } else { return false } },
            findings: findings, windows: windows, absence: absence, correlation: nil)
    }
    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }
}
