/// What to read and the limits that keep reading safe. Flags map onto these fields one to one.
public struct ReaderOptions: Sendable {
    /// Only these accounts (empty: all), from the path before opening and from `recipientAccountId` after.
    public var accounts: Set<String> = []
    /// Only these regions (empty: all), from the path before opening and from `awsRegion` after.
    public var regions: Set<String> = []
    /// Only events at or after this time (seconds since 1970).
    public var since: Int64?
    /// Only events at or before this time (seconds since 1970).
    public var until: Int64?
    /// Stop inflating a file past this many bytes (a decompression bomb).
    public var maxInflatedBytes: Int = 4 << 30
    /// Records larger than this are reported and skipped; memory never grows past it per thread.
    public var maxRecordBytes: Int = 32 << 20
    /// JSON nesting deeper than this is reported as a fault.
    public var maxDepth: Int = 512
    /// Worker threads reading files in parallel.
    public var threads: Int = 1
    /// `--where`: only events that satisfy every condition (after the account, region and time filters).
    public var conditions: [FieldMatch] = []
    /// The gzip decoder: ISA-L where this build has it, else zlib.
    public var inflater: InflaterKind = .preferred

    /// How much later than its events a file's name time can be, and how much earlier: the window used to
    /// filter files by `--since`/`--until` from their path without opening them. Late delivery is common, so the
    /// window is wide; events are then filtered exactly by `eventTime`.
    public static let deliveryLateness: Int64 = 24 * 3600
    public static let clockSkew: Int64 = 3600

    public init() {}

    /// True when a file delivered at `time` (its name's timestamp) may hold events in the time window.
    public func mayContain(deliveredAt time: Int64) -> Bool {
        if let since, time + Self.clockSkew < since { return false }
        if let until, time - Self.deliveryLateness > until { return false }
        return true
    }

    /// True when a folder for the day starting at `day` may hold files with events in the time window.
    public func mayContain(day: Int64) -> Bool {
        if let since, day + 86_400 + Self.clockSkew < since { return false }
        if let until, day - Self.deliveryLateness > until { return false }
        return true
    }

    public var hasEventFilter: Bool {
        !accounts.isEmpty || !regions.isEmpty || since != nil || until != nil || !conditions.isEmpty
    }
}
