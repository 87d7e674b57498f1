import TrailReader

/// One event as rules see it: CloudTrail fields by path (arrays fanned out, as Sigma does) and derived
/// `trailhound.*` fields, computed at most once per event. One per worker thread, reset for each event.
public final class EventContext {
    public let catalog: PolicyCatalog
    /// Credential lineage from a first pass over the logs, when a rule reads `trailhound.origin.*`.
    public let lineage: LineageMap?
    public private(set) var event: Event?
    var partial = Enrichment()

    public init(catalog: PolicyCatalog, lineage: LineageMap? = nil) {
        self.catalog = catalog
        self.lineage = lineage
    }

    /// Points the context at a new event. The event is valid only while the reader's callback runs.
    public func reset(_ event: Event) {
        self.event = event
        if partial.done != 0 { partial.clear() }
    }

    /// The derived fields, every section computed.
    public var enrichment: Enrichment {
        for section in [Enrichment.Section.actor, .target, .policy, .denial, .origin] {
            partial.ensure(section, event!, catalog, lineage)
        }
        return partial
    }

    /// The values of one derived field, computing only its section.
    public func derived(_ field: DerivedField) -> [String] {
        partial.ensure(field.section, event!, catalog, lineage)
        return partial.values(field)
    }

    /// Calls `body` with each non-null value of `field` (strings decoded; numbers and booleans as written; objects
    /// as JSON text) until it returns true. Returns whether it did.
    public func anyValue(_ field: RuleField, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        switch field {
        case .derived(let d):
            for var v in derived(d) where v.withUTF8({ body(UnsafeRawBufferPointer($0)) }) { return true }
            return false
        case .json(let path):
            guard let event else { return false }
            let first = path.components[0]
            guard let top = event.member(first) else { return false }
            return Self.visit(top, path.components.dropFirst(), body)
        }
    }

    /// True when `field` has a non-null value.
    public func isPresent(_ field: RuleField) -> Bool { anyValue(field) { _ in true } }

    /// The values of `field` as strings.
    public func strings(_ field: RuleField) -> [String] {
        var out: [String] = []
        _ = anyValue(field) { bytes in
            out.append(String(decoding: bytes, as: UTF8.self))
            return false
        }
        return out
    }

    static func visit(
        _ value: JSONValue, _ rest: ArraySlice<FieldPath.Component>, _ body: (UnsafeRawBufferPointer) -> Bool
    ) -> Bool {
        switch value.kind {
        case .array:
            if let c = rest.first, let index = c.index {
                guard let element = value.element(index) else { return false }
                return visit(element, rest.dropFirst(), body)
            }
            var hit = false
            value.forEachElement { element in
                hit = visit(element, rest, body)
                return !hit
            }
            return hit
        case .object:
            guard let c = rest.first else { return body(value.bytes) }
            guard let member = c.bytes.withUnsafeBytes({ value.member($0) }) else { return false }
            return visit(member, rest.dropFirst(), body)
        case .null:
            return false
        case .string:
            guard rest.isEmpty, let raw = value.rawStringContents else { return false }
            if !raw.contains(0x5C) { return body(raw) }
            var decoded: [UInt8] = []
            JSONString.unescape(raw, into: &decoded)
            return decoded.withUnsafeBytes { body($0) }
        default:
            guard rest.isEmpty else { return false }
            return body(value.bytes)
        }
    }
}
