import Foundation
import TrailReader
import Yams

/// Detection selections: field names with modifiers and their values, compiled to `FieldTest`s.
extension RuleParser {
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
