import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput

/// Which rules to load.
struct RuleFlags: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp("Also load the Sigma rules in this folder or file (repeatable).", valueName: "dir"))
    var extra: [String] = []

    @Flag(help: "Load only the --rules folders, not the bundled rules (the containment catalog still loads).")
    var noBundledRules = false

    @Option(help: ArgumentHelp("The bundled rules folder (default: $TRAILHOUND_RULES, or rules/ of this checkout).", valueName: "dir"))
    var rulesHome: String?

    @Option(help: ArgumentHelp("A YAML file whose 'vars:' give the values of the expand modifier's %placeholders% (pySigma's pipeline key).", valueName: "file"))
    var sigmaConfig: String?

    /// Loads the rules; problems go to stderr. Returns the set and whether any rule was invalid.
    func load(stderr: (String) -> Void) throws -> (RuleSet, RuleLoadReport) {
        guard let home = rulesHome.map({ URL(fileURLWithPath: $0) }) ?? RuleSet.bundledFolder() else {
            throw ValidationError("cannot find the bundled rules folder: set TRAILHOUND_RULES or pass --rules-home")
        }
        var config = SigmaConfig()
        if let path = sigmaConfig {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("--sigma-config: cannot read '\(path)'")
            }
            do {
                config = try SigmaConfig(yaml: text, file: path)
            } catch {
                throw ValidationError("--sigma-config: \(TerminalText.sanitize("\(error)"))")
            }
        }
        let (set, report) = RuleSet.load(
            bundled: home, extra: extra.map { URL(fileURLWithPath: $0) }, includeBundledRules: !noBundledRules, config: config)
        // A foreign rule's text (its title, id, field names, the YAML quoted in an error) is not to be trusted.
        for e in report.errors { stderr("trailhound: error: \(TerminalText.sanitize("\(e)"))\n") }
        for w in report.skipped { stderr("trailhound: warning: rule skipped: \(TerminalText.sanitize("\(w)"))\n") }
        return (set, report)
    }
}
