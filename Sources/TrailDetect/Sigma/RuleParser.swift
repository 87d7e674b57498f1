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
        var state: [StateSpec] = []
        if let node = map["state"] {
            let items = node.sequence.map { Array($0) } ?? [node]
            for item in items { state.append(try parseState(item, file: file)) }
        }
        let absence = try map["absence"].map { try parseAbsence($0, file: file) }
        if !state.isEmpty && absence != nil { throw fail(map["absence"], "a rule has 'state' or 'absence', not both") }
        var keyFields = state.flatMap { $0.keys.flatMap(\.fields) }
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
            findings: findings, state: state, absence: absence, correlation: nil)
    }

    static func keyTemplates(_ node: Node?, what: String, file: String) throws -> [KeyTemplate] {
        guard let node else { throw DetectError(.rule, file: file, "\(what) is missing") }
        let items = node.sequence.map { Array($0) } ?? [node]
        return try items.map { item in
            guard let text = item.scalar?.string else {
                throw DetectError(.rule, file: file, line: item.mark?.line, "\(what) is a key template or a list of them")
            }
            switch KeyTemplate.parse(text) {
            case .success(let t): return t
            case .failure(let p): throw DetectError(.rule, file: file, line: item.mark?.line, "\(what): \(p.message)")
            }
        }
    }

    /// `[{rule: NAME, key: TEMPLATE, instance: TEMPLATE}]` (or one such mapping).
    static func triggers(_ node: Node?, what: String, file: String, keyRequired: Bool) throws -> [StateTrigger] {
        guard let node else { return [] }
        let items = node.sequence.map { Array($0) } ?? [node]
        return try items.map { item in
            guard let m = item.mapping, let rule = m["rule"]?.string else {
                throw DetectError(.rule, file: file, line: item.mark?.line, "each of \(what) is {rule: NAME, key: TEMPLATE}")
            }
            let key = try m["key"].map { try keyTemplates($0, what: "\(what) key", file: file)[0] }
            let instance = try m["instance"].map { try keyTemplates($0, what: "\(what) instance", file: file) }
            if key == nil && (keyRequired || instance == nil) {
                throw DetectError(.rule, file: file, line: item.mark?.line, "\(what) rule '\(rule)' needs a key")
            }
            return StateTrigger(rule: rule, key: key, instance: instance)
        }
    }

    static func parseState(_ node: Node, file: String) throws -> StateSpec {
        guard let m = node.mapping else { throw DetectError(.rule, file: file, line: node.mark?.line, "'state' is a mapping or a list of them") }
        let opened = try triggers(m["opened-by"], what: "state.opened-by", file: file, keyRequired: true)
        guard !opened.isEmpty else { throw DetectError(.rule, file: file, line: node.mark?.line, "'state' needs opened-by") }
        var lasts: Int64?
        if let text = m["lasts"]?.string {
            guard let s = TimeSpan.seconds(text) else {
                throw DetectError(.rule, file: file, line: m["lasts"]?.mark?.line, "lasts '\(text)' is not a time span such as 36h")
            }
            lasts = s
        }
        for k in m.keys where !["opened-by", "closed-by", "key", "lasts"].contains(k.string ?? "") {
            throw DetectError(.rule, file: file, line: k.mark?.line, "state has '\(k.string ?? "")'; use opened-by, closed-by, key, lasts")
        }
        return StateSpec(
            openedBy: opened, closedBy: try triggers(m["closed-by"], what: "state.closed-by", file: file, keyRequired: false),
            keys: try keyTemplates(m["key"], what: "state.key", file: file), lasts: lasts)
    }

    static func parseAbsence(_ node: Node, file: String) throws -> AbsenceSpec {
        guard let m = node.mapping else { throw DetectError(.rule, file: file, line: node.mark?.line, "'absence' is a mapping") }
        let of = try triggers(m["of"], what: "absence.of", file: file, keyRequired: true)
        guard !of.isEmpty else { throw DetectError(.rule, file: file, line: node.mark?.line, "'absence' needs of") }
        guard let text = m["within"]?.string, let within = TimeSpan.seconds(text) else {
            throw DetectError(.rule, file: file, line: node.mark?.line, "absence.within is a time span such as 1h")
        }
        for k in m.keys where !["of", "key", "within"].contains(k.string ?? "") {
            throw DetectError(.rule, file: file, line: k.mark?.line, "absence has '\(k.string ?? "")'; use of, key, within")
        }
        return AbsenceSpec(of: of, keys: try keyTemplates(m["key"], what: "absence.key", file: file), within: within)
    }

    static func parseCorrelation(
        _ node: Node, map: Node.Mapping, root: Node, file: String, id: String, title: String, level: SigmaRule.Level
    ) throws -> SigmaRule {
        func fail(_ n: Node?, _ message: String) -> DetectError { DetectError(.rule, file: file, line: n?.mark?.line ?? node.mark?.line, message) }
        guard let m = node.mapping else { throw fail(node, "'correlation' must be a mapping") }
        guard let typeText = m["type"]?.string else { throw fail(node, "correlation.type is missing") }
        guard let kind = CorrelationSpec.Kind(rawValue: typeText) else {
            throw DetectError(.unsupported, file: file, line: m["type"]?.mark?.line, "the correlation type '\(typeText)'")
        }
        let ruleNodes = m["rules"].map { $0.sequence.map { Array($0) } ?? [$0] } ?? []
        let rules = ruleNodes.compactMap(\.string)
        guard !rules.isEmpty, rules.count == ruleNodes.count else { throw fail(m["rules"], "correlation.rules is a list of rule names or ids") }
        let groupNodes = m["group-by"].map { $0.sequence.map { Array($0) } ?? [$0] } ?? []
        let groupBy = groupNodes.compactMap(\.string)
        var aliases: [String: [String: RuleField]] = [:]
        if let a = m["aliases"] {
            guard let am = a.mapping else { throw fail(a, "correlation.aliases is a mapping") }
            for (k, v) in am {
                guard let alias = k.string, let vm = v.mapping else { throw fail(k, "each alias maps rule names to fields") }
                for (rk, rv) in vm {
                    guard let rule = rk.string, let name = rv.string, let field = RuleField(name) else {
                        throw fail(rk, "alias '\(k.string ?? "")': each rule maps to a field")
                    }
                    aliases[alias, default: [:]][rule] = field
                }
            }
        }
        for name in groupBy where aliases[name] == nil && RuleField(name) == nil {
            throw fail(m["group-by"], "group-by '\(name)' is neither a field nor an alias")
        }
        guard let spanText = m["timespan"]?.string ?? m["timeframe"]?.string, let span = TimeSpan.seconds(spanText) else {
            throw fail(m["timespan"] ?? node, "correlation.timespan is a time span such as 5m")
        }
        var comparisons: [(CorrelationSpec.Comparison, Double)] = []
        var valueField: String?
        if let c = m["condition"] {
            guard let cm = c.mapping else { throw fail(c, "correlation.condition is a mapping such as {gte: 10}") }
            for (k, v) in cm {
                let key = k.string ?? ""
                if key == "field" {
                    valueField = v.string
                    continue
                }
                guard let op = CorrelationSpec.Comparison(rawValue: key), let n = v.string.flatMap(Double.init) else {
                    throw fail(k, "condition '\(key)' is not one of gt, gte, lt, lte, eq, neq with a number (or field)")
                }
                comparisons.append((op, n))
            }
        }
        switch kind {
        case .eventCount, .valueCount:
            guard !comparisons.isEmpty else { throw fail(m["condition"] ?? node, "\(typeText) needs a condition such as {gte: 10}") }
            if kind == .valueCount && valueField == nil { throw fail(m["condition"] ?? node, "value_count needs condition.field") }
            if let v = valueField, aliases[v] == nil, RuleField(v) == nil { throw fail(m["condition"], "'\(v)' is not a field") }
        case .temporal, .temporalOrdered:
            if comparisons.isEmpty { comparisons = [(.gte, Double(rules.count))] }
        }
        var generate = false
        if let g = m["generate"] ?? map["generate"] {
            guard case .bool(let flag) = YAMLScalar.kind(g) else { throw fail(g, "'generate' is true or false") }
            generate = flag
        }
        var containment: [ContainmentRef] = []
        if let node = map["containment"], let seq = node.sequence {
            for item in seq {
                if let cid = item.scalar?.string {
                    containment.append(ContainmentRef(id: cid, subject: .actor, line: item.mark?.line))
                } else if let cm = item.mapping, let cid = cm["id"]?.string {
                    let subject = ContainmentRef.Subject(rawValue: cm["subject"]?.string ?? "actor") ?? .actor
                    containment.append(ContainmentRef(id: cid, subject: subject, line: item.mark?.line))
                }
            }
        }
        func strings(_ key: String) -> [String] {
            guard let n = map[key] else { return [] }
            if let s = n.scalar { return [s.string] }
            return n.sequence?.compactMap(\.string) ?? []
        }
        let spec = CorrelationSpec(
            kind: kind, rules: rules, groupBy: groupBy, aliases: aliases, timespan: span, condition: comparisons,
            valueField: valueField, generate: generate)
        return SigmaRule(
            id: id, name: map["name"]?.string, title: title, level: level, status: map["status"]?.string,
            description: map["description"]?.string, tags: strings("tags"), references: strings("references"), file: file,
            detection: CompiledDetection(selections: [], names: [], condition: .or([])), containment: containment,
            groupBy: [], titleTemplate: map["title-template"]?.string, tests: RuleTests(), eventNames: [], eventSources: [],
            fields: [], usesDerivedFields: false, findings: true, state: [], absence: nil, correlation: spec)
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
