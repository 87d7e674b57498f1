// Hot path. Streaming gzip inflate through ISA-L's igzip (Debian libisal-dev), when this build has it.
//
// Invariants:
// - One inflate_state (heap-allocated by the C shim), reset per file and per gzip member; its input pointers always
//   describe unconsumed bytes of the caller's input buffer.
// - The gzip trailer (CRC-32 and length) is checked by ISA-L; a mismatch is an error, as with zlib.

#if TRAILHOUND_ISAL
    import CISAL

    final class ISALInflater: GzipInflater {
        private let state: UnsafeMutablePointer<inflate_state>?

        init() { state = cisal_new() }

        deinit { cisal_free(state) }

        func reset() { cisal_reset(state) }

        var pendingInput: Int { Int(cisal_avail_in(state)) }

        func setInput(_ p: UnsafeMutablePointer<UInt8>, count: Int) { cisal_set_input(state, p, UInt32(count)) }

        var nextInput: UnsafeMutablePointer<UInt8>? { cisal_next_in(state) }

        func inflate(into out: UnsafeMutableRawPointer, capacity: Int) -> InflateStep {
            guard state != nil else { return .corrupt("ISA-L could not allocate its state", produced: 0) }
            var produced: UInt32 = 0
            let ret = cisal_inflate(
                state, out.assumingMemoryBound(to: UInt8.self), UInt32(min(capacity, Int(UInt32.max))), &produced)
            switch ret {
            case 0: return .progress(produced: Int(produced))
            case 1: return .memberEnd(produced: Int(produced))
            default: return .corrupt(Self.message(ret), produced: Int(produced))
            }
        }

        static func message(_ code: Int32) -> String {
            switch code {
            case ISAL_INVALID_BLOCK: return "invalid deflate block"
            case ISAL_INVALID_SYMBOL: return "invalid deflate symbol"
            case ISAL_INVALID_LOOKBACK: return "invalid distance too far back"
            case ISAL_INVALID_WRAPPER: return "invalid gzip header"
            case ISAL_UNSUPPORTED_METHOD: return "unknown compression method"
            case ISAL_INCORRECT_CHECKSUM: return "incorrect data check (CRC-32 or length)"
            default: return "ISA-L error \(code)"
            }
        }
    }
#endif
