import ArgumentParser
import TrailDetect
import TrailOutput
import TrailReader
import TrailScan

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one finding in full: rule, actor and lineage, target, evidence, credentials and containment.",
        discussion: """
            The finding is looked up by its id, or a unique prefix of 8 or more characters (the id the triage view \
            of `scan` prints), among the findings of the logs given or of a state file (--state). Exit status 2 \
            when no finding, or more than one, has that id.
            """
    )

    @Argument(help: ArgumentHelp("The finding id, or its first 8+ characters.", valueName: "id"))
    var id: String

    @Argument(help: ArgumentHelp("Log files or folders to scan for the finding (or use --state).", valueName: "path"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("The state file of `scan --state`, to look the finding up in (instead of scanning logs).", valueName: "file"))
    var state: String?

    @Option(help: "Output: text, or json (the finding as one line of `scan --format jsonl`).")
    var format: ShowFormat = .text

    @OptionGroup var color: ColorFlag
    @OptionGroup var rules: RuleFlags

    enum ShowFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        guard id.count >= FindingLookup.minimumPrefix else { throw ValidationError("\(FindingLookup.Failure.tooShort(id))") }
        if state == nil && inputs.isEmpty { throw ValidationError("give the logs to scan (paths) or --state FILE") }
        if state != nil && !inputs.isEmpty { throw ValidationError("give the logs or --state, not both") }
    }

    func run() throws {
        let stderr = ByteSink(fd: 2)
        defer { stderr.flush() }
        let (ruleSet, _) = try rules.load { stderr.write($0) }
        let (finding, _) = try FindingSource.lookup(id, logs: inputs, state: state, rules: ruleSet, stderr: stderr)
        let out = ByteSink(fd: 1)
        switch format {
        case .text: out.write(FindingDetail.render(finding, style: color.style()))
        case .json: out.write(FindingWriter(format: .jsonl).render([finding]))
        }
        out.flush()
        if out.failed != nil {
            stderr.write("trailhound: cannot write the finding to standard output\n")
            throw ExitCode(2)
        }
    }
}
