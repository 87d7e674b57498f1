import CZlib

/// gzip compression, for writing log files in CloudTrail's format (tests, round trips, generated corpora).
public enum Gzip {
    /// `data` as one gzip member.
    public static func compress(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, level) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 64)
        var input = data
        let produced = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { outp in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = outp.baseAddress
                stream.avail_out = UInt32(outp.count)
                return deflate(&stream, Z_FINISH) == Z_STREAM_END ? outp.count - Int(stream.avail_out) : 0
            }
        }
        return Array(out[..<produced])
    }
}
