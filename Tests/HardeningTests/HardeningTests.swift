import Foundation
import Testing

@testable import TrailDetect
@testable import TrailFuzzing
@testable import TrailOutput
@testable import TrailReader

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-hardening-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func record(_ id: String, extra: String = "") -> String {
    #"{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice"},"eventTime":"2026-11-20T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","awsRegion":"us-east-1","eventID":"\#(id)","recipientAccountId":"111122223333"\#(extra)}"#
}

/// Inputs the fuzzers once broke stay fixed: every file in Fixtures/fuzz/<target>/ is replayed.
@Suite struct FuzzRegressionTests {
    static func inputs(_ target: String) -> [String] {
        let folder = repository.appendingPathComponent("Fixtures/fuzz/\(target)")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }
            .sorted().map { "\(target)/\($0)" }
    }

    @Test(arguments: inputs("reader") + inputs("rules") + inputs("policy"))
    func replay(_ name: String) throws {
        let data = try Data(contentsOf: repository.appendingPathComponent("Fixtures/fuzz/\(name)"))
        data.withUnsafeBytes { bytes in
            switch name.split(separator: "/")[0] {
            case "reader": FuzzChecks.reader(bytes)
            case "rules": FuzzChecks.rules(bytes)
            default: FuzzChecks.policy(bytes)
            }
        }
    }

    @Test func seedsRunThroughEveryCheck() throws {
        for file in ["formats/delivery.json.gz", "formats/lookup-events.json", "malformed/deep.json", "malformed/binary.json"] {
            let data = try Data(contentsOf: repository.appendingPathComponent("Fixtures/\(file)"))
            data.withUnsafeBytes { FuzzChecks.reader($0) }
        }
        let rule = try Data(contentsOf: repository.appendingPathComponent("rules/iam/iam_access_key_created_for_other_user.yml"))
        rule.withUnsafeBytes { FuzzChecks.rules($0) }
        Data(#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#.utf8).withUnsafeBytes { FuzzChecks.policy($0) }
    }
}

/// Log values are attacker-chosen: they never reach a terminal raw, a spreadsheet as a formula, or a JSON parser as
/// invalid JSON.
@Suite struct HostileValueTests {
    func events(_ text: String, format: EventWriter.Format) -> String {
        let writer = EventWriter(format: format, fields: [])
        var out: [UInt8] = []
        writer.header(into: &out)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { raw in
            FileReader(options: ReaderOptions()).read(content: raw, path: "x") { writer.write($0, into: &out) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func controlCharactersNeverReachTheTerminal() throws {
        let table = events(record("e1", extra: #","userAgent":"\u001b[31mred\u001b]0;title\u0007 \u009b","sourceIPAddress":"1.2.3.4\r\nfake line\u2028\ufeff""#), format: .table)
        #expect(!table.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!table.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) })
        #expect(!table.unicodeScalars.contains { [0x2028, 0xFEFF].contains($0.value) })
        #expect(table.contains("1.2.3.4\\u{d}\\u{a}fake line\\u{2028}\\u{feff}"))
        #expect(table.split(separator: "\n").count == 2)
        let diagnostic = Diagnostic(.invalidJSON, path: "evil\u{1B}[2Jname.json", message: "bad \u{1B}[31m")
        var summary = RunSummary()
        summary.diagnostics = [diagnostic, Diagnostic(.invalidJSON, path: "\u{202E}nosj.exe", message: "x\u{2066}")]
        let rendered = SummaryWriter.render(summary)
        #expect(!rendered.contains("\u{1B}") && !rendered.unicodeScalars.contains { [0x202E, 0x2066].contains($0.value) })
        #expect(rendered.contains("\\u{202e}nosj.exe"))
        // Quiet runs print only the problems, and extra lines (a state path, counts) go through the same escape.
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("stderr").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let sink = ByteSink(fd: fd)
        SummaryWriter.report(summary, quiet: true, extra: [], to: sink)
        SummaryWriter.report(summary, quiet: false, extra: ["state: \u{1B}[2J\u{202E}"], to: sink)
        sink.flush()
        close(fd)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!written.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
        #expect(written.contains("state: \\u{1b}[2J\\u{202e}"))
    }

    /// Each kind of character that can act on a terminal, reorder or hide text is escaped; other text is kept.
    @Test func terminalTextEscapesControlsBidiAndInvisibleCharacters() {
        let escaped: [(Unicode.Scalar, String)] = [
            ("\u{1B}", "\\u{1b}"), ("\u{07}", "\\u{7}"), ("\r", "\\u{d}"), ("\n", "\\u{a}"), ("\u{7F}", "\\u{7f}"),
            ("\u{9B}", "\\u{9b}"), ("\u{85}", "\\u{85}"), ("\u{202A}", "\\u{202a}"), ("\u{202B}", "\\u{202b}"),
            ("\u{202C}", "\\u{202c}"), ("\u{202D}", "\\u{202d}"), ("\u{202E}", "\\u{202e}"), ("\u{2066}", "\\u{2066}"),
            ("\u{2067}", "\\u{2067}"), ("\u{2068}", "\\u{2068}"), ("\u{2069}", "\\u{2069}"), ("\u{200E}", "\\u{200e}"),
            ("\u{200F}", "\\u{200f}"), ("\u{061C}", "\\u{61c}"), ("\u{2028}", "\\u{2028}"), ("\u{2029}", "\\u{2029}"),
            ("\u{FEFF}", "\\u{feff}"), ("\u{200B}", "\\u{200b}"), ("\u{2060}", "\\u{2060}"), ("\u{00AD}", "\\u{ad}"),
            ("\u{E0041}", "\\u{e0041}"), ("\u{E0001}", "\\u{e0001}"),
        ]
        for (scalar, shown) in escaped {
            #expect(TerminalText.sanitize("a\(scalar)b") == "a\(shown)b", "U+\(String(scalar.value, radix: 16))")
        }
        for kept in ["plain ascii ~", "café naïve", "日本語 漢字", "שלום مرحبا", "👩‍👩‍👧 family (joiners kept)", "tab-free"] {
            #expect(TerminalText.sanitize(kept) == kept)
        }
    }

    /// JSON output gets the same characters as JSON escapes: inert on a terminal, the same values for a parser.
    @Test func jsonOutputIsInertAndKeepsItsValues() throws {
        let hostile = "\u{9B}2J\u{202E}evil\u{2066}\u{200E}\u{61C}\u{2028}\u{2029}\u{FEFF}\u{200B}\u{E0041}\u{7F}é漢😀👩‍👩‍👧"
        let input = try JSONSerialization.data(withJSONObject: ["userAgent": hostile, "k\u{202E}ey": ["a\u{7F}", 1]])
        var bytes = Array(input)
        TerminalText.inertJSON(&bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.unicodeScalars.contains { TerminalText.needsEscape($0) })
        #expect(text.contains(#"\u009b2J\u202eevil\u2066\u200e\u061c\u2028\u2029\ufeff\u200b\udb40\udc41\u007fé漢😀👩‍👩‍👧"#))
        let before = try #require(try JSONSerialization.jsonObject(with: input) as? NSDictionary)
        let after = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
        #expect(before == after)
        var plain = Array(#"{"a":"plain ascii","b":"café 漢字 😀"}"#.utf8)
        let copy = plain
        TerminalText.inertJSON(&plain)
        #expect(plain == copy)

        // `events` (JSON Lines by default, also on a terminal) and the finding formats go through it.
        let record = record("e1", extra: ",\"userAgent\":\"\(hostile)\"")
        let lines = events(record, format: .jsonl)
        #expect(!lines.unicodeScalars.contains { TerminalText.needsEscape($0) && $0 != "\n" })
        let event = try #require(try JSONSerialization.jsonObject(with: Data(lines.utf8)) as? [String: Any])
        #expect(event["userAgent"] as? String == hostile)
    }

    /// `inertJSON` skips ASCII eight bytes at a time and copies runs between the characters it escapes; it must give
    /// what escaping scalar by scalar gives wherever those characters fall (word boundaries, runs of them, invalid
    /// bytes, a start offset). Seeded, so a failure is repeatable.
    @Test func inertJSONMatchesScalarByScalarEscaping() {
        func reference(_ bytes: [UInt8], from start: Int) -> [UInt8] {
            var out = Array(bytes[..<start])
            var i = start
            let hex = Array("0123456789abcdef".utf8)
            func unit(_ u: UInt32) {
                out += [0x5C, 0x75] + [12, 8, 4, 0].map { hex[Int(u >> UInt32($0) & 0xF)] }
            }
            bytes.withUnsafeBytes { raw in
                while i < bytes.count {
                    let (scalar, length) = TerminalText.decode(raw, i)
                    if let scalar, scalar.value >= 0x7F, TerminalText.needsEscape(scalar) {
                        let v = scalar.value
                        if v > 0xFFFF {
                            unit(0xD800 + ((v - 0x10000) >> 10))
                            unit(0xDC00 + ((v - 0x10000) & 0x3FF))
                        } else {
                            unit(v)
                        }
                    } else {
                        out += bytes[i..<(i + length)]
                    }
                    i += length
                }
            }
            return out
        }
        let pieces: [[UInt8]] = ["a", "bcdefgh", "\"", "\u{7F}", "é", "—", "漢", "😀", "\u{202E}", "\u{E0041}", "\u{9B}",
                                 "\u{2028}", "\u{FEFF}", "0123456789abcdef"].map { Array($0.utf8) } + [[0xFF], [0xE2, 0x80]]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        for round in 0..<2000 {
            var bytes: [UInt8] = []
            for _ in 0..<next(40) { bytes += pieces[next(pieces.count)] }
            let start = bytes.isEmpty ? 0 : next(bytes.count + 1)
            var got = bytes
            TerminalText.inertJSON(&got, from: start)
            #expect(got == reference(bytes, from: start), "round \(round)")
        }
    }

    @Test func csvCellsCannotBeFormulas() {
        for evil in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"] {
            #expect(CSV.cell(evil).hasPrefix("'") || CSV.cell(evil).hasPrefix("\"'"), "\(evil)")
        }
        #expect(CSV.cell("a,b\"c") == "\"a,b\"\"c\"")
        let csv = events(record("e1", extra: #","userAgent":"=cmd|' /C calc'!A0""#), format: .csv)
        #expect(!csv.contains(",=cmd"))
    }

    @Test func jsonOutputIsValidEvenWithInvalidUTF8AndNULs() throws {
        var bytes = Array(record("e1", extra: #","userAgent":"ok \u0000 nul","note":"XX""#).utf8)
        let at = bytes.firstRange(of: Array("XX".utf8))!.lowerBound
        bytes[at] = 0xFF  // not UTF-8
        bytes[at + 1] = 0xC3  // a truncated two-byte sequence
        let writer = EventWriter(format: .jsonl, fields: [])
        var out: [UInt8] = []
        let report = bytes.withUnsafeBytes { raw in
            FileReader(options: ReaderOptions()).read(content: raw, path: "x") { writer.write($0, into: &out) }
        }
        #expect(report.delivered == 1)
        #expect(String(validating: out, as: UTF8.self) != nil)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [String: Any])
        #expect(object["note"] as? String == "\u{FFFD}\u{FFFD}")
        #expect(object["userAgent"] as? String == "ok \u{0} nul")
        // A raw NUL or control byte inside a string is not JSON: the record is reported, not passed on.
        let raw = Array(record("e2", extra: ",\"x\":\"a\u{0}b\"").utf8)
        let bad = raw.withUnsafeBytes { FileReader(options: ReaderOptions()).read(content: $0, path: "y") { _ in } }
        #expect(bad.delivered == 0 && bad.diagnostics.first?.kind == .invalidJSON)
    }

    @Test func utf8RepairKeepsValidTextAndReplacesTheRest() {
        var valid = Array("plain ascii, café, 😀, 日本".utf8)
        let copy = valid
        UTF8Repair.repair(&valid, from: 0)
        #expect(valid == copy)
        var broken: [UInt8] = [0x61, 0xED, 0xA0, 0x80, 0x62, 0xF8, 0x63, 0xE2, 0x82]  // surrogate, bad lead, truncated
        UTF8Repair.repair(&broken, from: 0)
        #expect(String(validating: broken, as: UTF8.self) == "a\u{FFFD}\u{FFFD}\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}")
    }
}

/// Hostile structure stays within bounded memory and time.
@Suite struct HostileStructureTests {
    @Test func hugeStringsAndRecordsAreSkippedInBoundedMemory() throws {
        var options = ReaderOptions()
        options.maxRecordBytes = 1 << 20
        let huge = record("big", extra: ",\"pad\":\"" + String(repeating: "A", count: 24 << 20) + "\"")
        let text = "{\"Records\":[" + [record("a"), huge, record("b")].joined(separator: ",") + "]}"
        let reader = FileReader(options: options)
        var ids: [String] = []
        let report = Array(text.utf8).withUnsafeBytes { raw in
            reader.read(content: raw, path: "huge.json") { ids.append($0.string(at: FieldPath("eventID")!) ?? "?") }
        }
        #expect(ids == ["a", "b"])
        #expect(report.diagnostics.map(\.kind) == [.recordTooLarge])
        // The buffer never grew past about twice the record limit, though the record was 24 MiB.
        #expect(reader.peakCapacity <= 4 << 20)
    }

    @Test func numbersThatOverflowAreJustText() {
        let text = record("n", extra: #","big":123456789012345678901234567890,"exp":1e999999,"neg":-0.0e-99999"#)
        var seen = false
        _ = Array(text.utf8).withUnsafeBytes { raw in
            FileReader(options: ReaderOptions()).read(content: raw, path: "n") { e in
                seen = true
                #expect(e.value(at: FieldPath("big")!)?.int64 == nil)
                #expect(e.value(at: FieldPath("big")!)?.scalarText == "123456789012345678901234567890")
            }
        }
        #expect(seen)
    }

    @Test func catastrophicRegexCannotHangAScan() throws {
        let yaml = """
            title: evil
            id: 00000000-0000-4000-8000-0000000000ee
            logsource: {product: aws, service: cloudtrail}
            detection:
              sel:
                userAgent|re: '(a+)+$'
              condition: sel
            """
        let set = try RuleSet.compile(yaml: yaml, file: "evil.yml")
        let detector = Detector(rules: set)
        let start = Date()
        for k in 0..<50 {
            let json = record("e\(k)", extra: ",\"userAgent\":\"" + String(repeating: "a", count: 40) + "!\"")
            _ = EventParser.withEvent(Array(json.utf8)) { detector.process($0, file: "f") }
        }
        #expect(Date().timeIntervalSince(start) < 10)
        let timeouts = set.regexTimeouts()
        #expect(timeouts.count == 1)
        #expect(timeouts.first?.count == RegexBox.maxTimeouts)
        // A pattern that is only slow on hostile input still matches ordinary values.
        let ok = record("ok", extra: #","userAgent":"aaaa""#)
        let fresh = try RuleSet.compile(yaml: yaml, file: "evil.yml")
        let d2 = Detector(rules: fresh)
        _ = EventParser.withEvent(Array(ok.utf8)) { d2.process($0, file: "f") }
        #expect(d2.take().count == 1)
    }
}

/// Hostile file systems: names that are not UTF-8, FIFOs, files that change while they are read.
@Suite struct HostileFileSystemTests {
    @Test func namesThatAreNotUTF8AreReadAndShownEscaped() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let name: [UInt8] = Array("log-".utf8) + [0xFF, 0xFE] + Array(".json".utf8)
        let path = Array(folder.path.utf8) + [0x2F] + name + [0]
        let fd = path.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) }
        }
        #expect(fd >= 0)
        let text = Array(("{\"Records\":[" + record("u1") + "]}").utf8)
        _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        close(fd)
        let discovery = Discovery(options: ReaderOptions()).discover([folder.path])
        #expect(discovery.files.count == 1)
        let file = try #require(discovery.files.first)
        #expect(file.path.hasSuffix("log-\\xFF\\xFE.json"))
        var ids: [String] = []
        let report = FileReader(options: ReaderOptions()).read(file) { ids.append($0.string(at: FieldPath("eventID")!) ?? "?") }
        #expect(ids == ["u1"])
        #expect(report.status == .read)
    }

    @Test func fifosInATreeAreSetAsideNotOpened() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(mkfifo(folder.appendingPathComponent("pipe.json").path, 0o644) == 0)
        try Data(("{\"Records\":[" + record("f1") + "]}").utf8).write(to: folder.appendingPathComponent("real.json"))
        let discovery = Discovery(options: ReaderOptions()).discover([folder.path])
        #expect(discovery.files.map { $0.path.hasSuffix("real.json") } == [true])
        #expect(discovery.setAside.map(\.reason) == [.notLogFile])
    }

    @Test func aFileThatGrowsWhileReadIsReportedForAnotherRead() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("growing.json")
        try Data(("{\"Records\":[" + record("g1") + "]}\n").utf8).write(to: url)
        let handle = try FileHandle(forWritingTo: url)
        let report = FileReader(options: ReaderOptions()).read(InputFile(path: url.path)) { _ in
            // An S3 sync appends while we read.
            handle.seekToEndOfFile()
            handle.write(Data(String(repeating: " ", count: 100).utf8))
        }
        try handle.close()
        #expect(report.delivered == 1)
        #expect(report.diagnostics.map(\.kind) == [.changedDuringRead])
        #expect(report.status == .partial)
    }
}
