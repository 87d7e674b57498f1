import Foundation
import TrailReader

/// What loading rules gave: counts, rules skipped for unsupported features (warnings), and errors.
public struct RuleLoadReport: Sendable {
    public var files = 0
    public var loaded = 0
    public var skipped: [DetectError] = []
    public var errors: [DetectError] = []
}

/// The compiled rules, indexed by `eventName`, with the containment catalog and policy facts they use.
public final class RuleSet: Sendable {
    public let rules: [SigmaRule]
    public let catalog: PolicyCatalog
    public let containment: [String: ContainmentAction]
    /// Rules by the `eventName` values they can match; then, for rules that do not pin `eventName` down, by
    /// `eventSource`; the rest are checked against every event.
    let index: [UInt64: [Int]]
    let sourceIndex: [UInt64: [Int]]
    let unindexed: [Int]
    /// `rules[i].detection`, kept apart for the hot loop.
    let detections: [CompiledDetection]

    public init(rules: [SigmaRule], catalog: PolicyCatalog, containment: [String: ContainmentAction]) {
        self.rules = rules
        self.catalog = catalog
        self.containment = containment
        var index: [UInt64: [Int]] = [:]
        var sourceIndex: [UInt64: [Int]] = [:]
        var unindexed: [Int] = []
        for (i, rule) in rules.enumerated() {
            if let names = rule.eventNames {
                for name in names { index[Self.hash(Array(name.utf8)), default: []].append(i) }
            } else if let sources = rule.eventSources {
                for source in sources { sourceIndex[Self.hash(Array(source.utf8)), default: []].append(i) }
            } else {
                unindexed.append(i)
            }
        }
        self.index = index
        self.sourceIndex = sourceIndex
        self.unindexed = unindexed
        detections = rules.map(\.detection)
    }

    /// FNV-1a over ASCII-lower-cased bytes: the index key, computed without allocating.
    @inline(__always)
    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h ^= UInt64(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }


    /// True when a rule reads `trailhound.origin.*`, which needs credential lineage from a first pass.
    public var usesOrigin: Bool {
        rules.contains { rule in
            rule.fields.contains { if case .derived(let d) = $0 { return d.section == .origin } else { return false } }
        }
    }

    /// Rules whose regular expressions ran out of time, with the pattern and how often.
    public func regexTimeouts() -> [(rule: SigmaRule, pattern: String, count: Int)] {
        var out: [(SigmaRule, String, Int)] = []
        for rule in rules {
            for selection in rule.detection.selections {
                for alternative in selection {
                    for test in alternative {
                        guard case .values(let matchers, _, _) = test.kind else { continue }
                        for case .regex(let box) in matchers where box.timeouts > 0 {
                            out.append((rule, box.pattern, box.timeouts))
                        }
                    }
                }
            }
        }
        return out
    }

    /// A rule set of one rule given as YAML text (no containment catalog, default policy facts).
    public static func compile(yaml: String, file: String) throws -> RuleSet {
        RuleSet(rules: [try RuleParser.parse(yaml, file: file)], catalog: PolicyCatalog(), containment: [:])
    }

    /// The folder of bundled rules: `$TRAILHOUND_RULES`, else a `rules/` folder beside or above the executable (a
    /// source checkout), else `./rules`.
    public static func bundledFolder() -> URL? {
        let fm = FileManager.default
        func isRules(_ url: URL) -> Bool { fm.fileExists(atPath: url.appendingPathComponent("policies/managed.yml").path) }
        if let env = ProcessInfo.processInfo.environment["TRAILHOUND_RULES"] {
            return URL(fileURLWithPath: env)
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("rules")
            if isRules(candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        let local = URL(fileURLWithPath: "rules")
        return isRules(local) ? local : nil
    }

    /// Loads the bundled rules (with their containment catalog and policy facts) and any extra folders of Sigma
    /// rules. Problems are in the report; only rules that compiled are in the set.
    public static func load(bundled: URL, extra: [URL] = [], includeBundledRules: Bool = true) -> (RuleSet, RuleLoadReport) {
        var report = RuleLoadReport()
        var catalog = PolicyCatalog()
        do { catalog = try PolicyCatalog.load(from: bundled) } catch let e as DetectError { report.errors.append(e) } catch {}
        var actions: [String: ContainmentAction] = [:]
        for url in yamlFiles(in: bundled.appendingPathComponent("containment")) {
            do {
                let action = try ContainmentAction(yaml: try String(contentsOf: url, encoding: .utf8), file: relative(url))
                if actions[action.id] != nil {
                    report.errors.append(DetectError(.containment, file: relative(url), "duplicate id '\(action.id)'"))
                }
                actions[action.id] = action
            } catch let e as DetectError {
                report.errors.append(e)
            } catch {
                report.errors.append(DetectError(.io, file: relative(url), "\(error)"))
            }
        }
        var files: [URL] = []
        if includeBundledRules {
            files += yamlFiles(in: bundled).filter {
                let parts = $0.path.dropFirst(bundled.path.count).split(separator: "/")
                return parts.first != "containment" && parts.first != "policies"
            }
        }
        for folder in extra {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), !isDir.boolValue {
                files.append(folder)
            } else {
                files += yamlFiles(in: folder)
            }
        }
        var rules: [SigmaRule] = []
        var ids = Set<String>()
        for url in files {
            report.files += 1
            let name = relative(url)
            do {
                let rule = try RuleParser.parse(try String(contentsOf: url, encoding: .utf8), file: name)
                guard ids.insert(rule.id).inserted else {
                    report.errors.append(DetectError(.rule, file: name, "duplicate rule id '\(rule.id)'"))
                    continue
                }
                rules.append(rule)
            } catch let e as DetectError where e.kind == .unsupported {
                report.skipped.append(e)
            } catch let e as DetectError {
                report.errors.append(e)
            } catch {
                report.errors.append(DetectError(.io, file: name, "\(error)"))
            }
        }
        report.loaded = rules.count
        return (RuleSet(rules: rules, catalog: catalog, containment: actions), report)
    }

    static func yamlFiles(in folder: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        var out: [URL] = []
        for case let url as URL in walker where ["yml", "yaml"].contains(url.pathExtension.lowercased()) {
            out.append(url)
        }
        return out.sorted { $0.path < $1.path }
    }

    static func relative(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return url.path.hasPrefix(cwd) ? String(url.path.dropFirst(cwd.count)) : url.path
    }
}
