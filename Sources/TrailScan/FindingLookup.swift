import TrailDetect
import TrailReader

/// Finds one finding by its id, or a unique prefix of it, among the findings of a scan or of a state file: what
/// `show ID` and `contain --finding ID` share.
public enum FindingLookup {
    /// The shortest prefix accepted: the triage view never prints fewer characters (`Triage.shortIds`).
    public static let minimumPrefix = 8

    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The id is shorter than `minimumPrefix`.
        case tooShort(String)
        /// No finding has this id or prefix; `source` names where they were looked for.
        case notFound(String, source: String)
        /// Several findings start with this prefix (their ids).
        case ambiguous(String, [String])

        public var description: String {
            switch self {
            case .tooShort(let id): return "a finding id needs at least \(FindingLookup.minimumPrefix) characters: '\(id)'"
            case .notFound(let id, let source): return "no finding \(id) in \(source)"
            case .ambiguous(let id, let ids): return "\(ids.count) findings start with \(id): \(ids.joined(separator: ", "))"
            }
        }
    }

    /// The one finding whose id is `id` or starts with it.
    public static func find(_ id: String, in findings: [Finding], source: String) throws(Failure) -> Finding {
        guard id.count >= minimumPrefix else { throw .tooShort(id) }
        if let exact = findings.first(where: { $0.id == id }) { return exact }
        let matches = findings.filter { $0.id.hasPrefix(id) }
        guard let first = matches.first else { throw .notFound(id, source: source) }
        guard matches.count == 1 else { throw .ambiguous(id, matches.map(\.id).sorted()) }
        return first
    }
}
