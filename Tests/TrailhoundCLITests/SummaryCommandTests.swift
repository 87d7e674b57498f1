import Foundation
import Testing

/// `trailhound summary`: who did what, checked against the events themselves (`events` as JSON, parsed here by
/// Foundation: another reader than the one `summary` uses).
@Suite struct SummaryCommandTests {
    static let invictus = TriageCommandTests.invictus

    struct Truth {
        var events = 0
        var errors = 0
        var byIdentity: [String: Int] = [:]
        var errorsByIdentity: [String: Int] = [:]
        var ips: [String: Set<String>] = [:]
        var byRegion: [String: Int] = [:]
        var byEventName: [String: Int] = [:]
        var byErrorCode: [String: Int] = [:]
        var byKey: [String: Int] = [:]
        var byAgent: [String: Int] = [:]
    }

    static func truth(_ paths: [String]) throws -> Truth {
        let r = try CLI.run(["events"] + paths)
        var t = Truth()
        for line in r.lines {
            let e = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let who = e["userIdentity"] as? [String: Any] ?? [:]
            let identity = (who["arn"] as? String).flatMap { $0.isEmpty ? nil : $0 }
                ?? "\(who["type"] as? String ?? "Unknown")" + ((who["invokedBy"] ?? who["principalId"] ?? who["accountId"]).map { ":\($0)" } ?? "")
            t.events += 1
            t.byIdentity[identity, default: 0] += 1
            if let code = e["errorCode"] as? String, !code.isEmpty {
                t.errors += 1
                t.errorsByIdentity[identity, default: 0] += 1
                t.byErrorCode[code, default: 0] += 1
            }
            if let ip = e["sourceIPAddress"] as? String { t.ips[identity, default: []].insert(ip) }
            if let region = e["awsRegion"] as? String { t.byRegion[region, default: 0] += 1 }
            if let agent = e["userAgent"] as? String, !agent.isEmpty { t.byAgent[agent, default: 0] += 1 }
            if let key = who["accessKeyId"] as? String, !key.isEmpty { t.byKey[key, default: 0] += 1 }
            let service = (e["eventSource"] as? String)?.split(separator: ".").first.map(String.init)
            if let name = e["eventName"] as? String { t.byEventName[service.map { "\($0):\(name)" } ?? name, default: 0] += 1 }
        }
        return t
    }

    static func counts(_ table: Any?) throws -> [String: Int] {
        let top = try #require((table as? [String: Any])?["top"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: top.map { ($0["value"] as! String, $0["count"] as! Int) })
    }

    func check(_ paths: [String]) throws {
        let t = try Self.truth(paths)
        let r = try CLI.run(["summary"] + paths + ["--format", "json", "--top", "100000", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        #expect(s["events"] as? Int == t.events)
        #expect(s["errors"] as? Int == t.errors)
        let identities = try #require(s["identities"] as? [String: Any])
        #expect(identities["exact"] as? Bool == true)
        let rows = try #require(identities["top"] as? [[String: Any]])
        #expect(rows.count == t.byIdentity.count)
        for row in rows {
            let id = try #require(row["identity"] as? String)
            #expect(row["events"] as? Int == t.byIdentity[id], "\(id)")
            #expect(row["errors"] as? Int == t.errorsByIdentity[id] ?? 0, "\(id)")
            let ips = try #require((row["sourceIPAddresses"] as? [String: Any])?["values"] as? [String])
            if (row["sourceIPAddresses"] as? [String: Any])?["more"] as? Bool == true {
                #expect(ips.count == 16 && Set(ips).isSubset(of: t.ips[id] ?? []))
            } else {
                #expect(Set(ips) == t.ips[id] ?? [], "\(id)")
            }
        }
        // Most events first.
        let events = rows.compactMap { $0["events"] as? Int }
        #expect(events == events.sorted(by: >))
        #expect(try Self.counts(s["regions"]) == t.byRegion)
        #expect(try Self.counts(s["eventNames"]) == t.byEventName)
        #expect(try Self.counts(s["errorCodes"]) == t.byErrorCode)
        #expect(try Self.counts(s["accessKeys"]) == t.byKey)
        #expect(try Self.counts(s["userAgents"]) == t.byAgent)
    }

    @Test func demoAgainstTheEvents() throws {
        try check(["Fixtures/logs"])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: invictus.path), "needs ../shared/corpus"))
    func invictusAgainstTheEvents() throws {
        try check([Self.invictus.path])
    }

    /// The table: the top N of each view, and a bounded table says its counts are upper bounds.
    @Test func tableAndTopN() throws {
        let r = try CLI.run(["summary", "Fixtures/logs", "--top", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        let text = String(decoding: r.stdout, as: UTF8.self)
        for title in ["Identities by events", "Access keys", "Source IP addresses", "Regions", "User agents", "Event names"] {
            #expect(text.contains("\n\(title) (top "), "\(title)")
        }
        #expect(text.contains("arn:aws:iam::111122223333:user/alice"))
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.contains("EVENTS") }
        let sections = text.split(separator: "\n").filter { $0.contains(" (top ") }.count
        #expect(rows.count <= sections * 3)
        let bounded = try CLI.run(["summary", "Fixtures/logs", "--top", "3", "--track", "4"])
        #expect(String(decoding: bounded.stdout, as: UTF8.self).contains("≤"))
        #expect(try CLI.run(["summary", "Fixtures/logs", "--top", "0"]).status == 2)
        #expect(try CLI.run(["summary", "Fixtures/logs", "Fixtures/malformed/truncated.json.gz"]).status == 2)
    }
}
