import Foundation

/// What a worker hands back for one file: outputs as they are made, then the file's report.
public enum FileItem<Output: Sendable>: Sendable {
    case output(Output)
    case done(FileReport)
}

/// Reads files on several threads and hands their results to the caller in file order, so output is the same
/// whatever the thread count. Memory stays bounded: a worker ahead of the file being consumed pauses once it
/// holds `aheadLimit` bytes of output.
public final class ParallelReader: @unchecked Sendable {
    public let options: ReaderOptions
    public let aheadLimit: Int

    public init(options: ReaderOptions, aheadLimit: Int = 8 << 20) {
        self.options = options
        self.aheadLimit = aheadLimit
    }

    /// Runs `process` for every file (on worker threads when `options.threads > 1`) and `consume` on the calling
    /// thread, for file 0's items, then file 1's, and so on. `process` emits outputs with their approximate size
    /// in bytes and returns the file's report.
    public func run<Output: Sendable>(
        _ files: [InputFile],
        process: @escaping @Sendable (InputFile, FileReader, (Output, Int) -> Void) -> FileReport,
        consume: (Int, FileItem<Output>) -> Void
    ) {
        run(files, state: { () }, process: { file, reader, _, emit in process(file, reader, emit) }, consume: consume)
    }

    /// As `run(_:process:consume:)`, with a per-worker `State` (a rule engine, say) made on each worker's thread.
    public func run<State, Output: Sendable>(
        _ files: [InputFile],
        state makeState: @escaping @Sendable () -> State,
        process: @escaping @Sendable (InputFile, FileReader, State, (Output, Int) -> Void) -> FileReport,
        consume: (Int, FileItem<Output>) -> Void
    ) {
        let threads = max(1, min(options.threads, files.count))
        if threads == 1 {
            let reader = FileReader(options: options)
            let state = makeState()
            for (i, file) in files.enumerated() {
                let report = process(file, reader, state) { output, _ in consume(i, .output(output)) }
                consume(i, .done(report))
            }
            return
        }
        let shared = Shared<Output>(files.count)
        let limit = aheadLimit
        let options = options
        var workers: [Thread] = []
        for _ in 0..<threads {
            let thread = Thread {
                let reader = FileReader(options: options)
                let state = makeState()
                while let i = shared.takeNext() {
                    let report = process(files[i], reader, state) { output, bytes in
                        shared.put(i, output, bytes: bytes, limit: limit)
                    }
                    shared.finish(i, report)
                }
                shared.workerExited()
            }
            thread.stackSize = 1 << 20
            workers.append(thread)
            thread.start()
        }
        for i in 0..<files.count {
            while true {
                let (outputs, report) = shared.take(i)
                for output in outputs { consume(i, .output(output)) }
                if let report {
                    consume(i, .done(report))
                    break
                }
            }
        }
        shared.waitForWorkers(threads)
    }

    final class Shared<Output>: @unchecked Sendable {
        struct Slot {
            var outputs: [Output] = []
            var bytes = 0
            var report: FileReport?
        }

        let condition = NSCondition()
        var slots: [Slot]
        var next = 0
        var head = 0
        var exited = 0

        init(_ count: Int) { slots = Array(repeating: Slot(), count: count) }

        func takeNext() -> Int? {
            condition.lock()
            defer { condition.unlock() }
            guard next < slots.count else { return nil }
            next += 1
            return next - 1
        }

        func put(_ i: Int, _ output: Output, bytes: Int, limit: Int) {
            condition.lock()
            slots[i].outputs.append(output)
            slots[i].bytes += bytes
            condition.broadcast()
            while i != head && slots[i].bytes > limit { condition.wait() }
            condition.unlock()
        }

        func finish(_ i: Int, _ report: FileReport) {
            condition.lock()
            slots[i].report = report
            condition.broadcast()
            condition.unlock()
        }

        /// Waits for file `i` to have output or be done, and takes what it has.
        func take(_ i: Int) -> ([Output], FileReport?) {
            condition.lock()
            defer { condition.unlock() }
            if head != i {
                head = i
                condition.broadcast()
            }
            while slots[i].outputs.isEmpty && slots[i].report == nil { condition.wait() }
            let outputs = slots[i].outputs
            slots[i].outputs = []
            slots[i].bytes = 0
            let report = slots[i].report
            if report != nil { slots[i] = Slot() }
            condition.broadcast()
            return (outputs, report)
        }

        func workerExited() {
            condition.lock()
            exited += 1
            condition.broadcast()
            condition.unlock()
        }

        func waitForWorkers(_ count: Int) {
            condition.lock()
            while exited < count { condition.wait() }
            condition.unlock()
        }
    }
}
