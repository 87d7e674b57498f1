import TrailDetect
import TrailReader

/// A finding in the AWS Security Finding Format, as one element of BatchImportFindings' `Findings`, for the
/// account's default product (a custom integration). Every documented length limit is kept: text is cut cleanly
/// (`TextLimit`), lists to whole items. The times are the evidence's (CreatedAt = first seen, UpdatedAt = last seen),
/// so output is the same on every run and a recurring finding imports as an update.
enum ASFFFinding {
    static let schemaVersion = "2018-10-08"
    // Limits from the AwsSecurityFinding API reference (all but maxTypeLength, which is ours: it gives none).
    static let maxTitle = 256
    static let maxDescription = 1024
    static let maxRecommendation = 512
    static let maxIdentifier = 512
    static let maxResources = 32
    static let maxTypes = 50
    static let maxTypeLength = 128
    static let maxProductFields = 50
    static let maxFieldKey = 128
    static let maxFieldValue = 2048
    /// `Resources[].Details.Other`: values "must contain fewer than 1024 characters". The IAM details (user and
    /// role names, key ids) have no documented limit; they get the same one (IAM allows 64 for user and role
    /// names, 128 for key ids).
    static let maxDetailValue = 1023
    /// BatchImportFindings: "The maximum allowed size for a finding is 240 Kb." Counted as the finding's JSON with
    /// every non-ASCII character escaped (`\uXXXX`, as botocore and the AWS CLI send it), the largest it can get
    /// on the way; in bytes, the smaller reading of "Kb".
    static let maxFindingBytes = 240_000
    /// How far the text limits are divided, in turn, while a finding is still too large.
    static let shrinkSteps = [1, 4, 16, 64]

    /// The finding, within every field limit and within Security Hub's size limit per finding. A finding that is
    /// still too large once each field is within its limit (hostile values: every key id, ARN and address near its
    /// cap) has its free text and details cut further, each cut visible as a trailing "…", and says so in
    /// `ProductFields["trailhound/cut"]`.
    static func json(_ f: Finding) -> JSONTree {
        var value = json(f, shrink: 1)
        for shrink in shrinkSteps.dropFirst() where size(of: value) > maxFindingBytes {
            value = json(f, shrink: shrink)
        }
        return value
    }

    /// The size of the finding's JSON with every non-ASCII character escaped: 6 bytes for a character of the
    /// Basic Multilingual Plane (and DEL, which `TerminalText.inertJSON` escapes), 12 for one above (a surrogate
    /// pair); control characters are escaped already.
    static func size(of value: JSONTree) -> Int {
        guard let bytes = try? FindingWriter.encoder(pretty: false).encode(value) else { return Int.max }
        var n = 0
        for b in bytes {
            if b < 0x7F { n += 1 } else if b == 0x7F { n += 6 } else if b >= 0xF0 { n += 12 } else if b >= 0xC0 { n += 6 }
        }
        return n
    }

    static func json(_ f: Finding, shrink: Int) -> JSONTree {
        let account = AffectedResource.accountID(f)
        let partition = AffectedResource.partition(f)
        let region = f.regions.first.flatMap(awsRegion) ?? "us-east-1"
        let first = Timestamp.format(Timestamp.parse(f.firstSeen) ?? Timestamp.parse(f.lastSeen) ?? 0)
        let last = Timestamp.format(Timestamp.parse(f.lastSeen) ?? Timestamp.parse(f.firstSeen) ?? 0)
        let title = f.title.contains(where: { !$0.isWhitespace }) ? f.title : f.rule.title
        let note = shrink == 1 ? nil : "cut to fit Security Hub's size limit of 240 KB per finding (texts cut end in …); --format json has it all"
        return [
            "SchemaVersion": .string(schemaVersion),
            "Id": .string(TextLimit.cut("trailhound/\(f.id)", to: maxIdentifier)),
            "ProductArn": .string("arn:\(partition):securityhub:\(region):\(account):product/\(account)/default"),
            "ProductName": "trailhound",
            "CompanyName": "trailhound",
            "GeneratorId": .string(TextLimit.cut(f.rule.id, to: maxIdentifier)),
            "AwsAccountId": .string(account),
            "Types": .array(types(f.rule).map { .string($0) }),
            "CreatedAt": .string(first), "FirstObservedAt": .string(first),
            "UpdatedAt": .string(last), "LastObservedAt": .string(last),
            "Severity": ["Label": .string(f.rule.level.uppercased()), "Original": .string(f.rule.level)],
            "Title": .string(TextLimit.cut(title, to: maxTitle)),
            "Description": .string(TextLimit.cut(FindingText.description(f), to: maxDescription)),
            "Remediation": f.containment.isEmpty
                ? nil
                : [
                    "Recommendation": [
                        "Text": .string(TextLimit.cut(FindingText.containmentSummary(f), to: maxRecommendation)),
                        "Url": .text(FindingText.references(f).first),
                    ]
                ],
            "Resources": .array(resources(f, partition: partition, region: region, shrink: shrink)),
            "ProductFields": .object(productFields(f, shrink: shrink, note: note).mapValues { .string($0) }),
            "RecordState": "ACTIVE",
        ]
    }

    /// A region name as AWS writes them (`us-east-1`, `ap-southeast-4`), which Security Hub takes; nil for others.
    static func awsRegion(_ s: String) -> String? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        func all(_ part: Substring, _ test: (Character) -> Bool) -> Bool { !part.isEmpty && part.allSatisfy(test) }
        guard s.utf16.count <= 16, parts.count >= 3, all(parts[parts.count - 1], { $0.isASCII && $0.isNumber }),
            parts.dropLast().allSatisfy({ all($0, { $0.isASCII && $0.isLowercase }) })
        else { return nil }
        return s
    }

    /// `TTPs/<tactic>/<rule title>` for each ATT&CK tactic of the rule; `Unusual Behaviors/User/<rule title>` when
    /// it names none.
    static func types(_ rule: Finding.Rule) -> [String] {
        let classifier = rule.title.replacingOccurrences(of: "/", with: "-")
        var categories: [String] = []
        for tag in rule.tactics {
            guard let tactic = Attack.tactic(tag) else { continue }
            // ASFF's TTPs category for exfiltration is "Data Exfiltration".
            let name = tactic.id == "TA0010" ? "Data Exfiltration" : tactic.name
            if !categories.contains("TTPs/\(name)") { categories.append("TTPs/\(name)") }
        }
        if categories.isEmpty { categories = ["Unusual Behaviors/User"] }
        return categories.prefix(maxTypes).map { TextLimit.cut("\($0)/\(classifier)", to: maxTypeLength) }
    }

    static func resources(_ f: Finding, partition: String, region: String, shrink: Int = 1) -> [JSONTree] {
        var found = AffectedResource.of(f)
        if found.isEmpty {
            // Resources may not be empty: name the account the finding is in.
            let account = AffectedResource.accountID(f)
            found = [
                AffectedResource(type: "AwsAccount", id: "AWS::::Account:\(account)", name: account, role: "account")
            ]
        }
        // Details are log values (a user name, a key id) as long as the log made them: each is cut to its limit.
        let limit = max(32, maxDetailValue / shrink)
        func cut(_ s: String) -> JSONTree { .string(TextLimit.cut(s, to: limit)) }
        func cutText(_ s: String?) -> JSONTree? { s.flatMap { $0.isEmpty ? nil : cut($0) } }
        return found.prefix(maxResources).map { r in
            let details: JSONTree? =
                switch r.type {
                case "AwsIamUser": ["AwsIamUser": ["UserName": cut(r.name)]]
                case "AwsIamRole": ["AwsIamRole": ["RoleName": cut(r.name)]]
                case "AwsIamAccessKey":
                    [
                        "AwsIamAccessKey": [
                            "AccessKeyId": cut(r.name), "UserName": cutText(r.userName),
                            "PrincipalName": cutText(r.userName), "PrincipalType": cutText(r.principalType),
                        ]
                    ]
                default:
                    ["Other": .object((r.other.merging(["Role": r.role]) { a, _ in a }).mapValues { cut($0) as JSONTree })]
                }
            return [
                "Type": .string(r.type), "Id": .string(TextLimit.cut(r.id, to: max(64, maxIdentifier / shrink))),
                "Partition": .string(partition), "Region": .string(region), "Details": details,
            ]
        }
    }

    /// Solution-specific details, as strings (at most 50, keys and values within their limits). Evidence beyond
    /// what fits is counted in `trailhound/evidenceNotListed`.
    static func productFields(_ f: Finding, shrink: Int = 1, note: String? = nil) -> [String: String] {
        var fields: [String: String] = [:]
        let valueLimit = max(32, maxFieldValue / shrink)
        if let note { fields["trailhound/cut"] = note }
        func put(_ key: String, _ value: String?) {
            guard let value, value.contains(where: { !$0.isWhitespace }), fields.count < maxProductFields else {
                return
            }
            fields[TextLimit.cut("trailhound/\(key)", to: maxFieldKey)] = TextLimit.cut(value, to: valueLimit)
        }
        func list(_ key: String, _ items: [String]) {
            if !items.isEmpty { put(key, TextLimit.join(items, limit: valueLimit)) }
        }
        put("findingId", f.id)
        put("ruleTitle", f.rule.title)
        put("ruleFile", f.rule.file)
        put("level", f.rule.level)
        put("count", String(f.count))
        list("regions", f.regions)
        list("techniques", f.rule.techniques)
        list("tactics", f.rule.tactics)
        put("actorType", f.actor.type)
        put("actorArn", f.actor.arn)
        list("sourceIPAddresses", f.actor.sourceIPAddresses)
        list("accessKeyIds", f.actor.accessKeyIds)
        list("originAccessKeyIds", f.actor.originAccessKeyIds)
        list("containment", f.containment.map(\.id))
        if let st = f.state {
            func event(_ e: Finding.Evidence?) -> String? {
                e.map { "\($0.eventTime ?? "?") \($0.eventName ?? "?") \($0.eventID ?? "?") \($0.file) record \($0.recordIndex)" }
            }
            put("state", [st.kind, st.key].compactMap { $0 }.joined(separator: " "))
            put("stateOpenedBy", event(st.opened))
            put("stateClosedBy", event(st.closed))
            put("stateUntil", st.until)
            put("stateMeasure", st.measure)
        }
        list("liveCredentials", (f.credentials ?? []).map { c in
            c.kind == "long-term" ? c.accessKeyId : "\(c.accessKeyId) (\(c.mintedBy ?? "temporary") until \(c.expiresAt ?? "?"))"
        })
        list("evidenceEventIds", f.evidence.compactMap(\.eventID))
        let room = maxProductFields - fields.count - 1
        let shown = f.evidence.prefix(max(0, room))
        for (k, e) in shown.enumerated() {
            put(
                "evidence/\(k + 1)",
                "\(e.eventTime ?? "?") \(e.eventSource ?? "?") \(e.eventName ?? "?")"
                    + "\(e.errorCode.map { " (\($0))" } ?? "") \(e.eventID ?? "?") \(e.file) record \(e.recordIndex)")
        }
        put("evidenceNotListed", String(f.count - shown.count))
        return fields
    }
}
