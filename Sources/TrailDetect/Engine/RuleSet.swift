import Foundation
import TrailReader

/// What loading rules gave: counts, rules skipped for unsupported features (warnings), and errors.
public struct RuleLoadReport: Sendable {
    public var files = 0
    public var loaded = 0
    public var skipped: [DetectError] = []
    public var errors: [DetectError] = []
}

/// Rules by the `eventName` values they can match; then, for rules that do not pin `eventName` down, by
/// `eventSource`; the rest are checked against every event.
/// Immutable once made (`unindexed` points into `unindexedStore`), hence `@unchecked Sendable`.
final class RuleIndex: @unchecked Sendable {
    let byName: HashLists
    let bySource: HashLists
    let unindexed: HashLists.List
    private let unindexedStore: HashLists

    init(_ rules: [SigmaRule], only chosen: [Int]) {
        var names: [UInt64: [Int]] = [:]
        var sources: [UInt64: [Int]] = [:]
        var rest: [Int] = []
        for i in chosen {
            let rule = rules[i]
            if let list = rule.eventNames {
                for name in list { names[RuleSet.hash(Array(name.utf8)), default: []].append(i) }
            } else if let list = rule.eventSources {
                for source in list { sources[RuleSet.hash(Array(source.utf8)), default: []].append(i) }
            } else {
                rest.append(i)
            }
        }
        byName = HashLists(names)
        bySource = HashLists(sources)
        unindexedStore = HashLists([0: rest])
        unindexed = rest.isEmpty ? HashLists.List(start: nil, count: 0) : unindexedStore[0]!
    }

    var isEmpty: Bool { byName.isEmpty && bySource.isEmpty && unindexed.isEmpty }

    /// Calls `body` with each rule that can match `event`.
    @inline(__always)
    func candidates(_ event: Event, _ body: (Int) -> Void) {
        candidates(event, nameHash: Self.nameHash(event), body)
    }

    /// As `candidates(_:_:)`, with the event's `eventName` hash already computed (`nameHash(_:)`).
    @inline(__always)
    func candidates(_ event: Event, nameHash: UInt64?, _ body: (Int) -> Void) {
        if let h = nameHash, let named = byName[h] { for i in named { body(Int(i)) } }
        if !bySource.isEmpty, let raw = event.member(.eventSource)?.rawStringContents, let sourced = bySource[RuleSet.hash(raw)] {
            for i in sourced { body(Int(i)) }
        }
        for i in unindexed { body(Int(i)) }
    }

    /// The index key of the event's `eventName`.
    @inline(__always)
    static func nameHash(_ event: Event) -> UInt64? { event.member(.eventName)?.rawStringContents.map { RuleSet.hash($0) } }

    /// True when some rule may match `event` (cheap: no enrichment).
    @inline(__always)
    func mayMatch(_ event: Event) -> Bool { mayMatch(event, nameHash: Self.nameHash(event)) }

    @inline(__always)
    func mayMatch(_ event: Event, nameHash: UInt64?) -> Bool {
        if !unindexed.isEmpty { return true }
        if let h = nameHash, byName[h] != nil { return true }
        if !bySource.isEmpty, let raw = event.member(.eventSource)?.rawStringContents, bySource[RuleSet.hash(raw)] != nil {
            return true
        }
        return false
    }
}

/// The compiled rules, indexed by `eventName`, with the containment catalog and policy facts they use.
public final class RuleSet: Sendable {
    public let rules: [SigmaRule]
    public let catalog: PolicyCatalog
    public let containment: [String: ContainmentAction]
    /// The rules checked on every event of the first pass: rules that give findings per event and the rules
    /// correlations count, unless they read `trailhound.origin.*`.
    let early: RuleIndex
    /// The rules checked in the second pass, once lineage and states are known: rules whose events count inside
    /// states, and rules that read `trailhound.origin.*`.
    let late: RuleIndex
    /// The rules checked in the first pass: those that open and close states, and absence rules and what they
    /// wait for.
    let triggers: RuleIndex
    /// The `state:` rules whose keys read more than the event's identity (`userIdentity`, `recipientAccountId`):
    /// checked in the first pass, event by event, to fingerprint each file's keys (see `FileKeys`).
    let stateful: RuleIndex
    /// The `state:` rules whose keys read only the event's identity: their keys go into the file's fingerprint once
    /// per distinct identity in the file, whether or not their detection matches (the fingerprint may say too much,
    /// never too little; too much only costs reading a file again).
    let identityStateRules: [Int]
    /// Their key templates, each once (rules often share them).
    let identityTemplates: [KeyTemplate]
    /// `isIdentityStateRule[i]`: rule i is one of `identityStateRules`.
    let isIdentityStateRule: [Bool]
    /// True when some rule is an `absence:` rule (the first pass then tracks the latest event time).
    let hasAbsence: Bool
    /// For `state:` rules: the top-level members their key templates depend on (before lineage), so the first pass
    /// computes a file's keys once per distinct identity, not once per event.
    let keyMembers: [[[UInt8]]]
    /// For each correlation rule and each rule it counts: the fields its group-by names and `value_count` field read.
    let correlationFields: [[Int: (group: [RuleField?], value: RuleField?)]]
    /// Rules whose detection reads `trailhound.origin.*` (taken as matching before lineage is known).
    let detectionReadsOrigin: [Bool]
    /// `rules[i].state`, kept apart so the hot loop does not copy rules.
    let stateSpecs: [[StateSpec]]
    let ruleByID: [String: Int]
    /// A stable hash of each rule's id (correlation groups are hashed with it, and kept between runs).
    let ruleSeeds: [UInt64]
    /// Correlation rules by the rules they count.
    let correlationsByBase: [Int: [Int]]
    /// Trigger rules by the (state or absence rule) that uses them.
    let triggerUses: [Int: [TriggerUse]]
    /// Rules whose per-event matches are not findings of their own.
    let silent: Set<Int>
    /// `rules[i].detection`, kept apart for the hot loop.
    let detections: [CompiledDetection]

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
            for (k, spec) in rule.state.enumerated() {
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
            return !r.state.isEmpty || correlationsByBase[i] != nil || !silent.contains(i)
        }
        let needsLate = { (i: Int) in !rules[i].state.isEmpty || Self.readsOrigin(rules[i]) }
        early = RuleIndex(rules, only: mainRules.filter { !needsLate($0) })
        late = RuleIndex(rules, only: mainRules.filter(needsLate))
        hasAbsence = rules.contains { $0.absence != nil }
        keyMembers = rules.map { rule in
            var members = Set<String>()  // userIdentity and recipientAccountId are always hashed
            for field in rule.state.flatMap({ $0.keys.flatMap(\.fields) }) {
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
        stateSpecs = rules.map(\.state)
        ruleByID = Dictionary(rules.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { a, _ in a })
        ruleSeeds = rules.map { rule in var id = rule.id; return id.withUTF8 { FastHash.mix(0x5EED, UnsafeRawBufferPointer($0)) } }
        let stateRules = mainRules.filter { !rules[$0].state.isEmpty }
        let members = keyMembers
        let identityRules = stateRules.filter { members[$0].isEmpty }
        identityStateRules = identityRules
        var seenTemplates = Set<String>()
        identityTemplates = identityRules.flatMap { rules[$0].state.flatMap(\.keys) }.filter { seenTemplates.insert($0.description).inserted }
        isIdentityStateRule = rules.indices.map { identityRules.contains($0) }
        stateful = RuleIndex(rules, only: stateRules.filter { !members[$0].isEmpty })
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

    /// True when some rule needs a second pass, after lineage and states are known.
    public var needsSecondPass: Bool { !late.isEmpty }

    /// True when any rule of the second pass reads `trailhound.origin.*` outside state keys, so the second pass must
    /// read every file (otherwise it reads only the files that can hold events inside an open state).
    public var secondPassReadsAll: Bool {
        rules.contains { $0.state.isEmpty && $0.correlation == nil && $0.absence == nil && Self.readsOrigin($0) }
    }

    static func readsOrigin(_ rule: SigmaRule) -> Bool {
        rule.fields.contains { if case .derived(let d) = $0 { return d.section == .origin } else { return false } }
    }

    /// Resolves the rules that correlation, `state:` and `absence:` refer to (by `name` or `id`). A rule whose
    /// references do not resolve is dropped with an error.
    static func link(_ input: [SigmaRule]) -> ([SigmaRule], [DetectError]) {
        var rules = input
        var errors: [DetectError] = []
        while true {
            var byName: [String: Int] = [:]
            for (i, r) in rules.enumerated() {
                byName[r.id] = i
                if let n = r.name { byName[n] = i }
            }
            var bad: Int?
            func resolve(_ ref: String, from i: Int, stateless: Bool) -> Int {
                guard let j = byName[ref] else {
                    errors.append(DetectError(.rule, file: rules[i].file, "rule '\(rules[i].id)' refers to '\(ref)', which is not a loaded rule's name or id"))
                    bad = i
                    return -1
                }
                if stateless && rules[i].correlation == nil && Self.readsOrigin(rules[j]) {
                    errors.append(DetectError(.rule, file: rules[i].file, "rule '\(rules[i].id)' refers to '\(ref)', whose detection reads trailhound.origin.*; rules that open, close or are awaited are matched before lineage is known (use trailhound.origin.* in keys instead)"))
                    bad = i
                    return -1
                }
                if stateless && !rules[j].isStateless {
                    errors.append(DetectError(.unsupported, file: rules[i].file, "rule '\(rules[i].id)' refers to '\(ref)', a correlation or stateful rule (chaining is not supported)"))
                    bad = i
                    return -1
                }
                return j
            }
            for i in rules.indices where bad == nil {
                if var c = rules[i].correlation {
                    c.ruleIndexes = c.rules.map { resolve($0, from: i, stateless: true) }
                    for name in c.groupBy where c.aliases[name] != nil {
                        for (k, b) in c.ruleIndexes.enumerated() where b >= 0 && c.field(name, rule: rules[b]) == nil {
                            errors.append(DetectError(.rule, file: rules[i].file, "alias '\(name)' has no field for rule '\(c.rules[k])'"))
                            bad = i
                        }
                    }
                    rules[i].correlation = c
                }
                for k in rules[i].state.indices {
                    for t in rules[i].state[k].openedBy.indices {
                        rules[i].state[k].openedBy[t].ruleIndex = resolve(rules[i].state[k].openedBy[t].rule, from: i, stateless: true)
                    }
                    for t in rules[i].state[k].closedBy.indices {
                        rules[i].state[k].closedBy[t].ruleIndex = resolve(rules[i].state[k].closedBy[t].rule, from: i, stateless: true)
                    }
                }
                if rules[i].absence != nil {
                    for t in rules[i].absence!.of.indices {
                        rules[i].absence!.of[t].ruleIndex = resolve(rules[i].absence!.of[t].rule, from: i, stateless: true)
                    }
                }
            }
            guard let drop = bad else { return (rules, errors) }
            rules.remove(at: drop)
        }
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

    /// A rule set of one rule given as YAML text (no containment catalog, default policy facts).
    public static func compile(yaml: String, file: String) throws -> RuleSet {
        let (rules, errors) = link(try RuleParser.parseAll(yaml, file: file))
        if let e = errors.first { throw e }
        return RuleSet(rules: rules, catalog: PolicyCatalog(), containment: [:])
    }

    /// The folder of bundled rules: `$TRAILHOUND_RULES`, else a `rules/` folder beside or above the executable (a
    /// source checkout), else `./rules`.
    public static func bundledFolder() -> URL? {
        let fm = FileManager.default
        func isRules(_ url: URL) -> Bool { fm.fileExists(atPath: url.appendingPathComponent("policies/managed.yml").path) }
        if let env = ProcessInfo.processInfo.environment["TRAILHOUND_RULES"] {
            return URL(fileURLWithPath: env)
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("rules")
            if isRules(candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        let local = URL(fileURLWithPath: "rules")
        return isRules(local) ? local : nil
    }

    /// Loads the bundled rules (with their containment catalog and policy facts) and any extra folders of Sigma
    /// rules. Problems are in the report; only rules that compiled are in the set.
    public static func load(bundled: URL, extra: [URL] = [], includeBundledRules: Bool = true) -> (RuleSet, RuleLoadReport) {
        var report = RuleLoadReport()
        var catalog = PolicyCatalog()
        do { catalog = try PolicyCatalog.load(from: bundled) } catch let e as DetectError { report.errors.append(e) } catch {}
        var actions: [String: ContainmentAction] = [:]
        for url in yamlFiles(in: bundled.appendingPathComponent("containment")) {
            do {
                let action = try ContainmentAction(yaml: try String(contentsOf: url, encoding: .utf8), file: relative(url))
                if actions[action.id] != nil {
                    report.errors.append(DetectError(.containment, file: relative(url), "duplicate id '\(action.id)'"))
                }
                actions[action.id] = action
            } catch let e as DetectError {
                report.errors.append(e)
            } catch {
                report.errors.append(DetectError(.io, file: relative(url), "\(error)"))
            }
        }
        var files: [URL] = []
        if includeBundledRules {
            files += yamlFiles(in: bundled).filter {
                let parts = $0.path.dropFirst(bundled.path.count).split(separator: "/")
                return parts.first != "containment" && parts.first != "policies"
            }
        }
        for folder in extra {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), !isDir.boolValue {
                files.append(folder)
            } else {
                files += yamlFiles(in: folder)
            }
        }
        var rules: [SigmaRule] = []
        var ids = Set<String>()
        for url in files {
            report.files += 1
            let name = relative(url)
            do {
                for rule in try RuleParser.parseAll(try String(contentsOf: url, encoding: .utf8), file: name) {
                    guard ids.insert(rule.id).inserted else {
                        report.errors.append(DetectError(.rule, file: name, "duplicate rule id '\(rule.id)'"))
                        continue
                    }
                    rules.append(rule)
                }
            } catch let e as DetectError where e.kind == .unsupported {
                report.skipped.append(e)
            } catch let e as DetectError {
                report.errors.append(e)
            } catch {
                report.errors.append(DetectError(.io, file: name, "\(error)"))
            }
        }
        let (linked, linkErrors) = link(rules)
        rules = linked
        for e in linkErrors { if e.kind == .unsupported { report.skipped.append(e) } else { report.errors.append(e) } }
        report.loaded = rules.count
        return (RuleSet(rules: rules, catalog: catalog, containment: actions), report)
    }

    static func yamlFiles(in folder: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        var out: [URL] = []
        for case let url as URL in walker where ["yml", "yaml"].contains(url.pathExtension.lowercased()) {
            out.append(url)
        }
        return out.sorted { $0.path < $1.path }
    }

    static func relative(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return url.path.hasPrefix(cwd) ? String(url.path.dropFirst(cwd.count)) : url.path
    }
}
