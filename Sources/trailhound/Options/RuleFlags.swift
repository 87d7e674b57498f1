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

    /// Loads the rules; problems go to stderr. Returns the set and whether any rule was invalid.
    func load(stderr: (String) -> Void) throws -> (RuleSet, RuleLoadReport) {
        guard let home = rulesHome.map({ URL(fileURLWithPath: $0) }) ?? RuleSet.bundledFolder() else {
            throw ValidationError("cannot find the bundled rules folder: set TRAILHOUND_RULES or pass --rules-home")
        }
        let (set, report) = RuleSet.load(
            bundled: home, extra: extra.map { URL(fileURLWithPath: $0) }, includeBundledRules: !noBundledRules)
        // A foreign rule's text (its title, id, field names, the YAML quoted in an error) is not to be trusted.
        for e in report.errors { stderr("trailhound: error: \(TerminalText.sanitize("\(e)"))\n") }
        for w in report.skipped { stderr("trailhound: warning: rule skipped: \(TerminalText.sanitize("\(w)"))\n") }
        return (set, report)
    }
}
