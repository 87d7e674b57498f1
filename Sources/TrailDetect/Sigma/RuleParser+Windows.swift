import Foundation
import TrailReader
import Yams

/// trailhound's extensions: `state:` windows, `absence:`, and the key templates and triggers they name.
extension RuleParser {
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
    static func triggers(_ node: Node?, what: String, file: String, keyRequired: Bool) throws -> [TriggerSpec] {
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
            return TriggerSpec(rule: rule, key: key, instance: instance)
        }
    }

    static func parseWindow(_ node: Node, file: String) throws -> WindowSpec {
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
        return WindowSpec(
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
}
