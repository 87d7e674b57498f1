import TrailDetect
import TrailReader

/// A root identity's credential lineage as a layered SVG tree: the identity, its long-term keys, the federation,
/// session and role-session credentials they minted (through any depth, across accounts), and the keys and console
/// passwords made for other users; each finding is attached to the node of the key that signed its events.
/// Repeated sessions beyond `childrenPerNode` under one node collapse into one "+N more" node that says what they were.
struct LineageGraph {
    struct Node {
        var label: String
        var detail: String
        var findings: [Finding] = []
        var children: [Int] = []
        var depth: Int
        var collapsed = false
        /// What a "+N more" node counts it as (the API that minted it).
        var kind = ""
    }

    private(set) var nodes: [Node] = []
    private var byKey: [String: Int] = [:]
    private var hot = Set<String>()
    private let limits: IncidentReport.Limits
    private let lineage: LineageMap
    /// Nodes left out because the graph reached `limits.lineageNodes`.
    private(set) var omitted = 0

    init(root: RootIdentity, findings: [Finding], lineage: LineageMap, limits: IncidentReport.Limits) {
        self.limits = limits
        self.lineage = lineage
        nodes.append(Node(label: root.title, detail: root.kind.rawValue, depth: 0))
        // The keys whose branch leads to a finding are drawn first when a node has more children than are drawn.
        for f in findings {
            for key in f.actor.accessKeyIds {
                hot.insert(key)
                if let t = Timestamp.parse(f.lastSeen) {
                    for link in lineage.chain(of: key, account: f.account ?? "", at: t) {
                        hot.insert(link.childKey)
                        if let p = link.parentKey { hot.insert(p) }
                    }
                }
            }
        }
        var longTerm: [String] = []
        for f in findings {
            for key in f.actor.accessKeyIds + f.actor.originAccessKeyIds + (f.credentials ?? []).map(\.accessKeyId)
            where key.hasPrefix("AKIA") && !longTerm.contains(key) {
                longTerm.append(key)
            }
        }
        for key in longTerm.sorted() {
            guard let n = add(Node(label: "long-term key", detail: key, depth: 1), under: 0) else { break }
            byKey[key] = n
            expand(key, node: n)
        }
        // Session keys of findings whose origin the logs do not show hang from the identity itself.
        var orphans: [String] = []
        for f in findings {
            for key in f.actor.accessKeyIds where byKey[key] == nil && !orphans.contains(key) { orphans.append(key) }
        }
        _ = addCollapsible(orphans.sorted().map { key in
            (key, Node(label: key.hasPrefix("ASIA") ? "session key (origin not in logs)" : "key", detail: key, depth: 1))
        }, under: 0)
        // Findings on the node of the key that signed them; keys and passwords made for others under it (once each).
        var made = Set<String>()
        for f in findings {
            let at = f.actor.accessKeyIds.compactMap { byKey[$0] }.first ?? 0
            nodes[at].findings.append(f)
            for created in f.target?.createdKeys ?? [] where made.insert("\(at) key \(created.accessKeyId)").inserted {
                _ = add(Node(label: "key for user \(created.userName)", detail: created.accessKeyId, depth: nodes[at].depth + 1), under: at)
            }
            if let user = f.target?.userName,
                f.evidence.contains(where: { $0.eventName == "CreateLoginProfile" || $0.eventName == "UpdateLoginProfile" }),
                made.insert("\(at) password \(user)").inserted
            {
                _ = add(Node(label: "console password", detail: "for user \(user)", depth: nodes[at].depth + 1), under: at)
            }
        }
    }

    /// Adds a node unless the graph is full; returns its index.
    private mutating func add(_ node: Node, under parent: Int) -> Int? {
        guard nodes.count < limits.lineageNodes else {
            omitted += 1
            return nil
        }
        nodes.append(node)
        nodes[parent].children.append(nodes.count - 1)
        return nodes.count - 1
    }

    /// Adds children, at most `childrenPerNode` of them (those on a finding's branch first); the rest become one
    /// "+N more" node naming what they were.
    private mutating func addCollapsible(_ children: [(key: String, node: Node)], under parent: Int) -> [(String, Int)] {
        let ordered = children.enumerated().sorted { a, b in
            let (ha, hb) = (hot.contains(a.element.key), hot.contains(b.element.key))
            return ha != hb ? ha : a.offset < b.offset
        }.map(\.element)
        var added: [(String, Int)] = []
        for (key, node) in ordered.prefix(limits.childrenPerNode) {
            guard let n = add(node, under: parent) else { break }
            byKey[key] = n
            added.append((key, n))
        }
        let rest = ordered.dropFirst(added.count)
        if !rest.isEmpty {
            var kinds: [String: Int] = [:]
            for (_, node) in rest { kinds[node.kind.isEmpty ? node.label : node.kind, default: 0] += 1 }
            let what = kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            var more = Node(label: "+\(rest.count) more", detail: what, depth: nodes[parent].depth + 1)
            more.collapsed = true
            _ = add(more, under: parent)
        }
        return added
    }

    /// Adds what `key` minted, recursively (depth at most 6).
    private mutating func expand(_ key: String, node: Int) {
        guard nodes[node].depth < 6 else { return }
        var minted: [CredentialIssuance] = []
        for account in lineage.accounts.sorted() { minted += lineage.children(of: key, account: account) }
        minted.sort { ($0.issuedAt, $0.childKey) < ($1.issuedAt, $1.childKey) }
        let children = minted.map { i in
            (i.childKey, Node(
                label: "\(i.api) \(Self.shortPrincipal(i.childPrincipal))",
                detail: "\(i.childKey) \(i.account) \(Timestamp.format(i.issuedAt))", depth: nodes[node].depth + 1,
                kind: i.api))
        }
        for (childKey, n) in addCollapsible(children, under: node) { expand(childKey, node: n) }
    }

    /// `arn:aws:sts::123:assumed-role/Role/session` → `assumed-role/Role/session`.
    static func shortPrincipal(_ arn: String?) -> String {
        guard let arn else { return "" }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 ? String(parts[5]) : arn
    }

    static let boxWidth = 260.0
    static let boxHeight = 46.0
    static let column = 295.0
    static let row = 56.0

    func svg(id: String) -> HTML {
        // Leaves take rows in depth-first order; a parent sits at the middle of its children.
        var y = [Double](repeating: 0, count: nodes.count)
        var nextRow = 0.0
        func place(_ n: Int) {
            if nodes[n].children.isEmpty {
                y[n] = nextRow
                nextRow += 1
            } else {
                for c in nodes[n].children { place(c) }
                y[n] = (y[nodes[n].children.first!] + y[nodes[n].children.last!]) / 2
            }
        }
        place(0)
        let maxDepth = nodes.map(\.depth).max() ?? 0
        func left(_ n: Int) -> Double { 10 + Double(nodes[n].depth) * Self.column }
        func top(_ n: Int) -> Double { 10 + y[n] * Self.row }
        var parts: [HTML] = []
        for (n, node) in nodes.enumerated() {
            for c in node.children {
                let (x1, y1) = (left(n) + Self.boxWidth, top(n) + Self.boxHeight / 2)
                let (x2, y2) = (left(c), top(c) + Self.boxHeight / 2)
                parts.append("<path class=\"edge\" d=\"M\(x1) \(y1) C\(x1 + 20) \(y1) \(x2 - 20) \(y2) \(x2) \(y2)\"/>")
            }
        }
        for (n, node) in nodes.enumerated() {
            let worst = node.findings.map(\.level).max()
            let cls: HTML = worst.map { " hit f-\($0.rawValue)" } ?? ""
            let rules = node.findings.prefix(10).map { "\($0.rule.level): \($0.title)" }.joined(separator: "\n")
            let badge: HTML = worst.map { w in
                "<text x=\"\(left(n) + 8)\" y=\"\(top(n) + 41)\" class=\"f-\(w.rawValue)\">⚑ \(node.findings.count) finding\(node.findings.count == 1 ? "" : "s"), worst \(w.rawValue)</text>"
            } ?? ""
            parts.append(
                """
                <g class="lnode\(node.collapsed ? " collapsed" : "")" data-findings="\(node.findings.count)"><title>\(node.label)
                \(node.detail)\(rules.isEmpty ? "" : "\n" + rules)</title>\
                <rect class="node\(cls)" x="\(left(n))" y="\(top(n))" width="\(Self.boxWidth)" height="\(Self.boxHeight)" rx="6"/>\
                <text x="\(left(n) + 8)" y="\(top(n) + 15)">\(node.label, cut: 40)</text>\
                <text x="\(left(n) + 8)" y="\(top(n) + 28)" class="axis">\(node.detail, cut: 40)</text>\(badge)</g>
                """)
        }
        let width = 20 + Double(maxDepth) * Self.column + Self.boxWidth
        let height = 20 + max(1, nextRow) * Self.row
        let note: HTML = omitted > 0 ? " \(omitted) more credentials not drawn (the graph is capped at \(limits.lineageNodes) nodes)." : ""
        return """
            <svg id="\(id)" class="lineage" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="img" aria-label="Credential lineage">\(parts)</svg>
            <p class="meta">\(nodes.count) nodes; flagged nodes carry findings (hover for the rules).\(note)</p>
            """
    }
}
