import ArgumentParser
import TrailOutput

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) of the findings that --format jsonl and json write.",
        discussion: """
            Every finding carries `schemaVersion`; the schema's is the same number. Validate with any JSON Schema \
            tool, e.g. `trailhound schema > finding.schema.json`, then check each line of a scan against it.
            """
    )

    func run() throws {
        let out = ByteSink(fd: 1)
        out.write(FindingSchema.json + "\n")
        out.flush()
        if out.failed != nil { throw ExitCode(2) }
    }
}
