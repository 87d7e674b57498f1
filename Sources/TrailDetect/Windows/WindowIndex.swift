import TrailReader

/// The windows of every `state:` rule, built from the first pass's trigger events (sorted by time, so the result does
/// not depend on file order or threads), and the findings of `absence:` rules. Immutable once built; shared by the
/// second pass's workers.
final class WindowIndex: @unchecked Sendable {
    /// rule → spec → key → windows, in the order opened.
    var windows: [Int: [[String: [Window]]]] = [:]
    private(set) var absenceFindings: [FindingBuilder] = []
    /// Windows opened, and absences still waiting at the end of the logs.
    private(set) var count = 0
    private(set) var pendingAbsences = 0
    /// The second pass's per-identity answers (`Detector.identityMayJoin`), shared by its workers.
    let identityAnswers = SharedIdentityCache<UInt64>()

    init() {}

    /// True when one of `keys` has a window of the rule's first entry (at any time).
    func mayJoin(rule: Int, keys: [String]) -> Bool {
        guard let first = windows[rule]?.first else { return false }
        return keys.contains { first[$0] != nil }
    }

    /// Every window's identity: rule, `state:` entry, key, opening event and end.
    func identities(_ rules: RuleSet) -> Set<String> {
        var out = Set<String>()
        for (rule, specs) in windows {
            for (k, keys) in specs.enumerated() {
                for list in keys.values {
                    for w in list { out.insert(Self.identity(rules.rules[rule].id, k, w)) }
                }
            }
        }
        return out
    }

    static func identity(_ rule: String, _ spec: Int, _ w: Window) -> String {
        "\(rule)|\(spec)|\(w.key)|\(w.opened.eventID ?? String(w.open))|\(w.close)"
    }

    /// True when each `state:` entry of the rule opened a window at least once (else none of its events can count).
    func hasWindows(rule: Int) -> Bool { windows[rule].map { $0.allSatisfy { !$0.isEmpty } } ?? false }

    /// The window of the rule's first `state:` entry that the event in `context` falls in, when it falls in a window
    /// of every entry the rule lists; the earliest opened when several hold.
    func window(for ruleIndex: Int, rule: SigmaRule, _ context: EventContext) -> Window? {
        guard let specs = windows[ruleIndex], let time = context.event?.eventTime else { return nil }
        var primary: Window?
        for (k, spec) in rule.windows.enumerated() {
            var best: Window?
            for key in spec.keys.values(context) {
                for w in specs[k][key] ?? [] where w.contains(time) {
                    if best == nil || (w.open, w.key) < (best!.open, best!.key) { best = w }
                }
            }
            guard let found = best else { return nil }
            if k == 0 { primary = found }
        }
        return primary
    }

    /// Builds the windows and absence findings. `triggers` are the first pass's trigger events; `latest` the latest
    /// event time seen (an absence is reported only once the logs cover its whole wait).
    static func build(
        triggers input: [TriggerEvent], rules: RuleSet, lineage: LineageMap?, latest: Int64
    ) -> WindowIndex {
        let index = WindowIndex()
        for (i, rule) in rules.rules.enumerated() where !rule.windows.isEmpty {
            index.windows[i] = Array(repeating: [:], count: rule.windows.count)
        }
        struct Pending {
            let time: Int64
            let key: String
            let trigger: Int
            var resolved = false
        }
        /// absence rule → key → waiting events.
        var pending: [Int: [String: [Pending]]] = [:]
        let triggers = input.sorted(by: <)
        // Whether a rule's `state:` entry keys its windows by account (worked out once, not per trigger: a substring
        // search through Foundation cost more than the rest of a trigger's windows).
        var perAccountSpec: [Int: [Bool]] = [:]
        for (i, rule) in rules.rules.enumerated() where !rule.windows.isEmpty {
            perAccountSpec[i] = rule.windows.map { spec in
                spec.keys.contains { t in
                    t.parts.contains { if case .field(let f) = $0 { return f == RuleField("recipientAccountId") } else { return false } }
                }
            }
        }
        let context = EventContext(catalog: rules.catalog, lineage: lineage)
        for (n, trigger) in triggers.enumerated() {
            guard let uses = rules.triggerUses[trigger.rule], let text = trigger.text else { continue }
            _ = EventParser.withEvent(text, index: trigger.index) { event in
                context.reset(event)
                let evidence = FindingBuilder.evidence(event, file: trigger.file)
                var opener: Finding.Actor?
                for use in uses {
                    let rule = rules.rules[use.rule]
                    switch use.role {
                    case .opens:
                        let spec = rule.windows[use.spec]
                        let t = spec.openedBy[use.trigger]
                        let instance = t.instance?.values(context).first
                        let perAccount = perAccountSpec[use.rule]![use.spec]
                        let account = perAccount ? event.member(.recipientAccountId)?.scalarText : nil
                        for key in t.key?.values(context) ?? [] {
                            var list = index.windows[use.rule]![use.spec][key] ?? []
                            // Already open (for this instance): the first opening stands.
                            if list.contains(where: { $0.instance == instance && $0.open <= trigger.time && trigger.time < $0.close }) {
                                continue
                            }
                            if opener == nil { opener = FindingBuilder.actor(context) }
                            list.append(
                                Window(
                                    key: key, instance: instance, open: trigger.time,
                                    close: spec.lasts.map { trigger.time + $0 } ?? .max, opened: evidence, closed: nil,
                                    account: account, openedByRule: rules.rules[trigger.rule].id, opener: opener,
                                    endsOnItsOwn: spec.lasts != nil))
                            index.windows[use.rule]![use.spec][key] = list
                            index.count += 1
                        }
                    case .closes:
                        let t = rule.windows[use.spec].closedBy[use.trigger]
                        let instance = t.instance?.values(context).first
                        if t.instance != nil && instance == nil { continue }
                        let keys = t.key.map { $0.values(context) } ?? Array(index.windows[use.rule]![use.spec].keys)
                        for key in keys {
                            guard var list = index.windows[use.rule]![use.spec][key] else { continue }
                            for w in list.indices
                            where list[w].open <= trigger.time && trigger.time < list[w].close
                                && (instance == nil || list[w].instance == instance)
                            {
                                list[w].close = trigger.time
                                list[w].closed = evidence
                            }
                            index.windows[use.rule]![use.spec][key] = list
                        }
                    case .absent:
                        for key in rule.absence!.keys.values(context) {
                            pending[use.rule, default: [:]][key, default: []].append(Pending(time: trigger.time, key: key, trigger: n))
                        }
                    case .awaited:
                        let spec = rule.absence!
                        for key in spec.of[use.trigger].key?.values(context) ?? [] {
                            guard var list = pending[use.rule]?[key] else { continue }
                            for p in list.indices where list[p].time <= trigger.time && trigger.time <= list[p].time + spec.within {
                                list[p].resolved = true
                            }
                            pending[use.rule]![key] = list
                        }
                    }
                }
            }
        }
        // Absences: each waiting event nothing followed, once the logs reach the end of its wait; one finding per
        // rule and group.
        let detector = Detector(rules: rules, lineage: lineage, pass: .all)
        for ruleIndex in pending.keys.sorted() {
            let rule = rules.rules[ruleIndex]
            var unresolved: [Pending] = []
            for list in pending[ruleIndex]!.values {
                for p in list where !p.resolved {
                    if p.time + rule.absence!.within <= latest { unresolved.append(p) } else { index.pendingAbsences += 1 }
                }
            }
            var seen = Set<Int>()
            for p in unresolved.sorted(by: { ($0.trigger, $0.key) < ($1.trigger, $1.key) }) where seen.insert(p.trigger).inserted {
                let trigger = triggers[p.trigger]
                guard let text = trigger.text else { continue }
                _ = EventParser.withEvent(text, index: trigger.index) { event in
                    detector.context.reset(event)
                    let state = Finding.State(
                        kind: "absence", key: p.key, openedByRule: rule.id,
                        opened: FindingBuilder.evidence(event, file: trigger.file), closed: nil,
                        until: Timestamp.format(p.time + rule.absence!.within))
                    detector.add(ruleIndex, extra: [], file: trigger.file) { $0.state = state }
                }
            }
        }
        index.absenceFindings = detector.take()
        return index
    }
}
