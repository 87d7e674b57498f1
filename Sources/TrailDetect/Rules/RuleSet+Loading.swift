import Foundation
import TrailReader

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

    /// Loads the bundled rules (with their containment catalog and policy facts) from a folder, and any extra
    /// folders of Sigma rules. Problems are in the report; only rules that compiled are in the set.
    public static func load(
        bundled: URL, extra: [URL] = [], includeBundledRules: Bool = true, config: SigmaConfig = SigmaConfig()
    ) -> (RuleSet, RuleLoadReport) {
        let (files, errors) = RuleFile.read(folder: bundled)
        var (set, report) = load(bundled: files, extra: extra, includeBundledRules: includeBundledRules, config: config)
        report.errors = errors + report.errors
        return (set, report)
    }

    /// Loads a rules tree given as files (the copy embedded in the binary, or one read from a folder) and any extra
    /// folders of Sigma rules: `containment/` is the containment catalog, `policies/managed.yml` the policy facts,
    /// every other YAML file a rule. Problems are in the report, each naming its file (and line where known).
    /// `config` gives the `expand` modifier's placeholders.
    public static func load(
        bundled: [RuleFile], extra: [URL] = [], includeBundledRules: Bool = true, config: SigmaConfig = SigmaConfig()
    ) -> (RuleSet, RuleLoadReport) {
        var report = RuleLoadReport()
        var catalog = PolicyCatalog()
        if let policies = bundled.first(where: { $0.path == "policies/managed.yml" }) {
            do { catalog = try PolicyCatalog(yaml: policies.text, file: policies.name) } catch let e as DetectError {
                report.errors.append(e)
            } catch {}
        } else {
            report.errors.append(DetectError(.io, file: "policies/managed.yml", "the policy catalog is missing"))
        }
        // The YAML files are parsed on several threads, and their results taken in file order (as one thread gives
        // them): parsing the bundled rules and containment catalog was most of a process's start, about 50 ms, before
        // any log is read, and every scan and every stage of a Spark job loads them.
        let threads = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))
        let containmentFiles = bundled.filter { $0.part == "containment" }
        let parsedActions = concurrentMap(count: containmentFiles.count, threads: threads) { _, i in
            Result { try ContainmentAction(yaml: containmentFiles[i].text, file: containmentFiles[i].name) }
        }
        var actions: [String: ContainmentAction] = [:]
        for (file, parsed) in zip(containmentFiles, parsedActions) {
            do {
                let action = try parsed.get()
                if actions[action.id] != nil {
                    report.errors.append(DetectError(.containment, file: file.name, "duplicate id '\(action.id)'"))
                }
                actions[action.id] = action
            } catch let e as DetectError {
                report.errors.append(e)
            } catch {
                report.errors.append(DetectError(.io, file: file.name, "\(error)"))
            }
        }
        var files: [RuleFile] = []
        if includeBundledRules {
            files += bundled.filter { $0.part != "containment" && $0.part != "policies" }
        }
        for folder in extra {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), !isDir.boolValue {
                do {
                    files.append(RuleFile(
                        path: folder.lastPathComponent, name: relative(folder), text: try String(contentsOf: folder, encoding: .utf8)))
                } catch {
                    report.files += 1
                    report.errors.append(DetectError(.io, file: relative(folder), "\(error)"))
                }
            } else {
                let (read, errors) = RuleFile.read(folder: folder)
                files += read
                report.files += errors.count
                report.errors += errors
            }
        }
        var rules: [SigmaRule] = []
        var ids = Set<String>()
        let parsedFiles = concurrentMap(count: files.count, threads: threads) { _, i in
            // The placeholders are a task-local value: bound on the thread that parses.
            Result { try SigmaConfig.$current.withValue(config) { try RuleParser.parseAll(files[i].text, file: files[i].name) } }
        }
        for (file, result) in zip(files, parsedFiles) {
            report.files += 1
            let name = file.name
            do {
                let parsed = try result.get()
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
