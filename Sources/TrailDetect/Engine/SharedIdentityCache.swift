import Synchronization

/// What a pass's worker threads work out once per identity, shared between them so that each identity is worked out
/// once rather than once per thread: the first pass's window keys of an identity (`Detector.identityKeys`), the
/// second pass's answers to which identity-keyed `state:` rules it may join (`Detector.identityMayJoin`). A worker
/// asks here only when its own cache misses, so the lock is taken about once per identity and thread. At most
/// `limit` entries (then it starts afresh): a few megabytes.
final class SharedIdentityCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[UInt64: Value]>([:])
    let limit: Int

    init(limit: Int = 1 << 17) { self.limit = limit }

    func value(_ key: UInt64) -> Value? { entries.withLock { $0[key] } }

    /// Changes the entry of `key` (starting from `initial`).
    func update(_ key: UInt64, initial: Value, _ change: (inout Value) -> Void) {
        entries.withLock { e in
            if e.count >= limit && e[key] == nil { e.removeAll(keepingCapacity: true) }
            change(&e[key, default: initial])
        }
    }
}
