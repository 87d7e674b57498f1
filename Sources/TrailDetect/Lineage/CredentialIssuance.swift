import TrailReader

/// An STS call that minted temporary credentials: the child key, and the key and principal that minted it. The
/// building block of credential lineage (issue 4): later events signed with the child key trace back through it.
public struct CredentialIssuance: Sendable, Equatable {
    public let api: String
    public let account: String
    /// The new temporary key (`responseElements.credentials.accessKeyId`).
    public let childKey: String
    /// The key that signed the call (`userIdentity.accessKeyId`), when logged.
    public let parentKey: String?
    /// The principal that made the call (`userIdentity.arn`), or its type when there is no ARN.
    public let parentPrincipal: String
    /// What the child is: the federated user, the assumed role's session ARN, or the user for GetSessionToken.
    public let childPrincipal: String?
    public let issuedAt: Int64
    /// When the child stops working; inferred from the requested or default duration when not logged readably.
    public let expiresAt: Int64
    public let eventID: String?

    /// The APIs whose responses carry new credentials.
    public static let apis: Set<String> = [
        "GetFederationToken", "GetSessionToken", "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity",
    ]

    /// The issuance an event records, if it is a successful call of one of `apis` whose response has a key.
    public init?(_ event: Event) {
        guard let name = event.member("eventName")?.string, Self.apis.contains(name),
            event.member("errorCode")?.scalarText == nil,
            let response = event.member("responseElements"),
            let child = response.member("credentials")?.member("accessKeyId")?.scalarText, !child.isEmpty,
            let issued = event.eventTime
        else { return nil }
        let identity = event.member("userIdentity")
        api = name
        account = event.member("recipientAccountId")?.scalarText ?? identity?.member("accountId")?.scalarText ?? ""
        childKey = child
        parentKey = identity?.member("accessKeyId")?.scalarText.flatMap { $0.isEmpty ? nil : $0 }
        parentPrincipal = identity?.member("arn")?.scalarText ?? identity?.member("type")?.scalarText ?? "?"
        childPrincipal = response.member("federatedUser")?.member("arn")?.scalarText
            ?? response.member("assumedRoleUser")?.member("arn")?.scalarText
            ?? (name == "GetSessionToken" ? identity?.member("arn")?.scalarText : nil)
        issuedAt = issued
        let requested = event.member("requestParameters")?.member("durationSeconds")?.int64
        let logged = response.member("credentials")?.member("expiration")?.scalarText.flatMap(Self.parseExpiration)
        expiresAt = logged ?? issued + (requested ?? Self.defaultDuration(name))
        eventID = event.member("eventID")?.scalarText
    }

    public init(
        api: String, account: String, childKey: String, parentKey: String?, parentPrincipal: String,
        childPrincipal: String?, issuedAt: Int64, expiresAt: Int64, eventID: String?
    ) {
        self.api = api
        self.account = account
        self.childKey = childKey
        self.parentKey = parentKey
        self.parentPrincipal = parentPrincipal
        self.childPrincipal = childPrincipal
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.eventID = eventID
    }

    /// The API's default duration (STS API reference): 12 h for federation and session tokens, 1 h for roles.
    static func defaultDuration(_ api: String) -> Int64 {
        api == "GetFederationToken" || api == "GetSessionToken" ? 43_200 : 3_600
    }

    /// CloudTrail writes expirations as `Nov 30, 2024, 8:43:17 PM` (or without the second comma), sometimes ISO 8601.
    static func parseExpiration(_ text: String) -> Int64? {
        if let iso = Timestamp.parse(text) { return iso }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = text.replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init)
        guard parts.count == 5, let month = months.firstIndex(of: parts[0]).map({ $0 + 1 }), let day = Int(parts[1]),
            let year = Int(parts[2])
        else { return nil }
        let clock = parts[3].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...12).contains(clock[0]), clock[1] < 60, clock[2] < 61, parts[4] == "AM" || parts[4] == "PM"
        else { return nil }
        let hour = clock[0] % 12 + (parts[4] == "PM" ? 12 : 0)
        return Int64(Timestamp.daysFromCivil(year, month, day)) * 86_400 + Int64(hour * 3600 + clock[1] * 60 + clock[2])
    }
}
