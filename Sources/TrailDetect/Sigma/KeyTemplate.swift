import TrailReader

/// A key an event gives for joining it to windows: text with `{field}` placeholders, e.g.
/// `{recipientAccountId}/user/{trailhound.target.userName}`. A field with several values gives several keys; a field
/// that is absent, null or empty gives none, so an event that cannot name its subject never joins a window.
struct KeyTemplate: Sendable, CustomStringConvertible {
    enum Part: Sendable {
        case text(String)
        case field(RuleField)
    }

    let parts: [Part]
    let description: String

    /// Parses a template; the error names what is wrong.
    struct Problem: Error {
        let message: String
    }

    static func parse(_ text: String) -> Result<KeyTemplate, Problem> {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { return .failure(Problem(message: "'\(text)' has a '{' without '}'")) }
            let name = String(rest[rest.index(after: open)..<close])
            guard let field = RuleField(name) else { return .failure(Problem(message: "'\(name)' in '\(text)' is not a field")) }
            parts.append(.field(field))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        guard parts.contains(where: { if case .field = $0 { return true } else { return false } }) else {
            return .failure(Problem(message: "'\(text)' names no {field}"))
        }
        return .success(KeyTemplate(parts: parts, description: text))
    }

    /// Every value the template takes on the event in `context` (at most 16).
    func values(_ context: EventContext) -> [String] {
        var out = [""]
        for part in parts {
            switch part {
            case .text(let t):
                for i in out.indices { out[i] += t }
            case .field(let f):
                let values = context.strings(f).filter { !$0.isEmpty }
                guard !values.isEmpty else { return [] }
                var next: [String] = []
                for prefix in out { for v in values where next.count < 16 { next.append(prefix + v) } }
                out = next
            }
        }
        return out
    }

    var fields: [RuleField] { parts.compactMap { if case .field(let f) = $0 { return f } else { return nil } } }

    /// The FNV-1a hash of each value `values(context)` gives, without making the strings when every field has one
    /// value (the first pass fingerprints files with these; see `FileKeys`).
    func forEachKeyHash(_ context: EventContext, _ body: (UInt64) -> Void) {
        var h = FileKeys.fnvOffset
        for part in parts {
            switch part {
            case .text(let t):
                for b in t.utf8 { h = FileKeys.fnv(h, b) }
            case .field(let f):
                var n = 0
                var running = h
                if case .derived(let d) = f {
                    for v in context.derived(d) where !v.isEmpty {
                        n += 1
                        if n == 1 { for b in v.utf8 { running = FileKeys.fnv(running, b) } }
                    }
                } else {
                    _ = context.anyValue(f) { bytes in
                        guard bytes.count > 0 else { return false }
                        n += 1
                        if n == 1 { for b in bytes { running = FileKeys.fnv(running, b) } }
                        return n > 1
                    }
                }
                if n == 0 { return }
                if n > 1 {
                    // Several values: the general path.
                    for key in values(context) { body(FileKeys.fnvString(key)) }
                    return
                }
                h = running
            }
        }
        body(h)
    }
}

extension Array where Element == KeyTemplate {
    /// Every value any of the templates takes, without repeats, in order.
    func values(_ context: EventContext) -> [String] {
        var out: [String] = []
        for t in self { for v in t.values(context) where !out.contains(v) { out.append(v) } }
        return out
    }
}
