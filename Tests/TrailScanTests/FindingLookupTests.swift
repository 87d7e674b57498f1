import Foundation
import Testing
import TrailDetect
import TrailReader

@testable import TrailScan

/// `FindingLookup`: what `show ID` and `contain --finding ID` accept, on the demo's findings.
@Suite struct FindingLookupTests {
    static let findings = OneShotScan(rules: OneShotScanTests.rules, options: ReaderOptions())
        .run(paths: [OneShotScanTests.repository.appendingPathComponent("Fixtures/logs").path]).findings

    /// The finding with another id (as a second finding sharing a prefix would have).
    static func renamed(_ f: Finding, id: String) throws -> Finding {
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(f)) as? [String: Any])
        object["id"] = id
        return try JSONDecoder().decode(Finding.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test func exactIdAndUniquePrefix() throws {
        let all = Self.findings
        #expect(all.count > 5)
        for f in all {
            #expect(try FindingLookup.find(f.id, in: all, source: "demo") == f)
            #expect(try FindingLookup.find(String(f.id.prefix(FindingLookup.minimumPrefix)), in: all, source: "demo") == f)
        }
        // The short ids the triage view prints are all accepted.
        for (id, short) in Triage.shortIds(all.map(\.id)) {
            #expect(short.count >= FindingLookup.minimumPrefix)
            #expect(try FindingLookup.find(short, in: all, source: "demo").id == id)
        }
    }

    @Test func ambiguousUnknownAndShort() throws {
        let first = try #require(Self.findings.first)
        let twin = try Self.renamed(first, id: String(first.id.prefix(10)) + String(repeating: "0", count: 22))
        let all = Self.findings + [twin]
        let prefix = String(first.id.prefix(9))
        #expect(throws: FindingLookup.Failure.ambiguous(prefix, [first.id, twin.id].sorted())) {
            try FindingLookup.find(prefix, in: all, source: "demo")
        }
        // Ten characters tell them apart only if they differ there: the full id always does.
        #expect(try FindingLookup.find(first.id, in: all, source: "demo") == first)
        // The short ids grow to tell the twins apart.
        let short = Triage.shortIds(all.map(\.id))
        #expect(try #require(short[first.id]).count > 10)
        #expect(try FindingLookup.find(try #require(short[twin.id]), in: all, source: "demo") == twin)
        #expect(throws: FindingLookup.Failure.notFound("ffffffffffff", source: "demo")) {
            try FindingLookup.find("ffffffffffff", in: all, source: "demo")
        }
        #expect(throws: FindingLookup.Failure.tooShort("abc")) { try FindingLookup.find("abc", in: all, source: "demo") }
        #expect("\(FindingLookup.Failure.ambiguous(prefix, [first.id, twin.id]))".hasPrefix("2 findings start with \(prefix): "))
    }
}
