import TrailReader

/// The trace's default view: per credential, per service, how many calls, how many denied, the first and last time,
/// and every write call named (writes are what a responder must undo). Built from the whole timeline: every call is
/// counted in exactly one service of one credential.
public struct CredentialActivity: Sendable, Equatable {
    /// One write API of a service: how often it was called and how often denied.
    public struct Write: Sendable, Equatable {
        public let name: String
        public internal(set) var calls: Int
        public internal(set) var denied: Int
    }

    /// One service used by one credential.
    public struct Service: Sendable, Equatable {
        public let eventSource: String
        public internal(set) var calls = 0
        public internal(set) var denied = 0
        public internal(set) var firstTime = ""
        public internal(set) var lastTime = ""
        /// Write APIs in the order first called.
        public internal(set) var writes: [Write] = []
        /// Calls that only read.
        public internal(set) var reads = 0
    }

    /// One credential (access key id; "-" for calls without one, such as console sign-ins).
    public struct Credential: Sendable, Equatable {
        public let accessKeyId: String
        public internal(set) var calls = 0
        public internal(set) var denied = 0
        public internal(set) var firstTime = ""
        public internal(set) var lastTime = ""
        /// Services, most calls first.
        public internal(set) var services: [Service] = []
    }

    /// Credentials, most calls first (ties by key).
    public let credentials: [Credential]

    public init(_ timeline: [CredentialTrace.Call], isDenied: (String) -> Bool) {
        var byKey: [String: Credential] = [:]
        var serviceIndex: [String: [String: Int]] = [:]
        var writeIndex: [String: [String: [String: Int]]] = [:]
        func widen(_ first: String, _ last: String, _ time: String) -> (String, String) {
            (first.isEmpty || time < first ? time : first, last.isEmpty || time > last ? time : last)
        }
        for call in timeline {
            let key = call.accessKeyId ?? "-"
            let source = call.eventSource ?? "?"
            let denied = call.errorCode.map(isDenied) ?? false
            var credential = byKey[key] ?? Credential(accessKeyId: key)
            credential.calls += 1
            if denied { credential.denied += 1 }
            (credential.firstTime, credential.lastTime) = widen(credential.firstTime, credential.lastTime, call.eventTime)
            let s: Int
            if let known = serviceIndex[key]?[source] {
                s = known
            } else {
                s = credential.services.count
                credential.services.append(Service(eventSource: source))
                serviceIndex[key, default: [:]][source] = s
            }
            credential.services[s].calls += 1
            if denied { credential.services[s].denied += 1 }
            (credential.services[s].firstTime, credential.services[s].lastTime) =
                widen(credential.services[s].firstTime, credential.services[s].lastTime, call.eventTime)
            if call.isWrite {
                let name = call.eventName ?? "?"
                let w: Int
                if let known = writeIndex[key]?[source]?[name] {
                    w = known
                } else {
                    w = credential.services[s].writes.count
                    credential.services[s].writes.append(Write(name: name, calls: 0, denied: 0))
                    writeIndex[key, default: [:]][source, default: [:]][name] = w
                }
                credential.services[s].writes[w].calls += 1
                if denied { credential.services[s].writes[w].denied += 1 }
            } else {
                credential.services[s].reads += 1
            }
            byKey[key] = credential
        }
        credentials = byKey.values.map { c in
            var c = c
            c.services.sort { $0.calls != $1.calls ? $0.calls > $1.calls : $0.eventSource < $1.eventSource }
            return c
        }.sorted { $0.calls != $1.calls ? $0.calls > $1.calls : $0.accessKeyId < $1.accessKeyId }
    }

    /// Every distinct (service, write API) named, for checks against the timeline.
    public var writeAPIs: Set<String> {
        Set(credentials.flatMap { c in c.services.flatMap { s in s.writes.map { "\(s.eventSource):\($0.name)" } } })
    }
}
