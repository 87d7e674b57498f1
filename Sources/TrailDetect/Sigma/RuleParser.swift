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

        let (names, selections, condition) = try parseDetection(detection, node: map["detection"], file: file)

        // Extensions.
        let containment = try map["containment"].map { try parseContainment($0, file: file) } ?? []
        var groupBy: [RuleField] = []
        for name in try strings("group-by") {
            guard let f = RuleField(name) else { throw fail(map["group-by"], "group-by field '\(name)' is not a field") }
            groupBy.append(f)
        }
        let tests = try map["tests"].map { try parseTests($0, file: file) } ?? RuleTests()

        let fields = selections.flatMap { $0.flatMap { $0.filter { if case .keywords = $0.kind { false } else { true } }.map(\.field) } }
        let eventNames = literals("eventName", condition: condition, selections: selections)
        let eventSources = literals("eventSource", condition: condition, selections: selections)
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
