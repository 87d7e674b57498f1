import ArgumentParser
import TrailReader

struct Trailhound: ParsableCommand {
    /// The version findings carry (`productVersion`); `--version` adds how this binary was built.
    static let productVersion = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "trailhound",
        abstract: "Find compromised AWS IAM credentials in CloudTrail logs, and how to contain them.",
        version: "trailhound \(productVersion)\n\(InflaterKind.summary)",
        subcommands: [
            Scan.self, Show.self, SummaryCommand.self, Events.self, TraceCommand.self, Contain.self, Report.self,
            Rules.self, Schema.self, Stage.self,
        ]
    )
}
