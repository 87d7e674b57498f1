import Foundation
import Testing

@testable import TrailDetect
@testable import TrailOutput
@testable import TrailReader

/// The hand-written JSON Lines writer (`FindingJSON`) writes the very bytes Foundation's `JSONEncoder` wrote
/// (sorted keys, slashes unescaped, `nil` left out): on every finding of the demo logs, the Invictus and Stratus
/// captures, and on findings whose every string holds each ASCII control, quotes, backslashes, slashes and
/// characters outside ASCII.
@Suite struct FindingJSONTests {
    static let rules = RuleSet.load(bundled: repository.appendingPathComponent("rules")).0
    static let corpus = repository.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    static func scan(_ folder: URL) -> [Finding] {
        let options = ReaderOptions()
        let files = Discovery(options: options).discover([folder.path]).files
        return Analysis.run(files, rules: rules, using: ParallelReader(options: options)) { _ in }.findings
    }

    /// What the writer wrote before: each finding (with its schema version) through `JSONEncoder`, one per line.
    static func encoded(_ findings: [Finding]) -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out: [UInt8] = []
        for f in findings {
            out += Array(try! e.encode(VersionedFinding(finding: f)))
            out.append(0x0A)
        }
        return out
    }

    static func expectSame(_ findings: [Finding], _ what: String) {
        let mine = FindingWriter.jsonLines(findings)
        let theirs = encoded(findings)
        if mine != theirs {
            let a = String(decoding: mine, as: UTF8.self).split(separator: "\n")
            let b = String(decoding: theirs, as: UTF8.self).split(separator: "\n")
            let k = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record("\(what): line \(k + 1) differs:\n\(k < a.count ? a[k] : "-")\n\(k < b.count ? b[k] : "-")")
        }
    }

    @Test func demoFindingsAreByteIdentical() {
        let findings = Self.scan(repository.appendingPathComponent("Fixtures/logs"))
        #expect(findings.count > 10)
        #expect(findings.contains { $0.credentials != nil } && findings.contains { $0.state != nil })
        Self.expectSame(findings, "demo")
    }

    /// Findings made as they are written (a `FindingStream`, a batch at a time on the writer's threads) render the
    /// bytes of the findings made all at once, in every format, on 1 to 3 threads and in batches down to one
    /// finding; the level filter and the summaries taken without making findings agree with the findings.
    @Test func findingsMadeAsWrittenRenderAsMadeAtOnce() throws {
        let options = ReaderOptions()
        let files = Discovery(options: options).discover([repository.appendingPathComponent("Fixtures/logs").path]).files
        let made = Analysis.run(files, rules: Self.rules, using: ParallelReader(options: options)) { _ in }.made
        let all = made.all()
        #expect(made.count == all.count && all.count > 10)
        #expect(made.ruleIds == Set(all.map(\.rule.id)))
        #expect(made.levels.map(\.rawValue) == all.map(\.rule.level))
        for level in SigmaRule.Level.allCases {
            #expect(made.atLeast(level).all().map(\.id) == all.filter { SigmaRule.Level(rawValue: $0.rule.level)! >= level }.map(\.id))
        }
        for format in FindingWriter.Format.allCases {
            let expected = FindingWriter(format: format).render(all)
            for (threads, batch) in [(1, 128), (2, 1), (3, 2), (2, 128)] {
                var writer = FindingWriter(format: format)
                writer.threads = threads
                writer.batch = batch
                var joined: [UInt8] = []
                writer.render(made) { (chunk: [UInt8]) in joined += chunk }
                #expect(joined == expected, "\(format), \(threads) threads, batches of \(batch)")
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("findings.jsonl").path
        #expect(FindingWriter(format: .jsonl).write(made, to: path, errors: ByteSink(fd: 2)))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == FindingWriter(format: .jsonl).render(all))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: corpus.path), "needs ../shared/corpus"))
    func corpusFindingsAreByteIdentical() {
        for capture in ["invictus-ir-aws_dataset", "stratus-red-team"] {
            let findings = Self.scan(Self.corpus.appendingPathComponent(capture))
            #expect(findings.count > 10, "\(capture)")
            Self.expectSame(findings, capture)
        }
    }

    @Test func hostileStringsAreEscapedAsTheEncoderDoes() {
        let controls = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) })
        let nasty = controls + #"a"b\c/d</script>"# + "\u{7F}é€😀\u{2028}\u{FEFF}"
        let evidence = Finding.Evidence(
            eventID: nasty, eventTime: nil, eventSource: "iam.amazonaws.com", eventName: nasty, errorCode: nasty, file: nasty,
            recordIndex: -3)
        var actor = Finding.Actor(type: nasty, arn: nasty, userName: "", accessKeyIds: [nasty, ""], sourceIPAddresses: [])
        actor.originAccount = nasty
        var target = Finding.Target(userName: nasty, accessKeyIds: [])
        target.createdKeys = [.init(userName: nasty, accessKeyId: "AKIA")]
        target.resources = ["secretId": [nasty], "Zeta": [], "parameterName": ["a", "b"], "é": ["x"], "a": []]
        let action = RenderedContainment(
            id: nasty, title: nasty, why: nasty,
            steps: [.init(title: nasty, why: nasty, commands: [nasty], document: .init(file: nasty, content: nasty))],
            references: [], subject: nasty)
        var f = Finding(
            id: nasty, rule: .init(id: nasty, title: nasty, level: "high", tactics: [], techniques: [nasty], file: nasty),
            title: nasty, firstSeen: nasty, lastSeen: "", count: Int.max, account: nil, regions: [nasty], actor: actor,
            target: target, evidence: [evidence, evidence], evidenceNotListed: 0, containment: [action, action])
        f.state = .init(kind: nasty, key: nil, openedByRule: nasty, opened: evidence, openedBy: actor, closed: nil, until: nasty, measure: nasty)
        f.credentials = [.init(accessKeyId: nasty, kind: "temporary", mintedBy: nasty, principal: nil, issuedAt: nasty, eventID: nasty)]
        Self.expectSame([f], "hostile")
        var empty = f
        empty.state = nil
        empty.credentials = []
        Self.expectSame([empty, f], "hostile, no state")
    }

    /// Findings whose builders cannot be read back from the scan's spill file are written with their id and rule,
    /// and the writer reports the output incomplete (the CLI exits 2), naming the cause.
    @Test func findingsNotReadBackMakeTheOutputIncomplete() throws {
        let spill = SpillFile()
        var set = FindingSet(spill: spill, heldLimit: 2)
        set.merge((0..<6).map { FindingBuilder(id: "id\($0)", ruleIndex: $0, title: "t\($0)") })
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("findings.jsonl").path
        let errPath = dir.appendingPathComponent("stderr").path
        let fd = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let sink = ByteSink(fd: fd)
        #expect(FindingWriter(format: .jsonl).write(set.stream(Self.rules), to: out, errors: sink))
        spill.discardForTesting()
        let ok = FindingWriter(format: .jsonl).write(set.stream(Self.rules), to: out, errors: sink)
        sink.flush()
        close(fd)
        #expect(!ok)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6 && (0..<6).allSatisfy { n in lines.contains { $0.contains("\"id\":\"id\(n)\"") } })
        let text = try String(contentsOfFile: errPath, encoding: .utf8)
        #expect(
            text == "trailhound: 6 finding(s) or trigger event(s) could not be read back from the scan's temporary file "
                + "(TMPDIR): the findings are incomplete (a finding not read back is written with its id and rule only); "
                + "scan again\n")
    }
}
