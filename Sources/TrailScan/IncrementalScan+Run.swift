import TrailDetect
import TrailReader
import TrailState

extension IncrementalScan {
    /// What a whole run did, for the summary and the exit status.
    public struct Outcome {
        /// The files read and those the state had read before.
        public var selection: Selection
        /// How many rule evaluations were done.
        public var evaluated: Int
        /// The findings handed to the writer (new ones, and with `updates` those that grew), in order.
        public var emissions: [StateStore.Emission]
        /// How many of them were written and recorded as written.
        public var recorded: Int
        /// Every write was done.
        public var complete: Bool
        /// What the state file holds after the run.
        public var counts: (objects: Int, findings: Int, unwritten: Int)

        /// The new findings written: only they can fail a run (the rest is still new next time).
        public var failing: [Finding] { emissions.prefix(recorded).filter(\.isNew).map(\.finding) }

        /// The run summary's line about the state file at `path`.
        public func stateLine(path: String) -> String {
            let isNew = emissions.filter(\.isNew).count
            return "state: \(selection.fresh.count) new file(s) read, \(selection.earlier.count) already read; "
                + "\(isNew) new finding(s), \(emissions.count - isNew) updated"
                + (recorded == emissions.count ? "" : ", \(emissions.count - recorded) not written (left for the next run)")
                + "; \(counts.objects) files and \(counts.findings) findings in \(path)"
                + (counts.unwritten > 0 ? " (\(counts.unwritten) not written yet)" : "")
        }
    }

    /// The analysis of a run could not be recorded in the state file.
    public struct RecordingError: Error, CustomStringConvertible {
        public let underlying: any Error
        public var description: String { "\(underlying)" }
    }

    /// A whole run: selects the files the state has not read whole (`reading` sees the selection before any is
    /// read), reads and records them (`report` sees each file's report; `read` is called when reading ends, even by
    /// an error, which is thrown as a `RecordingError`), then hands the findings waiting to `write` — one at a time
    /// or all at once — recording each batch written. `checkedAll`: no event filter excluded records.
    public func run(
        _ files: [InputFile], checkedAll: Bool, oneByOne: Bool,
        reading: (Selection) -> Void = { _ in }, report: (FileReport) -> Void = { _ in }, read: () -> Void = {},
        write: ([Finding]) -> Bool
    ) throws -> Outcome {
        let selection = try select(files)
        reading(selection)
        let analysed: Analysed
        do {
            analysed = try analyse(selection, checkedAll: checkedAll, report: report)
        } catch {
            read()
            throw RecordingError(underlying: error)
        }
        read()
        // Findings below the level asked for stay waiting in the state: a run without the filter writes them.
        let emissions = try pending(lineage: analysed.lineage)
        let (recorded, complete) = try deliver(emissions, oneByOne: oneByOne, write: write)
        return Outcome(
            selection: selection, evaluated: analysed.evaluated, emissions: emissions, recorded: recorded,
            complete: complete, counts: try store.counts())
    }
}
