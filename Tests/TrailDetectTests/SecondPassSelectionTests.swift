import Testing

@testable import TrailDetect
@testable import TrailReader

/// The second pass reads a file for a role session minted (through any chain) by a credential or user a window
/// names only when the session was valid while such a window was open: a session that expired before its user was
/// contained cannot have a call inside the window.
@Suite struct SecondPassSelectionTests {
    static let account = "111122223333"
    static let alice = "AKIAQ3EGRTWCALICEXAM"

    static func issuance(_ child: String, parent: String, at issued: Int64, hours: Int64 = 1) -> CredentialIssuance {
        CredentialIssuance(
            api: "AssumeRole", account: account, childKey: child, parentKey: parent,
            parentPrincipal: parent.hasPrefix("AKIA") ? "arn:aws:iam::\(account):user/alice" : "arn:aws:sts::\(account):assumed-role/r/s",
            childPrincipal: "arn:aws:sts::\(account):assumed-role/r/\(child)", issuedAt: issued, expiresAt: issued + hours * 3600,
            eventID: nil)
    }

    /// A file holding calls signed by `key` between `from` and `to`.
    static func file(_ key: String, _ from: Int64, _ to: Int64) -> FileKeys {
        var k = FileKeys()
        k.insert("cred:\(account)/\(key)")
        k.saw(from)
        k.saw(to)
        k.seal()
        return k
    }

    /// alice's key is named by one window, open from `open` (10:00) to `close`.
    static func selection(_ lineage: LineageMap, open: Int64 = 36_000, close: Int64 = .max) -> SecondPassSelection {
        let index = WindowIndex(rules: RuleSet(rules: [], catalog: PolicyCatalog(), containment: [:]), lineage: lineage)
        let key = "\(account)/key/\(alice)"
        index.windows[0] = [[
            key: [
                Window(
                    key: key, instance: nil, open: open, close: close, openedHasEventID: false, opened: 0, closed: nil,
                    account: nil, openedByRule: "quarantine", endsOnItsOwn: close != .max)
            ]
        ]]
        return SecondPassSelection(windows: index, lineage: lineage)
    }

    @Test func aSessionIsReadForOnlyWhileItAndAWindowOfItsOriginAreLive() {
        var lineage = LineageMap()
        lineage.add(Self.issuance("ASIAEARLYSESSION0001", parent: Self.alice, at: 3_600))  // 01:00-02:00
        lineage.add(Self.issuance("ASIASPANNINGSESSION1", parent: Self.alice, at: 34_200))  // 09:30-10:30
        lineage.add(Self.issuance("ASIACHILDOFSPANNING1", parent: "ASIASPANNINGSESSION1", at: 35_000))  // chained
        lineage.add(Self.issuance("ASIACHILDOFEARLY0001", parent: "ASIAEARLYSESSION0001", at: 4_000))
        lineage.add(Self.issuance("ASIAUNRELATEDSESSION", parent: "AKIAQ3EGRTWCBOBEXAMP", at: 34_200))
        let selection = Self.selection(lineage)
        // The early session (and its child) expired hours before the window opened: never read for.
        #expect(!selection.needs(Self.file("ASIAEARLYSESSION0001", 3_700, 7_100)))
        #expect(!selection.needs(Self.file("ASIACHILDOFEARLY0001", 4_100, 7_500)))
        // The session valid across the opening is read for, in files reaching past the opening, directly or chained.
        #expect(selection.needs(Self.file("ASIASPANNINGSESSION1", 35_000, 37_000)))
        #expect(selection.needs(Self.file("ASIACHILDOFSPANNING1", 35_500, 36_500)))
        // ...but not in a file that ends before the window opened.
        #expect(!selection.needs(Self.file("ASIASPANNINGSESSION1", 34_300, 35_900)))
        #expect(!selection.needs(Self.file("ASIAUNRELATEDSESSION", 35_000, 37_000)))
    }

    @Test func aWindowThatClosedBeforeTheSessionWasIssuedReadsNothingForIt() {
        var lineage = LineageMap()
        lineage.add(Self.issuance("ASIALATESESSION00001", parent: Self.alice, at: 50_000))
        lineage.add(Self.issuance("ASIAINSIDESESSION001", parent: Self.alice, at: 37_000))
        let selection = Self.selection(lineage, open: 36_000, close: 40_000)
        #expect(!selection.needs(Self.file("ASIALATESESSION00001", 50_100, 52_000)))
        #expect(selection.needs(Self.file("ASIAINSIDESESSION001", 37_100, 38_000)))
    }

    /// A cycle in the logs (a key minting its own parent) is read for over its whole validity, never dropped.
    @Test func aCycleIsReadForOverItsValidity() {
        var lineage = LineageMap()
        lineage.add(Self.issuance("ASIACYCLEA0000000001", parent: "ASIACYCLEB0000000001", at: 1_000, hours: 2))
        lineage.add(Self.issuance("ASIACYCLEB0000000001", parent: "ASIACYCLEA0000000001", at: 1_000, hours: 2))
        lineage.add(Self.issuance("ASIASPANNINGSESSION1", parent: Self.alice, at: 34_200))
        let selection = Self.selection(lineage)
        #expect(selection.needs(Self.file("ASIACYCLEA0000000001", 1_100, 2_000)))
    }
}
