import Foundation
import TrailReader

/// The compiled rules, indexed by `eventName`, with the containment catalog and policy facts they use.
public final class RuleSet: Sendable {
    public let rules: [SigmaRule]
    public let catalog: PolicyCatalog
    public let containment: [String: ContainmentAction]
    /// The rules checked on every event of the first pass: rules that give findings per event and the rules
    /// correlations count, unless they read `trailhound.origin.*`.
    let early: RuleIndex
    /// The rules checked in the second pass, once lineage and windows are known: rules whose events count inside
    /// windows, and rules that read `trailhound.origin.*`.
    let late: RuleIndex
    /// The rules checked in the first pass: those that open and close windows, and absence rules and what they
    /// wait for.
    let triggers: RuleIndex
    /// The `state:` rules whose keys read more than the event's identity (`userIdentity`, `recipientAccountId`):
    /// checked in the first pass, event by event, to fingerprint each file's keys (see `FileKeys`).
    let keyedWindowRules: RuleIndex
    /// The `state:` rules whose keys read only the event's identity: their keys go into the file's fingerprint once
    /// per distinct identity in the file, whether or not their detection matches (the fingerprint may say too much,
    /// never too little; too much only costs reading a file again).
    let identityWindowRules: [Int]
    /// Their key templates, each once (rules often share them).
    let identityTemplates: [KeyTemplate]
    /// `isIdentityWindowRule[i]`: rule i is one of `identityWindowRules`.
    let isIdentityWindowRule: [Bool]
    /// `windowPerAccount[i][k]`: rule i's `state:` entry k keys its windows by `{recipientAccountId}` (the window then
    /// names its account).
    let windowPerAccount: [[Bool]]
    /// `identityWindowSlot[i]`: rule i's position in `identityWindowRules` (`Int.max` for other rules); the second
    /// pass keeps its per-identity answers for the first 32 as bits of one word.
    let identityWindowSlot: [Int]
    /// True when some rule is an `absence:` rule (the first pass then tracks the latest event time).
    let hasAbsence: Bool
    /// For `state:` rules: the top-level members their key templates depend on (before lineage), so the first pass
    /// computes a file's keys once per distinct identity, not once per event.
    let keyMembers: [[[UInt8]]]
    /// For each correlation rule and each rule it counts: the fields its group-by names and `value_count` field read.
    let correlationFields: [[Int: (group: [RuleField?], value: RuleField?)]]
    /// Rules whose detection reads `trailhound.origin.*` (taken as matching before lineage is known).
    let detectionReadsOrigin: [Bool]
    /// `rules[i].windows`, kept apart so the hot loop does not copy rules.
    let windowSpecs: [[WindowSpec]]
    let ruleByID: [String: Int]
    /// A stable hash of each rule's id (correlation groups are hashed with it, and kept between runs).
    let ruleSeeds: [UInt64]
    /// Correlation rules by the rules they count.
    let correlationsByBase: [Int: [Int]]
    /// Trigger rules by the (window or absence rule) that uses them.
    let triggerUses: [Int: [TriggerUse]]
    /// Rules whose per-event matches are not findings of their own.
    let silent: Set<Int>
    /// `rules[i].detection`, kept apart for the hot loop.
    let detections: [CompiledDetection]
    /// `rules[i].titleTemplate` parsed (nil for a rule without one): a finding's title is filled in for every new
    /// finding of every file, and parsing the template and its field paths each time was 2-3 % of a scan.
    let titleParts: [[TitlePart]?]

    /// A piece of a title template: text as written, or a `{field}` (nil when the name is not a field: "?").
    enum TitlePart: Sendable {
        case text(String)
        case field(RuleField?)
    }

    /// `{name}` pieces of `template`; a `{` without a later `}` and everything after it is text.
    static func titleParts(_ template: String) -> [TitlePart] {
        var parts: [TitlePart] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            parts.append(.field(RuleField(String(rest[rest.index(after: open)..<close]))))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return parts
    }

    struct TriggerUse: Sendable {
        enum Role: Sendable { case opens, closes, absent, awaited }
        let rule: Int
        let spec: Int
        let trigger: Int
        let role: Role
    }

    public init(rules: [SigmaRule], catalog: PolicyCatalog, containment: [String: ContainmentAction]) {
        self.rules = rules
        self.catalog = catalog
        self.containment = containment
        var correlationsByBase: [Int: [Int]] = [:]
        var silent = Set<Int>()
        var generated = Set<Int>()
        var uses: [Int: [TriggerUse]] = [:]
        for (i, rule) in rules.enumerated() {
            if let c = rule.correlation {
                for b in c.ruleIndexes where b >= 0 {
                    correlationsByBase[b, default: []].append(i)
                    if c.generate { generated.insert(b) } else { silent.insert(b) }
                }
            }
            for (k, spec) in rule.windows.enumerated() {
                for (t, trigger) in spec.openedBy.enumerated() where trigger.ruleIndex >= 0 {
                    uses[trigger.ruleIndex, default: []].append(TriggerUse(rule: i, spec: k, trigger: t, role: .opens))
                }
                for (t, trigger) in spec.closedBy.enumerated() where trigger.ruleIndex >= 0 {
                    uses[trigger.ruleIndex, default: []].append(TriggerUse(rule: i, spec: k, trigger: t, role: .closes))
                }
            }
            if let absence = rule.absence {
                uses[i, default: []].append(TriggerUse(rule: i, spec: 0, trigger: -1, role: .absent))
                for (t, trigger) in absence.of.enumerated() where trigger.ruleIndex >= 0 {
                    uses[trigger.ruleIndex, default: []].append(TriggerUse(rule: i, spec: 0, trigger: t, role: .awaited))
                }
            }
        }
        silent.subtract(generated)
        for (i, rule) in rules.enumerated() where !rule.findings { silent.insert(i) }
        let mainRules = rules.indices.filter { i in
            let r = rules[i]
            if r.correlation != nil || r.absence != nil { return false }
            return !r.windows.isEmpty || correlationsByBase[i] != nil || !silent.contains(i)
        }
        let needsLate = { (i: Int) in !rules[i].windows.isEmpty || Self.readsOrigin(rules[i]) }
        early = RuleIndex(rules, only: mainRules.filter { !needsLate($0) })
        late = RuleIndex(rules, only: mainRules.filter(needsLate))
        hasAbsence = rules.contains { $0.absence != nil }
        keyMembers = rules.map { rule in
            var members = Set<String>()  // userIdentity and recipientAccountId are always hashed
            for field in rule.windows.flatMap({ $0.keys.flatMap(\.fields) }) {
                switch field {
                case .json(let path):
                    let top = String(decoding: path.components[0].bytes, as: UTF8.self)
                    if top != "userIdentity" && top != "recipientAccountId" { members.insert(top) }
                case .derived(let d):
                    switch d.section {
                    case .actor, .origin: break
                    case .target: members.formUnion(["requestParameters", "responseElements", "errorMessage"])
                    case .policy: members.insert("requestParameters")
                    case .denial: members.formUnion(["errorCode", "errorMessage"])
                    }
                }
            }
            return members.sorted().map { Array($0.utf8) }
        }
        correlationFields = rules.map { rule in
            guard let c = rule.correlation else { return [:] }
            var out: [Int: (group: [RuleField?], value: RuleField?)] = [:]
            for b in c.ruleIndexes where b >= 0 {
                out[b] = (c.groupBy.map { c.field($0, rule: rules[b]) }, c.valueField.flatMap { c.field($0, rule: rules[b]) })
            }
            return out
        }
        windowSpecs = rules.map(\.windows)
        titleParts = rules.map { $0.titleTemplate.map(Self.titleParts) }
        let accountField = RuleField("recipientAccountId")
        windowPerAccount = rules.map { rule in
            rule.windows.map { spec in spec.keys.contains { $0.fields.contains { $0 == accountField } } }
        }
        ruleByID = Dictionary(rules.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { a, _ in a })
        ruleSeeds = rules.map { rule in var id = rule.id; return id.withUTF8 { FastHash.mix(0x5EED, UnsafeRawBufferPointer($0)) } }
        let windowRules = mainRules.filter { !rules[$0].windows.isEmpty }
        let members = keyMembers
        let identityRules = windowRules.filter { members[$0].isEmpty }
        identityWindowRules = identityRules
        var seenTemplates = Set<String>()
        identityTemplates = identityRules.flatMap { rules[$0].windows.flatMap(\.keys) }.filter { seenTemplates.insert($0.description).inserted }
        isIdentityWindowRule = rules.indices.map { identityRules.contains($0) }
        identityWindowSlot = rules.indices.map { identityRules.firstIndex(of: $0) ?? Int.max }
        keyedWindowRules = RuleIndex(rules, only: windowRules.filter { !members[$0].isEmpty })
        detectionReadsOrigin = rules.map { rule in
            rule.detection.selections.contains { $0.contains { $0.contains { test in
                if case .derived(let d) = test.field { return d.section == .origin } else { return false }
            } } }
        }
        triggers = RuleIndex(rules, only: uses.keys.sorted())
        self.correlationsByBase = correlationsByBase
        self.triggerUses = uses
        self.silent = silent
        detections = rules.map(\.detection)
    }

    /// The index of the rule with this id.
    public func index(ofRule id: String) -> Int? { ruleByID[id] }

    /// True when some rule needs a second pass, after lineage and windows are known.
    public var needsSecondPass: Bool { !late.isEmpty }

    /// True when any rule of the second pass reads `trailhound.origin.*` outside window keys, so the second pass must
    /// read every file (otherwise it reads only the files that can hold events inside an open window).
    public var secondPassReadsAll: Bool {
        rules.contains { $0.windows.isEmpty && $0.correlation == nil && $0.absence == nil && Self.readsOrigin($0) }
    }

    static func readsOrigin(_ rule: SigmaRule) -> Bool {
        rule.fields.contains { if case .derived(let d) = $0 { return d.section == .origin } else { return false } }
    }

    /// FNV-1a over ASCII-lower-cased bytes: the index key, computed without allocating.
    @inline(__always)
    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h ^= UInt64(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }


    /// Rules whose regular expressions ran out of time, with the pattern and how often.
    public func regexTimeouts() -> [(rule: SigmaRule, pattern: String, count: Int)] {
        var out: [(SigmaRule, String, Int)] = []
        for rule in rules {
            for selection in rule.detection.selections {
                for alternative in selection {
                    for test in alternative {
                        guard case .values(let matchers, _, _) = test.kind else { continue }
                        for case .regex(let box) in matchers where box.timeouts > 0 {
                            out.append((rule, box.pattern, box.timeouts))
                        }
                    }
                }
            }
        }
        return out
    }
}
