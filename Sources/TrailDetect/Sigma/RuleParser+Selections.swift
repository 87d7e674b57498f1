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
                throw DetectError(.unsupported, file: file, line: keyNode.mark?.line, "'timeframe' in a detection (Sigma v1; use a correlation rule)")
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
                guard let test = alternative.first(where: { $0.field == field && !$0.negated }),
                    case .values(let matchers, false, false) = test.kind
                else { return nil }
                for m in matchers {
                    // The literal is folded to lower case in ASCII only, as the index's hash folds event values.
                    guard case .pattern(let p) = m, let literal = p.literalBytes else { return nil }
                    union.insert(String(decoding: literal, as: UTF8.self))
                }
            }
            return union
        }
    }

    static func parseSelection(_ node: Node, name: String, file: String) throws -> [[FieldTest]] {
        if let map = node.mapping { return [try parseMap(map, file: file)] }
        if let seq = node.sequence {
            if seq.allSatisfy({ $0.mapping != nil }) { return try seq.map { try parseMap($0.mapping!, file: file) } }
            if seq.allSatisfy({ $0.scalar != nil }) { return [[try parseKeywords(Array(seq), file: file)]] }
            throw DetectError(.rule, file: file, line: node.mark?.line, "selection '\(name)' mixes field maps and keywords")
        }
        if node.scalar != nil { return [[try parseKeywords([node], file: file)]] }
        throw DetectError(.rule, file: file, line: node.mark?.line, "selection '\(name)' is not a map, a list or a keyword")
    }

    /// A keyword detection: values matched anywhere in the event's scalars, as `contains` would (Sigma's full-text
    /// search: a plain value matches inside a value; `*` and `?` are wildcards).
    static func parseKeywords(_ values: [Node], file: String) throws -> FieldTest {
        var matchers: [ValueMatcher] = []
        for v in values {
            guard YAMLScalar.kind(v) != .null, let text = v.scalar?.string else {
                throw DetectError(.rule, file: file, line: v.mark?.line, "a keyword must be a string or a number")
            }
            matchers.append(.pattern(WildcardPattern(text).anchored(leadingStar: true, trailingStar: true)))
        }
        return FieldTest(field: FieldTest.anyField, kind: .keywords(matchers))
    }

    /// Modifier names and the modifier they stand for.
    static let modifierAliases = ["ignorecase": "i", "multiline": "m", "dotall": "s", "wide": "utf16le"]
    static let knownModifiers: Set<String> = [
        "contains", "startswith", "endswith", "all", "re", "i", "m", "s", "cidr", "exists", "fieldref", "lt", "lte",
        "gt", "gte", "cased", "base64", "base64offset", "utf16le", "utf16be", "utf16", "windash", "expand", "neq",
        "minute", "hour", "day", "week", "month", "year",
    ]

    static func parseMap(_ map: Node.Mapping, file: String) throws -> [FieldTest] {
        var tests: [FieldTest] = []
        for (keyNode, value) in map {
            let line = keyNode.mark?.line
            let parts = (keyNode.string ?? "").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard let field = RuleField(parts[0]) else {
                throw DetectError(.rule, file: file, line: line, "'\(parts[0])' is not a field (derived fields are listed in rules/README.md)")
            }
            func unsupported(_ what: String) -> DetectError {
                DetectError(.unsupported, file: file, line: line, "\(what) on field '\(parts[0])' is unsupported")
            }
            func invalid(_ node: Node?, _ what: String) -> DetectError {
                DetectError(.rule, file: file, line: node?.mark?.line ?? line, "field '\(parts[0])': \(what)")
            }
            var mods = Set<String>()
            var order: [String] = []
            for raw in parts.dropFirst() {
                let m = modifierAliases[raw] ?? raw
                guard knownModifiers.contains(m) else { throw unsupported("modifier '\(raw)'") }
                mods.insert(m)
                order.append(m)
            }
            let negated = mods.contains("neq")
            let values: [Node] = value.sequence.map { Array($0) } ?? [value]
            func isNull(_ n: Node) -> Bool { YAMLScalar.kind(n) == .null }
            let encodings = order.filter { ["utf16le", "utf16be", "utf16", "base64", "base64offset"].contains($0) }
            let timeParts = order.compactMap { ValueMatcher.TimePart(rawValue: $0) }
            let comparisons = order.filter { ["lt", "lte", "gt", "gte"].contains($0) }
            // Modifiers that decide how values compare exclude each other.
            let kinds = [mods.contains("re"), mods.contains("cidr"), !comparisons.isEmpty, !timeParts.isEmpty,
                         mods.contains("exists"), mods.contains("fieldref"), !encodings.isEmpty].filter { $0 }.count
            if kinds > 1 || comparisons.count > 1 || timeParts.count > 1 {
                throw unsupported("the combination of modifiers '\(parts.dropFirst().joined(separator: "|"))'")
            }
            if mods.contains("exists") {
                guard case .bool(let flag) = YAMLScalar.kind(value) else { throw invalid(value, "exists takes true or false") }
                tests.append(FieldTest(field: field, kind: flag ? .present : .absent, negated: negated))
                continue
            }
            let leading = mods.contains("contains") || mods.contains("endswith")
            let trailing = mods.contains("contains") || mods.contains("startswith")
            if mods.contains("fieldref") {
                var others: [RuleField] = []
                for v in values {
                    guard let name = v.string, let other = RuleField(name) else { throw invalid(v, "fieldref takes a field name") }
                    others.append(other)
                }
                if mods.contains("all") {
                    for other in others {
                        tests.append(FieldTest(field: field, kind: .fieldref([other], leadingStar: leading, trailingStar: trailing, cased: mods.contains("cased")), negated: negated))
                    }
                } else {
                    tests.append(FieldTest(field: field, kind: .fieldref(others, leadingStar: leading, trailingStar: trailing, cased: mods.contains("cased")), negated: negated))
                }
                continue
            }
            if values.count == 1 && isNull(values[0]) {
                tests.append(FieldTest(field: field, kind: .absentOrNull, negated: negated))
                continue
            }
            var matchers: [ValueMatcher] = []
            var orNull = false
            for v in values {
                if isNull(v) {
                    orNull = true
                    continue
                }
                guard let scalar = v.scalar?.string else { throw invalid(v, "a value must be a scalar") }
                var texts = [scalar]
                if mods.contains("expand") {
                    texts = try texts.flatMap { text -> [String] in
                        do {
                            return try SigmaConfig.current.expand(text)
                        } catch let missing as SigmaConfig.MissingPlaceholder {
                            throw DetectError(.unsupported, file: file, line: v.mark?.line,
                                "placeholder '%\(missing.name)%' of the expand modifier on field '\(parts[0])' has no values (define it in the file given to --sigma-config)")
                        }
                    }
                }
                if mods.contains("windash") {
                    texts = try texts.flatMap { text -> [String] in
                        guard let variants = Windash.variants(text) else {
                            throw invalid(v, "windash expands at most three dashes in one value")
                        }
                        return variants
                    }
                }
                for text in texts {
                    if mods.contains("re") {
                        var options: NSRegularExpression.Options = []
                        if mods.contains("i") { options.insert(.caseInsensitive) }
                        if mods.contains("m") { options.insert(.anchorsMatchLines) }
                        if mods.contains("s") { options.insert(.dotMatchesLineSeparators) }
                        guard let regex = try? NSRegularExpression(pattern: text, options: options) else {
                            throw invalid(v, "invalid regular expression '\(text)'")
                        }
                        matchers.append(.regex(RegexBox(regex, pattern: text, caseInsensitive: mods.contains("i"))))
                    } else if mods.contains("cidr") {
                        guard let block = CIDRBlock(text) else { throw invalid(v, "invalid network '\(text)'") }
                        matchers.append(.cidr(block))
                    } else if let op = comparisons.first {
                        guard let number = ValueMatcher.decimal(text) else {
                            throw invalid(v, "\(op) takes a decimal number, not '\(text)'")
                        }
                        matchers.append(.compare(ValueMatcher.Comparison(rawValue: op)!, number))
                    } else if let part = timeParts.first {
                        guard let n = Int(text) else { throw invalid(v, "\(part.rawValue) takes a whole number, not '\(text)'") }
                        matchers.append(.timePart(part, n))
                    } else if !encodings.isEmpty {
                        guard !WildcardPattern(text).tokens.contains(where: { $0 == .any || $0 == .star }) else {
                            throw invalid(v, "\(encodings.joined(separator: "|")) of a value with wildcards")
                        }
                        for encoded in Encoding.apply(encodings, to: Encoding.unescaped(text)) {
                            let cased = mods.contains("cased")
                            let tokens = encoded.map { WildcardPattern.Token.byte(cased ? $0 : ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0)) }
                            matchers.append(.pattern(WildcardPattern(tokens: tokens, cased: cased).anchored(leadingStar: leading, trailingStar: trailing)))
                        }
                    } else {
                        let pattern = WildcardPattern(text, cased: mods.contains("cased")).anchored(leadingStar: leading, trailingStar: trailing)
                        matchers.append(.pattern(pattern))
                    }
                }
            }
            tests.append(FieldTest(field: field, kind: .values(matchers, all: mods.contains("all"), orNull: orNull), negated: negated))
        }
        return tests
    }
}
