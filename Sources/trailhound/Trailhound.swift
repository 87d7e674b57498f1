import ArgumentParser

struct Trailhound: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trailhound",
        abstract: "Find compromised AWS IAM credentials in CloudTrail logs, and how to contain them.",
        version: "0.1.0",
        subcommands: [Scan.self, Show.self, SummaryCommand.self, Events.self, TraceCommand.self, Contain.self, Rules.self]
    )
}
