import TrailReader

extension Analysis {
    /// One new file's results, for the state file to commit in one transaction.
    /// TrailState commits it to the `--state` file (`StateStore.commit`).
    public struct FileResult: Sendable {
        public let file: InputFile
        public let report: FileReport
        public let builders: [FindingBuilder]
        public let issuances: [CredentialIssuance]
        public let triggers: [StoredTrigger]
        public let signals: [StoredSignal]
        public let groupValues: [UInt64: [String]]
        public let fileKeys: FileKeys
        /// The latest event time in the file (`Int64.min` when none).
        public let latest: Int64
    }
}
