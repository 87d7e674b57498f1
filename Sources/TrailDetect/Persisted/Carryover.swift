import TrailReader

extension Analysis {
    /// What earlier runs recorded (from the state file).
    /// TrailState keeps it in the `--state` file; `Analysis.run` starts from it.
    public struct Carryover: Sendable {
        public var issuances: [CredentialIssuance] = []
        public var triggers: [StoredTrigger] = []
        public var signals: [StoredSignal] = []
        public var groupValues: [UInt64: [String]] = [:]
        /// Earlier files' fingerprints, by path: read again when a window they may meet opens.
        public var earlierFiles: [String: FileKeys] = [:]
        /// The windows earlier runs already checked every file against (`Result.windows`).
        public var knownWindows: Set<String> = []
        public var latest: Int64 = .min
        public init() {}
    }
}
