import Foundation
import Testing
import TrailDetect
import TrailReader

/// The stages of a scaled-out scan (`ScaleOut`: map, context, second, reduce), run in-process over partitions of the
/// demo logs and every scenario, with every stage's output passed through the exchange format: the findings must be
/// exactly those of one `Analysis.run` over all the files, whatever the partitioning and the order of the files.
struct ScaleOutTests {
    static let repository = OneShotScanTests.repository
    static let rules = OneShotScanTests.rules
    static let roots = [repository.appendingPathComponent("Fixtures/logs").path] + OneShotScanTests.scenarios
    static let files = Discovery(options: ReaderOptions()).discover(roots).files
    static let reader = ParallelReader(options: ReaderOptions())

    static func json(_ findings: [Finding]) -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return findings.map { String(decoding: try! encoder.encode($0), as: UTF8.self) }
    }

    /// Through the exchange format and back, as files between Spark tasks.
    static func roundTrip(_ lines: [ExchangeLine], _ stage: String) throws -> [ExchangeLine] {
        try Exchange.decode(try Exchange.encode(lines, stage: stage), path: stage, stages: [stage])
    }

    /// The findings of the four stages over `parts` (lists of paths), reduced in `reduceParts` partitions. With
    /// `correlateParts`, the correlation matches are split from the global parts, routed by group to that many
    /// `correlate` partitions (each given its lines in `order`), and only their outcomes reach the context.
    static func scaledOut(
        _ parts: [[String]], reduceParts: Int = 1, correlateParts: Int? = nil, reversed: Bool = false
    ) throws -> [Finding] {
        var globals: [ExchangeLine] = []
        var locals: [[ExchangeLine]] = []
        var shuffled: [[ExchangeLine]] = Array(repeating: [], count: correlateParts ?? 0)
        for part in parts {
            let (files, _) = ScaleOut.inputFiles(part)
            let (g, l) = ScaleOut.map(files, rules: rules, using: reader) { _ in }
            if let k = correlateParts {
                let (rest, signals) = ScaleOut.splitSignals(g)
                globals += try roundTrip(rest, "map-global")
                for line in try roundTrip(signals, "signals") {
                    shuffled[ScaleOut.correlatePartition(ofGroup: line.signal?.group ?? line.group!.group, count: k)].append(line)
                }
            } else {
                globals += try roundTrip(g, "map-global")
            }
            locals.append(try roundTrip(l, "map-local"))
        }
        var outcomes: [ExchangeLine] = []
        for lines in shuffled.reversed() {
            outcomes += try roundTrip(ScaleOut.correlate(reversed ? lines.reversed() : lines, rules: rules), "outcomes")
        }
        let context = try roundTrip(ScaleOut.context(globals, outcomes: outcomes, rules: rules), "context")
        var partials: [ExchangeLine] = []
        for (n, part) in parts.enumerated() {
            let (files, _) = ScaleOut.inputFiles(part)
            partials += locals[n]
            partials += try roundTrip(ScaleOut.second(files, context: context, local: locals[n], rules: rules, using: reader), "partials")
        }
        var findings: [Finding] = []
        for k in 0..<reduceParts {
            findings += try ScaleOut.reduce(partials, context: context, rules: rules, part: k, parts: reduceParts)
        }
        return findings
    }

    @Test func givesTheFindingsOfOneMachineWhateverThePartitioning() throws {
        let expected = Self.json(Analysis.run(Self.files, rules: Self.rules, using: Self.reader) { _ in }.findings)
        let rules = Set(
            Analysis.run(Self.files, rules: Self.rules, using: Self.reader) { _ in }.findings
                .map { URL(fileURLWithPath: $0.rule.file).deletingPathExtension().lastPathComponent })
        // The inputs exercise what crosses partitions: windows, absences, correlations, lineage.
        #expect(rules.contains("user_activity_after_containment_denied"))
        #expect(rules.contains("credential_access_denied_burst"))
        #expect(rules.contains("federated_session_after_parent_contained"))
        let paths = Self.files.map(\.path)
        #expect(try Self.json(Self.scaledOut([paths])) == expected)
        // Round robin over the reversed order: every neighbour in another partition.
        for k in [2, 7] {
            var parts = Array(repeating: [String](), count: k)
            for (n, p) in paths.reversed().enumerated() { parts[n % k].append(p) }
            #expect(try Self.json(Self.scaledOut(parts)) == expected, "\(k) partitions")
        }
        // One partition per account, region and day, as the Spark job packs them.
        let byDay = Dictionary(grouping: Self.files) { f in "\(f.account ?? "")/\(f.region ?? "")/\(f.folderDay ?? 0)" }
        #expect(byDay.count > 10)
        let parts = byDay.keys.sorted().map { byDay[$0]!.map(\.path) }
        #expect(try Self.json(Self.scaledOut(parts)) == expected)
        // Correlation matches shuffled by group to 1, 2 or 5 correlate partitions (lines in any order): only their
        // outcomes reach the context, and the findings stay byte-identical.
        for k in [1, 2, 5] {
            #expect(try Self.json(Self.scaledOut(parts, correlateParts: k, reversed: k == 5)) == expected, "\(k) correlate partitions")
        }
        // Several reduce partitions: the same findings, each partition in one machine's order.
        let reduced = try Self.json(Self.scaledOut(parts, reduceParts: 3))
        #expect(reduced.sorted() == expected.sorted())
    }

    @Test func setsAsideWhatDiscoveryWouldInAWalkedTree() {
        let listing = [
            "/logs/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/24/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261124T0100Z.json.gz",
            "/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/notes.txt",
            "/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/111122223333_CloudTrail_us-east-1_20261124T0105Z_b.json.gz",
            "/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/111122223333_CloudTrail_us-east-1_20261124T0100Z_a.json.gz",
        ]
        let (files, aside) = ScaleOut.inputFiles(listing + [listing[2]])
        #expect(files.map(\.path) == [listing[3], listing[2]])
        #expect(Set(aside.map { $0.reason }) == [.digest, .notLogFile])
    }

    @Test func refusesAnotherFormatANewerVersionAndABadLineNamingIt() throws {
        let good = try Exchange.encode([], stage: "context")
        #expect(throws: Exchange.FormatError.self) { try Exchange.decode(good, path: "c", stages: ["partials"]) }
        let newer = Data(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\"version\":1", with: "\"version\":99").utf8)
        do {
            _ = try Exchange.decode(newer, path: "ctx.jsonl", stages: ["context"])
            Issue.record("a newer version was read")
        } catch let e as Exchange.FormatError {
            #expect(e.description.contains("ctx.jsonl:1") && e.description.contains("newer"))
        }
        var broken = good
        broken.append(Data("{\"kind\":\"builder\",\"builder\":{\"phase\":0}}\n".utf8))
        do {
            _ = try Exchange.decode(broken, path: "p.jsonl", stages: ["context"])
            Issue.record("a broken line was read")
        } catch let e as Exchange.FormatError {
            #expect(e.line == 2 && e.path == "p.jsonl")
        }
    }
}
