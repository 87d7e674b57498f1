import Foundation
import Testing

/// Every command's text for people — tables, trace, rule listings, the summary and diagnostics on stderr — run on
/// logs and rules full of characters a terminal must never receive raw.
@Suite struct TerminalOutputTests {
    /// ANSI CSI and OSC sequences, a one-character C1 CSI, bidirectional overrides and isolates, marks, line and
    /// paragraph separators, a byte-order mark, a zero-width space, a tag character, DEL and a carriage return.
    static let hostile =
        "\u{1B}]0;pwned\u{07}\u{1B}[31m\u{9B}2J\u{202E}evil\u{202C}\u{2066}x\u{2069}\u{200E}\u{200F}\u{61C}"
        + "\u{2028}\u{2029}\u{FEFF}\u{200B}\u{E0041}\u{7F}\r"

    /// The characters no line of output may hold (a line feed ends lines, so it is allowed between them).
    static func forbidden(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (v < 0x20 && v != 0x0A) || v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v)
            || (0x2066...0x2069).contains(v) || [0x200B, 0x200E, 0x200F, 0x061C, 0x2028, 0x2029, 0xFEFF].contains(v)
            || (0xE0000...0xE007F).contains(v)
    }

    static func expectInert(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bad = text.unicodeScalars.filter(forbidden).map { String($0.value, radix: 16) }
        #expect(bad.isEmpty, "\(what) holds raw \(Set(bad).sorted())", sourceLocation: sourceLocation)
    }

    /// A log folder: a CreateUser (a finding with the bundled rules) whose every value is hostile, a second call by
    /// the same key, and a broken file whose name is hostile (a diagnostic).
    static func logs() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-terminal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let h = hostile
        func record(_ name: String, _ source: String, id: String) -> [String: Any] {
            [
                "eventVersion": "1.11", "eventTime": "2026-11-20T10:00:0\(id.count % 10)Z", "eventSource": source,
                "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7\(h)",
                "userAgent": "agent\(h)", "eventID": "id-\(id)\(h)", "recipientAccountId": "111122223333",
                "userIdentity": [
                    "type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/jack\(h)", "userName": "jack\(h)",
                    "accountId": "111122223333", "accessKeyId": "AKIAHOSTILEEXAMPLE01",
                ],
                "requestParameters": ["userName": "backup\(h)"],
                "responseElements": ["user": ["userName": "backup\(h)", "arn": "arn:aws:iam::111122223333:user/backup\(h)"]],
            ]
        }
        let log: [String: Any] = [
            "Records": [record("CreateUser", "iam.amazonaws.com", id: "1"), record("ListUsers\(h)", "iam.amazonaws.com\(h)", id: "22")]
        ]
        try JSONSerialization.data(withJSONObject: log).write(to: folder.appendingPathComponent("log.json"))
        try Data("{\"Records\":[{\"eventTime\":".utf8).write(to: folder.appendingPathComponent("broken\(h).json"))
        return folder
    }

    /// A foreign rule whose title, id and fields are hostile, and one that is skipped for an unsupported feature.
    static func rules() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-terminal-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let e = #"\e]0;pwned\a\e[31m\x9b2J\u202Eevil\u2066\u200E\u061C\u2028\uFEFF\u200B\U000E0041\x7f\r"#
        try """
            title: "Listed \(e)"
            id: "hostile-rule-\(e)"
            logsource: {product: aws, service: cloudtrail}
            detection:
              sel:
                eventName: "ListUsers\(e)"
              condition: sel
            level: low
            """.write(to: folder.appendingPathComponent("listed.yml"), atomically: true, encoding: .utf8)
        try """
            title: "Skipped \(e)"
            id: 00000000-0000-4000-8000-0000000000aa
            logsource: {product: aws, service: cloudtrail}
            detection:
              sel:
                "userAgent\(e)|base64offset|contains": x
              condition: sel
            level: low
            """.write(to: folder.appendingPathComponent("skipped.yml"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test func everyTextForPeopleIsInert() throws {
        let logs = try Self.logs()
        let rules = try Self.rules()
        defer {
            try? FileManager.default.removeItem(at: logs)
            try? FileManager.default.removeItem(at: rules)
        }
        let scanned = try CLI.run(["scan", logs.path, "--format", "jsonl"])
        let ids = scanned.lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String }
        let id = try #require(ids.first)
        let runs: [(String, [String])] = [
            ("scan table", ["scan", logs.path, "--format", "table", "--rules", rules.path]),
            ("scan triage", ["scan", logs.path, "--format", "triage", "--rules", rules.path]),
            ("show", ["show", id, logs.path]),
            ("summary", ["summary", logs.path]),
            ("scan -q", ["scan", logs.path, "-q", "--format", "table", "--rules", rules.path]),
            ("events table", ["events", logs.path, "--format", "table"]),
            ("events fields table", ["events", logs.path, "--format", "table", "--fields", "userAgent,userIdentity.arn,eventName"]),
            ("trace key", ["trace", "AKIAHOSTILEEXAMPLE01", logs.path]),
            ("trace key calls", ["trace", "AKIAHOSTILEEXAMPLE01", logs.path, "--calls"]),
            ("trace arn", ["trace", "arn:aws:iam::111122223333:user/jack\(Self.hostile)", logs.path]),
            ("rules list", ["rules", "list", "--rules", rules.path]),
            ("rules check", ["rules", "check", "--rules", rules.path, "--no-bundled-rules"]),
            // The HTML goes to a file (its safety: TrailReportTests, scripts/report-check); stderr is for people.
            ("report", ["report", logs.path, "-o", rules.appendingPathComponent("report.html").path, "--rules", rules.path]),
        ]
        for (what, arguments) in runs {
            let r = try CLI.run(arguments)
            let out = String(decoding: r.stdout, as: UTF8.self)
            Self.expectInert(out, "\(what): stdout")
            Self.expectInert(r.stderr, "\(what): stderr")
            // The values are shown, escaped, not dropped.
            #expect((out + r.stderr).contains("\\u{202e}"), "\(what): \(out.prefix(300)) \(r.stderr.prefix(300))")
        }
        // In colour, the only escape sequences are trailhound's own colours: without them, the text is inert.
        for arguments in [["scan", logs.path, "--format", "triage"], ["show", id, logs.path], ["summary", logs.path]] {
            let r = try CLI.run(arguments + ["--color", "always"])
            let out = String(decoding: r.stdout, as: UTF8.self)
            #expect(out.contains("\u{1B}["), "\(arguments[0]): no colour")
            Self.expectInert(out.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression), "\(arguments[0]) in colour")
            #expect(out.contains("\\u{202e}"))
        }
        // JSON for programs is inert too (as JSON escapes, the same values for a parser).
        let json: [(String, [String])] = [
            ("events", ["events", logs.path]),
            ("scan jsonl", ["scan", logs.path, "--format", "jsonl"]),
            ("scan json", ["scan", logs.path, "--format", "json"]),
            ("scan ocsf", ["scan", logs.path, "--format", "ocsf"]),
            ("scan asff", ["scan", logs.path, "--format", "asff"]),
            ("trace json", ["trace", "AKIAHOSTILEEXAMPLE01", logs.path, "--format", "json"]),
            ("show json", ["show", id, logs.path, "--format", "json"]),
            ("summary json", ["summary", logs.path, "--format", "json"]),
        ]
        for (what, arguments) in json {
            let r = try CLI.run(arguments)
            let out = String(decoding: r.stdout, as: UTF8.self)
            Self.expectInert(out, "\(what): stdout")
            Self.expectInert(r.stderr, "\(what): stderr")
            #expect(out.contains("\\u202e"), "\(what)")
        }
        // The finding itself was made and shown.
        let scan = try CLI.run(["scan", logs.path, "--format", "table"])
        #expect(String(decoding: scan.stdout, as: UTF8.self).contains("created IAM user backup\\u{1b}]0;pwned\\u{7}"))
        #expect(scan.stderr.contains("broken\\u{1b}]0;pwned"))
        #expect(scan.status == 2)
    }

    /// Every source file that writes to stdout or stderr is one whose output `everyTextForPeopleIsInert` runs on
    /// hostile values (or writes no log value): a new writer fails here until it is added to that run.
    @Test func everyWriterToATerminalIsCovered() throws {
        let covered: Set<String> = [
            "Sources/TrailOutput/FindingWriter.swift",  // scan: table and JSON formats
            "Sources/trailhound/Subcommands/Events.swift",  // events: table, fields, JSON Lines
            "Sources/trailhound/Subcommands/Rules.swift",  // rules list / check
            "Sources/trailhound/Subcommands/Scan.swift",  // scan: summary, rule warnings (through SummaryWriter)
            "Sources/trailhound/Subcommands/TraceCommand.swift",  // trace: table and JSON
            "Sources/trailhound/Subcommands/Report.swift",  // report: summary and rule warnings on stderr
            "Sources/trailhound/Subcommands/Show.swift",  // show: text (plain and in colour) and JSON
            "Sources/trailhound/Subcommands/SummaryCommand.swift",  // summary: table (plain and in colour) and JSON
            "Sources/trailhound/main.swift",  // argument errors: the user's own words
            "Sources/trailhound/Subcommands/Schema.swift",  // the findings schema: a constant, no log value
            "Sources/trailhound/Subcommands/Stage.swift",  // stage: findings as JSON, errors (StageCommandTests)
            // A shell script of values bound by the containment catalog (ContainCommandTests); its comments drop C0
            // controls and DEL (Playbook.comment), not yet the bidi and format characters TerminalText escapes.
            "Sources/trailhound/Subcommands/Contain.swift",
        ]
        let sources = CLI.repository.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        var writers: Set<String> = []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            if text.contains("ByteSink(fd: 1)") || text.contains("ByteSink(fd: 2)") { writers.insert("Sources/" + file) }
        }
        #expect(!writers.isEmpty)
        #expect(writers.subtracting(covered).isEmpty, "writers not run on hostile values: \(writers.subtracting(covered).sorted())")
    }
}
