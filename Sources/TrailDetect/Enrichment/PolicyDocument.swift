import Foundation

/// What an IAM or SCP policy document (as CloudTrail logs it: a JSON string, sometimes URL-encoded, sometimes already
/// an object) allows and denies, judged for the detections that need it.
public struct PolicyDocument: Sendable, Equatable {
    /// An `Allow` of action `*` on resource `*`.
    public var allowsAll = false
    /// A `Deny` of action `*` on resource `*`, with or without conditions.
    public var deniesAll = false
    /// A `Deny` of `*` on `*` without any condition.
    public var deniesAllUnconditionally = false
    /// The `aws:TokenIssueTime` cutoff of a `Deny *` (`DateLessThan`/`DateLessThanEquals`).
    public var tokenIssueTimeCutoff: String?
    /// `identitystore:userId` values in `Deny` conditions.
    public var deniedIdentityCenterUserIds: [String] = []
    /// The accounts an `Allow` statement's `Principal` names (12 digits, from an account id or an IAM/STS ARN), and
    /// `*` for a principal of anyone: who a resource or trust policy lets in.
    public var principalAccounts: [String] = []
    /// An `Allow` to principal `*` without any condition: anyone with AWS credentials.
    public var allowsAnyPrincipalUnconditionally = false
    /// Every action of `Deny` statements on resource `*` without conditions (lowercased).
    public var deniedActions: Set<String> = []

    /// Parses a document; nil when it is not a JSON policy.
    public init?(text: String) {
        var text = Self.trimmed(text)
        if text.hasPrefix("%7B") || text.hasPrefix("%7b"), let decoded = text.removingPercentEncoding { text = decoded }
        guard let data = text.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        self.init(object: object)
    }

    /// `text` without white space and newlines at either end (`trimmingCharacters(in: .whitespacesAndNewlines)`,
    /// which copies the whole document through Foundation: it cost more than parsing it). Only the ends are looked at.
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let set = CharacterSet.whitespacesAndNewlines
        guard let first = scalars.firstIndex(where: { !set.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !set.contains($0) })!
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    public init(object: [String: Any]) {
        let statements: [[String: Any]]
        if let list = object["Statement"] as? [[String: Any]] {
            statements = list
        } else if let one = object["Statement"] as? [String: Any] {
            statements = [one]
        } else {
            statements = []
        }
        for s in statements {
            let effect = (s["Effect"] as? String)?.lowercased()
            let actions = Self.strings(s["Action"])
            let resources = Self.strings(s["Resource"])
            let all = actions.contains("*") && (resources.contains("*") || s["Resource"] == nil) && s["NotAction"] == nil
            let condition = s["Condition"] as? [String: Any]
            if effect == "allow" && all { allowsAll = true }
            if effect == "allow", let principal = s["Principal"] {
                let named = principal as? String == "*" ? ["*"] : Self.strings((principal as? [String: Any])?["AWS"])
                for p in named {
                    if p == "*" {
                        principalAccounts.append("*")
                        if condition == nil || condition!.isEmpty { allowsAnyPrincipalUnconditionally = true }
                    } else if let account = Self.account(inPrincipal: p) {
                        principalAccounts.append(account)
                    }
                }
            }
            if effect == "deny", resources.contains("*") || s["Resource"] == nil, condition == nil || condition!.isEmpty {
                for a in actions { deniedActions.insert(a.lowercased()) }
            }
            if effect == "deny" {
                if all {
                    deniesAll = true
                    if condition == nil || condition!.isEmpty { deniesAllUnconditionally = true }
                    for (op, value) in condition ?? [:] where op.lowercased().hasPrefix("datelessthan") {
                        for (key, v) in (value as? [String: Any]) ?? [:] where key.lowercased() == "aws:tokenissuetime" {
                            tokenIssueTimeCutoff = Self.strings(v).first
                        }
                    }
                }
                // `StringNotEquals` and the like deny everyone *but* the named users: not a deny on them.
                for (op, value) in condition ?? [:] where !op.lowercased().contains("not") {
                    for (key, v) in (value as? [String: Any]) ?? [:] where key.lowercased() == "identitystore:userid" {
                        deniedIdentityCenterUserIds += Self.strings(v)
                    }
                }
            }
        }
    }

    /// The account of a principal: a 12-digit account id, or the account field of an `arn:<partition>:iam::` or
    /// `arn:<partition>:sts::` ARN.
    static func account(inPrincipal p: String) -> String? {
        let isAccount = { (s: Substring) in s.count == 12 && s.allSatisfy { $0 >= "0" && $0 <= "9" } }
        if isAccount(Substring(p)) { return p }
        let parts = p.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 6, parts[0] == "arn", parts[2] == "iam" || parts[2] == "sts", isAccount(parts[4]) else { return nil }
        return String(parts[4])
    }

    static func strings(_ value: Any?) -> [String] {
        if let s = value as? String { return [s] }
        if let list = value as? [Any] { return list.compactMap { $0 as? String } }
        return []
    }
}
