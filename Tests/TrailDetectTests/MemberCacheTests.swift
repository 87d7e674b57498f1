import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// The per-event cache of `userIdentity`'s members answers every lookup exactly as a walk of the object does: on
/// every event of the demo logs and the Invictus capture, for every member name present and some absent, and on
/// hostile shapes (duplicate keys, escaped keys, more members than the cache holds, userIdentity not an object). The
/// enrichment's identity members read through the cache are checked against its own walk on the same events.
@Suite struct MemberCacheTests {
    static let invictus = repository.deletingLastPathComponent().appendingPathComponent("shared/corpus/invictus-ir-aws_dataset")
    static let absent = ["", "a", "arn2", "ARN", "sessionContex", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]

    /// Checks the cache against `JSONValue.member` for each name, on one event; returns the lookups done.
    static func compare(_ event: Event, _ cache: MemberCache, extra: [String] = []) -> Int {
        guard let identity = event.member(.userIdentity) else { return 0 }
        cache.reset()
        // The enrichment's members, found through the cache, are the ones its own walk finds.
        let through = Enrichment.IdentityMembers(identity, cache: cache)
        let walked = Enrichment.IdentityMembers(identity)
        func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool { a?.bytes.baseAddress == b?.bytes.baseAddress && a?.bytes.count == b?.bytes.count }
        #expect(same(through.type, walked.type) && same(through.arn, walked.arn) && same(through.accountId, walked.accountId)
            && same(through.accessKeyId, walked.accessKeyId) && same(through.userName, walked.userName)
            && same(through.invokedBy, walked.invokedBy) && same(through.sessionContext, walked.sessionContext)
            && same(through.onBehalfOf, walked.onBehalfOf), "identity members at record \(event.index)")
        var names = absent + extra
        identity.forEachMember { key, _ in
            names.append(String(decoding: key, as: UTF8.self))
            return true
        }
        var checked = 0
        for label in names + names.reversed() {  // the second round reads the cache as built
            var name = label
            name.withUTF8 { key in
                let raw = UnsafeRawBufferPointer(key)
                let cached = cache.member(of: identity, raw)
                let walked = identity.member(raw)
                #expect(cached?.bytes.baseAddress == walked?.bytes.baseAddress, "\(label) at record \(event.index)")
                #expect(cached?.bytes.count == walked?.bytes.count, "\(label) at record \(event.index)")
                checked += 1
            }
        }
        return checked
    }

    static func events(under folder: URL, _ body: (Event) -> Void) -> Int {
        let files = Discovery(options: ReaderOptions()).discover([folder.path]).files
        let reader = FileReader(options: ReaderOptions())
        var count = 0
        for file in files {
            _ = reader.read(file) { event in
                count += 1
                body(event)
            }
        }
        return count
    }

    @Test func agreesWithTheWalkOnTheDemoLogs() {
        let cache = MemberCache()
        var lookups = 0
        let n = Self.events(under: repository.appendingPathComponent("Fixtures/logs")) { lookups += Self.compare($0, cache) }
        #expect(n > 700)
        #expect(lookups > n * 10)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: invictus.path), "needs ../shared/corpus"))
    func agreesWithTheWalkOnTheInvictusCapture() {
        let cache = MemberCache()
        var lookups = 0
        let n = Self.events(under: Self.invictus) { lookups += Self.compare($0, cache) }
        #expect(n > 1000)
        #expect(lookups > n * 10)
    }

    static func identityRecord(_ identity: String) -> String {
        """
        {"Records":[{"eventVersion":"1.11","userIdentity":\(identity),"eventTime":"2026-12-01T10:00:00Z",\
        "eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","eventID":"e1",\
        "recipientAccountId":"111122223333"}]}
        """
    }

    @Test(arguments: [
        #"{"type":"Root","accessKeyId":"ASIAFIRST","type":"IAMUser","accessKeyId":"AKIALAST","arn":"a"}"#,
        #"{"\u0074ype":"Root","type":"IAMUser","accessKeyId":"AKIAX"}"#,
        #"{"type":"IAMUser","\u0074ype":"Root","accessKeyId":"AKIAX"}"#,
        "{" + (0..<40).map { #""k\#($0)":"v\#($0)""# }.joined(separator: ",") + #","type":"Root"}"#,
        "{" + (0..<32).map { #""k\#($0)":"v\#($0)""# }.joined(separator: ",") + "}",
        #"{}"#, #"null"#, #""Root""#, #"[{"type":"Root"}]"#, #"{"type":null,"sessionContext":{"type":"x"}}"#,
    ])
    func agreesWithTheWalkOnHostileShapes(_ identity: String) {
        let cache = MemberCache()
        var seen = 0
        let text = Self.identityRecord(identity)
        _ = Array(text.utf8).withUnsafeBytes { raw in
            FileReader(options: ReaderOptions()).read(content: raw, path: "hostile.json") { event in
                seen += 1
                _ = Self.compare(event, cache, extra: ["type", "accessKeyId", "k39", "k31", "k0"])
            }
        }
        #expect(seen == 1)
    }

    /// A rule reading userIdentity fields sees, through the cache, the last of duplicate keys, and a key written
    /// with escapes by its decoded name (the cache stands aside for that event).
    @Test func rulesReadThroughTheCacheAsBefore() throws {
        let set = try ruleSet(rule("selection:\n  userIdentity.type: Root\n  userIdentity.accessKeyId|startswith: AKIA\ncondition: selection"))
        #expect(matches(set, #"{"userIdentity":{"type":"IAMUser","accessKeyId":"AKIAX","type":"Root"}}"#))
        #expect(!matches(set, #"{"userIdentity":{"type":"Root","accessKeyId":"AKIAX","type":"IAMUser"}}"#))
        #expect(matches(set, #"{"userIdentity":{"\u0074ype":"Root","accessKeyId":"AKIAX"}}"#))
        #expect(!matches(set, #"{"userIdentity":{"type":"Root","accessKeyId":"ASIAX"}}"#))
        #expect(!matches(set, #"{"userIdentity":"Root"}"#))
    }
}
