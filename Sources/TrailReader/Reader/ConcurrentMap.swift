import Dispatch

/// `count` values made on `threads` threads: worker `w` makes values `w`, `w + threads`, ... (which spreads costly
/// values evenly), each written to its own slot, so the result is what one thread makes in order. `body` is given
/// the worker's number (for per-worker scratch state, which only that worker touches) and the value's index. With
/// one thread, or fewer values than threads, it runs on the calling thread.
public func concurrentMap<T>(count: Int, threads: Int, _ body: (_ worker: Int, _ index: Int) -> T) -> [T] {
    guard threads > 1, count > 1 else { return (0..<count).map { body(0, $0) } }
    let workers = min(threads, count)
    var out = [T?](repeating: nil, count: count)
    withoutActuallyEscaping(body) { body in
        // Each worker writes only its own slots and uses only its own state.
        nonisolated(unsafe) let make = body
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < count {
                    slots[i] = make(w, i)
                    i += workers
                }
            }
        }
    }
    return out.map { $0! }
}
