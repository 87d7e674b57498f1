import TrailReader

extension Analysis {
    /// A trigger event as the state file keeps it.
    /// TrailState stores it in the `--state` file; `Analysis` reads it back.
    public struct StoredTrigger: Sendable {
        public let ruleId: String
        public let json: [UInt8]
        public let file: String
        public let index: Int
        public let time: Int64
        public let eventID: String
        public init(ruleId: String, json: [UInt8], file: String, index: Int, time: Int64, eventID: String) {
            self.ruleId = ruleId
            self.json = json
            self.file = file
            self.index = index
            self.time = time
            self.eventID = eventID
        }
    }
}
