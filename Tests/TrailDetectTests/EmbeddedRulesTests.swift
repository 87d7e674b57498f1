import Foundation
import Testing
import TrailRules

@testable import TrailDetect

/// The rules tree built into the binary (TrailRules) is the rules/ folder, byte for byte, and loads as it does.
@Suite struct EmbeddedRuleTreeTests {
    @Test func theEmbeddedTreeIsTheFolder() throws {
        let (files, errors) = RuleFile.read(folder: rulesFolder)
        #expect(errors.isEmpty)
        let onDisk = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.text) })
        let embedded = Dictionary(uniqueKeysWithValues: BundledRules.files.map { ($0.path, $0.text) })
        #expect(embedded.count > 80)
        #expect(Set(embedded.keys) == Set(onDisk.keys), "rebuild: the embedded rules are not the folder's")
        for (path, text) in onDisk { #expect(embedded[path] == text, "\(path)") }
        #expect(BundledRules.files.map(\.path) == BundledRules.files.map(\.path).sorted())
    }

    @Test func theEmbeddedTreeLoadsLikeTheFolder() throws {
        let files = BundledRules.files.map { RuleFile(path: $0.path, name: "rules/" + $0.path, text: $0.text) }
        let (set, report) = RuleSet.load(bundled: files)
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(set.rules.map(\.id).sorted() == bundled.0.rules.map(\.id).sorted())
        #expect(Set(set.containment.keys) == Set(bundled.0.containment.keys))
        #expect(set.catalog == bundled.0.catalog)
        #expect(set.rules.allSatisfy { $0.file.hasPrefix("rules/") })
    }

    /// A broken file among the embedded ones is an error naming it and its line; the others still load.
    @Test func aBrokenFileIsNamedWithItsLine() throws {
        var files = BundledRules.files.map { RuleFile(path: $0.path, name: "rules/" + $0.path, text: $0.text) }
        files.append(RuleFile(path: "iam/broken.yml", name: "rules/iam/broken.yml", text: """
            title: Broken on purpose
            id: 3d0c5a1e-8f8e-4c55-a3f1-93b1c1f0b7a2
            logsource:
                product: aws
                service: cloudtrail
            detection:
                selection:
                    eventName: [CreateUser
                condition: selection
            level: low
            """))
        files.append(RuleFile(path: "containment/broken.yml", name: "rules/containment/broken.yml", text: "id: [\n"))
        let (set, report) = RuleSet.load(bundled: files)
        let messages = report.errors.map { "\($0)" }
        #expect(messages.contains { $0.range(of: #"^rules/iam/broken\.yml:\d+: "#, options: .regularExpression) != nil }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("rules/containment/broken.yml") }, "\(messages)")
        #expect(set.rules.count == bundled.0.rules.count)

        let (_, noPolicies) = RuleSet.load(bundled: files.filter { !$0.path.hasPrefix("policies/") })
        #expect(noPolicies.errors.contains { "\($0)".contains("policies/managed.yml") && "\($0)".contains("missing") })
    }
}
