import Foundation
import Testing

/// `trailhound trace`: the lineage of a credential and every call made with it, on the demo incident.
@Suite struct TraceCommandTests {
    func json(_ r: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
    }

    @Test func aLeakedKeyAndTheFederationTokenItMinted() throws {
        let events = try CLI.run(["events", "Fixtures/logs", "--where", "eventName=GetFederationToken", "--where", "errorCode!=*", "--fields", "userIdentity.accessKeyId,responseElements.credentials.accessKeyId"])
        let first = try #require(try JSONSerialization.jsonObject(with: Data(events.lines[0].utf8)) as? [String: Any])
        let key = try #require(first["userIdentity.accessKeyId"] as? String)
        let minted = try #require(first["responseElements.credentials.accessKeyId"] as? String)

        let r = try CLI.run(["trace", key, "Fixtures/logs", "--format", "json", "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try json(r)
        let lineage = try #require(out["lineage"] as? [[String: Any]])
        #expect(lineage.first?["accessKeyId"] as? String == key)
        let children = try #require(lineage.first?["minted"] as? [[String: Any]])
        #expect(children.map { $0["accessKeyId"] as? String } == [minted])
        #expect(children.first?["api"] as? String == "GetFederationToken")
        let timeline = try #require(out["timeline"] as? [[String: Any]])
        let keys = Set(timeline.compactMap { $0["accessKeyId"] as? String })
        #expect(keys == [key, minted])
        let times = timeline.compactMap { $0["eventTime"] as? String }
        #expect(times == times.sorted())
        // The denied second GetFederationToken (after AWS's quarantine) and the federated session's calls are in it.
        #expect(timeline.contains { $0["eventName"] as? String == "GetFederationToken" && $0["errorCode"] as? String == "AccessDenied" })
        #expect(timeline.contains { $0["eventName"] as? String == "GetSigninToken" && $0["accessKeyId"] as? String == minted })
        let summary = try #require(out["summary"] as? [String: Any])
        #expect(summary["calls"] as? Int == timeline.count)
        #expect((summary["denied"] as? Int ?? 0) >= 2)

        let threads = try CLI.run(["trace", key, "Fixtures/logs", "--format", "json", "--threads", "2"])
        #expect(threads.stdout == r.stdout)
        let table = try CLI.run(["trace", key, "Fixtures/logs"])
        #expect(String(decoding: table.stdout, as: UTF8.self).contains("└─ \(minted)"))
    }

    @Test func scanWithLineageNamesTheOriginKey() throws {
        let one = try CLI.run(["scan", "Fixtures/logs", "--lineage", "--format", "jsonl", "--threads", "1"])
        let two = try CLI.run(["scan", "Fixtures/logs", "--lineage", "--format", "jsonl", "--threads", "2"])
        #expect(one.status == 0)
        #expect(one.stdout == two.stdout)
        let origins = one.lines.compactMap { line -> [String]? in
            let f = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (f?["actor"] as? [String: Any])?["originAccessKeyIds"] as? [String]
        }.flatMap { $0 }
        #expect(origins.contains { $0.hasPrefix("AKIA") })
    }

    @Test func aPrincipalArnTracesEveryKeyItUsed() throws {
        let r = try CLI.run(["trace", "arn:aws:iam::111122223333:user/build-bot", "Fixtures/logs", "--format", "json"])
        #expect(r.status == 0)
        let out = try json(r)
        let lineage = try #require(out["lineage"] as? [[String: Any]])
        #expect(!lineage.isEmpty)
        #expect(lineage.allSatisfy { ($0["accessKeyId"] as? String)?.hasPrefix("A") == true })
        let timeline = try #require(out["timeline"] as? [[String: Any]])
        #expect(timeline.count > 10)
        let nobody = try CLI.run(["trace", "arn:aws:iam::111122223333:user/nobody", "Fixtures/logs", "--format", "json"])
        #expect((try json(nobody)["timeline"] as? [Any])?.isEmpty == true)
    }

    /// A trace (or events) that cannot be written (a full disk: /dev/full) exits 2 and says so: not a silent 0, not
    /// a usage message.
    @Test func aTraceThatCannotBeWrittenExitsTwo() throws {
        let runs: [([String], String)] = [
            (["trace", "arn:aws:iam::111122223333:user/build-bot", "Fixtures/logs"], "the trace"),
            (["events", "Fixtures/logs", "-q"], "the events"),
        ]
        for (arguments, what) in runs {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = arguments
            process.currentDirectoryURL = CLI.repository
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
            let err = Pipe()
            process.standardError = err
            try process.run()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 2, "\(message)")
            #expect(message.contains("trailhound: cannot write \(what) to standard output: No space left on device"))
            #expect(!message.contains("Usage"), "an output error is not a usage error")
        }
    }
}
