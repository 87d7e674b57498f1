import TrailReader

extension Analysis {
    public struct Result: Sendable {
        /// The findings of this run (per-event rules over the new files, and stateful rules), merged, in output
        /// order, made when asked for.
        public var made: FindingStream
        /// Every finding of `made`, made now (each call makes them again).
        public var findings: [Finding] { made.all() }
        /// The builders of stateful rules (windows, absences, correlations), for the state file to merge: read back
        /// when asked for (a one-shot scan never asks).
        public var statefulBuilders: [FindingBuilder] { stateful.list }
        var stateful = FindingSet()
        public var lineage = LineageMap()
        /// Every window's identity now (rule, key, opening event, end), for the state file: worked out when asked
        /// for (a one-shot scan never asks), from the windows this result keeps.
        public var windows: Set<String> { windowIndex?.identities() ?? [] }
        var windowIndex: WindowIndex?
        /// Rule evaluations, all passes.
        public var evaluated = 0
        public var triggers = 0
        public var signals = 0
        public var windowsOpened = 0
        public var pendingAbsences = 0
        /// Files read again by the second pass (new files and earlier ones).
        public var secondPassFiles = 0
        /// Files read again for correlation evidence.
        public var evidenceFiles = 0
        /// The latest event time seen (this run and earlier ones).
        public var latest: Int64 = .min
        /// Wall-clock seconds of each stage (`first`, `between`: windows and correlations, `evidence`, `second`,
        /// `findings`), for benchmarks.
        public var stageSeconds: [String: Double] = [:]

        /// Finding builders and trigger events that could not be read back from the scan's spill file (the temporary
        /// file failed under it), so far: when not 0, the findings are incomplete.
        public var unreadable: Int { made.unreadable }

        init(rules: RuleSet) { made = FindingStream([], rules: rules, lineage: nil) }
    }

    /// A scan whose spill file could not be read back whole: its findings are incomplete.
    public struct Incomplete: Error, CustomStringConvertible {
        public let unreadable: Int
        public init(unreadable: Int) { self.unreadable = unreadable }
        public var description: String {
            "\(unreadable) finding(s), trigger event(s) or correlation match(es) could not be read back from the scan's "
                + "temporary file (TMPDIR): the findings are incomplete; scan again"
        }
    }
}
