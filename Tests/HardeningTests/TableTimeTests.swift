import Foundation
import Testing

@testable import TrailOutput

/// `--tz`: what it accepts, and times written in the zone with their offset.
@Suite struct TableTimeTests {
    @Test func zonesAndOffsets() throws {
        let winter = "2026-11-20T10:05:00Z"
        let summer = "2026-07-01T10:05:00Z"
        #expect(try TableTime(parsing: "UTC").format(winter) == winter)
        #expect(try TableTime(parsing: "z").format(winter) == winter)
        #expect(try TableTime(parsing: "+00:00").isUTC)
        #expect(try TableTime(parsing: "+02:00").format(winter) == "2026-11-20T12:05:00+02:00")
        #expect(try TableTime(parsing: "-0530").format(winter) == "2026-11-20T04:35:00-05:30")
        #expect(try TableTime(parsing: "+5").format(winter) == "2026-11-20T15:05:00+05:00")
        // Across midnight and a year.
        #expect(try TableTime(parsing: "-08:00").format("2027-01-01T03:00:00Z") == "2026-12-31T19:00:00-08:00")
        // A named zone follows daylight saving time.
        let berlin = try TableTime(parsing: "Europe/Berlin")
        #expect(berlin.format(winter) == "2026-11-20T11:05:00+01:00")
        #expect(berlin.format(summer) == "2026-07-01T12:05:00+02:00")
        #expect(try TableTime(parsing: "Asia/Kolkata").format(winter) == "2026-11-20T15:35:00+05:30")
        // Text that is not a time is left as it is.
        #expect(berlin.format("?") == "?")
        #expect(berlin.format("yesterday") == "yesterday")
        #expect(try !TableTime(parsing: "local").format(winter).isEmpty)
    }

    @Test func badZonesAreRefusedWithTheReason() {
        for bad in ["", "Mars/Olympus", "+25:00", "+02:60", "+2:00", "+123", "../../etc/passwd", "Europe/../UTC", "UTC\u{1b}[2J", "+", "--05"] {
            #expect(throws: TableTime.ParseError.self, "\(bad)") { try TableTime(parsing: bad) }
        }
        var message = ""
        do { _ = try TableTime(parsing: "Bad\u{1b}[31m") } catch { message = "\(error)" }
        #expect(message.contains("is not a time zone"))
        #expect(!message.contains("\u{1b}"))
    }
}
