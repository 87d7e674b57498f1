import TrailReader

/// An STS call that minted temporary credentials: the child key, and the key and principal that minted it. The
/// building block of credential lineage (issue 4): later events signed with the child key trace back through it.
public struct CredentialIssuance: Sendable, Equatable {
    public let api: String
    public let account: String
    /// The new temporary key (`responseElements.credentials.accessKeyId`).
    public let childKey: String
    /// The key that signed the call (`userIdentity.accessKeyId`), when logged.
    public internal(set) var parentKey: String?
    /// The principal that made the call (`userIdentity.arn`), or its type when there is no ARN.
    public internal(set) var parentPrincipal: String
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
    ///
    /// Hot path (an STS call is a few percent of events): each object is walked once for the members read here, as
    /// one lookup per member walked past the response's session token (a kilobyte) every time.
    public init?(_ event: Event) {
        guard let name = event.member(.eventName)?.string, Self.apis.contains(name),
            event.member(.errorCode)?.scalarText == nil,
            let response = event.member(.responseElements), response.kind == .object
        else { return nil }
        var credentials: JSONValue?
        var federatedUser: JSONValue?
        var assumedRoleUser: JSONValue?
        // Of duplicate keys the last counts, as everywhere (`JSONValue.member`): so each walk goes to the end.
        response.forEachMember { key, value in
            if key.equals("credentials") {
                credentials = value
            } else if key.equals("federatedUser") {
                federatedUser = value
            } else if key.equals("assumedRoleUser") {
                assumedRoleUser = value
            }
            return true
        }
        var childValue: JSONValue?
        var expiration: JSONValue?
        if let credentials, credentials.kind == .object {
            credentials.forEachMember { key, value in
                if key.equals("accessKeyId") {
                    childValue = value
                } else if key.equals("expiration") {
                    expiration = value
                }
                return true
            }
        }
        guard let child = childValue?.scalarText, !child.isEmpty, let issued = event.eventTime else { return nil }
        var identityAccount: JSONValue?
        var identityKey: JSONValue?
        var identityArn: JSONValue?
        var identityType: JSONValue?
        if let identity = event.member(.userIdentity), identity.kind == .object {
            identity.forEachMember { key, value in
                if key.equals("accountId") {
                    identityAccount = value
                } else if key.equals("accessKeyId") {
                    identityKey = value
                } else if key.equals("arn") {
                    identityArn = value
                } else if key.equals("type") {
                    identityType = value
                }
                return true
            }
        }
        api = name
        account = event.member(.recipientAccountId)?.scalarText ?? identityAccount?.scalarText ?? ""
        childKey = child
        parentKey = identityKey?.scalarText.flatMap { $0.isEmpty ? nil : $0 }
        parentPrincipal = identityArn?.scalarText ?? identityType?.scalarText ?? "?"
        childPrincipal = federatedUser?.member("arn")?.scalarText
            ?? assumedRoleUser?.member("arn")?.scalarText
            ?? (name == "GetSessionToken" ? identityArn?.scalarText : nil)
        issuedAt = issued
        let requested = event.member(.requestParameters)?.member("durationSeconds")?.int64
        let logged = expiration?.scalarText.flatMap(Self.parseExpiration)
        expiresAt = logged ?? issued + (requested ?? Self.defaultDuration(name))
        eventID = event.member(.eventID)?.scalarText
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
    /// Parsed byte by byte: every STS response in the logs has one.
    static func parseExpiration(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { b -> Int64? in
            if let first = b.first, first >= 0x30 && first <= 0x39 { return Timestamp.parse(UnsafeRawBufferPointer(b)) }
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            guard b.count >= 20 else { return nil }
            let name = String(decoding: b[0..<3], as: UTF8.self)
            guard let month = months.firstIndex(of: name).map({ $0 + 1 }) else { return nil }
            var i = 3
            func skip() { while i < b.count && (b[i] == 0x20 || b[i] == 0x2C) { i += 1 } }
            func number() -> Int? {
                var n = 0
                var digits = 0
                while i < b.count, b[i] >= 0x30 && b[i] <= 0x39, digits < 5 {
                    n = n * 10 + Int(b[i] - 0x30)
                    i += 1
                    digits += 1
                }
                return digits > 0 ? n : nil
            }
            skip()
            guard let day = number() else { return nil }
            skip()
            guard let year = number() else { return nil }
            skip()
            guard let hour12 = number(), i < b.count, b[i] == 0x3A else { return nil }
            i += 1
            guard let minute = number(), i < b.count, b[i] == 0x3A else { return nil }
            i += 1
            guard let second = number() else { return nil }
            skip()
            guard i + 2 == b.count, b[i + 1] == 0x4D, b[i] == 0x41 || b[i] == 0x50 else { return nil }
            guard (1...12).contains(hour12), minute < 60, second < 61, (1...31).contains(day) else { return nil }
            let hour = hour12 % 12 + (b[i] == 0x50 ? 12 : 0)
            return Int64(Timestamp.daysFromCivil(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        }
    }
}
