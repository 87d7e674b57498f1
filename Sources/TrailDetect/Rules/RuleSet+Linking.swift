extension RuleSet {
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
            func resolve(_ ref: String, from i: Int, perEvent: Bool) -> Int {
                guard let j = byName[ref] else {
                    errors.append(DetectError(.rule, file: rules[i].file, "rule '\(rules[i].id)' refers to '\(ref)', which is not a loaded rule's name or id"))
                    bad = i
                    return -1
                }
                if perEvent && rules[i].correlation == nil && Self.readsOrigin(rules[j]) {
                    errors.append(DetectError(.rule, file: rules[i].file, "rule '\(rules[i].id)' refers to '\(ref)', whose detection reads trailhound.origin.*; rules that open, close or are awaited are matched before lineage is known (use trailhound.origin.* in keys instead)"))
                    bad = i
                    return -1
                }
                if perEvent && !rules[j].isPerEvent {
                    errors.append(DetectError(.unsupported, file: rules[i].file, "rule '\(rules[i].id)' refers to '\(ref)', a correlation or stateful rule (chaining is not supported)"))
                    bad = i
                    return -1
                }
                return j
            }
            for i in rules.indices where bad == nil {
                if var c = rules[i].correlation {
                    c.ruleIndexes = c.rules.map { resolve($0, from: i, perEvent: true) }
                    for name in c.groupBy where c.aliases[name] != nil {
                        for (k, b) in c.ruleIndexes.enumerated() where b >= 0 && c.field(name, rule: rules[b]) == nil {
                            errors.append(DetectError(.rule, file: rules[i].file, "alias '\(name)' has no field for rule '\(c.rules[k])'"))
                            bad = i
                        }
                    }
                    rules[i].correlation = c
                }
                for k in rules[i].windows.indices {
                    for t in rules[i].windows[k].openedBy.indices {
                        rules[i].windows[k].openedBy[t].ruleIndex = resolve(rules[i].windows[k].openedBy[t].rule, from: i, perEvent: true)
                    }
                    for t in rules[i].windows[k].closedBy.indices {
                        rules[i].windows[k].closedBy[t].ruleIndex = resolve(rules[i].windows[k].closedBy[t].rule, from: i, perEvent: true)
                    }
                }
                if rules[i].absence != nil {
                    for t in rules[i].absence!.of.indices {
                        rules[i].absence!.of[t].ruleIndex = resolve(rules[i].absence!.of[t].rule, from: i, perEvent: true)
                    }
                }
            }
            guard let drop = bad else { return (rules, errors) }
            rules.remove(at: drop)
        }
    }
}
