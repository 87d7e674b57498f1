import Foundation
import Testing

/// `scan --format ocsf`, `--format asff` and `--output FILE`, end to end on the demo logs.
@Suite struct FindingFormatTests {
    func objects(_ r: CLI.Result) throws -> [[String: Any]] {
        try r.lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func scan(_ format: String, _ extra: [String] = []) throws -> [[String: Any]] {
        let r = try CLI.run(["scan", "Fixtures/logs", "--format", format] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return try objects(r)
    }

    /// Seconds since 1970 of `2026-11-20T08:52:14Z`.
    func epoch(_ text: String) throws -> Int {
        let f = ISO8601DateFormatter()
        return Int(try #require(f.date(from: text)).timeIntervalSince1970)
    }

    @Test func ocsfMapsEveryFinding() throws {
        let plain = try scan("jsonl")
        let ocsf = try scan("ocsf")
        #expect(ocsf.count == plain.count)
        let levels = ["informational": 1, "low": 2, "medium": 3, "high": 4, "critical": 5]
        for (f, o) in zip(plain, ocsf) {
            let rule = try #require(f["rule"] as? [String: Any])
            #expect(o["class_uid"] as? Int == 2004)
            #expect(o["category_uid"] as? Int == 2)
            #expect(o["activity_id"] as? Int == 1)
            #expect(o["type_uid"] as? Int == 200401)
            #expect(o["status_id"] as? Int == 1)
            #expect(o["severity_id"] as? Int == levels[rule["level"] as? String ?? ""])
            let metadata = try #require(o["metadata"] as? [String: Any])
            #expect(metadata["version"] as? String == "1.4.0")
            #expect((metadata["product"] as? [String: Any])?["name"] as? String == "trailhound")
            let info = try #require(o["finding_info"] as? [String: Any])
            #expect(info["uid"] as? String == f["id"] as? String)
            #expect(info["title"] as? String == f["title"] as? String)
            #expect((info["desc"] as? String)?.contains(rule["title"] as? String ?? "?") == true)
            #expect(info["first_seen_time"] as? Int == (try epoch(f["firstSeen"] as! String)) * 1000)
            #expect(info["last_seen_time"] as? Int == (try epoch(f["lastSeen"] as! String)) * 1000)
            #expect(info["last_seen_time_dt"] as? String == f["lastSeen"] as? String)
            let analytic = try #require(info["analytic"] as? [String: Any])
            #expect(analytic["uid"] as? String == rule["id"] as? String)
            #expect(analytic["type_id"] as? Int == 1)
            let cloud = try #require(o["cloud"] as? [String: Any])
            #expect(cloud["provider"] as? String == "AWS")
            #expect((cloud["account"] as? [String: Any])?["uid"] as? String == f["account"] as? String)
            #expect(cloud["region"] as? String == (f["regions"] as? [String])?.first)
            let evidence = try #require(f["evidence"] as? [[String: Any]])
            let evidences = try #require(o["evidences"] as? [[String: Any]])
            #expect(evidences.compactMap { ($0["data"] as? [String: Any])?["eventID"] as? String } == evidence.compactMap { $0["eventID"] as? String })
            #expect(evidences.map { ($0["data"] as? [String: Any])?["recordIndex"] as? Int } == evidence.map { $0["recordIndex"] as? Int })
            // Every containment command is in the remediation.
            let remediation = try #require(o["remediation"] as? [String: Any])
            let desc = try #require(remediation["desc"] as? String)
            for action in f["containment"] as? [[String: Any]] ?? [] {
                #expect(desc.contains(action["title"] as? String ?? "?"))
                for step in action["steps"] as? [[String: Any]] ?? [] {
                    for command in step["commands"] as? [String] ?? [] { #expect(desc.contains(command)) }
                }
            }
            #expect((remediation["references"] as? [String])?.isEmpty == false)
            let unmapped = try #require((o["unmapped"] as? [String: Any])?["trailhound"] as? [String: Any])
            #expect(unmapped["ruleFile"] as? String == rule["file"] as? String)
        }
    }

    @Test func ocsfAttacksComeFromTheRuleTags() throws {
        let ocsf = try scan("ocsf")
        func attacks(_ rule: String) throws -> [[String: Any]] {
            let o = try #require(ocsf.first { (($0["finding_info"] as? [String: Any])?["analytic"] as? [String: Any])?["name"] as? String == rule })
            return try #require((o["finding_info"] as? [String: Any])?["attacks"] as? [[String: Any]])
        }
        func uid(_ a: [String: Any], _ key: String) -> String? { (a[key] as? [String: Any])?["uid"] as? String }
        // One technique (a sub-technique), two tactics: one entry per tactic, each with the technique.
        let login = try attacks("IAM user signed in to the console without MFA")
        #expect(login.map { uid($0, "tactic") } == ["TA0001", "TA0003"])
        #expect(login.allSatisfy { uid($0, "technique") == "T1078" && uid($0, "sub_technique") == "T1078.004" })
        #expect((login[0]["tactic"] as? [String: Any])?["name"] as? String == "Initial Access")
        // Several techniques: one entry per technique, one per tactic (Sigma tags do not pair them).
        let plain = try scan("jsonl")
        let rule = try #require(plain.compactMap { $0["rule"] as? [String: Any] }.first { ($0["techniques"] as? [String])?.count == 2 })
        let several = try attacks(try #require(rule["title"] as? String))
        #expect(several.count == 4)
        #expect(several.compactMap { uid($0, "sub_technique") ?? uid($0, "technique") } == rule["techniques"] as? [String])
    }

    @Test func asffMapsEveryFinding() throws {
        let plain = try scan("jsonl")
        let asff = try scan("asff")
        #expect(asff.count == plain.count)
        for (f, a) in zip(plain, asff) {
            let rule = try #require(f["rule"] as? [String: Any])
            let account = try #require(f["account"] as? String)
            let region = try #require((f["regions"] as? [String])?.first)
            #expect(a["SchemaVersion"] as? String == "2018-10-08")
            #expect(a["Id"] as? String == "trailhound/\(f["id"] as? String ?? "?")")
            #expect(a["ProductArn"] as? String == "arn:aws:securityhub:\(region):\(account):product/\(account)/default")
            #expect(a["GeneratorId"] as? String == rule["id"] as? String)
            #expect(a["AwsAccountId"] as? String == account)
            #expect(a["CreatedAt"] as? String == f["firstSeen"] as? String)
            #expect(a["FirstObservedAt"] as? String == f["firstSeen"] as? String)
            #expect(a["UpdatedAt"] as? String == f["lastSeen"] as? String)
            #expect(a["LastObservedAt"] as? String == f["lastSeen"] as? String)
            #expect((a["Severity"] as? [String: Any])?["Label"] as? String == (rule["level"] as? String)?.uppercased())
            #expect(a["Title"] as? String == f["title"] as? String)
            let types = try #require(a["Types"] as? [String])
            #expect(!types.isEmpty && types.allSatisfy { $0.hasPrefix("TTPs/") && $0.split(separator: "/").count == 3 })
            let recommendation = try #require((a["Remediation"] as? [String: Any])?["Recommendation"] as? [String: Any])
            let containment = try #require(f["containment"] as? [[String: Any]])
            #expect((recommendation["Text"] as? String)?.hasPrefix("1. \(containment[0]["title"] as? String ?? "?")") == true)
            #expect(recommendation["Url"] as? String == (containment[0]["references"] as? [String])?.first)
            let resources = try #require(a["Resources"] as? [[String: Any]])
            #expect(!resources.isEmpty)
            for r in resources {
                #expect(["AwsIamUser", "AwsIamRole", "AwsIamAccessKey", "AwsAccount", "Other"].contains(r["Type"] as? String ?? ""))
                #expect(r["Partition"] as? String == "aws")
            }
            let fields = try #require(a["ProductFields"] as? [String: String])
            #expect(fields.count <= 50)
            #expect(fields["trailhound/findingId"] == f["id"] as? String)
            #expect(fields["trailhound/ruleFile"] == rule["file"] as? String)
            #expect(fields["trailhound/count"] == String(f["count"] as? Int ?? -1))
            let ids = (f["evidence"] as? [[String: Any]] ?? []).compactMap { $0["eventID"] as? String }
            #expect(fields["trailhound/evidenceEventIds"] == ids.joined(separator: " "))
        }
        // The backdoor key: the new user and its key are resources, beside the federated session that made them.
        let backdoor = try #require(asff.first { ($0["Title"] as? String)?.contains("federated-user/maint created access key") == true })
        let resources = try #require(backdoor["Resources"] as? [[String: Any]])
        #expect(resources.contains { $0["Type"] as? String == "AwsIamUser" && $0["Id"] as? String == "arn:aws:iam::111122223333:user/support-admin" })
        #expect(resources.contains { $0["Type"] as? String == "AwsIamAccessKey" && ($0["Id"] as? String)?.hasPrefix("AWS::IAM::AccessKey:AKIA") == true })
        #expect(resources.contains { $0["Type"] as? String == "Other" && $0["Id"] as? String == "arn:aws:sts::111122223333:federated-user/maint" })
        #expect(resources.contains { $0["Type"] as? String == "AwsIamUser" && $0["Id"] as? String == "arn:aws:iam::111122223333:user/build-bot" })
    }

    /// The same incident has the same id in every format and on every run.
    @Test func idsAreStable() throws {
        let one = try CLI.run(["scan", "Fixtures/logs", "--format", "ocsf", "--threads", "1"])
        let two = try CLI.run(["scan", "Fixtures/logs", "--format", "ocsf", "--threads", "2"])
        #expect(!one.stdout.isEmpty && one.stdout == two.stdout)
        let asffOne = try CLI.run(["scan", "Fixtures/logs", "--format", "asff"])
        let asffTwo = try CLI.run(["scan", "Fixtures/logs", "--format", "asff", "--threads", "1"])
        #expect(asffOne.stdout == asffTwo.stdout)
        let ids = try scan("jsonl").compactMap { $0["id"] as? String }
        #expect(try objects(one).compactMap { ($0["finding_info"] as? [String: Any])?["uid"] as? String } == ids)
        #expect(try objects(asffOne).compactMap { $0["Id"] as? String } == ids.map { "trailhound/\($0)" })
    }

    /// An attacker-chosen value makes the title far longer than ASFF allows: it is cut between characters, within
    /// every limit, and stays valid UTF-8.
    @Test func asffCutsLongValuesCleanly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-asff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let address = String(repeating: "é👩‍👩‍👧漢", count: 300)
        let event: [String: Any] = [
            "eventVersion": "1.11", "eventTime": "2026-11-20T08:52:14Z", "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin", "awsRegion": "us-east-1", "sourceIPAddress": address, "eventID": "e-long",
            "recipientAccountId": "111122223333", "responseElements": ["ConsoleLogin": "Success"],
            "additionalEventData": ["MFAUsed": "No"],
            "userIdentity": ["type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "userName": "alice", "accountId": "111122223333"],
        ]
        let file = folder.appendingPathComponent("long.json")
        try JSONSerialization.data(withJSONObject: ["Records": [event]]).write(to: file)
        let r = try CLI.run(["scan", file.path, "--format", "asff"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(String(validating: Array(r.stdout), as: UTF8.self) != nil)
        let a = try #require(try objects(r).first)
        let title = try #require(a["Title"] as? String)
        #expect(title.utf16.count <= 256 && title.utf16.count > 200)
        #expect(title.hasSuffix("…"))
        #expect(title.hasPrefix("arn:aws:iam::111122223333:user/alice signed in to the console without MFA from é👩‍👩‍👧漢"))
        // Cut between characters: what is left of the address is whole repetitions' characters.
        let kept = title.dropFirst("arn:aws:iam::111122223333:user/alice signed in to the console without MFA from ".count).dropLast()
        #expect(address.hasPrefix(kept))
        #expect((a["Description"] as? String)?.utf16.count ?? 0 <= 1024)
        let text = try #require(((a["Remediation"] as? [String: Any])?["Recommendation"] as? [String: Any])?["Text"] as? String)
        #expect(text.utf16.count <= 512)
        for (key, value) in try #require(a["ProductFields"] as? [String: String]) {
            #expect(key.utf16.count <= 128 && value.utf16.count <= 2048)
        }
    }

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func outputReplacesTheFileAtomically() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("findings.jsonl")
        try Data("old\n".utf8).write(to: file)
        let r = try CLI.run(["scan", "Fixtures/logs", "--output", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        // Without --format, a file gets JSON Lines: the same bytes as stdout would.
        #expect(try Data(contentsOf: file) == (try CLI.run(["scan", "Fixtures/logs", "--format", "jsonl"])).stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["findings.jsonl"])
    }

    @Test func outputThatCannotBeWrittenExitsTwoAndLeavesTheOldFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A folder that does not exist: the error names the path.
        let missing = folder.appendingPathComponent("missing/findings.jsonl").path
        let r = try CLI.run(["scan", "Fixtures/logs", "--output", missing])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot write \(missing)"))
        #expect(r.stderr.contains("findings from"), "the summary is still printed")
        // A folder in the way of the rename.
        let blocking = folder.appendingPathComponent("blocking")
        try FileManager.default.createDirectory(at: blocking.appendingPathComponent("inside"), withIntermediateDirectories: true)
        #expect(try CLI.run(["scan", "Fixtures/logs", "--output", blocking.path]).status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: blocking.path) == ["inside"])
        // A write that fails half-way (the file size limit is hit): the old file is untouched, no temporary is left.
        let file = folder.appendingPathComponent("findings.jsonl")
        try Data("old findings\n".utf8).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #"trap "" XFSZ; ulimit -f 8; exec "$0" "$@""#, CLI.binary.path, "scan", "Fixtures/logs", "--format",
            "ocsf", "-q", "--output", file.path,
        ]
        process.currentDirectoryURL = CLI.repository
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2, "\(message)")
        #expect(message.contains("cannot write \(file.path): write failed"))
        #expect(try String(contentsOf: file, encoding: .utf8) == "old findings\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["blocking", "findings.jsonl"])
    }

    /// Only a regular file is replaced: a link (to a file or dangling) or a FIFO at --output is refused, exit 2,
    /// with the path named, and left as it was.
    @Test func outputRefusesWhatIsNotARegularFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("bashrc")
        try Data("keep\n".utf8).write(to: target)
        let link = folder.appendingPathComponent("findings.jsonl").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target.path)
        let dangling = folder.appendingPathComponent("dangling.jsonl").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: folder.appendingPathComponent("nowhere").path)
        let fifo = folder.appendingPathComponent("fifo.jsonl").path
        #expect(mkfifo(fifo, 0o644) == 0)
        for (path, kind) in [(link, "a symbolic link"), (dangling, "a symbolic link"), (fifo, "a FIFO")] {
            let r = try CLI.run(["scan", "Fixtures/logs", "--output", path])
            #expect(r.status == 2, "\(path)")
            #expect(r.stderr.contains("trailhound: cannot write \(path): it is \(kind)"), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target.path)
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("nowhere").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["bashrc", "dangling.jsonl", "fifo.jsonl", "findings.jsonl"])
    }
}
