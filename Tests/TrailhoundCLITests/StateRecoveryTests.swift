import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `scan --state` runs stopped at every step (TRAILHOUND_TEST_KILL_AT makes the binary SIGKILL itself there), then
/// run again: together they write every finding of one clean run, with its count, and at most the finding in flight
/// twice.
@Suite(.serialized) struct StateRecoveryTests {
    /// The demo tree, the scenarios and a generated corpus (scripts/ctgen.py) side by side, and the findings of one clean run of them.
    final class Corpus: Sendable {
        let root: URL
        let logs: URL
        let files: Int
        /// id → count, from a scan without state.
        let clean: [String: Int]

        init() throws {
            // One folder per checkout, made afresh by each test run (a static value is never released, so a
            // folder per run would be left behind).
            let checkout = CLI.repository.path.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
            root = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-recovery-\(String(checkout, radix: 16))")
            try? FileManager.default.removeItem(at: root)
            logs = root.appendingPathComponent("logs")
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: CLI.fixtures.appendingPathComponent("logs/AWSLogs"), to: logs.appendingPathComponent("demo"))
            // The scenarios hold the correlations (the demo and the generated traffic have none at this size).
            let scenarios = CLI.fixtures.appendingPathComponent("scenarios")
            let walker = FileManager.default.enumerator(atPath: scenarios.path)
            while let p = walker?.nextObject() as? String {
                guard p.hasSuffix(".json.gz") else { continue }
                let target = logs.appendingPathComponent("scenarios").appendingPathComponent(p)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: scenarios.appendingPathComponent(p), to: target)
            }
            let gen = Process()
            gen.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            gen.arguments = [
                "python3", CLI.repository.appendingPathComponent("scripts/ctgen.py").path, "corpus",
                logs.appendingPathComponent("generated").path, "--size-mb", "12", "--seed", "14", "--jobs", "1",
            ]
            gen.standardOutput = FileHandle.nullDevice
            try gen.run()
            gen.waitUntilExit()
            guard gen.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
            var n = 0
            let all = FileManager.default.enumerator(atPath: logs.path)
            while let p = all?.nextObject() as? String { if p.hasSuffix(".json.gz") && !p.contains("Digest") { n += 1 } }
            files = n
            let r = try CLI.run(["scan", logs.path, "--format", "jsonl"])
            clean = Self.counts(r)
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        /// id → count of each finding written (the last one written, when written twice).
        static func counts(_ r: CLI.Result) -> [String: Int] {
            var out: [String: Int] = [:]
            for f in StateTests.findings(r) { out[f["id"] as! String] = f["count"] as? Int }
            return out
        }

        func scan(state: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> CLI.Result {
            try CLI.run(["scan", logs.path, "--state", state, "--format", "jsonl", "--threads", "1"] + extra, environment: environment)
        }
    }

    static let corpus = Result { try Corpus() }

    @Test func theCorpusHasCorrelationAndStatefulFindings() throws {
        let c = try Self.corpus.get()
        let r = try CLI.run(["scan", c.logs.path, "--format", "jsonl"])
        let kinds = Set(StateTests.findings(r).compactMap { ($0["state"] as? [String: Any])?["kind"] as? String })
        #expect(kinds.contains("correlation"), "\(kinds)")
        #expect(kinds.count >= 2, "\(kinds)")
        #expect(c.clean.count >= 20)
        #expect(c.files >= 60)
    }

    /// Stopped after a file was committed (reading), after the analysis (evaluating), after it was recorded, and
    /// between writing findings and recording them: the killed run and the next one write every clean finding.
    @Test(arguments: ["committed:1", "committed:30", "committed:LAST", "evaluated", "finished", "written:1", "written:9", "recorded:9"])
    func aRunKilledAtACheckpointResumesToTheCleanRun(_ point: String) throws {
        let c = try Self.corpus.get()
        let state = c.root.appendingPathComponent("state-\(point).db").path
        let at = point.replacingOccurrences(of: "LAST", with: "\(c.files - 1)")
        let killed = try c.scan(state: state, environment: ["TRAILHOUND_TEST_KILL_AT": at])
        #expect(killed.status == SIGKILL, "not killed at \(at): exit \(killed.status)\n\(killed.stderr)")
        let resumed = try c.scan(state: state)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let first = StateTests.ids(killed)
        let second = StateTests.ids(resumed)
        let union = Set(first + second)
        #expect(union == Set(c.clean.keys), "missing \(Set(c.clean.keys).subtracting(union).sorted()), extra \(union.subtracting(c.clean.keys).sorted())")
        let repeated = first.count + second.count - union.count
        #expect(repeated <= (at.hasPrefix("written") ? 1 : 0), "\(repeated) findings written twice")
        // The last count written is the clean run's.
        var last = Corpus.counts(killed)
        last.merge(Corpus.counts(resumed)) { _, new in new }
        for (id, count) in c.clean { #expect(last[id] == count, "finding \(id): count \(last[id] ?? -1), clean run \(count)") }
        // And nothing is left.
        let again = try c.scan(state: state, ["--emit-updates"])
        #expect(again.lines.isEmpty, "\(again.lines.count) findings written again")
    }

    /// SIGKILL from outside at growing delays, each killed run resumed by the next; then one run to the end.
    @Test func realKillsAtGrowingDelaysLoseNothing() throws {
        let c = try Self.corpus.get()
        let state = c.root.appendingPathComponent("state-sigkill.db").path
        var written: [String: Int] = [:]
        var total = 0
        var kills = 0
        for delay in [0.05, 0.2, 0.5, 1.0, 2.0, 4.0] {
            let (r, killed) = try CLI.scanKilled(after: delay, logs: c.logs.path, state: state)
            if killed { kills += 1 }
            total += StateTests.ids(r).count
            written.merge(Corpus.counts(r)) { _, new in new }
        }
        let last = try c.scan(state: state)
        #expect(last.status == 0, "\(last.stderr)")
        total += StateTests.ids(last).count
        written.merge(Corpus.counts(last)) { _, new in new }
        #expect(kills >= 2, "the runs finished before the kills; make the corpus larger")
        #expect(Set(written.keys) == Set(c.clean.keys), "missing \(Set(c.clean.keys).subtracting(written.keys).sorted())")
        for (id, count) in c.clean { #expect(written[id] == count, "finding \(id): count \(written[id] ?? -1), clean run \(count)") }
        #expect(total - written.count <= kills, "\(total - written.count) findings written twice after \(kills) kills")
    }
}
