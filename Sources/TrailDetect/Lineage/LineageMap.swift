import TrailReader

/// Temporary credentials and the credentials that minted them, keyed by account and key id. A temporary key id is
/// only unique with its secret and token, so lookups also need a time inside the key's validity window.
public struct LineageMap: Sendable {
    /// Every issuance, in the order added, as ids of its texts (no references: copying or walking one costs no
    /// retain/release), with the texts in `text`. The indexes below hold positions in it, keyed by a 64-bit hash of
    /// account and key (lookups compare the bytes, so a collision costs nothing but a comparison).
    var records: [Record] = []
    var text = LineageText()
    /// Issuances by child key and by parent key: each hash names the first and last position with it, and
    /// `childNext`/`parentNext` chain each position to the next one with the same hash (-1 ends a chain). Chains in
    /// two flat arrays, not an array per key: a year of role sessions is hundreds of thousands of keys.
    var childChains: [UInt64: Chain] = [:]
    var parentChains: [UInt64: Chain] = [:]
    var childNext: [Int32] = []
    var parentNext: [Int32] = []
    public var count: Int { records.count }
    /// Accounts with at least one issuance.
    public private(set) var accounts = Set<String>()

    /// An issuance as the ids of its texts in `text` (`LineageText.none` for a nil field): 64 bytes. The child
    /// principal is kept in two parts, up to its last `/` (an assumed role's ARN: shared by every session of the
    /// role) and the rest (the session name). An event id that is a UUID as CloudTrail writes it is kept as its bits
    /// (`eventID` is then `packedEventID`): its text and reference were 48 bytes.
    struct Record: Sendable {
        var issuedAt: Int64
        var expiresAt: Int64
        var api: UInt32
        var account: UInt32
        var childKey: UInt32
        var parentKey: UInt32
        var parentPrincipal: UInt32
        var childPrincipal: UInt32
        var childPrincipalTail: UInt32
        var eventID: UInt32
        var eventBits: (UInt64, UInt64) = (0, 0)

        func eventIDText(_ text: LineageText) -> String? {
            eventID == LineageMap.packedEventID
                ? CompactEventID.uuid(eventBits.0, eventBits.1).text : text.optionalString(eventID)
        }
    }

    /// `Record.eventID` of an event id kept as its bits.
    static let packedEventID = LineageText.none - 1

    struct Chain: Sendable {
        var first: Int32
        var last: Int32
    }

    /// The positions a chain links, in the order added.
    struct Positions: Sequence, IteratorProtocol {
        var at: Int32
        let links: [Int32]
        mutating func next() -> Int? {
            guard at >= 0 else { return nil }
            defer { at = links[Int(at)] }
            return Int(at)
        }
    }

    func positions(_ chain: Chain?, _ next: [Int32]) -> Positions { Positions(at: chain?.first ?? -1, links: next) }

    static func link(_ n: Int32, _ h: UInt64, _ chains: inout [UInt64: Chain], _ next: inout [Int32]) {
        if let c = chains[h] {
            next[Int(c.last)] = n
            chains[h] = Chain(first: c.first, last: n)
        } else {
            chains[h] = Chain(first: n, last: n)
        }
    }

    public init() {}

    /// The issuance at a position (its texts made into strings).
    subscript(position: Int) -> CredentialIssuance {
        let r = records[position]
        return CredentialIssuance(
            api: text.string(r.api), account: text.string(r.account), childKey: text.string(r.childKey),
            parentKey: text.optionalString(r.parentKey), parentPrincipal: text.string(r.parentPrincipal),
            childPrincipal: childPrincipal(r), issuedAt: r.issuedAt, expiresAt: r.expiresAt,
            eventID: r.eventIDText(text))
    }

    /// A record's child principal, its two parts joined (nil when it has none).
    private func childPrincipal(_ r: Record) -> String? {
        r.childPrincipal == LineageText.none ? nil : text.string(r.childPrincipal) + text.string(r.childPrincipalTail)
    }

    /// Issuance `position` as a finding lists it: a live temporary credential (the strings of `self[position]`
    /// that a finding shows, and no others; a finding lists up to 50).
    func credential(_ position: Int) -> Finding.Credential {
        let r = records[position]
        return Finding.Credential(
            accessKeyId: text.string(r.childKey), kind: "temporary", mintedBy: text.string(r.api),
            parentAccessKeyId: text.optionalString(r.parentKey), principal: childPrincipal(r),
            issuedAt: Timestamp.format(r.issuedAt), expiresAt: Timestamp.format(r.expiresAt),
            eventID: r.eventIDText(text))
    }

    func issuedAt(_ position: Int) -> Int64 { records[position].issuedAt }
    func expiresAt(_ position: Int) -> Int64 { records[position].expiresAt }
    func childKey(_ position: Int) -> String { text.string(records[position].childKey) }
    func account(_ position: Int) -> String { text.string(records[position].account) }
    func parentKey(_ position: Int) -> String? { text.optionalString(records[position].parentKey) }
    func parentPrincipal(_ position: Int) -> String { text.string(records[position].parentPrincipal) }

    /// Every issuance, grouped by child key (for merging maps built per file, in file order).
    public var byChildValues: [[CredentialIssuance]] {
        var groups: [String: [CredentialIssuance]] = [:]
        for n in records.indices {
            let i = self[n]
            groups[i.account + "/" + i.childKey, default: []].append(i)
        }
        return groups.keys.sorted().map { groups[$0]! }
    }

    /// Every issuance.
    public var issuances: [CredentialIssuance] { records.indices.map { self[$0] } }

    static func hash(_ account: String, _ id: String) -> UInt64 {
        var a = account
        var k = id
        return a.withUTF8 { a in k.withUTF8 { k in hash(UnsafeRawBufferPointer(a), UnsafeRawBufferPointer(k)) } }
    }

    @inline(__always)
    static func hash(_ account: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer) -> UInt64 {
        LineageText.hash(LineageText.hash(0xACC7, account), key)
    }

    /// The issuances of `key` (as a child) in `account`, in the order added.
    public func minted(_ key: String, account: String) -> [CredentialIssuance] {
        mintedIndexes(key, account: account).map { self[$0] }
    }

    /// `minted(_:account:)` as positions.
    func mintedIndexes(_ key: String, account: String) -> [Int] {
        positions(childChains[Self.hash(account, key)], childNext).filter {
            text.equals(records[$0].childKey, key) && text.equals(records[$0].account, account)
        }
    }

    /// The issuances `key` minted (as a parent) in `account`, in the order added.
    public func children(of key: String, account: String) -> [CredentialIssuance] {
        childIndexes(of: key, account: account).map { self[$0] }
    }

    /// `children(of:account:)` as positions.
    func childIndexes(of key: String, account: String) -> [Int] {
        positions(parentChains[Self.hash(account, key)], parentNext).filter {
            let p = records[$0].parentKey
            return p != LineageText.none && text.equals(p, key) && text.equals(records[$0].account, account)
        }
    }

    public mutating func add(_ i: CredentialIssuance) {
        if !isKnownUniquelyReferenced(&text) { text = text.copy() }
        var principal = LineageText.none
        var tail = LineageText.none
        if var p = i.childPrincipal {
            // Split on the bytes (after the last `/`, else at the start): no string made for either part.
            p.withUTF8 { b in
                var cut = b.count
                while cut > 0 && b[cut - 1] != UInt8(ascii: "/") { cut -= 1 }
                let bytes = UnsafeRawBufferPointer(b)
                principal = text.add(UnsafeRawBufferPointer(rebasing: bytes[..<cut]), intern: true)
                tail = text.add(UnsafeRawBufferPointer(rebasing: bytes[cut...]), intern: false)
            }
        }
        var r = Record(
            issuedAt: i.issuedAt, expiresAt: i.expiresAt, api: text.add(i.api, intern: true),
            account: text.add(i.account, intern: true), childKey: text.add(i.childKey),
            parentKey: i.parentKey.map { text.add($0, intern: true) } ?? LineageText.none,
            parentPrincipal: text.add(i.parentPrincipal, intern: true),
            childPrincipal: principal, childPrincipalTail: tail, eventID: LineageText.none)
        if let id = i.eventID {
            if case .uuid(let hi, let lo) = CompactEventID(id) {
                (r.eventID, r.eventBits) = (Self.packedEventID, (hi, lo))
            } else {
                r.eventID = text.add(id)
            }
        }
        let n = Int32(records.count)
        records.append(r)
        childNext.append(-1)
        parentNext.append(-1)
        Self.link(n, Self.hash(i.account, i.childKey), &childChains, &childNext)
        if let parent = i.parentKey { Self.link(n, Self.hash(i.account, parent), &parentChains, &parentNext) }
        if !accounts.contains(i.account) { accounts.insert(i.account) }
    }

    /// The position of the issuance of `key` valid at `time` (as `issuance(of:account:at:)`).
    func issuanceIndex(of key: String, account: String, at time: Int64) -> Int? {
        guard let chain = childChains[Self.hash(account, key)] else { return nil }
        var best: Int?
        for n in positions(chain, childNext) {
            let r = records[n]
            guard r.issuedAt <= time && time <= r.expiresAt, text.equals(r.childKey, key), text.equals(r.account, account)
            else { continue }
            if best == nil || r.issuedAt > records[best!].issuedAt { best = n }
        }
        return best
    }

    /// The issuance of `key` valid at `time` (the latest issued before it), if any.
    public func issuance(of key: String, account: String, at time: Int64) -> CredentialIssuance? {
        issuanceIndex(of: key, account: account, at: time).map { self[$0] }
    }

    /// The chain from `key` up to its origin: each issuance, child first. The origin is the last one's parent
    /// (a long-term key, or a principal whose minting is not in the logs). Ends on cycles and after `limit` links.
    public func chain(of key: String, account: String, at time: Int64, limit: Int = 16) -> [CredentialIssuance] {
        chainIndexes(of: key, account: account, at: time, limit: limit).map { self[$0.position] }
    }

    /// `chain(of:account:at:limit:)` as positions, each with its parent key (nil ends the chain): what the
    /// enrichment of every event in a window reads, without making the rest of each issuance's strings.
    func chainIndexes(of key: String, account: String, at time: Int64, limit: Int = 16) -> [(position: Int, parentKey: String?)] {
        var out: [(position: Int, parentKey: String?)] = []
        var seen = Set<String>()
        var current = key
        var when = time
        while out.count < limit, seen.insert(current).inserted,
            let n = issuanceIndex(of: current, account: account, at: when)
        {
            let parent = parentKey(n)
            out.append((n, parent))
            guard let parent else { break }
            current = parent
            when = records[n].issuedAt
        }
        return out
    }

    /// The long-term key (or, failing that, the principal) at the root of `key`'s chain.
    public func origin(of key: String, account: String, at time: Int64) -> String? {
        guard let last = chainIndexes(of: key, account: account, at: time).last else { return nil }
        return last.parentKey ?? parentPrincipal(last.position)
    }

    /// The IAM user at the root of `key`'s chain (the user whose key minted it, through any depth), with that user's
    /// account (from its ARN); nil when the chain does not end at an IAM user.
    public func originUser(of key: String, account: String, at time: Int64) -> (name: String, account: String)? {
        guard let root = chainIndexes(of: key, account: account, at: time).last else { return nil }
        let parts = parentPrincipal(root.position).split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[5].hasPrefix("user/"), let user = parts[5].split(separator: "/").last else { return nil }
        return (String(user), String(parts[4]))
    }

    /// Every credential minted from `key`, directly or through others, breadth first.
    public func descendants(of key: String, account: String, limit: Int = 10_000) -> [CredentialIssuance] {
        descendantIndexes(of: key, account: account, limit: limit).map { self[$0] }
    }

    /// `descendants(of:account:limit:)` as positions: walked through the index on the texts' bytes, without making
    /// a string or copying an issuance (a user who assumed roles all year has thousands, and each finding of theirs
    /// walks them). Each child key is taken once (its first issuance met), as the key it descends from.
    func descendantIndexes(of key: String, account: String, limit: Int = 10_000) -> [Int] {
        var out: [Int] = []
        // Child keys met: by hash, the position that holds the key (compared byte for byte; a different key with the
        // same hash goes to `collided`).
        var seen: [UInt64: Int32] = [:]
        var collided = Set<String>()
        var k = key
        var a = account
        k.withUTF8 { keyBytes in
            a.withUTF8 { accountBytes in
                let root = UnsafeRawBufferPointer(keyBytes)
                let acct = UnsafeRawBufferPointer(accountBytes)
                let accountSeed = LineageText.hash(0xACC7, acct)
                // Whether child key `id` was met before, and marks it met.
                func firstMeeting(_ id: UInt32, at n: Int) -> Bool {
                    let bytes = text.bytes(id)
                    if text.equals(id, root) { return false }
                    let h = LineageText.hash(0x5EE, bytes)
                    if let p = seen[h] {
                        if text.equals(records[Int(p)].childKey, bytes) { return false }
                        return collided.insert(text.string(id)).inserted
                    }
                    seen[h] = Int32(n)
                    return true
                }
                // Children of the key with these bytes, in the order added.
                func visit(_ parent: UnsafeRawBufferPointer) -> Bool {
                    let chain = parentChains[LineageText.hash(accountSeed, parent)]
                    for i in positions(chain, parentNext) {
                        let r = records[i]
                        guard r.parentKey != LineageText.none, text.equals(r.parentKey, parent), text.equals(r.account, acct),
                            firstMeeting(r.childKey, at: i)
                        else { continue }
                        out.append(i)
                        if out.count >= limit { return false }
                    }
                    return true
                }
                guard visit(root) else { return }
                var head = 0
                while head < out.count, out.count < limit {
                    let next = text.bytes(records[out[head]].childKey)
                    head += 1
                    guard visit(next) else { return }
                }
            }
        }
        return out
    }

    /// The first pass over the logs: every issuance, merged in file order (so the map is the same for any thread
    /// count), and the keys `root` picks out of events (a principal's own keys, for `trace`). Each file's report goes
    /// to `report`.
    public static func build(
        _ files: [InputFile], using parallel: ParallelReader, root: (@Sendable (Event) -> String?)? = nil,
        report: (FileReport) -> Void = { _ in }
    ) -> (LineageMap, Set<String>) {
        var map = LineageMap()
        var roots = Set<String>()
        parallel.run(
            files,
            process: { file, fileReader, emit in
                var partial = LineageMap()
                var partialRoots = Set<String>()
                let fileReport = fileReader.read(file) { event in
                    if let issuance = CredentialIssuance(event) { partial.add(issuance) }
                    if let key = root?(event) { partialRoots.insert(key) }
                }
                emit((partial, partialRoots), 0)
                return fileReport
            },
            consume: { _, item in
                switch item {
                case .output(let (partial, partialRoots)):
                    for list in partial.byChildValues { for i in list { map.add(i) } }
                    roots.formUnion(partialRoots)
                case .done(let r):
                    report(r)
                }
            })
        return (map, roots)
    }
}
