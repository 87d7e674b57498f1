import Synchronization

/// The second pass's per-identity answers (`Detector.identityMayJoin`: for an identity and origin, which
/// identity-keyed `state:` rules it has a window key of), shared by the pass's worker threads so that each identity is
/// worked out once, not once per thread. A worker asks here only when its own cache misses, so the lock is taken
/// about once per identity and thread. At most `limit` entries (then it starts afresh), a few megabytes.
final class IdentityAnswers: Sendable {
    private let answers = Mutex<[UInt64: UInt64]>([:])
    static let limit = 1 << 17

    /// The known bits (low half) and answers (high half) for `key`, as `Detector.identityMayJoin` keeps them.
    func bits(_ key: UInt64) -> UInt64 { answers.withLock { $0[key] ?? 0 } }

    func add(_ key: UInt64, _ bits: UInt64) {
        answers.withLock { a in
            if a.count >= Self.limit { a.removeAll(keepingCapacity: true) }
            a[key, default: 0] |= bits
        }
    }
}
