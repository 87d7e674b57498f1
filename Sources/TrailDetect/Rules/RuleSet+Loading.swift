import Foundation

extension RuleSet {
    /// A rule set of one rule given as YAML text (no containment catalog, default policy facts).
    public static func compile(yaml: String, file: String, config: SigmaConfig = SigmaConfig()) throws -> RuleSet {
        let (rules, errors) = link(try SigmaConfig.$current.withValue(config) { try RuleParser.parseAll(yaml, file: file) })
        if let e = errors.first { throw e }
        return RuleSet(rules: rules, catalog: PolicyCatalog(), containment: [:])
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
    /// `config` gives the `expand` modifier's placeholders.
    public static func load(
        bundled: URL, extra: [URL] = [], includeBundledRules: Bool = true, config: SigmaConfig = SigmaConfig()
    ) -> (RuleSet, RuleLoadReport) {
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
                let text = try String(contentsOf: url, encoding: .utf8)
                let parsed = try SigmaConfig.$current.withValue(config) { try RuleParser.parseAll(text, file: name) }
                for rule in parsed {
                    guard ids.insert(rule.id).inserted else {
                        report.errors.append(DetectError(.rule, file: name, "duplicate rule id '\(rule.id)'"))
                        continue
                    }
                    rules.append(rule)
                }
            } catch let e as DetectError where e.kind == .unsupported {
                report.skipped.append(e)
            } catch let e as DetectError {
                report.errors.append(e)
            } catch {
                report.errors.append(DetectError(.io, file: name, "\(error)"))
            }
        }
        let (linked, linkErrors) = link(rules)
        rules = linked
        for e in linkErrors { if e.kind == .unsupported { report.skipped.append(e) } else { report.errors.append(e) } }
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
