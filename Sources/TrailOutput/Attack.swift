/// MITRE ATT&CK names for rule tags: tactics by their Sigma tag (`attack.initial-access`), techniques by id.
enum Attack {
    /// Enterprise tactics: tag → (ATT&CK id, name).
    static let tactics: [String: (id: String, name: String)] = [
        "reconnaissance": ("TA0043", "Reconnaissance"),
        "resource-development": ("TA0042", "Resource Development"),
        "initial-access": ("TA0001", "Initial Access"),
        "execution": ("TA0002", "Execution"),
        "persistence": ("TA0003", "Persistence"),
        "privilege-escalation": ("TA0004", "Privilege Escalation"),
        "defense-evasion": ("TA0005", "Defense Evasion"),
        "credential-access": ("TA0006", "Credential Access"),
        "discovery": ("TA0007", "Discovery"),
        "lateral-movement": ("TA0008", "Lateral Movement"),
        "collection": ("TA0009", "Collection"),
        "exfiltration": ("TA0010", "Exfiltration"),
        "command-and-control": ("TA0011", "Command and Control"),
        "impact": ("TA0040", "Impact"),
    ]

    static func tactic(_ tag: String) -> (id: String, name: String)? {
        tactics[tag.lowercased().replacingOccurrences(of: "_", with: "-")]
    }

    /// `t1078.004` → (`T1078`, `T1078.004`); a technique without a sub-technique has none.
    static func technique(_ tag: String) -> (technique: String, subTechnique: String?)? {
        let id = tag.uppercased()
        let parts = id.split(separator: ".", omittingEmptySubsequences: false)
        guard let head = parts.first, head.count == 5, head.first == "T", head.dropFirst().allSatisfy(\.isASCII),
            head.dropFirst().allSatisfy(\.isNumber), parts.count <= 2,
            parts.count == 1 || (parts[1].count == 3 && parts[1].allSatisfy { $0.isASCII && $0.isNumber })
        else { return nil }
        return (String(head), parts.count == 2 ? id : nil)
    }

    /// The technique's page on attack.mitre.org.
    static func url(technique: String, subTechnique: String?) -> String {
        let path = subTechnique.map { $0.replacingOccurrences(of: ".", with: "/") } ?? technique
        return "https://attack.mitre.org/techniques/\(path)/"
    }
}
