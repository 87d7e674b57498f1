/// What loading rules gave: counts, rules skipped for unsupported features (warnings), and errors.
public struct RuleLoadReport: Sendable {
    public var files = 0
    public var loaded = 0
    public var skipped: [DetectError] = []
    public var errors: [DetectError] = []
}
