import ArgumentParser
import TrailOutput

/// `--tz`: the time zone of times in tables (JSON output stays UTC).
struct TimeZoneFlag: ParsableArguments {
    @Option(
        name: .customLong("tz"),
        help: ArgumentHelp(
            "Times in tables in this zone: UTC (default), local, an IANA name such as Europe/Berlin, or an offset such as +02:00 (--tz=-05:00 for a negative one). JSON stays UTC.",
            valueName: "zone"))
    var zone: String = "UTC"

    mutating func validate() throws { _ = try tableTime() }

    func tableTime() throws -> TableTime {
        do { return try TableTime(parsing: zone) } catch { throw ValidationError("--tz \(error)") }
    }
}
