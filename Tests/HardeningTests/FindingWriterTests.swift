import Foundation
import Testing

@testable import TrailDetect
@testable import TrailOutput
@testable import TrailReader

/// The finding writers' limits and escapes, on findings made to break them: ASFF's length limits, CSV formulas, and
/// the progress line's formatting.
@Suite struct FindingWriterTests {
    func finding(
        title: String, actorArn: String = "arn:aws:iam::111122223333:user/alice", target: String? = "bob",
        keys: Int = 1, evidence: Int = 1
    ) -> Finding {
        let events = (0..<evidence).map { k in
            Finding.Evidence(
                eventID: "event-\(k)-0000-4000-8000-000000000000", eventTime: "2026-11-20T10:00:00Z", eventSource: "iam.amazonaws.com",
                eventName: "CreateAccessKey", errorCode: nil, file: "AWSLogs/x/\(k).json.gz", recordIndex: k)
        }
        let action = RenderedContainment(
            id: "iam-user-deny-all", title: String(repeating: "Deny every action to the IAM user ", count: 30), why: "why",
            steps: [.init(title: "Attach", why: nil, commands: ["aws iam attach-user-policy --user-name bob"], document: nil)],
            references: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html"])
        return Finding(
            id: "0123456789abcdef0123456789abcdef",
            rule: .init(
                id: "rule-1", title: "Access key created for another IAM user", level: "high",
                tactics: ["persistence", "privilege-escalation", "exfiltration"], techniques: ["T1098.001"], file: "rules/x.yml"),
            title: title, firstSeen: "2026-11-20T10:00:00Z", lastSeen: "2026-11-20T11:00:00Z", count: evidence + 5,
            account: "111122223333", regions: ["us-east-1", "eu-west-1"],
            actor: .init(
                type: "IAMUser", arn: actorArn, userName: "alice",
                accessKeyIds: (0..<keys).map { "AKIAEXAMPLE\(100_000 + $0)" },
                sourceIPAddresses: (0..<20).map { "198.51.100.\($0)" }),
            target: target.map { Finding.Target(userName: $0, accessKeyIds: (0..<keys).map { "AKIATARGET\(100_000 + $0)" }) },
            evidence: events, evidenceNotListed: 5, containment: [action])
    }

    func asff(_ f: Finding) throws -> [String: Any] {
        let bytes = FindingWriter(format: .asff).render([f])
        #expect(String(validating: bytes, as: UTF8.self) != nil)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func asffKeepsEveryLimitWithAVeryLongTitle() throws {
        let title = String(repeating: "créé 👩‍👩‍👧 漢字 ", count: 400)
        let a = try asff(finding(title: title, keys: 40, evidence: 100))
        let cut = try #require(a["Title"] as? String)
        #expect(cut.utf16.count <= 256 && cut.utf16.count >= 250)
        #expect(cut.hasSuffix("…"))
        #expect(title.hasPrefix(cut.dropLast()), "cut between characters")
        #expect((a["Description"] as? String)?.utf16.count ?? 9999 <= 1024)
        let text = try #require(((a["Remediation"] as? [String: Any])?["Recommendation"] as? [String: Any])?["Text"] as? String)
        #expect(text.utf16.count <= 512 && text.hasSuffix("…"))
        let fields = try #require(a["ProductFields"] as? [String: String])
        #expect(fields.count == 50)
        for (key, value) in fields { #expect(key.utf16.count <= 128 && !value.isEmpty && value.utf16.count <= 2048) }
        // Lists are cut to whole items, with a count of the rest.
        let ids = try #require(fields["trailhound/evidenceEventIds"])
        #expect(ids.hasPrefix("event-0-0000-4000-8000-000000000000 event-1-") && ids.hasSuffix(" more") && ids.utf16.count <= 2048)
        #expect(fields["trailhound/evidenceNotListed"] == String(105 - fields.keys.filter { $0.hasPrefix("trailhound/evidence/") }.count))
        #expect((a["Resources"] as? [Any])?.count == 32)
        let types = try #require(a["Types"] as? [String])
        #expect(types == [
            "TTPs/Persistence/Access key created for another IAM user",
            "TTPs/Privilege Escalation/Access key created for another IAM user",
            "TTPs/Data Exfiltration/Access key created for another IAM user",
        ])
    }

    /// A finding whose every log value is `value` (or starts with it).
    func finding(everyValue v: String, keys: Int = 40, evidence: Int = 100) -> Finding {
        let events = (0..<evidence).map { k in
            Finding.Evidence(
                eventID: "event-\(k)" + v, eventTime: "2026-11-20T10:00:00Z", eventSource: "iam.amazonaws.com" + v,
                eventName: "CreateAccessKey" + v, errorCode: v, file: v + "AWSLogs/x/\(k).json.gz", recordIndex: k)
        }
        var f = Finding(
            id: "0123456789abcdef0123456789abcdef",
            rule: .init(id: "rule-1", title: "Access key created" + v, level: "high", tactics: ["persistence"], techniques: ["T1098.001"], file: "rules/x.yml"),
            title: "title" + v, firstSeen: "2026-11-20T10:00:00Z", lastSeen: "2026-11-20T11:00:00Z", count: evidence + 5,
            account: "111122223333", regions: ["us-east-1", v],
            actor: .init(
                type: "IAMUser", arn: "arn:aws:iam::111122223333:user/" + v, userName: v, roleName: v, sessionName: v,
                parentArn: v, identityCenterUserId: v, accessKeyIds: (0..<keys).map { "AKIA\($0)" + v },
                originAccessKeyIds: (0..<keys).map { "AKIO\($0)" + v }, originUserName: v,
                sourceIPAddresses: (0..<20).map { "198.51.100.\($0)" + v }),
            target: .init(userName: v, roleName: v, identityCenterUserId: v, accessKeyIds: (0..<keys).map { "AKIAT\($0)" + v }),
            evidence: events, evidenceNotListed: 5, containment: [])
        f.state = Finding.State(kind: "state", key: "key" + v, openedByRule: nil, opened: events.first, closed: events.last, until: v, measure: v)
        f.credentials = (0..<keys).map { Finding.Credential(accessKeyId: "ASIA\($0)" + v, kind: "temporary", mintedBy: v, parentAccessKeyId: v, principal: v, issuedAt: v, expiresAt: v) }
        return f
    }

    /// The size Security Hub's 240 KB limit is checked against here: the JSON with every non-ASCII character
    /// escaped, as botocore sends it (Python's json.dumps).
    static func escapedSize(_ bytes: [UInt8]) -> Int {
        String(decoding: bytes, as: UTF8.self).unicodeScalars.reduce(0) { n, s in
            n + (s.value < 0x80 ? 1 : s.value < 0x10000 ? 6 : 12)
        }
    }

    /// A finding whose log values are megabytes long (the 9.4 MB finding of issue 14): every ASFF field stays in
    /// its limit, the whole finding within 240 KB, and the cuts are visible.
    @Test(arguments: ["ascii", "wide"])
    func asffStaysWithinSecurityHubsSizeLimitWithHugeValues(_ kind: String) throws {
        // Wide: CJK and emoji (6 and 12 bytes each once escaped) and controls, so field limits alone are not enough.
        let huge = kind == "ascii" ? String(repeating: "A", count: 300_000) : String(repeating: "漢😀\u{1B}é", count: 20_000)
        let f = finding(everyValue: huge)
        #expect(try FindingWriter.encoder(pretty: false).encode(f).count > 9_000_000, "the finding itself is huge")
        let bytes = FindingWriter(format: .asff).render([f])
        let size = Self.escapedSize(bytes)
        #expect(size <= ASFFFinding.maxFindingBytes, "\(size) bytes")
        let a = try asff(f)
        let fields = try #require(a["ProductFields"] as? [String: String])
        // Cut further (and marked) exactly when the field limits alone left it too large.
        let needed = Self.escapedSize(Array(try FindingWriter.encoder(pretty: false).encode(ASFFFinding.json(f, shrink: 1))))
        #expect((needed > ASFFFinding.maxFindingBytes) == (kind == "wide"), "\(needed) bytes with the field limits alone")
        #expect((fields["trailhound/cut"]?.contains("240 KB") == true) == (kind == "wide"))
        #expect(fields.count <= 50)
        for (key, value) in fields { #expect(key.utf16.count <= 128 && value.utf16.count <= 2048) }
        #expect((a["Title"] as? String)?.hasSuffix("…") == true)
        let resources = try #require(a["Resources"] as? [[String: Any]])
        #expect(!resources.isEmpty && resources.count <= 32)
        var cut = 0
        for r in resources {
            #expect((r["Id"] as? String)?.utf16.count ?? 0 <= 512)
            let details = try #require(r["Details"] as? [String: [String: String]])
            for (_, members) in details {
                for (_, value) in members {
                    #expect(value.utf16.count < 1024)
                    if value.hasSuffix("…") { cut += 1 }
                }
            }
        }
        #expect(cut > 0, "cut details end with a visible marker")
        let user = try #require(resources.first { $0["Type"] as? String == "AwsIamUser" })
        let name = try #require((user["Details"] as? [String: [String: String]])?["AwsIamUser"]?["UserName"])
        #expect(huge.hasPrefix(name.dropLast()), "the name is the value's start")

        // An ordinary finding is not cut and carries no marker.
        let plain = try asff(finding(title: "ordinary"))
        #expect((plain["ProductFields"] as? [String: String])?["trailhound/cut"] == nil)
    }

    /// Every terminal line of the findings table is inert, whatever the finding's values hold.
    /// The line formats are rendered in chunks of whole lines, each inert on a terminal, that join to what one
    /// rendering gives (so `scan` never holds its whole output), and a file written chunk by chunk has every line.
    @Test(arguments: [FindingWriter.Format.jsonl, .ocsf, .asff])
    func lineFormatsComeInChunksOfWholeLines(_ format: FindingWriter.Format) throws {
        let h = "\u{1B}]0;x\u{07}\u{202E}\u{2066}"
        let findings = (0..<120).map { n in finding(everyValue: h + "\(n)", keys: 10, evidence: 60) }
        let writer = FindingWriter(format: format)
        var chunks: [[UInt8]] = []
        writer.render(findings) { (chunk: [UInt8]) in chunks.append(chunk) }
        #expect(chunks.count > 1)
        for chunk in chunks {
            #expect(chunk.last == 0x0A)
            #expect(!String(decoding: chunk, as: UTF8.self).unicodeScalars.contains { [0x1B, 0x202E, 0x2066].contains($0.value) })
        }
        let whole = chunks.flatMap { $0 }
        #expect(whole.split(separator: 0x0A).count == findings.count)
        if format == .jsonl {
            var expected = FindingWriter.jsonLines(findings)
            TerminalText.inertJSON(&expected)
            #expect(whole == expected)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("findings.out").path
        #expect(writer.write(findings, to: path, errors: ByteSink(fd: 2)))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == whole)
    }

    /// On several threads the line formats render the same bytes, in the same order.
    @Test(arguments: [FindingWriter.Format.jsonl, .ocsf, .asff])
    func lineFormatsRenderTheSameOnThreads(_ format: FindingWriter.Format) {
        let findings = (0..<700).map { n in finding(title: "finding \(n) \u{202E}", actorArn: "arn:aws:iam::111122223333:user/u\(n)") }
        let one = FindingWriter(format: format).render(findings)
        for threads in [2, 3] {
            var writer = FindingWriter(format: format)
            writer.threads = threads
            var chunks = 0
            var joined: [UInt8] = []
            writer.render(findings) { (chunk: [UInt8]) in
                chunks += 1
                joined += chunk
            }
            #expect(joined == one)
            #expect(chunks > 1)
        }
    }

    @Test func findingTableIsInert() {
        let h = "\u{1B}]0;x\u{07}\u{9B}\u{202E}\u{2066}\u{200F}\u{2028}\u{FEFF}\u{E0041}\u{7F}\r\n"
        let table = String(decoding: FindingWriter(format: .table).render([finding(everyValue: h, keys: 2, evidence: 7)]), as: UTF8.self)
        #expect(!table.unicodeScalars.contains { s in
            (s.value < 0x20 && s != "\n") || (0x7F...0x9F).contains(s.value)
                || [0x202E, 0x2066, 0x200F, 0x2028, 0xFEFF, 0xE0041].contains(s.value)
        })
        #expect(table.contains("title\\u{1b}]0;x\\u{7}\\u{9b}\\u{202e}"))
    }

    @Test func asffTitleIsNeverEmpty() throws {
        let a = try asff(finding(title: "   ", target: nil, keys: 0))
        #expect(a["Title"] as? String == "Access key created for another IAM user")
        #expect((a["Resources"] as? [[String: Any]])?.first?["Type"] as? String == "AwsIamUser")
    }

    @Test func textLimitCutsBetweenCharacters() {
        #expect(TextLimit.cut("short", to: 10) == "short")
        #expect(TextLimit.cut("abcdef", to: 4) == "abc…")
        // A family emoji is 8 UTF-16 units: it is kept whole or left out, never split.
        #expect(TextLimit.cut("ab👩‍👩‍👧cd", to: 9) == "ab…")
        #expect(TextLimit.cut("ab👩‍👩‍👧cd", to: 11) == "ab👩‍👩‍👧…")
        #expect(TextLimit.cut("é漢字é", to: 3) == "é漢…")
        #expect(TextLimit.join(["a1", "b2", "c3"], limit: 100) == "a1 b2 c3")
        #expect(TextLimit.join(["a1", "b2", "c3", "d4"], limit: 14) == "a1 b2 +2 more")
        #expect(TextLimit.join(["aaaa", "bbbb", "cccc", "dddd"], limit: 16) == "aaaa +3 more")
    }

    /// A spreadsheet opening `--format csv` never sees a formula, whichever finding field the attacker chose.
    @Test func csvFindingCellsCannotBeFormulas() throws {
        let evil = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"]
        var findings: [Finding] = []
        for e in evil {
            findings.append(finding(title: e, actorArn: e, target: e))
        }
        let text = String(decoding: FindingWriter(format: .csv).render(findings), as: UTF8.self)
        let rows = Self.parseCSV(text)
        #expect(rows.count == evil.count + 1)
        for row in rows.dropFirst() {
            #expect(row.count == rows[0].count)
            for cell in row {
                #expect(!["=", "+", "-", "@", "\t", "\r"].contains(cell.first.map(String.init) ?? ""), "\(cell)")
            }
        }
        #expect(rows[1][3] == "'=HYPERLINK(\"http://x\",\"y\")", "the value is kept, behind a quote")
        #expect(rows[6][3] == "'\r=1")
    }

    /// RFC 4180 fields, quotes doubled inside quoted fields.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        cell.unicodeScalars.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    cell.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(cell)
                cell = ""
            } else if c == "\r" && chars.first == "\n" {
                chars.removeFirst()
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            } else {
                cell.unicodeScalars.append(c)
            }
        }
        return rows
    }

    @Test func progressLine() {
        #expect(
            ProgressMeter.line(files: 0, totalFiles: 1846, bytes: 0, totalBytes: 250_000_000, events: 0, elapsed: 0)
                == "trailhound: 0/1846 files, 0.0/250 MB, 0 events/s, ETA --:--")
        #expect(
            ProgressMeter.line(files: 120, totalFiles: 1846, bytes: 50_000_000, totalBytes: 250_000_000, events: 675_200, elapsed: 10)
                == "trailhound: 120/1846 files, 50.0/250 MB, 67.5k events/s, ETA 0:40")
        #expect(
            ProgressMeter.line(files: 3, totalFiles: 4, bytes: 12_345_678, totalBytes: 0, events: 30_000_000, elapsed: 12)
                == "trailhound: 3/4 files, 12.3 MB, 2.5M events/s, ETA 0:04")
        #expect(
            ProgressMeter.line(files: 1, totalFiles: 100, bytes: 1_000_000, totalBytes: 10_000_000_000, events: 950, elapsed: 2)
                == "trailhound: 1/100 files, 1.0/10000 MB, 475 events/s, ETA 5:33:18")
    }

    @Test func progressMeterRedrawsAtMostFourTimesASecondAndClears() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(enabled: Bool) throws -> String {
            let path = folder.appendingPathComponent("stderr-\(enabled)").path
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            defer { close(fd) }
            let sink = ByteSink(fd: fd)
            var now = 100.0
            let meter = ProgressMeter([InputFile(path: "a"), InputFile(path: "b")], to: sink, enabled: enabled, clock: { now })
            var report = FileReport(path: "a")
            report.inputBytes = 1_000_000
            report.records = 500
            for t in [0.1, 0.6, 0.7, 0.8, 0.9, 1.0] {
                now = 100 + t
                meter.add(report)
            }
            meter.finish()
            sink.flush()
            return try String(contentsOfFile: path, encoding: .utf8)
        }
        #expect(try run(enabled: false) == "")
        let shown = try run(enabled: true)
        // Drawn at 0.6 s (not before half a second), then at 0.9 s (0.25 s later), then cleared.
        #expect(shown.components(separatedBy: "\r").count - 1 == 3)
        #expect(shown.contains("trailhound: 2/2 files, 2.0 MB, 1.7k events/s"))
        #expect(shown.contains("trailhound: 5/2 files"))
        #expect(shown.hasSuffix("\r\u{1B}[K"))
        #expect(!shown.contains("\n"))
    }
}
