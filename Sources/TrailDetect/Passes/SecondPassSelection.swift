import TrailReader

/// Chooses the files the second pass must read: those whose keys may meet an open window while it is open, directly
/// or through a temporary key minted from a credential the windows name.
struct SecondPassSelection {
    /// A key fingerprint and the time span in which a file holding it must be read.
    struct Probe {
        let print: UInt32
        let open: Int64
        let close: Int64
    }
    var probes: [Probe] = []
    /// Temporary keys whose lineage leads to a credential or user a window names: `cred:` fingerprints and validity.
    var derived: [Probe] = []

    /// With `skipping`, the windows with those identities are left out (earlier files were checked against them).
    init(windows: WindowIndex, lineage: LineageMap, skipping known: Set<String> = [], rules: RuleSet? = nil) {
        var tokens = Set<String>()
        // A rule's events must be inside a window of each of its `state:` entries, so the first entry's windows are
        // enough to choose files, and a rule with an entry that never opened can match nothing.
        for (rule, specs) in windows.windows where specs.allSatisfy({ !$0.isEmpty }) {
            for (key, list) in specs[0] {
                let print = FileKeys.fingerprint(key)
                for w in list {
                    if !known.isEmpty, let rules, known.contains(WindowIndex.identity(rules.rules[rule].id, 0, w)) { continue }
                    probes.append(Probe(print: print, open: w.open, close: w.close))
                    for t in key.split(separator: "/") { tokens.insert(String(t)) }
                }
            }
        }
        guard !probes.isEmpty else { return }
        // A temporary key is related when a link of its chain was minted by a key a window names, or its chain's
        // root is a user a window names. Worked out once per issuance, each from its parent's answer (a chain per
        // issuance cost more than the rest of the selection).
        let all = lineage.all
        var memo = [UInt8](repeating: 0, count: all.count)  // 0 unknown, 1 related, 2 not, 3 being worked out
        func related(_ n: Int, depth: Int) -> Bool {
            switch memo[n] {
            case 1: return true
            case 2: return false
            case 3: return true  // a cycle: ends the chain; read files rather than miss one
            default: break
            }
            // Past the length `chain` follows, answer yes without keeping it (only longer chains get here).
            if depth >= 16 { return true }
            memo[n] = 3
            let x = all[n]
            var answer: Bool
            if let k = x.parentKey, tokens.contains(k) {
                answer = true
            } else if let k = x.parentKey, let parent = lineage.issuanceIndex(of: k, account: x.account, at: x.issuedAt) {
                answer = related(parent, depth: depth + 1)
            } else {
                answer = Enrichment.lastSegment(x.parentPrincipal, after: ":user/").map { tokens.contains($0) } ?? false
            }
            memo[n] = answer ? 1 : 2
            return answer
        }
        for n in all.indices where related(n, depth: 0) {
            let issuance = all[n]
            derived.append(
                Probe(
                    print: FileKeys.fingerprint("cred:\(issuance.account)/\(issuance.childKey)"),
                    open: issuance.issuedAt - 1, close: issuance.expiresAt + 1))
        }
    }

    func needs(_ file: FileKeys) -> Bool {
        for w in probes where file.overlaps(w.open, w.close) && file.mayContain(w.print) { return true }
        for d in derived where file.overlaps(d.open, d.close) && file.mayContain(d.print) { return true }
        return false
    }
}
