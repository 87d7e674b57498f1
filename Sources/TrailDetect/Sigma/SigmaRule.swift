import TrailReader

/// A compiled Sigma detection rule with trailhound's extensions.
public struct SigmaRule: Sendable {
    public enum Level: String, Sendable, CaseIterable, Comparable {
        case informational, low, medium, high, critical
        public static func < (a: Level, b: Level) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public let id: String
    /// Sigma's `name`, by which correlation rules (and trailhound's `state:`/`absence:`) refer to a rule.
    public let name: String?
    public let title: String
    public let level: Level
    public let status: String?
    public let description: String?
    public let tags: [String]
    public let references: [String]
    public let file: String
    /// The compiled detection (a class, so the engine's hot loop touches one reference, not the whole rule).
    let detection: CompiledDetection
    public let containment: [ContainmentRef]
    /// The fields that make two events the same finding (empty: the default).
    public let groupBy: [RuleField]
    public let titleTemplate: String?
    public let tests: RuleTests
    /// Lower-cased `eventName` values the rule can match, when its detection pins them down.
    public let eventNames: Set<String>?
    /// Lower-cased `eventSource` values the rule can match, when its detection pins them down.
    public let eventSources: Set<String>?
    /// Every field the detection reads.
    public let fields: [RuleField]
    public let usesDerivedFields: Bool
    /// False (`finding: false`) for a rule that only feeds other rules' windows, absences or correlations.
    public internal(set) var findings: Bool
    /// Extension: the rule's events count only inside these windows (all of them; YAML `state:`).
    var windows: [WindowSpec]
    /// Extension: the rule's event with nothing of `absence.of` following it in time.
    var absence: AbsenceSpec?
    /// A Sigma correlation rule (its detection never matches; it counts other rules' matches).
    public internal(set) var correlation: CorrelationSpec?

    /// True when the rule's findings are decided per event (not by a window, absence or correlation).
    public var isPerEvent: Bool { windows.isEmpty && absence == nil && correlation == nil }

    /// The trailhound extensions beyond plain Sigma that decide when the rule's matches count: `state`, `absence`,
    /// `correlation` (a Sigma correlation rule, which has no detection of its own).
    public var extensionNames: [String] {
        (windows.isEmpty ? [] : ["state"]) + (absence == nil ? [] : ["absence"]) + (correlation == nil ? [] : ["correlation"])
    }

    /// True when the event in `context` matches the detection.
    public func matches(_ context: EventContext) -> Bool { detection.matches(context) }

    /// ATT&CK technique ids from the tags (`attack.t1098.001` → `T1098.001`).
    public var attackTechniques: [String] {
        tags.compactMap { tag in
            let lower = tag.lowercased()
            guard lower.hasPrefix("attack.t"), lower.dropFirst(8).first?.isNumber == true else { return nil }
            return String(tag.dropFirst(7)).uppercased()
        }
    }

    /// ATT&CK tactics from the tags (`attack.persistence`).
    public var attackTactics: [String] {
        tags.compactMap { tag in
            let lower = tag.lowercased()
            guard lower.hasPrefix("attack."), !(lower.dropFirst(7).first?.isNumber ?? true),
                !(lower.hasPrefix("attack.t") && lower.dropFirst(8).first?.isNumber == true),
                !(lower.hasPrefix("attack.g") && lower.dropFirst(8).first?.isNumber == true),
                !(lower.hasPrefix("attack.s") && lower.dropFirst(8).first?.isNumber == true)
            else { return nil }
            return String(tag.dropFirst(7))
        }
    }
}

/// A containment action a rule names, and whose identity it applies to.
public struct ContainmentRef: Sendable, Hashable {
    public enum Subject: String, Sendable {
        /// The identity that acted (or, for a federated session, its parent user).
        case actor
        /// The user or role acted on.
        case target
        /// The IAM user at the root of the actor's credentials (lineage): the user whose keys must be contained.
        case origin
        /// Who made the event that opened the window the finding fell in (a stateful rule): the one who set another
        /// user's password or made its key, contained as well as the user who then used it.
        case opener
    }
    public let id: String
    public let subject: Subject
    public let line: Int?
}

/// A rule's test events, as JSON text with the line each starts on.
public struct RuleTests: Sendable {
    public struct Case: Sendable {
        public let json: String
        public let line: Int?
    }
    public var match: [Case] = []
    public var noMatch: [Case] = []
}

/// A rule's selections and condition, compiled.
///
/// Hot path: every candidate event runs `matches`. The condition and selections are also kept flat (arrays of
/// plain values indexed by position) so evaluation walks them without closures or reference counting.
final class CompiledDetection: Sendable {
    /// Selections in file order: each an OR of alternatives, each an AND of field tests.
    let selections: [[[FieldTest]]]
    let names: [String]
    let condition: Condition

    /// A condition node: a selection, `not` of one child, or `and`/`or` of children (`children[first..<first+count]`).
    struct Node: Sendable {
        enum Kind: UInt8, Sendable { case selection, not, and, or }
        let kind: Kind
        let first: Int32
        let count: Int32
    }
    let nodes: [Node]
    let children: [Int32]
    /// Field tests, flat; `alternatives[k]` is a range of them (AND), `selectionRanges[i]` a range of alternatives (OR).
    let tests: [FieldTest]
    /// `tests` again, flat, for evaluation (see TestProgram.swift).
    let program: TestProgram
    let alternatives: [Range<Int>]
    let selectionRanges: [Range<Int>]

    init(selections: [[[FieldTest]]], names: [String], condition: Condition) {
        self.selections = selections
        self.names = names
        self.condition = condition
        var tests: [FieldTest] = []
        var alternatives: [Range<Int>] = []
        var selectionRanges: [Range<Int>] = []
        for selection in selections {
            let start = alternatives.count
            for alternative in selection {
                alternatives.append(tests.count..<(tests.count + alternative.count))
                tests += alternative
            }
            selectionRanges.append(start..<alternatives.count)
        }
        self.tests = tests
        program = TestProgram(tests)
        self.alternatives = alternatives
        self.selectionRanges = selectionRanges
        var nodes: [Node] = []
        var children: [Int32] = []
        // Post-order: a node's children are added before it; the root is last.
        func add(_ c: Condition) -> Int32 {
            switch c {
            case .selection(let i):
                nodes.append(Node(kind: .selection, first: Int32(i), count: 0))
            case .not(let inner):
                let child = add(inner)
                nodes.append(Node(kind: .not, first: child, count: 0))
            case .and(let cs), .or(let cs):
                let ids = cs.map { add($0) }
                let first = Int32(children.count)
                children += ids
                if case .and = c {
                    nodes.append(Node(kind: .and, first: first, count: Int32(ids.count)))
                } else {
                    nodes.append(Node(kind: .or, first: first, count: Int32(ids.count)))
                }
            }
            return Int32(nodes.count - 1)
        }
        _ = add(condition)
        self.nodes = nodes
        self.children = children
    }

    @inline(__always)
    func matches(_ context: EventContext) -> Bool { evaluate(Int32(nodes.count - 1), context) }

    func evaluate(_ n: Int32, _ context: EventContext) -> Bool {
        let node = nodes[Int(n)]
        switch node.kind {
        case .selection:
            for a in selectionRanges[Int(node.first)] {
                var all = true
                for t in alternatives[a] where !program.matches(t, context) {
                    all = false
                    break
                }
                if all { return true }
            }
            return false
        case .not:
            return !evaluate(node.first, context)
        case .and:
            for k in Int(node.first)..<Int(node.first + node.count) where !evaluate(children[k], context) { return false }
            return true
        case .or:
            for k in Int(node.first)..<Int(node.first + node.count) where evaluate(children[k], context) { return true }
            return false
        }
    }
}
