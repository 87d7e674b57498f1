import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput
import TrailRules

/// Which rules to load.
struct RuleFlags: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp("Also load the Sigma rules in this folder or file (repeatable).", valueName: "dir"))
    var extra: [String] = []

    @Flag(help: "Load only the --rules folders, not the bundled rules (the containment catalog still loads).")
    var noBundledRules = false

    @Option(help: ArgumentHelp(
        "Use this rules folder (rules, containment/, policies/) instead of the rules built into the binary (default: $TRAILHOUND_RULES if set).",
        valueName: "dir"))
    var rulesHome: String?

    @Option(help: ArgumentHelp("A YAML file whose 'vars:' give the values of the expand modifier's %placeholders% (pySigma's pipeline key).", valueName: "file"))
    var sigmaConfig: String?

    /// Loads the rules; problems go to stderr. Returns the set and whether any rule was invalid.
    func load(stderr: (String) -> Void) throws -> (RuleSet, RuleLoadReport) {
        var config = SigmaConfig()
        if let path = sigmaConfig {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("--sigma-config: cannot read '\(TerminalText.sanitize(path))'")
            }
            do {
                config = try SigmaConfig(yaml: text, file: path)
            } catch {
                throw ValidationError("--sigma-config: \(TerminalText.sanitize("\(error)"))")
            }
        }
        let extraURLs = extra.map { URL(fileURLWithPath: $0) }
        let (set, report): (RuleSet, RuleLoadReport)
        if let home = rulesHome ?? ProcessInfo.processInfo.environment["TRAILHOUND_RULES"].flatMap({ $0.isEmpty ? nil : $0 }) {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: home, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("the rules folder '\(TerminalText.sanitize(home))' (--rules-home or TRAILHOUND_RULES) is not a folder")
            }
            (set, report) = RuleSet.load(bundled: URL(fileURLWithPath: home), extra: extraURLs, includeBundledRules: !noBundledRules, config: config)
        } else {
            (set, report) = RuleSet.load(bundled: Self.embedded, extra: extraURLs, includeBundledRules: !noBundledRules, config: config)
        }
        // A foreign rule's text (its title, id, field names, the YAML quoted in an error) is not to be trusted.
        for e in report.errors { stderr("trailhound: error: \(TerminalText.sanitize("\(e)"))\n") }
        for w in report.skipped { stderr("trailhound: warning: rule skipped: \(TerminalText.sanitize("\(w)"))\n") }
        return (set, report)
    }

    /// The rules built into the binary, named as in the source tree (`rules/iam/…`) in errors.
    static let embedded: [RuleFile] = BundledRules.files.map { RuleFile(path: $0.path, name: "rules/" + $0.path, text: $0.text) }
}
