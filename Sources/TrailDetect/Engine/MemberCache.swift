#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrailReader

// Hot path. The members of one object of the current event (its `userIdentity`), found by one walk and then looked
// up by name without reading the object again.
//
// Why: rules that no `eventName` indexes read `userIdentity.type`, `.accessKeyId`, `.invokedBy`, ... on every
// event, and a nested lookup reads its object to the end (of duplicate keys the last wins), so each such test cost a
// walk over the whole object. Now the first lookup of an event walks it once and notes where each member is; the
// next ones compare a few key lengths.
//
// Invariants:
// - Entries are offsets into the object's bytes, which are valid for the current event only: `reset()` forgets
//   them, and the context calls it for every event.
// - Answers are exactly `JSONValue.member(_:)`'s: entries are searched from the last (last duplicate wins), and when
//   the object has a key written with escapes (the walk hands those out decoded, not in place) or more members than
//   `capacity`, the cache stands aside for this event and lookups go to `JSONValue.member(_:)`.
// - `entries` is allocated once and freed in `deinit`; nothing outside points into it.

final class MemberCache {
    struct Entry {
        var keyStart: Int32
        var keyCount: Int32
        var valueStart: Int32
        var valueEnd: Int32
    }

    enum State { case unread, cached, bypass }

    static let capacity = 32
    private let entries = UnsafeMutablePointer<Entry>.allocate(capacity: MemberCache.capacity)
    private var count = 0
    private var state = State.unread
    private var base: UnsafeRawPointer?

    deinit { entries.deallocate() }

    /// Forgets the members of the previous event's object.
    @inline(__always)
    func reset() { state = .unread }

    /// The member `key` of `object`, which must be the same object (same bytes) for every call until `reset()`.
    @inline(__always)
    func member(of object: JSONValue, _ key: UnsafeRawBufferPointer) -> JSONValue? {
        if state == .unread { read(object) }
        guard state == .cached, let base else { return object.member(key) }
        let n = Int32(key.count)
        var k = count
        while k > 0 {
            k -= 1
            let e = entries[k]
            if e.keyCount == n && memcmp(base + Int(e.keyStart), key.baseAddress!, key.count) == 0 {
                return JSONValue(bytes: UnsafeRawBufferPointer(start: base + Int(e.valueStart), count: Int(e.valueEnd - e.valueStart)))
            }
        }
        return nil
    }

    private func read(_ object: JSONValue) {
        state = .bypass
        guard object.kind == .object, let start = object.bytes.baseAddress, object.bytes.count <= Int(Int32.max) else { return }
        let end = start + object.bytes.count
        var n = 0
        var inPlace = true
        object.forEachMember { key, value in
            // A key decoded from escapes lives in a scratch array, outside the object's bytes.
            guard n < MemberCache.capacity, let k = key.baseAddress, k >= start, k + key.count <= end,
                let v = value.bytes.baseAddress
            else {
                inPlace = false
                return false
            }
            entries[n] = Entry(
                keyStart: Int32(k - start), keyCount: Int32(key.count), valueStart: Int32(v - start),
                valueEnd: Int32(v - start + value.bytes.count))
            n += 1
            return true
        }
        guard inPlace else { return }
        count = n
        base = start
        state = .cached
    }
}
