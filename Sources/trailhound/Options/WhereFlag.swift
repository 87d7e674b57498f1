import ArgumentParser
import TrailReader

/// `--where`: keep only the events that satisfy every condition (the reader drops the others, counted in the summary).
struct WhereFlag: ParsableArguments {
    @Option(
        name: .customLong("where"),
        help: ArgumentHelp(
            "Keep only events where FIELD=VALUE (or FIELD!=VALUE): a dotted path; * and ? are wildcards; case is ignored; FIELD= holds when the field is absent, null or empty, FIELD!= when it has a value. Repeatable: all must hold.",
            valueName: "field=value"))
    var conditions: [String] = []

    mutating func validate() throws { _ = try matches() }

    func matches() throws -> [FieldMatch] {
        try conditions.map { text in
            do { return try FieldMatch(parsing: text) } catch { throw ValidationError("--where \(error)") }
        }
    }
}
