import Testing

@testable import TrailDetect

/// Lineage's compact storage (issue 18): issuances as ids of texts stored once in chunks. Every lookup must answer as
/// the plain list of issuances it replaced did, for keys of any text and size, and a copied map must stay unchanged
/// when the other copy grows.
@Suite struct LineageStorageTests {
    /// A small seeded generator (the tests must not depend on a run's randomness).
    struct Seeded {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    @Test func textsComeBackAsStoredWhateverTheirSize() {
        let text = LineageText()
        var stored: [(UInt32, String)] = []
        let sizes = [0, 1, 15, 16, 20, LineageText.chunkSize / 4, LineageText.chunkSize / 4 + 1, LineageText.chunkSize, 70_000]
        for size in sizes {
            let s = String(repeating: "k", count: size)
            stored.append((text.add(s), s))
        }
        // Thousands of short texts fill many chunks; one a chunk long in between keeps the chunk being filled.
        for n in 0..<5_000 {
            let s = "arn:aws:sts::111122223333:assumed-role/role-\(n % 97)/session-\(n)"
            stored.append((text.add(s), s))
            if n == 2_500 {
                let big = String(repeating: "é", count: LineageText.chunkSize)
                stored.append((text.add(big), big))
            }
        }
        for s in ["ключ", "🔑ASIA", "a\u{0}b", "\u{1b}[31m"] { stored.append((text.add(s), s)) }
        for (id, s) in stored {
            #expect(text.string(id) == s)
            #expect(text.equals(id, s))
            #expect(!text.equals(id, s + "x"))
        }
        #expect(text.optionalString(LineageText.none) == nil)
        // Interned texts are named once; others each time, yet compare equal.
        let a = text.add("AKIAEXAMPLE000000001", intern: true)
        let b = text.add("AKIAEXAMPLE000000001", intern: true)
        let c = text.add("AKIAEXAMPLE000000001")
        #expect(a == b && a != c && text.equals(a, c))
        // A copy is independent of what the original stores after it.
        let copy = text.copy()
        let later = text.add("after the copy")
        for (id, s) in stored { #expect(copy.string(id) == s) }
        #expect(text.string(later) == "after the copy")
    }

    func issuance(_ n: Int, child: String, parent: String?, account: String, at time: Int64) -> CredentialIssuance {
        CredentialIssuance(
            api: ["AssumeRole", "GetSessionToken", "GetFederationToken"][n % 3], account: account, childKey: child,
            parentKey: parent, parentPrincipal: parent == nil ? "arn:aws:iam::\(account):user/u\(n % 5)" : "arn:aws:sts::\(account):assumed-role/r/s",
            childPrincipal: [nil, "arn:aws:sts::\(account):assumed-role/r/s\(n)", "no-slash-\(n)", "ключ/é/\(n)/"][n % 4],
            issuedAt: time, expiresAt: time + 3_600,
            // Event ids as CloudTrail writes them (kept as their bits), in capitals, and any other text.
            eventID: n % 7 == 0
                ? nil
                : ["e\(n)", String(format: "%08lx-0000-4000-8000-%012ld", n &* 2_654_435_761 % 0xFFFF_FFFF, n),
                    String(format: "%08lX-0000-4000-8000-%012ld", n, n)][n % 3])
    }

    @Test func aCopiedMapKeepsItsIssuancesWhenTheOtherGrows() {
        var a = LineageMap()
        a.add(issuance(1, child: "ASIA1", parent: "AKIA1", account: "111122223333", at: 100))
        var b = a
        b.add(issuance(2, child: "ASIA2", parent: "ASIA1", account: "111122223333", at: 200))
        a.add(issuance(3, child: "ASIA3", parent: "AKIA1", account: "111122223333", at: 300))
        #expect(a.issuances.map(\.childKey) == ["ASIA1", "ASIA3"])
        #expect(b.issuances.map(\.childKey) == ["ASIA1", "ASIA2"])
        #expect(b.descendants(of: "AKIA1", account: "111122223333").map(\.childKey) == ["ASIA1", "ASIA2"])
        #expect(a.descendants(of: "AKIA1", account: "111122223333").map(\.childKey) == ["ASIA1", "ASIA3"])
    }

    /// The lookups as the plain list of issuances answered them before the compact storage.
    struct Reference {
        let all: [CredentialIssuance]
        func minted(_ key: String, _ account: String) -> [CredentialIssuance] {
            all.filter { $0.childKey == key && $0.account == account }
        }
        func children(_ key: String, _ account: String) -> [CredentialIssuance] {
            all.filter { $0.parentKey == key && $0.account == account }
        }
        func issuance(_ key: String, _ account: String, _ time: Int64) -> CredentialIssuance? {
            var best: CredentialIssuance?
            for i in minted(key, account) where i.issuedAt <= time && time <= i.expiresAt {
                if best == nil || i.issuedAt > best!.issuedAt { best = i }
            }
            return best
        }
        func descendants(_ key: String, _ account: String, limit: Int) -> [CredentialIssuance] {
            var out: [CredentialIssuance] = []
            var queue = [key]
            var head = 0
            var seen: Set<String> = [key]
            while head < queue.count, out.count < limit {
                let next = queue[head]
                head += 1
                for i in children(next, account) {
                    guard seen.insert(i.childKey).inserted else { continue }
                    out.append(i)
                    queue.append(i.childKey)
                    if out.count >= limit { break }
                }
            }
            return out
        }
    }

    @Test func lookupsAnswerAsThePlainListDid() {
        // Keys from a small pool, so keys are minted again, by several parents, in cycles, in two accounts; some
        // are empty, long or not ASCII (a key in the logs is attacker text).
        let pool = ["AKIA1", "AKIA2", "ASIA1", "ASIA2", "ASIA3", "ASIA4", "ASIA5", "", "ключ", "🔑", String(repeating: "K", count: 20_000)]
        let accounts = ["111122223333", "444455556666"]
        var random = Seeded(state: 18)
        var map = LineageMap()
        var all: [CredentialIssuance] = []
        for n in 0..<600 {
            let child = pool[2 + random.next(pool.count - 2)]
            let parent = random.next(6) == 0 ? nil : pool[random.next(pool.count)]
            let i = issuance(n, child: child, parent: parent, account: accounts[random.next(2)], at: Int64(random.next(20_000)))
            map.add(i)
            all.append(i)
        }
        let reference = Reference(all: all)
        #expect(map.issuances == all)
        #expect(map.records.filter { $0.eventID == LineageMap.packedEventID }.count > 150, "UUIDs kept as their bits")
        #expect(map.count == all.count)
        #expect(map.accounts == Set(accounts))
        for key in pool + ["ASIA9"] {
            for account in accounts + ["999999999999"] {
                #expect(map.minted(key, account: account) == reference.minted(key, account))
                #expect(map.children(of: key, account: account) == reference.children(key, account))
                for limit in [1, 3, 10_000] {
                    #expect(map.descendants(of: key, account: account, limit: limit) == reference.descendants(key, account, limit: limit))
                }
                for time in stride(from: Int64(-1), through: 24_000, by: 997) {
                    #expect(map.issuance(of: key, account: account, at: time) == reference.issuance(key, account, time))
                }
            }
        }
    }
}

/// A finding builder keeps its target and state out of line (issue 18: most of a builder's size, rarely set); a copy
/// must still behave as a value.
@Suite struct OutOfLineTests {
    @Test func aCopiedBuilderKeepsItsTargetAndState() {
        var a = FindingBuilder(id: "f1", ruleIndex: 0, title: "t")
        #expect(a.target == nil && a.state == nil)
        a.target = Finding.Target(userName: "alice")
        var b = a
        b.target!.accessKeyIds.append("AKIAEXAMPLE000000001")
        b.target?.userName = "bob"
        b.state = Finding.State(kind: "inside", key: "111122223333/user/alice")
        #expect(a.target == Finding.Target(userName: "alice"))
        #expect(a.state == nil)
        #expect(b.target?.userName == "bob" && b.target?.accessKeyIds == ["AKIAEXAMPLE000000001"])
        #expect(b.state?.key == "111122223333/user/alice")
        // Changed again when it is the only holder (in place), and cleared.
        b.state?.kind = "correlation"
        #expect(b.state?.kind == "correlation")
        b.target = nil
        #expect(b.target == nil && a.target?.userName == "alice")
    }
}

/// The windows put trigger events in time order in place (issue 18: not a sorted copy of every trigger).
@Suite struct PermuteInPlaceTests {
    @Test func itemsEndInTheOrderGivenAsACopyWouldHaveThem() {
        var random = LineageStorageTests.Seeded(state: 7)
        for count in [0, 1, 2, 3, 10, 257] {
            for _ in 0..<5 {
                var order = Array(0..<count)
                for i in order.indices.reversed() where i > 0 { order.swapAt(i, random.next(i + 1)) }
                let items = (0..<count).map { "event-\($0)-" + String(repeating: "x", count: $0 % 40) }
                var permuted = items
                WindowIndex.permute(&permuted, order)
                #expect(permuted == order.map { items[$0] })
            }
        }
    }
}
