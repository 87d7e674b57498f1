import TrailDetect
import TrailReader
import TrailState

/// A scan over a state file (`scan --state`): reads the files the state has not seen whole, commits each one's
/// results, finishes the analysis, and hands the findings waiting to be written to a writer, recording each as
/// written only once the writer says it was.
///
/// Every step commits on its own, so a run stopped at any point leaves a state from which the next run gives the
/// findings one whole run would: files committed but not analysed are analysed again (`StateStore.unfinished`), and
/// only the findings written but not yet recorded can be written twice. `checkpoint` is called after each step, for
/// tests that stop a run there (by ending the process, or by throwing: nothing after it is committed).
public final class IncrementalScan {
    /// The points between the steps of a run.
    public enum Checkpoint: Equatable, Sendable, CustomStringConvertible {
        /// The n-th new file (from 1) was committed.
        case committed(Int)
        /// Every new file was committed and the analysis decided, none of it recorded.
        case evaluated
        /// The analysis was recorded (stateful findings, states, files analysed).
        case finished
        /// The n-th write (from 1) was done, not yet recorded.
        case written(Int)
        /// The n-th write was recorded as written.
        case recorded(Int)

        /// `committed:N`, `evaluated`, `finished`, `written:N` or `recorded:N`.
        public init?(_ text: String) {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let n = parts.count == 2 ? Int(parts[1]) : nil
            switch (parts[0], n) {
            case ("committed", let n?): self = .committed(n)
            case ("evaluated", nil): self = .evaluated
            case ("finished", nil): self = .finished
            case ("written", let n?): self = .written(n)
            case ("recorded", let n?): self = .recorded(n)
            default: return nil
            }
        }

        public var description: String {
            switch self {
            case .committed(let n): "committed:\(n)"
            case .evaluated: "evaluated"
            case .finished: "finished"
            case .written(let n): "written:\(n)"
            case .recorded(let n): "recorded:\(n)"
            }
        }
    }

    public struct Options: Sendable {
        /// Also write known findings whose count grew since written.
        public var updates = false
        /// Findings below this level are not written and stay waiting (a run without the filter writes them).
        public var minLevel: SigmaRule.Level = .informational
        public init() {}
    }

    /// The files of a run, split by what the state knows of them.
    public struct Selection {
        /// Files to read: not seen, changed, or not read whole before.
        public var fresh: [InputFile] = []
        /// Files read whole before and unchanged.
        public var earlier: [InputFile] = []
        /// Their size and modification time, taken before reading.
        var stamps: [String: StateStore.ObjectStamp] = [:]
    }

    /// What the analysis gave, for the summary and the findings' rendering.
    public struct Analysed {
        public var evaluated = 0
        public var lineage: LineageMap?
    }

    public let store: StateStore
    let rules: RuleSet
    let reader: ParallelReader
    let options: Options
    let checkpoint: (Checkpoint) throws -> Void

    public init(
        store: StateStore, rules: RuleSet, reader: ParallelReader, options: Options = Options(),
        checkpoint: @escaping (Checkpoint) throws -> Void = { _ in }
    ) {
        self.store = store
        self.rules = rules
        self.reader = reader
        self.options = options
        self.checkpoint = checkpoint
    }

    /// The paths to walk, resolved (`realpath`), so the same folder named another way (`logs/`, `./logs`, a link to
    /// it) gives the same paths in the state. `-` and paths that cannot be resolved are kept as given.
    public static func canonicalRoots(_ paths: [String]) -> [String] {
        paths.map { $0 == InputFile.stdinPath ? $0 : CanonicalPath.resolve($0) ?? $0 }
    }

    /// Splits the discovered files: those whose path, size and modification time an earlier run recorded as read
    /// whole are not read again (a late file, whatever its name's time, is new). Stamps are taken before reading.
    public func select(_ files: [InputFile]) throws -> Selection {
        let processed = try store.processed()
        var s = Selection()
        for f in files {
            let stamp = f.isStdin ? nil : StateStore.ObjectStamp.of(f.path)
            if let stamp, processed[f.path] == stamp {
                s.earlier.append(f)
            } else {
                s.fresh.append(f)
                if let stamp { s.stamps[f.path] = stamp }
            }
        }
        return s
    }

    /// Reads the new files, committing each, and records the analysis (when there was anything to analyse: new
    /// files, or files an earlier run did not finish). `checkedAll`: no event filter excluded records.
    public func analyse(_ s: Selection, checkedAll: Bool, report: (FileReport) -> Void) throws -> Analysed {
        var out = Analysed()
        let unfinished = try store.unfinished()
        let pending = try store.analysisPending()
        guard !s.fresh.isEmpty || !unfinished.isEmpty || pending else { return out }
        let store = store
        let rules = rules
        let checkpoint = checkpoint
        var commitError: Error?
        var committed = 0
        let result = Analysis.run(
            s.fresh, rules: rules, using: reader, carryover: try store.carryover(), earlier: s.earlier,
            unfinished: unfinished,
            onFile: { r in
                guard commitError == nil else { return }
                do {
                    try store.commit(r, stamp: s.stamps[r.file.path], rules: rules)
                    committed += 1
                    try checkpoint(.committed(committed))
                } catch { commitError = error }
            },
            report: report)
        if let commitError { throw commitError }
        try checkpoint(.evaluated)
        // Unfinished files not named this time (a run over part of the tree) wait for a run that names them, unless
        // they are gone.
        let named = Set((s.fresh + s.earlier).map(\.path))
        let waiting = unfinished.filter { !named.contains($0) && StateStore.ObjectStamp.of($0) != nil }
        try store.finish(result, rules: rules, checkedAll: checkedAll, stillUnfinished: waiting)
        try checkpoint(.finished)
        out.evaluated = result.evaluated
        out.lineage = result.lineage
        return out
    }

    /// The findings waiting to be written at or above the level asked for, rendered (with the lineage the state
    /// keeps when the analysis gave none).
    public func pending(lineage: LineageMap?) throws -> [StateStore.Emission] {
        var lineage = lineage
        if lineage == nil, try store.hasPending(updates: options.updates, minLevel: options.minLevel, rules: rules) {
            var map = LineageMap()
            for i in try store.issuances() { map.add(i) }
            lineage = map
        }
        return try store.pending(updates: options.updates, minLevel: options.minLevel, rules: rules, lineage: lineage)
    }

    /// Hands the findings to `write`, all at once (even none: a document or file is written whatever its
    /// contents) or one at a time, and records as written those it wrote (true when written and flushed). Stops at the
    /// first failed write; returns how many were recorded, and whether every write was done.
    public func deliver(
        _ emissions: [StateStore.Emission], oneByOne: Bool, write: ([Finding]) -> Bool
    ) throws -> (recorded: Int, complete: Bool) {
        let batches = oneByOne ? emissions.map { [$0] } : [emissions]
        var recorded = 0
        for (n, batch) in batches.enumerated() {
            guard write(batch.map(\.finding)) else { return (recorded, false) }
            try checkpoint(.written(n + 1))
            try store.markEmitted(batch)
            recorded += batch.count
            try checkpoint(.recorded(n + 1))
        }
        return (recorded, true)
    }
}
