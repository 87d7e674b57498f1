/// Events the scanner reports besides complete records.
public enum ScanNotice {
    /// An array element where an event object was expected (`42` inside `Records`).
    case nonObjectElement(index: Int, offset: Int, kind: String)
    /// A record larger than the limit; it is validated but not delivered.
    case recordTooLarge(index: Int, offset: Int)
    /// A fault in a top-level value; the scanner skipped to the next line and goes on (JSON Lines).
    case recovered(ScanFault)
    /// `Records` (or `Events`) a second time in one envelope (`{"Records":[…],"Records":[…]}`, which CloudTrail never
    /// writes): its elements are records too, indexed from 0 again.
    case repeatedEnvelope(offset: Int)
}
