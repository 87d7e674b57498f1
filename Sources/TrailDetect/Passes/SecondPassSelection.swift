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
    /// A span of time: the earliest opening and the latest end of the windows a key or user name is in.
    struct Span {
        var open: Int64
        var close: Int64
        static let none = Span(open: .max, close: .min)
        /// A key whose windows are not worked out (a cycle, a chain too long): its whole validity.
        static let always = Span(open: .min, close: .max)
        var isEmpty: Bool { open > close }
        func union(_ o: Span) -> Span { Span(open: min(open, o.open), close: max(close, o.close)) }
        mutating func formUnion(_ o: Span) { self = union(o) }
    }

    /// With `skipping`, the windows with those identities are left out (earlier files were checked against them).
    init(windows: WindowIndex, lineage: LineageMap, skipping known: Set<String> = [], rules: RuleSet? = nil) {
        // Each segment of a window's key (a key id, a user name, ...), with the span of the windows it is in.
        var tokens: [String: Span] = [:]
        // A rule's events must be inside a window of each of its `state:` entries, so the first entry's windows are
        // enough to choose files, and a rule with an entry that never opened can match nothing.
        for (rule, specs) in windows.windows where specs.allSatisfy({ !$0.isEmpty }) {
            // Skipping the first entry's known windows is right only when the rule's other entries are as they were:
            // an earlier file's event counts inside a window of every entry, so a new window of another entry (one
            // opened by an event delivered late) can make it count inside a first-entry window known before.
            let ruleID = rules?.rules[rule].id
            var skipKnown = !known.isEmpty && ruleID != nil
            if skipKnown {
                skipKnown = !specs.indices.dropFirst().contains { k in
                    specs[k].values.contains { list in list.contains { !known.contains(windows.identity(ruleID!, k, $0)) } }
                }
            }
            for (key, list) in specs[0] {
                let print = FileKeys.fingerprint(key)
                for w in list {
                    if skipKnown, known.contains(windows.identity(ruleID!, 0, w)) { continue }
                    probes.append(Probe(print: print, open: w.open, close: w.close))
                    for t in key.split(separator: "/") {
                        tokens[String(t), default: .none].formUnion(Span(open: w.open, close: w.close))
                    }
                }
            }
        }
        guard !probes.isEmpty else { return }
        // A temporary key is related when a link of its chain was minted by a key a window names, or its chain's
        // root is a user a window names; its events can count only while it is valid and one of those windows is
        // open (a session that expired before its user was contained is not read for). Worked out once per
        // issuance, each from its parent's answer (a chain per issuance cost more than the rest of the selection):
        // the span of the windows met along its chain.
        var memo = [Span?](repeating: nil, count: lineage.count)
        var working = [Bool](repeating: false, count: lineage.count)
        func related(_ n: Int, depth: Int) -> Span {
            if let known = memo[n] { return known }
            // A cycle ends the chain, and past the length `chain` follows no answer is kept: read files rather than
            // miss one.
            if working[n] || depth >= 16 { return .always }
            working[n] = true
            defer { working[n] = false }
            var span = Span.none
            let parentKey = lineage.parentKey(n)
            if let k = parentKey, let s = tokens[k] { span.formUnion(s) }
            if let k = parentKey,
                let parent = lineage.issuanceIndex(of: k, account: lineage.account(n), at: lineage.issuedAt(n))
            {
                span.formUnion(related(parent, depth: depth + 1))
            } else if let user = Enrichment.lastSegment(lineage.parentPrincipal(n), after: ":user/"), let s = tokens[user] {
                span.formUnion(s)
            }
            memo[n] = span
            return span
        }
        for n in 0..<lineage.count {
            let span = related(n, depth: 0)
            guard !span.isEmpty else { continue }
            let open = max(lineage.issuedAt(n) - 1, span.open)
            let close = min(lineage.expiresAt(n) + 1, span.close)
            guard open <= close else { continue }
            derived.append(
                Probe(print: FileKeys.fingerprint("cred:\(lineage.account(n))/\(lineage.childKey(n))"), open: open, close: close))
        }
    }

    func needs(_ file: FileKeys) -> Bool {
        for w in probes where file.overlaps(w.open, w.close) && file.mayContain(w.print) { return true }
        for d in derived where file.overlaps(d.open, d.close) && file.mayContain(d.print) { return true }
        return false
    }
}
