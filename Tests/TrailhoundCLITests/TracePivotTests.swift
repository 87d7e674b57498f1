import Foundation
import Testing

/// `trace`: upward lineage, pivots by address and user agent, writes only, and folding of repeated calls.
@Suite struct TracePivotTests {
    func object(_ r: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
    }

    /// The demo's leaked key and the federation token it minted (found with `events`, as an analyst would).
    func keyAndMinted() throws -> (String, String) {
        let events = try CLI.run([
            "events", "Fixtures/logs", "--where", "eventName=GetFederationToken", "--where", "errorCode=",
            "--fields", "userIdentity.accessKeyId,responseElements.credentials.accessKeyId",
        ])
        let first = try #require(try JSONSerialization.jsonObject(with: Data(events.lines[0].utf8)) as? [String: Any])
        return (
            try #require(first["userIdentity.accessKeyId"] as? String),
            try #require(first["responseElements.credentials.accessKeyId"] as? String)
        )
    }

    @Test func aTemporaryKeyShowsWhatMintedIt() throws {
        let (key, minted) = try keyAndMinted()
        let r = try CLI.run(["trace", minted, "Fixtures/logs", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let chains = try #require(try object(r)["ancestry"] as? [[[String: Any]]])
        #expect(chains.count == 1)
        let ancestry = chains[0]
        #expect(ancestry.count == 1)
        #expect(ancestry.last?["accessKeyId"] as? String == minted)
        #expect(ancestry.first?["mintedByKey"] as? String == key)
        #expect(ancestry.first?["api"] as? String == "GetFederationToken")
        let table = String(decoding: try CLI.run(["trace", minted, "Fixtures/logs"]).stdout, as: UTF8.self)
        #expect(table.contains("Minted by\n  \(key)"))
        #expect(table.contains("└─ GetFederationToken"))
        // A long-term key has no ancestry.
        let top = try CLI.run(["trace", key, "Fixtures/logs", "--format", "json"])
        #expect((try object(top)["ancestry"] as? [Any])?.isEmpty == true)
        // A principal's temporary keys are traced up too: the federated user, to the key that minted its token.
        let principal = try #require(ancestry[0]["principal"] as? String)
        #expect(principal.contains(":federated-user/"))
        let byArn = try object(try CLI.run(["trace", principal, "Fixtures/logs", "--format", "json"]))
        let arnChains = try #require(byArn["ancestry"] as? [[[String: Any]]])
        #expect(arnChains.contains { $0.first?["mintedByKey"] as? String == key && $0.last?["accessKeyId"] as? String == minted })
    }

    @Test func pivotsByAddressAndUserAgent() throws {
        let (key, minted) = try keyAndMinted()
        let family = try object(try CLI.run(["trace", key, "Fixtures/logs", "--format", "json"]))
        let calls = try #require(family["timeline"] as? [[String: Any]])
        // Where the federation token was used from.
        let ip = try #require(calls.first { $0["accessKeyId"] as? String == minted }?["sourceIPAddress"] as? String)
        // Alone, --ip selects every call from the address, whoever made it, and names the key behind each key.
        let byIP = try CLI.run(["trace", "--ip", ip, "Fixtures/logs", "--format", "json"])
        #expect(byIP.status == 0, "\(byIP.stderr)")
        let out = try object(byIP)
        let timeline = try #require(out["timeline"] as? [[String: Any]])
        #expect(!timeline.isEmpty)
        #expect(timeline.allSatisfy { $0["sourceIPAddress"] as? String == ip })
        let everything = try CLI.run(["events", "Fixtures/logs", "--where", "sourceIPAddress=\(ip)"])
        #expect(timeline.count == everything.lines.count)
        let keys = try #require((out["summary"] as? [String: Any])?["keys"] as? [[String: Any]])
        #expect(keys.contains { $0["accessKeyId"] as? String == minted && $0["origin"] as? String == key }, "the token traced to its key")
        // With a key, the pivot narrows the key's own calls.
        let narrowed = try object(try CLI.run(["trace", key, "--ip", ip, "Fixtures/logs", "--format", "json"]))
        let narrowedCalls = try #require(narrowed["timeline"] as? [[String: Any]])
        #expect(narrowedCalls.count == calls.filter { $0["sourceIPAddress"] as? String == ip }.count)

        let agent = try #require(calls.compactMap { $0["userAgent"] as? String }.first)
        let word = String(agent.prefix(12)).uppercased()
        let byAgent = try object(try CLI.run(["trace", "--user-agent", word, "Fixtures/logs", "--format", "json"]))
        let agentCalls = try #require(byAgent["timeline"] as? [[String: Any]])
        #expect(!agentCalls.isEmpty)
        #expect(agentCalls.allSatisfy { ($0["userAgent"] as? String)?.uppercased().contains(word) == true })

        let none = try CLI.run(["trace", "Fixtures/logs"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("'Fixtures/logs' is not an access key id (AKIA…, ASIA…) or a principal ARN (arn:…)"), "\(none.stderr)")
    }

    @Test func writesOnlyDropsReadsButKeepsMinting() throws {
        let (key, _) = try keyAndMinted()
        let all = try #require(try object(try CLI.run(["trace", key, "Fixtures/logs", "--format", "json"]))["timeline"] as? [[String: Any]])
        let writes = try #require(
            try object(try CLI.run(["trace", key, "Fixtures/logs", "--format", "json", "--writes-only"]))["timeline"] as? [[String: Any]])
        #expect(writes.count < all.count)
        #expect(!writes.isEmpty)
        for call in writes {
            let name = call["eventName"] as? String ?? ""
            let minting = ["GetFederationToken", "GetSessionToken", "AssumeRole", "GetSigninToken"].contains(name)
            #expect(minting || call["readOnly"] as? Bool != true, "\(name)")
            #expect(minting || !["Get", "List", "Describe"].contains { name.hasPrefix($0) } || call["readOnly"] as? Bool == false, "\(name)")
        }
        #expect(writes.contains { $0["eventName"] as? String == "GetFederationToken" })
        #expect(all.contains { ($0["eventName"] as? String)?.hasPrefix("List") == true || ($0["eventName"] as? String)?.hasPrefix("Get") == true })
    }

    /// Repeated calls fold into one line with ×N; --no-collapse and JSON keep every call.
    @Test func repeatedCallsFold() throws {
        let arn = "arn:aws:iam::111122223333:user/build-bot"
        let json = try object(try CLI.run(["trace", arn, "Fixtures/logs", "--format", "json"]))
        let calls = try #require(json["timeline"] as? [[String: Any]])
        let folded = try CLI.run(["trace", arn, "Fixtures/logs", "--calls"])
        let unfolded = try CLI.run(["trace", arn, "Fixtures/logs", "--no-collapse"])
        let timelineLines = { (r: CLI.Result) in r.lines.filter { $0.hasPrefix("  20") } }
        #expect(timelineLines(unfolded).count == calls.count)
        let lines = timelineLines(folded)
        #expect(lines.count < calls.count)
        // The counts on the folded lines add up to every call.
        let total = lines.reduce(0) { sum, line in
            guard let r = line.range(of: #"×(\d+) until"#, options: .regularExpression) else { return sum + 1 }
            return sum + (Int(line[r].dropFirst().prefix { $0.isNumber }) ?? 0)
        }
        #expect(total == calls.count)
        // The default view has no timeline, and says how to get it.
        let summary = try CLI.run(["trace", arn, "Fixtures/logs"])
        #expect(timelineLines(summary).isEmpty)
        #expect(summary.lines.contains { $0.contains("--calls lists it") })
    }

    /// The default view's "writes:" lists, as service:API (the ×N and denied counts stripped), and the calls counted
    /// on the service lines.
    func namedWrites(_ table: CLI.Result) -> (writes: Set<String>, calls: Int) {
        var writes: Set<String> = []
        var calls = 0
        var service = ""
        var inActivity = false
        for line in table.lines {
            if line.hasPrefix("Activity by credential") { inActivity = true; continue }
            if line.hasPrefix("Not shown") { break }
            guard inActivity else { continue }
            var items: Substring = ""
            let parts = line.split(separator: " ")
            if line.hasPrefix("      ") {
                items = Substring(line)  // the writes, continued
            } else if line.hasPrefix("    ") || (line.hasPrefix("  ") && parts.count > 2 && Int(parts[2]) != nil) {
                // A service of a credential, or a credential that used one service (its key first).
                let at = line.hasPrefix("    ") ? 0 : 1
                service = String(parts[at])
                calls += Int(parts[at + 1]) ?? 0
                if let r = line.range(of: "  writes: ") { items = line[r.upperBound...] }
            } else {
                continue
            }
            for item in items.split(separator: ",") {
                let name = item.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
                writes.insert("\(service):\(name)")
            }
        }
        return (writes, calls)
    }

    /// The write APIs of a JSON timeline, as the trace judges them: readOnly false, or minting, or (without readOnly)
    /// a name that does not start with a read verb.
    func writeAPIs(_ timeline: [[String: Any]]) -> Set<String> {
        let minting: Set = ["GetFederationToken", "GetSessionToken", "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "GetSigninToken"]
        let verbs = ["Get", "List", "Describe", "Head", "Lookup", "Search", "BatchGet", "Select", "Query", "Scan", "View", "Validate"]
        return Set(timeline.compactMap { call -> String? in
            let name = call["eventName"] as? String ?? "?"
            let source = (call["eventSource"] as? String ?? "?").replacingOccurrences(of: ".amazonaws.com", with: "")
            let write: Bool
            if minting.contains(name) {
                write = true
            } else if let readOnly = call["readOnly"] as? Bool {
                write = !readOnly
            } else {
                write = !verbs.contains { v in
                    name.hasPrefix(v) && name.count > v.count && name.dropFirst(v.count).first!.isUppercase
                }
            }
            return write ? "\(source):\(name)" : nil
        })
    }

    /// The default view on the demo incident: every call counted under a service, every write API named, nothing
    /// else named as a write; with --writes-only too.
    @Test func theDefaultViewNamesEveryWrite() throws {
        let (key, _) = try keyAndMinted()
        for extra in [[], ["--writes-only"]] {
            let json = try object(try CLI.run(["trace", key, "Fixtures/logs", "--format", "json"] + extra))
            let timeline = try #require(json["timeline"] as? [[String: Any]])
            let table = try CLI.run(["trace", key, "Fixtures/logs"] + extra)
            #expect(table.status == 0, "\(table.stderr)")
            let (named, calls) = namedWrites(table)
            #expect(!named.isEmpty)
            #expect(named == writeAPIs(timeline), "\(extra)")
            #expect(calls == timeline.count, "\(extra)")
        }
    }

    static let invictus = TriageCommandTests.invictus

    /// The issue's incident: the leaked Stratus Red Team key made 2,151 calls (208 API/outcome pairs) in 35 minutes;
    /// the default view fits a screen and still names every write API the full timeline has.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: invictus.path), "needs ../shared/corpus"))
    func theInvictusTraceFitsAScreen() throws {
        let key = "AKIATFQR7NSC8Q4X20BJ"
        let json = try object(try CLI.run(["trace", key, Self.invictus.path, "--format", "json", "-q"]))
        let timeline = try #require(json["timeline"] as? [[String: Any]])
        #expect(timeline.count > 1000)
        let table = try CLI.run(["trace", key, Self.invictus.path, "-q"])
        #expect(table.status == 0, "\(table.stderr)")
        let lineCount = table.stdout.filter { $0 == UInt8(ascii: "\n") }.count
        #expect(lineCount <= 60, "\(lineCount) lines")
        let (named, calls) = namedWrites(table)
        let writes = writeAPIs(timeline)
        #expect(writes.count > 20)
        #expect(named == writes, "missing \(writes.subtracting(named).sorted()), extra \(named.subtracting(writes).sorted())")
        #expect(calls == timeline.count)
        // The full timeline is still there, one flag away.
        let full = try CLI.run(["trace", key, Self.invictus.path, "-q", "--calls"])
        #expect(full.lines.count > 300)
        let everyCall = try CLI.run(["trace", key, Self.invictus.path, "-q", "--no-collapse"])
        #expect(everyCall.lines.filter { $0.hasPrefix("  20") }.count == timeline.count)
    }
}
