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
    let identityAnswers = SharedIdentityCache<UInt64>(limit: 1 << 15)
    /// The trigger events in time order: windows name their opening and closing events by position here.
    private(set) var triggers = Blocks<TriggerEvent>()
    private let catalog: PolicyCatalog
    private let lineage: LineageMap?
    /// Each rule's id, by position (a window's identity names its rule).
    private let ruleIDs: [String]

    init(rules: RuleSet, lineage: LineageMap?) {
        catalog = rules.catalog
        ruleIDs = rules.rules.map(\.id)
        self.lineage = lineage
    }

    /// The window as a finding's state: its opening event (read back from its trigger, as evidence and as the
    /// opener's identity, through the lineage as when the window was opened), its closing event, and its end.
    func describe(_ w: Window) -> Finding.State {
        let opening = evidence(w.opened, opener: true)
        return Finding.State(
            kind: "inside", key: w.key, openedByRule: w.openedByRule, opened: opening.0, openedBy: opening.1,
            closed: w.closed.map { evidence($0, opener: false).0 },
            until: w.close == .max ? nil : (w.closed == nil || w.endsOnItsOwn ? Timestamp.format(w.close) : nil))
    }

    /// A trigger event's evidence and, with `opener`, who made it. Should its text not read back (a spill file gone
    /// bad since), the evidence says where the event is and nothing it cannot know.
    private func evidence(_ n: Int32, opener: Bool) -> (Finding.Evidence, Finding.Actor?) {
        let trigger = triggers[Int(n)]
        if let text = trigger.text,
            let read = EventParser.withEvent(text, index: trigger.index, { event -> (Finding.Evidence, Finding.Actor?) in
                let evidence = FindingBuilder.evidence(event, file: trigger.file)
                guard opener else { return (evidence, nil) }
                let context = EventContext(catalog: catalog, lineage: lineage)
                context.reset(event)
                return (evidence, FindingBuilder.actor(context))
            })
        {
            return read
        }
        return (
            Finding.Evidence(
                eventID: trigger.eventID.isEmpty ? nil : trigger.eventID, eventTime: Timestamp.format(trigger.time),
                eventSource: nil, eventName: nil, errorCode: nil, file: trigger.file, recordIndex: trigger.index), nil
        )
    }

    /// True when one of `keys` has a window of the rule's first entry (at any time).
    func mayJoin(rule: Int, keys: [String]) -> Bool {
        guard let first = windows[rule]?.first else { return false }
        return keys.contains { first[$0] != nil }
    }

    /// Every window's identity: rule, `state:` entry, key, opening event and end.
    func identities() -> Set<String> {
        var out = Set<String>()
        for (rule, specs) in windows {
            for (k, keys) in specs.enumerated() {
                for list in keys.values {
                    for w in list { out.insert(identity(ruleIDs[rule], k, w)) }
                }
            }
        }
        return out
    }

    func identity(_ rule: String, _ spec: Int, _ w: Window) -> String {
        "\(rule)|\(spec)|\(w.key)|\(openedEventID(w) ?? String(w.open))|\(w.close)"
    }

    /// The id of the event that opened `w`, nil when it has none.
    func openedEventID(_ w: Window) -> String? { w.openedHasEventID ? triggers[Int(w.opened)].eventID : nil }

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

    /// What one trigger event gives each of its uses, worked out from its text (keys and instances read lineage, so
    /// this is the costly part): prepared for a block of triggers on several threads, then applied in time order.
    struct Prepared {
        struct Use {
            var instance: String?
            var keys: [String]?
            var account: String?
            /// A closing trigger whose instance template gives nothing closes nothing; a use of a rule that cannot
            /// match (`liveRules`) neither opens nor closes.
            var skip = false
        }
        /// The event's id, as its evidence gives it.
        var eventID: String?
        var uses: [Use] = []
    }

    static func prepare(_ trigger: TriggerEvent, rules: RuleSet, context: EventContext, live: Set<Int>) -> Prepared? {
        guard let uses = rules.triggerUses[trigger.rule], uses.contains(where: { isLive($0, live) }), let text = trigger.text
        else { return nil }
        return EventParser.withEvent(text, index: trigger.index) { event -> Prepared in
            context.reset(event)
            var out = Prepared(eventID: event.member("eventID")?.scalarText)
            for use in uses {
                let rule = rules.rules[use.rule]
                var u = Prepared.Use()
                guard isLive(use, live) else {
                    u.skip = true
                    out.uses.append(u)
                    continue
                }
                switch use.role {
                case .opens:
                    let spec = rule.windows[use.spec]
                    let t = spec.openedBy[use.trigger]
                    u.instance = t.instance?.values(context).first
                    if rules.windowPerAccount[use.rule][use.spec] { u.account = event.member(.recipientAccountId)?.scalarText }
                    u.keys = t.key?.values(context) ?? []
                case .closes:
                    let t = rule.windows[use.spec].closedBy[use.trigger]
                    u.instance = t.instance?.values(context).first
                    u.skip = t.instance != nil && u.instance == nil
                    u.keys = t.key.map { $0.values(context) }
                case .absent:
                    u.keys = rule.absence!.keys.values(context)
                case .awaited:
                    u.keys = rule.absence!.of[use.trigger].key?.values(context) ?? []
                }
                out.uses.append(u)
            }
            return out
        }
    }

    /// Whether a trigger's use counts: absence uses always, window uses when their rule is in `live`.
    static func isLive(_ use: RuleSet.TriggerUse, _ live: Set<Int>) -> Bool {
        switch use.role {
        case .opens, .closes: live.contains(use.rule)
        case .absent, .awaited: true
        }
    }

    /// The window rules that can count an event: each of their `state:` entries is opened by a rule that one of
    /// `triggers` matched. An event counts only inside a window of every entry, so a rule with an entry nothing can
    /// open can match nothing, and its other entries' windows would be built for no use. (Every role assumption opens
    /// a window of `role_reassumed_after_revocation`'s second entry, and its first needs a revocation, which most logs
    /// never hold: those windows were most of the windows, each key a walk of the lineage.)
    static func liveRules(_ triggers: some Sequence<TriggerEvent>, rules: RuleSet) -> Set<Int> {
        liveRules(triggerRules: Set(triggers.lazy.map(\.rule)), rules: rules)
    }

    /// The same from the rules (detections) the trigger events matched.
    static func liveRules(triggerRules: Set<Int>, rules: RuleSet) -> Set<Int> {
        var opened: [Int: Set<Int>] = [:]
        for r in triggerRules {
            for use in rules.triggerUses[r] ?? [] where use.role == .opens { opened[use.rule, default: []].insert(use.spec) }
        }
        return Set(opened.compactMap { rule, specs in specs.count == rules.rules[rule].windows.count ? rule : nil })
    }

    /// Puts `items` in the order `order` names (`items[i]` becomes the old `items[order[i]]`), in place: each cycle
    /// of the permutation followed once, each item moved once.
    static func permute<C: MutableCollection>(_ items: inout C, _ order: [Int]) where C.Index == Int {
        var placed = [Bool](repeating: false, count: items.count)
        for start in items.indices where !placed[start] {
            let first = items[start]
            var i = start
            while true {
                placed[i] = true
                let j = order[i]
                if j == start {
                    items[i] = first
                    break
                }
                items[i] = items[j]
                i = j
            }
        }
    }

    /// Builds the windows and absence findings. `triggers` are the first pass's trigger events; `latest` the latest
    /// event time seen (an absence is reported only once the logs cover its whole wait). The triggers' keys are worked
    /// out on `threads` threads, a block at a time; the windows are opened and closed in time order on this one.
    static func build(
        triggers input: consuming Blocks<TriggerEvent>, rules: RuleSet, lineage: LineageMap?, latest: Int64, threads: Int = 1
    ) -> WindowIndex {
        let index = WindowIndex(rules: rules, lineage: lineage)
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
        // Positions sorted, then the events put in that order in place: a trigger event is a large value with
        // several references, and a sort of the events themselves moved each one many times (a fifth of this
        // function); a sorted copy held every trigger twice at the scan's peak (when the caller gives its list up).
        let order = input.indices.sorted { input[$0] < input[$1] }
        index.triggers = input
        input = Blocks()
        Self.permute(&index.triggers, order)
        let triggers = index.triggers
        let live = liveRules(triggers, rules: rules)
        let workers = max(1, threads)
        let contexts = (0..<workers).map { _ in EventContext(catalog: rules.catalog, lineage: lineage) }
        let block = 2048
        var blockStart = 0
        while blockStart < triggers.count {
            let blockEnd = min(triggers.count, blockStart + block)
            let from = blockStart
            let prepared = concurrentMap(count: blockEnd - blockStart, threads: workers) { w, i in
                prepare(triggers[from + i], rules: rules, context: contexts[w], live: live)
            }
            for n in blockStart..<blockEnd {
                guard let p = prepared[n - blockStart], let uses = rules.triggerUses[triggers[n].rule] else { continue }
                let trigger = triggers[n]
                for (use, u) in zip(uses, p.uses) {
                    let rule = rules.rules[use.rule]
                    if u.skip && use.role == .opens { continue }
                    switch use.role {
                    case .opens:
                        let spec = rule.windows[use.spec]
                        for key in u.keys ?? [] {
                            var list = index.windows[use.rule]![use.spec][key] ?? []
                            // Already open (for this instance): the first opening stands.
                            if list.contains(where: { $0.instance == u.instance && $0.open <= trigger.time && trigger.time < $0.close }) {
                                continue
                            }
                            list.append(
                                Window(
                                    key: key, instance: u.instance, open: trigger.time,
                                    close: spec.lasts.map { trigger.time + $0 } ?? .max, openedHasEventID: p.eventID != nil,
                                    opened: Int32(n), closed: nil, account: u.account,
                                    openedByRule: rules.rules[trigger.rule].id, endsOnItsOwn: spec.lasts != nil))
                            index.windows[use.rule]![use.spec][key] = list
                            index.count += 1
                        }
                    case .closes:
                        if u.skip { continue }
                        let keys = u.keys ?? Array(index.windows[use.rule]![use.spec].keys)
                        for key in keys {
                            guard var list = index.windows[use.rule]![use.spec][key] else { continue }
                            for w in list.indices
                            where list[w].open <= trigger.time && trigger.time < list[w].close
                                && (u.instance == nil || list[w].instance == u.instance)
                            {
                                list[w].close = trigger.time
                                list[w].closed = Int32(n)
                            }
                            index.windows[use.rule]![use.spec][key] = list
                        }
                    case .absent:
                        for key in u.keys ?? [] {
                            pending[use.rule, default: [:]][key, default: []].append(Pending(time: trigger.time, key: key, trigger: n))
                        }
                    case .awaited:
                        let spec = rule.absence!
                        for key in u.keys ?? [] {
                            guard var list = pending[use.rule]?[key] else { continue }
                            for q in list.indices where list[q].time <= trigger.time && trigger.time <= list[q].time + spec.within {
                                list[q].resolved = true
                            }
                            pending[use.rule]![key] = list
                        }
                    }
                }
            }
            blockStart = blockEnd
        }
        // A live rule whose entry still opened nothing (its keys gave no value) can match nothing either: its other
        // entries' windows are dropped, so every window kept (and every identity a state file keeps) can count.
        for (rule, specs) in index.windows where specs.contains(where: \.isEmpty) && specs.contains(where: { !$0.isEmpty }) {
            index.count -= specs.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } }
            index.windows[rule] = Array(repeating: [:], count: specs.count)
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
