import Foundation
import Testing

@testable import TrailReader

/// Walking log trees: the S3 layout, ordering, digests, filters, and folders that fight back.
@Suite struct DiscoveryTests {
    @Test func s3LayoutIsParsed() {
        let p = LogPath(
            "x/AWSLogs/o-abc123def4/444455556666/CloudTrail/eu-west-1/2026/11/21/444455556666_CloudTrail_eu-west-1_20261121T0935Z_a1B2c3D4e5F6g7H8.json.gz")
        #expect(p.account == "444455556666")
        #expect(p.region == "eu-west-1")
        #expect(p.nameTime == Timestamp.parse("2026-11-21T09:35:00Z"))
        #expect(p.folderDay == Timestamp.parse("2026-11-21"))
        #expect(!p.isDigest)
        let d = LogPath(
            "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20261120T103000Z.json.gz")
        #expect(d.isDigest)
        #expect(d.nameTime == Timestamp.parse("2026-11-20T10:30:00Z"))
        let plain = LogPath("/tmp/export/events.jsonl")
        #expect(plain.account == nil && plain.nameTime == nil && plain.folderDay == nil)
    }

    func makeTree() throws -> URL {
        let root = try temporaryFolder()
        let names = [
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_bbbb.json.gz",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T0905Z_cccc.json.gz",
            "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T1005Z_aaaa.json.gz",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/22/111122223333_CloudTrail_us-east-1_20261122T0005Z_dddd.json.gz",
            "AWSLogs/o-exampleorg/444455556666/CloudTrail/us-east-1/2026/11/21/444455556666_CloudTrail_us-east-1_20261121T0005Z_eeee.json.gz",
            "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20261120T103000Z.json.gz",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/notes.txt",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/.partial.json.gz",
        ]
        for name in names { try write(gzip(Array(delivery([]).utf8)), to: root.appendingPathComponent(name)) }
        return root
    }

    func names(_ files: [InputFile]) -> [String] { files.map { String($0.path.split(separator: "_").last!.prefix(4)) } }

    @Test func orderedByNameTimeThenPath() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = Discovery(options: ReaderOptions()).discover([root.path])
        #expect(names(result.files) == ["cccc", "aaaa", "bbbb", "eeee", "dddd"])
        #expect(result.setAside.map(\.reason).sorted { $0.rawValue < $1.rawValue } == [.digest, .notLogFile, .notLogFile])
        #expect(result.seen == 8)
        #expect(result.diagnostics.isEmpty)
    }

    @Test func filtersApplyToPathsBeforeOpening() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        var options = ReaderOptions()
        options.accounts = ["111122223333"]
        options.regions = ["us-east-1"]
        var result = Discovery(options: options).discover([root.path])
        #expect(names(result.files) == ["cccc", "bbbb", "dddd"])
        #expect(result.setAside.filter { $0.reason == .filtered }.count == 2)

        options = ReaderOptions()
        options.since = Timestamp.parse("2026-11-21T12:00:00Z")
        result = Discovery(options: options).discover([root.path])
        // 11-20 files cannot hold events after 11-21 12:00 (their names say they were delivered on 11-20).
        #expect(names(result.files) == ["dddd"])
        options = ReaderOptions()
        options.until = Timestamp.parse("2026-11-19T00:00:00Z")
        result = Discovery(options: options).discover([root.path])
        // A file delivered within a day after --until may still hold late events before it.
        #expect(names(result.files) == [])
        options.until = Timestamp.parse("2026-11-20T01:00:00Z")
        result = Discovery(options: options).discover([root.path])
        #expect(names(result.files) == ["cccc", "aaaa", "bbbb", "eeee"])
    }

    /// An export whose paths are not AWS's own layout (a flat folder; a name whose account disagrees with its
    /// folder) is not skipped by its path: its records decide (Invictus's export names account 218007301253 for
    /// records of 123837392027).
    @Test func onlyAWSsOwnLayoutIsTrustedToSkipAFile() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        for name in [
            "CloudTrail/218007301253_CloudTrail_us-east-1_20230710T1220Z_flat.json",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/999988887777_CloudTrail_us-east-1_20261120T1005Z_mixd.json.gz",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_same.json.gz",
        ] {
            try write(gzip(Array(delivery([]).utf8)), to: root.appendingPathComponent(name))
        }
        var options = ReaderOptions()
        options.accounts = ["123837392027"]
        var result = Discovery(options: options).discover([root.path])
        #expect(Set(names(result.files)) == ["flat", "mixd"])
        options = ReaderOptions()
        options.regions = ["eu-west-1"]
        result = Discovery(options: options).discover([root.path])
        // "mixd" has folder and name agreeing on us-east-1: skipped by its path.
        #expect(Set(names(result.files)) == ["flat"])
        #expect(LogPath(root.path + "/CloudTrail/218007301253_CloudTrail_us-east-1_20230710T1220Z_flat.json").account == "218007301253")
    }

    @Test func symlinkLoopsAndDuplicatesAreHarmless() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        try fm.createSymbolicLink(
            atPath: root.appendingPathComponent("AWSLogs/111122223333/CloudTrail/us-east-1/loop").path,
            withDestinationPath: root.appendingPathComponent("AWSLogs").path)
        try fm.createSymbolicLink(
            atPath: root.appendingPathComponent("dangling.json").path, withDestinationPath: "/nonexistent/x.json")
        let one = root.appendingPathComponent(
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_bbbb.json.gz"
        ).path
        let result = Discovery(options: ReaderOptions()).discover([root.path, root.path, one])
        #expect(names(result.files.filter { !$0.path.hasSuffix("dangling.json") }) == ["cccc", "aaaa", "bbbb", "eeee", "dddd"])
        // The dangling link is kept, so reading it reports why it cannot be read.
        #expect(result.files.contains { $0.path.hasSuffix("dangling.json") })
    }

    @Test func missingPathIsADiagnostic() {
        let result = Discovery(options: ReaderOptions()).discover(["/nonexistent/trailhound/logs"])
        #expect(result.diagnostics.map(\.kind) == [.missingPath])
        #expect(result.files.isEmpty)
    }

    @Test(.enabled(if: getuid() != 0, "root reads any folder"))
    func unreadableFolderIsADiagnostic() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let locked = root.appendingPathComponent("AWSLogs/111122223333/CloudTrail/eu-west-1")
        chmod(locked.path, 0)
        defer { chmod(locked.path, 0o755) }
        let result = Discovery(options: ReaderOptions()).discover([root.path])
        #expect(result.diagnostics.map(\.kind) == [.unreadableFolder])
        #expect(names(result.files) == ["cccc", "bbbb", "eeee", "dddd"])
    }

    @Test func stdinComesFirst() {
        let result = Discovery(options: ReaderOptions()).discover(["-"])
        #expect(result.files.map(\.path) == ["-"])
    }
}
