// Hot path. Streaming gzip inflate through zlib.
//
// Invariants:
// - One `z_stream`, initialised once and reset per file and per gzip member; its pointers are set before
//   every `inflate` call and never kept across calls.
// - `next_in`/`avail_in` always describe bytes inside the caller's input buffer that have not been consumed.

import CZlib

#if TRAILHOUND_ISAL
    import CISAL
#endif

/// A streaming gzip decoder: zlib, or ISA-L where it is built in.
protocol GzipInflater: AnyObject {
    /// Starts a new gzip member (or file).
    func reset()
    var pendingInput: Int { get }
    func setInput(_ p: UnsafeMutablePointer<UInt8>, count: Int)
    /// The unconsumed input, for checking what follows the end of a member.
    var nextInput: UnsafeMutablePointer<UInt8>? { get }
    func inflate(into out: UnsafeMutableRawPointer, capacity: Int) -> InflateStep
}

/// The inflaters this build has; `.isal` is the default where it exists.
public enum InflaterKind: String, Sendable, CaseIterable {
    case zlib, isal

    /// ISA-L when this build has it, else zlib.
    public static var preferred: InflaterKind { available.contains(.isal) ? .isal : .zlib }

    public static var available: [InflaterKind] {
        #if TRAILHOUND_ISAL
            return [.isal, .zlib]
        #else
            return [.zlib]
        #endif
    }

    /// The library's name and version: zlib's as the loaded library reports it, ISA-L's from the headers built against.
    public var version: String {
        switch self {
        case .zlib: return "zlib " + String(cString: zlibVersion())
        case .isal:
            #if TRAILHOUND_ISAL
                return "ISA-L " + String(cString: cisal_version())
            #else
                return "ISA-L (not in this build)"
            #endif
        }
    }

    /// One line for `--version`: the default inflater and the others this build has.
    public static var summary: String {
        let others = available.filter { $0 != preferred }.map(\.version)
        return "gzip inflater: \(preferred.version)" + (others.isEmpty ? " (ISA-L not found at build time)" : "; also \(others.joined(separator: ", ")) (--inflater)")
    }

    func make() -> GzipInflater {
        #if TRAILHOUND_ISAL
            if self == .isal { return ISALInflater() }
        #endif
        return Inflater()
    }
}

/// What one call to `Inflater.inflate` did.
enum InflateStep {
    /// Produced output or consumed input; call again.
    case progress(produced: Int)
    /// The current gzip member ended (its CRC and length checked).
    case memberEnd(produced: Int)
    /// zlib rejected the data.
    case corrupt(String, produced: Int)
}

final class Inflater: GzipInflater {
    private var stream = z_stream()
    private var initialised = false

    init() {
        initialised = czlib_inflate_init_gzip(&stream) == Z_OK
    }

    deinit {
        if initialised { inflateEnd(&stream) }
    }

    /// Starts a new gzip member (or file).
    func reset() {
        inflateReset(&stream)
    }

    /// Input not yet consumed.
    var pendingInput: Int { Int(stream.avail_in) }

    func setInput(_ p: UnsafeMutablePointer<UInt8>, count: Int) {
        stream.next_in = p
        stream.avail_in = UInt32(count)
    }

    /// The unconsumed input, for checking what follows the end of a member.
    var nextInput: UnsafeMutablePointer<UInt8>? { stream.next_in }

    func inflate(into out: UnsafeMutableRawPointer, capacity: Int) -> InflateStep {
        guard initialised else { return .corrupt("zlib could not be initialised", produced: 0) }
        stream.next_out = out.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = UInt32(min(capacity, Int(UInt32.max)))
        let before = Int(stream.avail_out)
        let ret = CZlib.inflate(&stream, Z_NO_FLUSH)
        let produced = before - Int(stream.avail_out)
        switch ret {
        case Z_OK, Z_BUF_ERROR:
            return .progress(produced: produced)
        case Z_STREAM_END:
            return .memberEnd(produced: produced)
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(ret)"
            return .corrupt(message, produced: produced)
        }
    }
}
