import Foundation
import TrailReader
import Yams

/// Reads a Sigma rule file into a `SigmaRule`. Invalid rules throw a `DetectError` naming the file and line; rules
/// that use a Sigma feature trailhound does not support throw one of kind `.unsupported`, which callers report as a
/// warning and skip.
enum RuleParser {
    static func parse(_ text: String, file: String) throws -> SigmaRule {
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
        guard documents.count == 1 else {
            throw DetectError(.unsupported, file: file, "a multi-document rule collection (\(documents.count) documents)")
        }
        guard let map = documents[0].mapping else { throw DetectError(.rule, file: file, line: 1, "a rule is a mapping") }
        func fail(_ node: Node?, _ message: String) -> DetectError {
            DetectError(.rule, file: file, line: node?.mark?.line, message)
        }
        func string(_ key: String, required: Bool = true) throws -> String? {
            guard let node = map[key] else {
                if required { throw DetectError(.rule, file: file, line: 1, "'\(key)' is missing") }
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

        if map["correlation"] != nil {
            throw DetectError(.unsupported, file: file, "a correlation rule (stateful rules come with correlation support)")
        }
        let title = try string("title")!
        let id = try string("id", required: false) ?? title
        let levelText = try string("level", required: false) ?? "medium"
        guard let level = SigmaRule.Level(rawValue: levelText.lowercased()) else {
            throw fail(map["level"], "level '\(levelText)' is not informational, low, medium, high or critical")
        }
        guard let detection = map["detection"]?.mapping else { throw fail(map["detection"] ?? documents[0], "'detection' must be a mapping") }

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
                        throw fail(item, "containment subject '\(subjectText)' is not actor or target")
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
        return SigmaRule(
            id: id, title: title, level: level, status: try string("status", required: false),
            description: try string("description", required: false), tags: try strings("tags"),
            references: try strings("references"), file: file,
            detection: CompiledDetection(selections: selections, names: names, condition: condition), containment: containment, groupBy: groupBy,
            titleTemplate: try string("title-template", required: false), tests: tests, eventNames: eventNames,
            eventSources: eventSources,
            fields: fields, usesDerivedFields: fields.contains { if case .derived = $0 { return true } else { return false } })
    }

    static func parseSelection(_ node: Node, name: String, file: String) throws -> [[FieldTest]] {
        if let map = node.mapping { return [try parseMap(map, file: file)] }
        if let seq = node.sequence {
            if seq.allSatisfy({ $0.mapping != nil }) { return try seq.map { try parseMap($0.mapping!, file: file) } }
            throw DetectError(.unsupported, file: file, line: node.mark?.line, "keyword search (selection '\(name)' is a list of values)")
        }
        throw DetectError(.unsupported, file: file, line: node.mark?.line, "keyword search (selection '\(name)' is a value)")
    }

    static func parseMap(_ map: Node.Mapping, file: String) throws -> [FieldTest] {
        var tests: [FieldTest] = []
        for (keyNode, value) in map {
            let line = keyNode.mark?.line
            let parts = (keyNode.string ?? "").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard let field = RuleField(parts[0]) else {
                throw DetectError(.rule, file: file, line: line, "'\(parts[0])' is not a field (derived fields are listed in rules/README.md)")
            }
            var mods = Set<String>()
            for m in parts.dropFirst() {
                let known = ["contains", "startswith", "endswith", "all", "re", "i", "m", "s", "cidr", "exists", "fieldref", "lt", "lte", "gt", "gte", "cased"]
                guard known.contains(m) else {
                    throw DetectError(.unsupported, file: file, line: line, "the '\(m)' modifier")
                }
                mods.insert(m)
            }
            let values: [Node] = value.sequence.map { Array($0) } ?? [value]
            func isNull(_ n: Node) -> Bool { YAMLScalar.kind(n) == .null }
            if mods.contains("exists") {
                guard case .bool(let flag) = YAMLScalar.kind(value) else {
                    throw DetectError(.rule, file: file, line: line, "exists takes true or false")
                }
                tests.append(FieldTest(field: field, kind: flag ? .present : .absent))
                continue
            }
            if mods.contains("fieldref") {
                for v in values {
                    guard let name = v.string, let other = RuleField(name) else {
                        throw DetectError(.rule, file: file, line: line, "fieldref takes a field name")
                    }
                    tests.append(FieldTest(field: field, kind: .fieldref(other, leadingStar: mods.contains("contains") || mods.contains("endswith"), trailingStar: mods.contains("contains") || mods.contains("startswith"), cased: mods.contains("cased"))))
                }
                continue
            }
            if values.count == 1 && isNull(values[0]) {
                tests.append(FieldTest(field: field, kind: .absent))
                continue
            }
            var matchers: [ValueMatcher] = []
            var orNull = false
            for v in values {
                if isNull(v) {
                    orNull = true
                    continue
                }
                guard let text = v.scalar?.string else {
                    throw DetectError(.rule, file: file, line: v.mark?.line, "a value must be a scalar")
                }
                if mods.contains("re") {
                    var options: NSRegularExpression.Options = []
                    if mods.contains("i") { options.insert(.caseInsensitive) }
                    if mods.contains("m") { options.insert(.anchorsMatchLines) }
                    if mods.contains("s") { options.insert(.dotMatchesLineSeparators) }
                    guard let regex = try? NSRegularExpression(pattern: text, options: options) else {
                        throw DetectError(.rule, file: file, line: v.mark?.line, "invalid regular expression '\(text)'")
                    }
                    matchers.append(.regex(RegexBox(regex, pattern: text, caseInsensitive: mods.contains("i"))))
                } else if mods.contains("cidr") {
                    guard let block = CIDRBlock(text) else {
                        throw DetectError(.rule, file: file, line: v.mark?.line, "invalid network '\(text)'")
                    }
                    matchers.append(.cidr(block))
                } else if let op = ["lt", "lte", "gt", "gte"].first(where: { mods.contains($0) }) {
                    guard let number = Double(text) else {
                        throw DetectError(.rule, file: file, line: v.mark?.line, "\(op) takes a number, not '\(text)'")
                    }
                    matchers.append(.compare(ValueMatcher.Comparison(rawValue: op)!, number))
                } else {
                    let pattern = WildcardPattern(text, cased: mods.contains("cased")).anchored(
                        leadingStar: mods.contains("contains") || mods.contains("endswith"),
                        trailingStar: mods.contains("contains") || mods.contains("startswith"))
                    matchers.append(.pattern(pattern))
                }
            }
            tests.append(FieldTest(field: field, kind: .values(matchers, all: mods.contains("all"), orNull: orNull)))
        }
        return tests
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

/// Turns a YAML test event into JSON text, keeping YAML's types (quoted scalars stay strings).
enum JSONFromYAML {
    static func json(_ node: Node) -> String {
        var out: [UInt8] = []
        write(node, &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ node: Node, _ out: inout [UInt8]) {
        switch node {
        case .mapping(let m):
            out.append(0x7B)
            for (k, (key, value)) in m.enumerated() {
                if k > 0 { out.append(0x2C) }
                quoted(key.string ?? "", &out)
                out.append(0x3A)
                write(value, &out)
            }
            out.append(0x7D)
        case .sequence(let s):
            out.append(0x5B)
            for (k, v) in s.enumerated() {
                if k > 0 { out.append(0x2C) }
                write(v, &out)
            }
            out.append(0x5D)
        case .scalar(let s):
            switch YAMLScalar.kind(node) {
            case .null: out += Array("null".utf8)
            case .bool(let b): out += Array((b ? "true" : "false").utf8)
            case .number: out += Array(s.string.utf8)
            case .string: quoted(s.string, &out)
            }
        case .alias:
            out += Array("null".utf8)
        }
    }

    static func quoted(_ s: String, _ out: inout [UInt8]) {
        out.append(0x22)
        JSONString.escape(s.utf8, into: &out)
        out.append(0x22)
    }
}

/// The type of a YAML scalar under YAML 1.2's core schema: only plain (unquoted) scalars are typed.
enum YAMLScalar: Equatable {
    case null, bool(Bool), number, string

    static func kind(_ node: Node) -> YAMLScalar {
        guard let scalar = node.scalar else { return .string }
        guard scalar.style == .plain || scalar.style == .any else { return .string }
        let text = scalar.string
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        // JSON-compatible numbers only, so the text can be written into JSON as it is.
        let bytes = Array(text.utf8)
        var k = 0
        if k < bytes.count && bytes[k] == 0x2D { k += 1 }
        let digitsStart = k
        while k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 { k += 1 }
        guard k > digitsStart, !(bytes[digitsStart] == 0x30 && k - digitsStart > 1) else { return .string }
        if k < bytes.count && bytes[k] == 0x2E {
            k += 1
            let fraction = k
            while k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 { k += 1 }
            guard k > fraction else { return .string }
        }
        if k < bytes.count && (bytes[k] == 0x65 || bytes[k] == 0x45) {
            k += 1
            if k < bytes.count && (bytes[k] == 0x2B || bytes[k] == 0x2D) { k += 1 }
            let exponent = k
            while k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 { k += 1 }
            guard k > exponent else { return .string }
        }
        return k == bytes.count ? .number : .string
    }
}
