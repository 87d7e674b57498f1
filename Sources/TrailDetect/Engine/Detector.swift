import TrailReader

/// Runs the rules over events. One per worker thread; findings are gathered per file and merged in file order, so
/// results do not depend on the thread count.
///
/// A scan has up to two passes (see `Analysis`). The first checks the rules that decide per event, and keeps what
/// later stages need: credential issuances (lineage), the events that open and close windows, and the matches that
/// correlation rules count. The second, once lineage and windows are complete, checks the rules whose events count
/// only inside a window and the rules that read `trailhound.origin.*`.
public final class Detector {
    public enum Pass: Sendable {
        /// Per-event rules, lineage, window triggers and correlation matches.
        case first
        /// Rules that need lineage or windows.
        case second
        /// Every per-event rule at once, with whatever lineage was given (tests and one-shot checks).
        case all
    }

    public let rules: RuleSet
    let pass: Pass
    let context: EventContext
    let windows: WindowIndex?
    /// Findings of the current file, in the order first seen; found again through a hash of their group key, so a
    /// repeat match costs no SHA-256 and no allocation.
    var builders: [FindingBuilder] = []
    var keys: [[UInt8]] = []
    var byHash: [Int: [Int]] = [:]
    var scratch: [UInt8] = []
    var output = DetectorOutput()
    /// Correlation groups whose values this file already named.
    var signalGroupsSeen = Set<UInt64>()
    /// Identities whose keys are already in this file's `FileKeys`.
    let fingerprinted = HashSet64()
    /// First pass: the key hashes of the identity-keyed `state:` rules by identity hash, across files; the pass
    /// sets one cache shared by its workers.
    var identityKeys = SharedIdentityCache<[UInt64]>()
    /// The hash of the current event's identity members, computed once per event when needed.
    var identityHash: UInt64?
    /// Second pass: `originLink` of the current event, computed once per event when needed.
    var originLinkIndex: Int?
    /// Second pass: per identity and origin (hashed together), which identity-keyed `state:` rules it has a key of a
    /// window of: bit `slot` of the low half says the answer is known, of the high half what it is (`RuleSet
    /// .identityWindowSlot`). Kept across files, at most `identityMayJoinLimit` entries: the identities a worker
    /// meets again and again, without a lock; the rest are in the windows' cache that the workers share. (Both at
    /// their earlier sizes, 65,536 and 131,072 entries, held 6 MB at the scan's peak on a day of heavy STS, and
    /// were no faster.)
    var identityMayJoin: [UInt64: UInt64] = [:]
    static let identityMayJoinLimit = 1 << 12
    public private(set) var evaluated = 0

    static let defaultGroupBy: [RuleField] = [
        RuleField("recipientAccountId")!, RuleField("userIdentity.arn")!, .derived(.targetUserName),
    ]

    public convenience init(rules: RuleSet, lineage: LineageMap? = nil, pass: Pass = .all) {
        self.init(rules: rules, lineage: lineage, windows: nil, pass: pass)
    }

    /// A detector for the second pass, which needs the windows the first pass opened.
    init(rules: RuleSet, lineage: LineageMap?, windows: WindowIndex?, pass: Pass) {
        self.rules = rules
        self.pass = pass
        self.windows = windows
        context = EventContext(catalog: rules.catalog, lineage: lineage)
    }

    /// Checks one event against the rules that can match it.
    public func process(_ event: Event, file: String) {
        switch pass {
        case .first:
            let nameHash = RuleIndex.nameHash(event)
            if let h = nameHash, issuingAPIs.contains(h), let issuance = CredentialIssuance(event) {
                output.issuances.append(issuance)
            }
            let early = rules.early.mayMatch(event, nameHash: nameHash)
            let trigger = rules.triggers.mayMatch(event, nameHash: nameHash)
            let keyed = rules.keyedWindowRules.mayMatch(event, nameHash: nameHash)
            let identity = !rules.identityWindowRules.isEmpty
            if rules.hasAbsence || keyed || identity, let t = event.eventTime {
                if t > output.latestEventTime { output.latestEventTime = t }
                if keyed || identity { output.fileKeys.saw(t) }
            }
            guard early || trigger || keyed || identity else { return }
            context.reset(event)
            identityHash = nil
            if identity { fingerprintIdentity(event) }
            if trigger { rules.triggers.candidates(event, nameHash: nameHash) { keepTrigger($0, event, file) } }
            if early { rules.early.candidates(event, nameHash: nameHash) { check($0, file) } }
            if keyed { rules.keyedWindowRules.candidates(event, nameHash: nameHash) { fingerprint($0, event) } }
        case .second:
            guard rules.late.mayMatch(event) else { return }
            context.reset(event)
            identityHash = nil
            originLinkIndex = nil
            rules.late.candidates(event) { check($0, file) }
        case .all:
            let early = rules.early.mayMatch(event)
            let late = rules.late.mayMatch(event)
            guard early || late else { return }
            context.reset(event)
            if early { rules.early.candidates(event) { check($0, file) } }
            if late { rules.late.candidates(event) { check($0, file) } }
        }
    }

    /// The `eventName` hashes of the STS calls that issue credentials (per detector: a static would cost a lazy
    /// global's check and a retain per event).
    let issuingAPIs: HashSet64 = {
        let t = HashSet64()
        for api in CredentialIssuance.apis { t.insert(RuleSet.hash(Array(api.utf8))) }
        return t
    }()

    /// First pass: the event's identity (`userIdentity` and `recipientAccountId`, as raw bytes), hashed once per
    /// event; computed for the first event of each identity in the file.
    func computeIdentityHash(_ event: Event) -> UInt64 {
        if let h = identityHash { return h }
        var h: UInt64 = 0x5151
        if let v = event.member(.userIdentity) { h = FastHash.mixWide(h, v.bytes) }
        if let v = event.member(.recipientAccountId) { h = FastHash.mix(h, v.bytes) }
        identityHash = h
        return h
    }

    /// Second pass: the position in the lineage of the issuance of the event's access key valid at the event's time
    /// (-1 for none): the first link of its origin chain (`Enrichment.signingKey`), which with the identity decides
    /// its origin. Computed once per event.
    func originLink(_ event: Event) -> Int {
        if let known = originLinkIndex { return known }
        var n = -1
        if let lineage = context.lineage, let time = event.eventTime,
            let (key, account) = Enrichment.signingKey(
                event, Enrichment.IdentityMembers(event.member(.userIdentity), cache: context.identityMembers))
        {
            n = lineage.issuanceIndex(of: key, account: account, at: time) ?? -1
        }
        originLinkIndex = n
        return n
    }

    /// First pass: adds the keys of every identity-keyed `state:` rule for the event's identity to the file's
    /// fingerprint, once per distinct identity in the file. The keys depend on the identity alone (and lineage is not
    /// known yet), so they are kept per identity across files: the same users and roles recur all day, and working
    /// their keys out again (the actor and origin fields) cost more than the rest of the fingerprint.
    func fingerprintIdentity(_ event: Event) {
        let identity = computeIdentityHash(event)
        guard fingerprinted.insert(identity) else { return }
        // Only the cache the pass's workers share: it is asked once per identity and file (the lock is cheap at that
        // rate), and a copy per worker held every identity's keys once more (a megabyte per 100 k events of
        // STS-heavy logs). A busy day has tens of thousands of identities (each role session is one): the cache
        // keeps 2^17 of them before it starts afresh.
        if let known = identityKeys.value(identity) {
            for h in known { output.fileKeys.insert(hash: h) }
            return
        }
        var hashes: [UInt64] = []
        for template in rules.identityTemplates { template.forEachKeyHash(context) { hashes.append($0) } }
        if let h = credentialKeyHash(event) { hashes.append(h) }
        for h in hashes { output.fileKeys.insert(hash: h) }
        identityKeys.update(identity, initial: []) { $0 = hashes }
    }

    /// Adds `cred:<account>/<access key>` to the file's fingerprint: the key's origin, known only after the first
    /// pass, may be a credential a window names.
    func fingerprintCredential(_ event: Event) {
        if let h = credentialKeyHash(event) { output.fileKeys.insert(hash: h) }
    }

    /// The hash of `cred:<account>/<access key>` from the raw bytes, as `FileKeys` hashes strings.
    func credentialKeyHash(_ event: Event) -> UInt64? {
        guard let key = event.member(.userIdentity)?.member("accessKeyId")?.rawStringContents, key.count > 0 else { return nil }
        var h = FileKeys.fnvOffset
        for b in "cred:".utf8 { h = FileKeys.fnv(h, b) }
        if let account = event.member(.recipientAccountId)?.rawStringContents { for b in account { h = FileKeys.fnv(h, b) } }
        h = FileKeys.fnv(h, 0x2F)
        for b in key { h = FileKeys.fnv(h, b) }
        return h
    }

    /// First pass, `state:` rule `i`: adds the keys the event would join windows with to the file's `FileKeys`
    /// (lineage is not known yet, so also its access key, whose origin may turn out to be another). Keys are
    /// computed once per rule and distinct identity in the file (the raw members the keys depend on), not per event.
    func fingerprint(_ i: Int, _ event: Event) {
        evaluated += 1
        var h = computeIdentityHash(event) ^ (UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15)
        for name in rules.keyMembers[i] {
            if let v = name.withUnsafeBytes({ event.member($0) }) { h = FastHash.mix(h, v.bytes) } else { h = FastHash.mix(h, UnsafeRawBufferPointer(start: nil, count: 0)) }
        }
        guard !fingerprinted.contains(h), rules.detectionReadsOrigin[i] || rules.detections[i].matches(context) else { return }
        fingerprinted.insert(h)
        for spec in rules.windowSpecs[i] {
            for template in spec.keys { template.forEachKeyHash(context) { output.fileKeys.insert(hash: $0) } }
        }
        fingerprintCredential(event)
    }

    func keepTrigger(_ i: Int, _ event: Event, _ file: String) {
        evaluated += 1
        // An event whose eventTime is not a time (the reader reports it) cannot open or close a window at a time.
        guard let time = event.eventTime, rules.detections[i].matches(context) else { return }
        output.triggers.append(
            TriggerEvent(
                rule: i, json: Array(event.bytes), file: file, index: event.index, time: time,
                id: CompactEventID(raw: event.member(.eventID)?.rawStringContents) { event.member(.eventID)?.scalarText }))
    }

    @inline(__always)
    func check(_ i: Int, _ file: String) {
        evaluated += 1
        // A window rule whose windows never opened cannot match: skip its detection.
        let hasState = !rules.windowSpecs[i].isEmpty
        if pass != .all, hasState {
            guard let windows, windows.hasWindows(rule: i) else { return }
            // A rule keyed by identity alone: whether this identity has a key of an open window is the same for all
            // its events with the same origin, so it is worked out once per identity and origin, before any
            // detection. The origin is the chain from the issuance of the event's key valid at its time: the same
            // session seen before it was issued (or after it expired) has none, and another answer.
            if rules.isIdentityWindowRule[i] {
                let event = context.event!
                let link = UInt64(bitPattern: Int64(originLink(event) + 1))
                let h = computeIdentityHash(event) ^ (link &* 0xC2B2_AE3D_27D4_EB4F)
                let slot = rules.identityWindowSlot[i]
                let may: Bool
                if slot < 32, let known = identityMayJoin[h], known & (1 << slot) != 0 {
                    may = known & (1 << (slot + 32)) != 0
                } else if slot < 32, let shared = windows.identityAnswers.value(h), shared & (1 << slot) != 0 {
                    // Another worker worked it out.
                    identityMayJoin[h, default: 0] |= shared
                    may = shared & (1 << (slot + 32)) != 0
                } else {
                    may = windows.mayJoin(rule: i, keys: rules.windowSpecs[i][0].keys.values(context))
                    if slot < 32 {
                        let bits: UInt64 = (1 << slot) | (may ? 1 << (slot + 32) : 0)
                        identityMayJoin[h, default: 0] |= bits
                        windows.identityAnswers.update(h, initial: 0) { $0 |= bits }
                    }
                }
                guard may else { return }
            }
        }
        guard rules.detections[i].matches(context) else { return }
        if let correlations = rules.correlationsByBase[i] { for c in correlations { signal(c, base: i, file) } }
        if hasState {
            let rule = rules.rules[i]
            guard let windows, let window = windows.window(for: i, rule: rule, context) else { return }
            // One finding per window (and per the rule's own group-by, when it has one).
            add(i, extra: [window.key, windows.openedEventID(window) ?? String(window.open)], groupBy: rule.groupBy, file: file) {
                $0.state = windows.describe(window)
            }
            return
        }
        guard !rules.silent.contains(i) else { return }
        add(i, extra: [], file: file) { _ in }
    }

    /// Adds the event to its finding (by the rule's group-by values, and `extra` values that split findings).
    func add(_ i: Int, extra: [String], groupBy explicit: [RuleField]? = nil, file: String, new: (inout FindingBuilder) -> Void) {
        let rule = rules.rules[i]
        let groupBy = explicit ?? (rule.groupBy.isEmpty ? Self.defaultGroupBy : rule.groupBy)
        scratch.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: UInt32(i).littleEndian) { scratch.append(contentsOf: $0) }
        for value in extra {
            scratch.append(contentsOf: value.utf8)
            scratch.append(0x1E)
        }
        for field in groupBy {
            _ = context.anyValue(field) { bytes in
                scratch.append(contentsOf: bytes)
                return true
            }
            scratch.append(0x1F)
        }
        let h = scratch.withUnsafeBytes { raw -> Int in
            var hasher = Hasher()
            hasher.combine(bytes: raw)
            return hasher.finalize()
        }
        if let candidates = byHash[h], let found = candidates.first(where: { keys[$0] == scratch }) {
            builders[found].add(context, file: file)
            return
        }
        let values = extra + groupBy.map { context.strings($0).first ?? "" }
        var builder = FindingBuilder(id: FindingBuilder.id(rule: rule.id, values: values), ruleIndex: i, title: title(i))
        new(&builder)
        builder.add(context, file: file)
        byHash[h, default: []].append(builders.count)
        keys.append(scratch)
        builders.append(builder)
    }

    /// Keeps a match of a rule that correlation `c` counts: a few numbers (group and value as hashes of their raw
    /// bytes, time, record), with the group's values as text once per file. The evidence is read again later, only
    /// for matches that make a finding (`Analysis`), so memory per match stays small.
    func signal(_ c: Int, base: Int, _ file: String) {
        guard let spec = rules.rules[c].correlation else { return }
        let event = context.event!
        // A match without a time (its eventTime is not one; the reader reports it) falls in no time window.
        guard let fields = rules.correlationFields[c][base], let time = event.eventTime else { return }
        // Stable hashes (the state file keeps them between runs).
        var group = rules.ruleSeeds[c]
        for field in fields.group {
            var part: UInt64 = 0
            if let field { _ = context.anyValue(field) { bytes in part = FastHash.mix(1, bytes); return true } }
            group = withUnsafeBytes(of: part) { FastHash.mix(group, $0) }
        }
        let groupHash = group
        var valueHash: UInt64 = 0
        if spec.kind == .valueCount {
            guard let field = fields.value else { return }
            guard context.anyValue(field, { bytes in valueHash = FastHash.mix(2, bytes); return true }) else { return }
        }
        if signalGroupsSeen.insert(groupHash).inserted {
            output.groupValues[groupHash] = fields.group.map { f in f.flatMap { context.strings($0).first } ?? "" }
        }
        output.signals.append(
            Signal(
                correlation: Int32(c), base: Int32(base), group: groupHash, value: valueHash, time: time,
                event: event.member(.eventID)?.rawStringContents.map { FindingBuilder.eventHash($0) } ?? 0,
                file: -1, record: Int32(truncatingIfNeeded: event.index)))
    }

    func title(_ i: Int) -> String { Self.title(rules, i, context) }

    /// Rule `i`'s finding title for the event in `context`: its `title-template` filled in (parsed once, in
    /// `RuleSet.titleParts`), else its title and the actor.
    static func title(_ rules: RuleSet, _ i: Int, _ context: EventContext) -> String {
        guard let parts = rules.titleParts[i] else {
            let rule = rules.rules[i]
            let who = context.strings(.derived(.actorArn)).first ?? context.strings(.derived(.actorType)).first
            return who.map { "\(rule.title): \($0)" } ?? rule.title
        }
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .field(let f): out += f.flatMap { context.strings($0).first } ?? "?"
            }
        }
        return out
    }

    /// The findings gathered since the last call, in the order first seen.
    public func take() -> [FindingBuilder] { takeAll().builders }

    /// Everything gathered since the last call.
    func takeAll() -> DetectorOutput {
        var out = output
        out.fileKeys.seal()
        out.builders = builders
        builders = []
        keys = []
        byHash = [:]
        output = DetectorOutput()
        signalGroupsSeen = []
        fingerprinted.removeAll()
        // `identityMayJoin` stays: the windows and lineage are fixed for the detector's life, so an identity's answer
        // holds in every file (the same users and sessions recur all day). Bounded like `identityKeys`.
        if identityMayJoin.count >= Self.identityMayJoinLimit { identityMayJoin.removeAll(keepingCapacity: true) }
        return out
    }
}
