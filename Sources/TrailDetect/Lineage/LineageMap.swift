import TrailReader

/// Temporary credentials and the credentials that minted them, keyed by account and key id. A temporary key id is
/// only unique with its secret and token, so lookups also need a time inside the key's validity window.
public struct LineageMap: Sendable {
    /// Issuances by account and child key, newest last.
    var byChild: [String: [CredentialIssuance]] = [:]
    /// Children by account and parent key.
    var byParent: [String: [CredentialIssuance]] = [:]
    public private(set) var count = 0
    /// Accounts with at least one issuance.
    public private(set) var accounts = Set<String>()

    public init() {}

    /// Every issuance, grouped by child key (for merging maps built per file, in file order).
    public var byChildValues: [[CredentialIssuance]] { byChild.keys.sorted().map { byChild[$0]! } }

    static func key(_ account: String, _ id: String) -> String { account + "/" + id }

    public mutating func add(_ issuance: CredentialIssuance) {
        byChild[Self.key(issuance.account, issuance.childKey), default: []].append(issuance)
        if let parent = issuance.parentKey {
            byParent[Self.key(issuance.account, parent), default: []].append(issuance)
        }
        accounts.insert(issuance.account)
        count += 1
    }

    /// The issuance of `key` valid at `time` (the latest issued before it), if any.
    public func issuance(of key: String, account: String, at time: Int64) -> CredentialIssuance? {
        byChild[Self.key(account, key)]?.filter { $0.issuedAt <= time && time <= $0.expiresAt }
            .max { $0.issuedAt < $1.issuedAt }
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

    /// Every credential minted from `key`, directly or through others, breadth first.
    public func descendants(of key: String, account: String, limit: Int = 10_000) -> [CredentialIssuance] {
        var out: [CredentialIssuance] = []
        var queue = [key]
        var seen: Set<String> = [key]
        while let next = queue.first, out.count < limit {
            queue.removeFirst()
            for child in byParent[Self.key(account, next)] ?? [] where seen.insert(child.childKey).inserted {
                out.append(child)
                queue.append(child.childKey)
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
