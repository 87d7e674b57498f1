/// An array kept in blocks of 4,096 values: appending never moves or copies the values already there, and holds at
/// most one block of room beyond them. A growing `Array` holds up to twice its values and copies them all each time it
/// doubles, and the memory it gives up then is not given back to the system: with a trigger event (80 bytes) for every
/// role assumption, that was megabytes of a scan's peak.
struct Blocks<Element>: RandomAccessCollection, MutableCollection {
    private var blocks: [[Element]] = []
    static var blockSize: Int { 4096 }
    private(set) var count = 0

    init() {}

    init(_ values: some Sequence<Element>) { for v in values { append(v) } }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> Element {
        get { blocks[position >> 12][position & 4095] }
        set { blocks[position >> 12][position & 4095] = newValue }
    }

    mutating func append(_ value: Element) {
        if count & 4095 == 0 {
            blocks.append([])
            blocks[blocks.count - 1].reserveCapacity(Self.blockSize)
        }
        blocks[blocks.count - 1].append(value)
        count += 1
    }
}
