import TrailReader

/// Temporary credentials and the credentials that minted them, keyed by account and key id. A temporary key id is
/// only unique with its secret and token, so lookups also need a time inside the key's validity window.
public struct LineageMap: Sendable {
    /// Every issuance, in the order added. The indexes below hold positions in it, keyed by a 64-bit hash of
    /// account and key (lookups compare the fields, so a collision costs nothing but a comparison): a map of a
    /// year's STS calls is mostly these records, so nothing is stored twice.
    var all: [CredentialIssuance] = []
    /// Issuances by child key and by parent key: each hash names the first and last position with it, and
    /// `childNext`/`parentNext` chain each position to the next one with the same hash (-1 ends a chain). Chains in
    /// two flat arrays, not an array per key: a year of role sessions is hundreds of thousands of keys.
    var childChains: [UInt64: Chain] = [:]
    var parentChains: [UInt64: Chain] = [:]
    var childNext: [Int32] = []
    var parentNext: [Int32] = []
    public var count: Int { all.count }
    /// Accounts with at least one issuance.
    public private(set) var accounts = Set<String>()
    /// Principal ARNs and parent keys, each kept once (many issuances share their parent).
    var principals: [String: String] = [:]

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

    /// Every issuance, grouped by child key (for merging maps built per file, in file order).
    public var byChildValues: [[CredentialIssuance]] {
        var groups: [String: [CredentialIssuance]] = [:]
        for i in all { groups[i.account + "/" + i.childKey, default: []].append(i) }
        return groups.keys.sorted().map { groups[$0]! }
    }

    /// Every issuance.
    public var issuances: [CredentialIssuance] { all }

    static func hash(_ account: String, _ id: String) -> UInt64 {
        var a = account
        var k = id
        let h = a.withUTF8 { FastHash.mix(0xACC7, UnsafeRawBufferPointer($0)) }
        return k.withUTF8 { FastHash.mix(h, UnsafeRawBufferPointer($0)) }
    }

    /// The issuances of `key` (as a child) in `account`, in the order added.
    public func minted(_ key: String, account: String) -> [CredentialIssuance] {
        mintedIndexes(key, account: account).map { all[$0] }
    }

    /// `minted(_:account:)` as positions in `issuances`.
    func mintedIndexes(_ key: String, account: String) -> [Int] {
        positions(childChains[Self.hash(account, key)], childNext).filter { all[$0].childKey == key && all[$0].account == account }
    }

    /// The issuances `key` minted (as a parent) in `account`, in the order added.
    public func children(of key: String, account: String) -> [CredentialIssuance] {
        childIndexes(of: key, account: account).map { all[$0] }
    }

    /// `children(of:account:)` as positions in `issuances`.
    func childIndexes(of key: String, account: String) -> [Int] {
        positions(parentChains[Self.hash(account, key)], parentNext).filter { all[$0].parentKey == key && all[$0].account == account }
    }

    public mutating func add(_ issuance: CredentialIssuance) {
        var i = issuance
        if let shared = principals[i.parentPrincipal] { i.parentPrincipal = shared } else { principals[i.parentPrincipal] = i.parentPrincipal }
        if let parent = i.parentKey {
            if let shared = principals[parent] { i.parentKey = shared } else { principals[parent] = parent }
        }
        let n = Int32(all.count)
        all.append(i)
        childNext.append(-1)
        parentNext.append(-1)
        Self.link(n, Self.hash(i.account, i.childKey), &childChains, &childNext)
        if let parent = i.parentKey { Self.link(n, Self.hash(i.account, parent), &parentChains, &parentNext) }
        if !accounts.contains(i.account) { accounts.insert(i.account) }
    }

    /// The position in `issuances` of the issuance of `key` valid at `time` (as `issuance(of:account:at:)`).
    func issuanceIndex(of key: String, account: String, at time: Int64) -> Int? {
        guard let chain = childChains[Self.hash(account, key)] else { return nil }
        var best: Int?
        for n in positions(chain, childNext) {
            let i = all[n]
            guard i.issuedAt <= time && time <= i.expiresAt, i.childKey == key, i.account == account else { continue }
            if best == nil || i.issuedAt > all[best!].issuedAt { best = n }
        }
        return best
    }

    /// The issuance of `key` valid at `time` (the latest issued before it), if any.
    public func issuance(of key: String, account: String, at time: Int64) -> CredentialIssuance? {
        issuanceIndex(of: key, account: account, at: time).map { all[$0] }
    }

    /// The chain from `key` up to its origin: each issuance, child first. The origin is the last one's parent
    /// (a long-term key, or a principal whose minting is not in the logs). Ends on cycles and after `limit` links.
    public func chain(of key: String, account: String, at time: Int64, limit: Int = 16) -> [CredentialIssuance] {
        var out: [CredentialIssuance] = []
        var seen = Set<String>()
        var current = key
        var when = time
        while out.count < limit, seen.insert(current).inserted,
            let link = issuance(of: current, account: account, at: when)
        {
            out.append(link)
            guard let parent = link.parentKey else { break }
            current = parent
            when = link.issuedAt
        }
        return out
    }

    /// The long-term key (or, failing that, the principal) at the root of `key`'s chain.
    public func origin(of key: String, account: String, at time: Int64) -> String? {
        guard let last = chain(of: key, account: account, at: time).last else { return nil }
        return last.parentKey ?? last.parentPrincipal
    }

    /// The IAM user at the root of `key`'s chain (the user whose key minted it, through any depth), with that user's
    /// account (from its ARN); nil when the chain does not end at an IAM user.
    public func originUser(of key: String, account: String, at time: Int64) -> (name: String, account: String)? {
        guard let root = chain(of: key, account: account, at: time).last else { return nil }
        let parts = root.parentPrincipal.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[5].hasPrefix("user/"), let user = parts[5].split(separator: "/").last else { return nil }
        return (String(user), String(parts[4]))
    }

    /// Every credential minted from `key`, directly or through others, breadth first.
    public func descendants(of key: String, account: String, limit: Int = 10_000) -> [CredentialIssuance] {
        descendantIndexes(of: key, account: account, limit: limit).map { all[$0] }
    }

    /// `descendants(of:account:limit:)` as positions in `issuances`: walked through the index without copying an
    /// issuance (a user who assumed roles all year has thousands, and each finding of theirs walks them).
    func descendantIndexes(of key: String, account: String, limit: Int = 10_000) -> [Int] {
        var out: [Int] = []
        var queue = [key]
        var head = 0
        var seen: Set<String> = [key]
        while head < queue.count, out.count < limit {
            let next = queue[head]
            head += 1
            for i in childIndexes(of: next, account: account) {
                guard seen.insert(all[i].childKey).inserted else { continue }
                out.append(i)
                queue.append(all[i].childKey)
                if out.count >= limit { break }
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
