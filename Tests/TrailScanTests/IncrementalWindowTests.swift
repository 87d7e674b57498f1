import Foundation
import Testing
import TrailDetect
import TrailReader
import TrailScan
import TrailState

/// A `state:` rule with two entries, over runs with a state file: an event of an earlier run's file counts once a later
/// file (delivered late) opens the window of the entry it lacked. Each case gives what one scan without a state file
/// gives.
@Suite(.serialized) struct IncrementalWindowTests {
    static let rules = """
        title: Revoked
        name: revoked
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: AttachUserPolicy}
          condition: sel
        finding: false
        ---
        title: Key made
        name: made
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: CreateAccessKey}
          condition: sel
        finding: false
        ---
        title: Listed after both
        id: 7d0c5b8e-2f1a-4c39-9a57-5f3f6b0e9c11
        logsource: {product: aws, service: cloudtrail}
        detection:
          sel: {eventName: ListUsers}
          condition: sel
        state:
          - opened-by:
              - {rule: revoked, key: "{requestParameters.userName}"}
            key: "{userIdentity.userName}"
          - opened-by:
              - {rule: made, key: "{userIdentity.userName}"}
            key: "{userIdentity.userName}"
        """

    static func event(_ n: Int, _ name: String, at seconds: Int, user: String, target: String = "nobody") -> String {
        let time = Timestamp.format(Int64(1_795_000_000 + seconds))
        return #"{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/\#(user)","userName":"\#(user)","accessKeyId":"AKIAEXAMPLE\#(user.uppercased())00"},"eventTime":"\#(time)","eventSource":"iam.amazonaws.com","eventName":"\#(name)","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","requestParameters":{"userName":"\#(target)"},"eventID":"00000000-0000-4000-8000-\#(String(format: "%012d", n))","recipientAccountId":"111122223333"}"#
    }

    /// Writes `events` as a log file delivered at `minute` past noon.
    static func write(_ events: [String], in root: URL, minute: Int) throws {
        let folder = root.appendingPathComponent("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/18")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = String(format: "111122223333_CloudTrail_us-east-1_20261118T12%02dZ_abcdefgh%02d.json.gz", minute, minute)
        let json = #"{"Records":["# + events.joined(separator: ",") + "]}"
        try Data(Gzip.compress(Array(json.utf8))).write(to: folder.appendingPathComponent(name))
    }

    /// The findings' ids of a run with the state file over the tree as it is now.
    static func incremental(_ root: URL, state: String, rules: RuleSet) throws -> Set<String> {
        let files = Discovery(options: ReaderOptions()).discover(IncrementalScan.canonicalRoots([root.path])).files
        let scan = IncrementalScan(store: try StateStore(path: state), rules: rules, reader: ParallelReader(options: ReaderOptions()))
        var written: [Finding] = []
        _ = try scan.run(files, checkedAll: true, oneByOne: false) { findings in
            written += findings
            return true
        }
        return Set(written.map(\.id))
    }

    static func oneShot(_ root: URL, rules: RuleSet) -> Set<String> {
        let files = Discovery(options: ReaderOptions()).discover([root.path]).files
        return Set(Analysis.run(files, rules: rules, using: ParallelReader(options: ReaderOptions())) { _ in }.findings.map(\.id))
    }

    /// Run 1 reads `first`, run 2 also `late`: together they must give the one-shot findings, which are not empty.
    func check(first: [String], late: [String]) throws {
        let rules = try RuleSet.compile(yaml: Self.rules, file: "two-entries.yml")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-incremental-windows-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let state = root.appendingPathComponent("state.db").path
        try Self.write(first, in: root.appendingPathComponent("logs"), minute: 10)
        let run1 = try Self.incremental(root.appendingPathComponent("logs"), state: state, rules: rules)
        try Self.write(late, in: root.appendingPathComponent("logs"), minute: 40)
        let run2 = try Self.incremental(root.appendingPathComponent("logs"), state: state, rules: rules)
        let clean = Self.oneShot(root.appendingPathComponent("logs"), rules: rules)
        #expect(clean.count == 1)
        #expect(run1.union(run2) == clean, "run 1 \(run1.sorted()), run 2 \(run2.sorted()), one scan \(clean.sorted())")
    }

    /// Run 1: u3 revoked at 100 and listed at 300, but no key made: the rule could match nothing, so its first entry's
    /// window must not be taken as known. Run 2: the key made at 200, delivered late: the listing at 300 counts.
    @Test func aLateOpenerOfTheEntryThatHadNoWindow() throws {
        try check(
            first: [Self.event(1, "AttachUserPolicy", at: 100, user: "admin", target: "u3"), Self.event(2, "ListUsers", at: 300, user: "u3")],
            late: [Self.event(3, "CreateAccessKey", at: 200, user: "u3")])
    }

    /// Run 1: u3 revoked at 100, listed at 300, a key made at 400 (after the listing): both entries have windows and
    /// nothing counts. Run 2: a key made at 200, delivered late, opens the second entry's window earlier: the listing
    /// at 300, in a file read before, counts inside the first entry's window known since run 1.
    @Test func aLateOpenerOfAnEntryThatHadAWindowAlready() throws {
        try check(
            first: [
                Self.event(1, "AttachUserPolicy", at: 100, user: "admin", target: "u3"), Self.event(2, "ListUsers", at: 300, user: "u3"),
                Self.event(4, "CreateAccessKey", at: 400, user: "u3"),
            ],
            late: [Self.event(3, "CreateAccessKey", at: 200, user: "u3")])
    }
}
