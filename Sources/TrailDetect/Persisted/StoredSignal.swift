import TrailReader

extension Analysis {
    /// A correlation match as the state file keeps it.
    /// TrailState stores it in the `--state` file; `Analysis` reads it back.
    public struct StoredSignal: Sendable {
        public let correlationId: String
        public let baseId: String
        public let group: UInt64
        public let value: UInt64
        public let time: Int64
        public let event: UInt64
        public let file: String
        public let record: Int
        public init(
            correlationId: String, baseId: String, group: UInt64, value: UInt64, time: Int64, event: UInt64, file: String, record: Int
        ) {
            self.correlationId = correlationId
            self.baseId = baseId
            self.group = group
            self.value = value
            self.time = time
            self.event = event
            self.file = file
            self.record = record
        }
    }
}
