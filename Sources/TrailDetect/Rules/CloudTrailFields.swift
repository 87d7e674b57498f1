/// The top-level fields CloudTrail records have, and the casing of common nested ones, to catch misspelt fields.
enum CloudTrailFields {
    static let topLevel: Set<String> = [
        "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
        "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements", "additionalEventData",
        "requestID", "eventID", "readOnly", "resources", "eventType", "apiVersion", "managementEvent",
        "recipientAccountId", "serviceEventDetails", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId",
        "eventCategory", "addendum", "sessionCredentialFromConsole", "edgeDeviceDetails", "tlsDetails",
        "insightDetails",
    ]
    static let userIdentity: Set<String> = [
        "type", "principalId", "arn", "accountId", "accessKeyId", "userName", "sessionContext", "invokedBy",
        "identityProvider", "onBehalfOf", "inScopeOf", "credentialId",
    ]

    static func problem(_ field: String) -> String? {
        if field.hasPrefix("trailhound.") { return nil }
        let parts = field.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        if !topLevel.contains(first) {
            if let fix = topLevel.first(where: { $0.lowercased() == first.lowercased() }) {
                return "field '\(field)': CloudTrail spells it '\(fix)'"
            }
            return "field '\(field)': '\(first)' is not a CloudTrail record field"
        }
        if first == "userIdentity", parts.count > 1, !userIdentity.contains(parts[1]) {
            if let fix = userIdentity.first(where: { $0.lowercased() == parts[1].lowercased() }) {
                return "field '\(field)': CloudTrail spells it 'userIdentity.\(fix)'"
            }
            return "field '\(field)': '\(parts[1])' is not a userIdentity field"
        }
        return nil
    }
}
