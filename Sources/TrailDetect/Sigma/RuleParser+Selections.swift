import Foundation
import TrailReader
import Yams

/// `detection:`: selections (field names with modifiers and their values, compiled to `FieldTest`s), the condition,
/// and the literal `eventName`/`eventSource` values that index the rule.
extension RuleParser {
    /// `detection:`: the named selections and the condition over them.
    static func parseDetection(
        _ detection: Node.Mapping, node: Node?, file: String
    ) throws -> (names: [String], selections: [[[FieldTest]]], condition: Condition) {
        func fail(_ node: Node?, _ message: String) -> DetectError {
            DetectError(.rule, file: file, line: node?.mark?.line, message)
        }
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
        guard !conditionTexts.isEmpty else { throw fail(node, "'detection' has no 'condition'") }
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
        return (names, selections, condition)
    }

    /// The literal values `name` must take for the condition to hold, if the detection pins them down.
    static func literals(_ name: String, condition: Condition, selections: [[[FieldTest]]]) -> Set<String>? {
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
}
