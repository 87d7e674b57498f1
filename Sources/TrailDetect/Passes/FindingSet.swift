import TrailReader

/// Findings merged across files: their builders in the order first seen, and where each id is.
///
/// With a spill file, a scan's builders do not stay in memory: once more than `heldLimit` are (or they hold more
/// than eight evidence records each on average: a builder with a hundred is about fifteen kilobytes), they are written
/// there (`FindingBuilder.encode`) and memory keeps only their id, rule, first time and place (about a tenth of a
/// builder, which with its evidence, actor and counted event ids is one to several kilobytes). A builder merged
/// again is read back and held until the next spill; the findings are read back one at a time as they are made.
/// Without one (or when it cannot be written), every builder stays in memory.
public struct FindingSet: Sendable {
    var table: BuilderTable
    private var index: [String: Int] = [:]
    /// Builders held in memory before they are spilled (a spill writes them all at once).
    let heldLimit: Int

    public init() { self.init(spill: nil) }

    init(spill: SpillFile?, heldLimit: Int = 256) {
        table = BuilderTable(spill: spill)
        self.heldLimit = heldLimit
    }

    public mutating func merge(_ partial: [FindingBuilder]) {
        for b in partial {
            if let at = index[b.id] {
                table.merge(b, at: at)
            } else {
                index[b.id] = table.count
                table.append(b)
            }
        }
        if table.heldCount > heldLimit || table.heldEvidence > heldLimit * 8 { table.spillHeld() }
    }

    /// Merges another set's builders, in its order, a few at a time (each read back from its spill file only now).
    mutating func merge(_ other: FindingSet) {
        var batch: [FindingBuilder] = []
        for i in other.table.indices {
            batch.append(other.table.builder(i))
            if batch.count == 64 {
                merge(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        merge(batch)
    }

    public var count: Int { table.count }

    /// Every builder, in the order first merged (read back from the spill file when they were moved there).
    var list: [FindingBuilder] { table.indices.map { table.builder($0) } }

    /// The findings, ordered by first event time, then rule id and finding id. With a lineage map, each names the
    /// live credentials its actor's keys minted. With `threads` > 1 the findings are made on that many threads
    /// (each is made from its builder alone, so the result is the same).
    public func findings(_ rules: RuleSet, lineage: LineageMap? = nil, threads: Int = 1) -> [Finding] {
        stream(rules, lineage: lineage, threads: threads).all()
    }

    /// The findings in the same order, made only when asked for (a batch at a time, by a writer). The builders are
    /// shared with this set, and put in order by what memory keeps of them (no builder is read back to sort).
    public func stream(_ rules: RuleSet, lineage: LineageMap? = nil, threads: Int = 1) -> FindingStream {
        let table = table
        let order = table.indices.sorted { i, j in
            let (a, b) = (table.entries[i], table.entries[j])
            if a.firstTime != b.firstTime { return a.firstTime < b.firstTime }
            let ra = rules.rules[Int(a.ruleIndex)].id
            let rb = rules.rules[Int(b.ruleIndex)].id
            return ra != rb ? ra < rb : a.id < b.id
        }
        return FindingStream(table, order: order, rules: rules, lineage: lineage, threads: threads)
    }
}

/// Builders by position: held in memory, or in a spill file with only what ordering and filtering them needs kept
/// here.
struct BuilderTable: Sendable {
    struct Entry: Sendable {
        let id: String
        let ruleIndex: Int32
        /// Where the builder is in `held`, or -1 when it is only in the spill file.
        var held: Int32 = -1
        var firstTime: Int64
        var length: Int32 = 0
        var offset: Int64 = 0
    }

    private(set) var entries: [Entry] = []
    /// Builders in memory (those of `entries` with `held` >= 0), and the entry each one is.
    private var held: [FindingBuilder] = []
    private var heldEntry: [Int] = []
    let spill: SpillFile?
    /// A write to `spill` failed: the builders stay in memory from then on.
    private var spillFailed = false

    init(spill: SpillFile?) { self.spill = spill }

    init(_ builders: [FindingBuilder]) {
        spill = nil
        held = builders
        heldEntry = Array(builders.indices)
        entries = builders.indices.map {
            Entry(id: builders[$0].id, ruleIndex: Int32(builders[$0].ruleIndex), held: Int32($0), firstTime: builders[$0].firstTime)
        }
    }

    var count: Int { entries.count }
    var indices: Range<Int> { entries.indices }
    var heldCount: Int { held.count }
    /// The evidence records the held builders keep (most of their size).
    var heldEvidence: Int { held.reduce(0) { $0 + $1.evidence.count } }

    func ruleIndex(_ i: Int) -> Int { Int(entries[i].ruleIndex) }

    mutating func append(_ b: FindingBuilder) {
        entries.append(Entry(id: b.id, ruleIndex: Int32(b.ruleIndex), held: Int32(held.count), firstTime: b.firstTime))
        held.append(b)
        heldEntry.append(entries.count - 1)
    }

    /// Folds `b` into the builder at `at`, reading it back first when it was spilled.
    mutating func merge(_ b: FindingBuilder, at: Int) {
        var h = Int(entries[at].held)
        if h < 0 {
            held.append(builder(at))
            heldEntry.append(at)
            h = held.count - 1
            entries[at].held = Int32(h)
        }
        held[h].merge(b)
        entries[at].firstTime = held[h].firstTime
    }

    /// Writes the held builders to the spill file and lets them go, a quarter megabyte of bytes at a time (a builder
    /// with its hundred evidence records is about fifteen kilobytes: 256 of them in one buffer were megabytes of peak).
    /// Those that cannot be written stay held.
    mutating func spillHeld() {
        // A file that cannot be written is not tried again (each try would encode every held builder for nothing).
        guard let spill, spill.writable, !spillFailed, !held.isEmpty else { return }
        let old = held
        let owner = heldEntry
        held = []
        heldEntry = []
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.writeBytes + (16 << 10))
        // The builders in `bytes`: their place in `old` and where their bytes end.
        var group: [(builder: Int, end: Int)] = []
        func write() {
            guard !group.isEmpty else { return }
            let written = spill.append(bytes)
            var start = 0
            for (h, end) in group {
                let i = owner[h]
                if let (offset, _) = written {
                    entries[i].held = -1
                    entries[i].offset = offset + Int64(start)
                    entries[i].length = Int32(end - start)
                } else {
                    entries[i].held = Int32(held.count)
                    held.append(old[h])
                    heldEntry.append(i)
                    spillFailed = true
                }
                start = end
            }
            bytes.removeAll(keepingCapacity: true)
            group.removeAll(keepingCapacity: true)
        }
        for h in old.indices {
            old[h].encode(into: &bytes)
            group.append((h, bytes.count))
            if bytes.count >= Self.writeBytes { write() }
        }
        write()
    }

    /// Bytes written to the spill file at once.
    static let writeBytes = 256 << 10

    /// The builder at `i`. One that was spilled and cannot be read back (the temporary file failed under the scan)
    /// is counted (`SpillFile.unreadable`) and stands as a builder that names only its id and rule: the finding is still
    /// written, and the run says it is incomplete.
    func builder(_ i: Int) -> FindingBuilder {
        let e = entries[i]
        if e.held >= 0 { return held[Int(e.held)] }
        if let bytes = spill?.read(e.offset, Int(e.length)),
            let b = bytes.withUnsafeBytes({ FindingBuilder.decode($0) }), b.id == e.id
        {
            return b
        }
        spill?.unreadable.add(1, ordering: .relaxed)
        return FindingBuilder(id: e.id, ruleIndex: Int(e.ruleIndex), title: "")
    }
}
