/// What a containment template variable holds, and AWS's grammar for it.
///
/// Every value that fills a template comes from a log a stranger may have written (a failed call keeps the invalid
/// `userName` it was given; a tampered copy of a log can hold anything), and a responder pastes what trailhound
/// prints. So a value enters a command only through `TemplateValue.bind`: checked against the grammar AWS itself
/// enforces for that field, then written for the shell context it lands in. A value that fails is never written as
/// code: the command is printed as a comment that shows the value escaped and says why.
///
/// The grammars are the APIs' own patterns (IAM `userNameType` `[\w+=,.@-]+`, 1–64; STS `roleSessionNameType`
/// 2–64 and `Name` of GetFederationToken 2–32; `accessKeyIdType` `[\w]+`, 16–128; Identity Store `UserId`;
/// partitioned ARNs; region codes). Changing one is a one-line edit here.
public enum TemplateValueKind: String, Sendable, CaseIterable {
    /// A 12-digit AWS account id.
    case accountId
    /// A region code: `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-isoe-west-1`.
    case region
    /// An IAM user or role name: `[\w+=,.@-]`, 1–64 characters.
    case iamName
    /// An IAM policy or group name: `[\w+=,.@-]`, 1–128 characters.
    case policyName
    /// An STS role session name: `[\w+=,.@-]`, 2–64 characters.
    case sessionName
    /// A GetFederationToken name: `[\w+=,.@-]`, 2–32 characters.
    case federatedName
    /// An access key id: `[A-Za-z0-9_]`, 16–128 characters (AKIA…, ASIA…).
    case accessKeyId
    /// An Identity Store user id: a UUID, optionally after a 10-hex-digit store prefix and a dash.
    case identityCenterUserId
    /// A time as trailhound writes it: `2026-11-21T08:00:00Z`.
    case time
    /// An ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, printable ASCII without spaces.
    case arn
    /// A CloudTrail trail name (`[A-Za-z0-9._-]`, 3–128, starting and ending with a letter or digit) or trail ARN.
    case trailName
    /// An S3 bucket name: `[a-z0-9.-]`, 3–63 characters.
    case bucketName
    /// Another AWS identifier a responder fills in (policy id, SSH key id, MFA serial, identity store id):
    /// `[\w+=,.@/:-]`, 1–2048 characters.
    case awsId
    /// Free text (a description of a credential): allowed only in comments, where it is escaped.
    case text

    /// Whether `value` is in this kind's grammar.
    public func accepts(_ value: String) -> Bool {
        let u = Array(value.utf8)
        switch self {
        case .accountId: return u.count == 12 && u.allSatisfy(Self.isDigit)
        case .region: return Self.isRegion(u)
        case .iamName: return (1...64).contains(u.count) && u.allSatisfy(Self.isIAMNameByte)
        case .policyName: return (1...128).contains(u.count) && u.allSatisfy(Self.isIAMNameByte)
        case .sessionName: return (2...64).contains(u.count) && u.allSatisfy(Self.isIAMNameByte)
        case .federatedName: return (2...32).contains(u.count) && u.allSatisfy(Self.isIAMNameByte)
        case .accessKeyId: return (16...128).contains(u.count) && u.allSatisfy(Self.isWordByte)
        case .identityCenterUserId: return Self.isIdentityStoreUserId(u)
        case .time: return Self.isTime(u)
        case .arn: return Self.isARN(u)
        case .trailName: return Self.isTrailName(u) || (Self.isARN(u) && value.contains(":cloudtrail:"))
        case .bucketName:
            return (3...63).contains(u.count) && u.allSatisfy { Self.isLowerAlnum($0) || $0 == 0x2E || $0 == 0x2D }
                && Self.isLowerAlnum(u.first!) && Self.isLowerAlnum(u.last!)
        case .awsId: return (1...2048).contains(u.count) && u.allSatisfy { Self.isIAMNameByte($0) || $0 == 0x2F || $0 == 0x3A }
        case .text: return true
        }
    }

    /// What the grammar is, for the note beside a refused value.
    public var grammar: String {
        switch self {
        case .accountId: return "an account id is 12 digits"
        case .region: return "a region code is like us-east-1"
        case .iamName: return "an IAM user or role name is 1-64 of A-Z a-z 0-9 _ + = , . @ -"
        case .policyName: return "an IAM policy or group name is 1-128 of A-Z a-z 0-9 _ + = , . @ -"
        case .sessionName: return "a role session name is 2-64 of A-Z a-z 0-9 _ + = , . @ -"
        case .federatedName: return "a federated user name is 2-32 of A-Z a-z 0-9 _ + = , . @ -"
        case .accessKeyId: return "an access key id is 16-128 of A-Z a-z 0-9 _"
        case .identityCenterUserId: return "an Identity Center user id is a UUID (optionally after a 10-hex-digit prefix and -)"
        case .time: return "a time is YYYY-MM-DDThh:mm:ssZ"
        case .arn: return "an ARN is arn:partition:service:region:account:resource in printable ASCII"
        case .trailName: return "a trail name is 3-128 of A-Z a-z 0-9 . _ - (or a trail ARN)"
        case .bucketName: return "a bucket name is 3-63 of a-z 0-9 . -"
        case .awsId: return "an AWS identifier is 1-2048 of A-Z a-z 0-9 _ + = , . @ / : -"
        case .text: return "text"
        }
    }

    /// Whether every value of this kind is made only of `TemplateValue.isPlainByte` bytes, and so may stand inside
    /// quotes in a command without escaping.
    var isAlwaysPlain: Bool {
        switch self {
        case .accountId, .region, .iamName, .policyName, .sessionName, .federatedName, .accessKeyId, .identityCenterUserId,
            .time, .bucketName, .awsId:
            return true
        case .arn, .trailName, .text: return false
        }
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    static func isLowerAlnum(_ b: UInt8) -> Bool { isLower(b) || isDigit(b) }
    static func isAlnum(_ b: UInt8) -> Bool { isLower(b) || isUpper(b) || isDigit(b) }
    static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) }
    /// `\w` as IAM's patterns mean it: ASCII letters, digits and `_`.
    static func isWordByte(_ b: UInt8) -> Bool { isAlnum(b) || b == 0x5F }
    /// `[\w+=,.@-]`
    static func isIAMNameByte(_ b: UInt8) -> Bool { isWordByte(b) || b == 0x2B || b == 0x3D || b == 0x2C || b == 0x2E || b == 0x40 || b == 0x2D }

    static func isRegion(_ u: [UInt8]) -> Bool {
        // [a-z]{2}(-[a-z]+)+-[0-9]{1,2}
        let parts = u.split(separator: 0x2D, omittingEmptySubsequences: false)
        guard u.count <= 32, parts.count >= 3, parts[0].count == 2, parts[0].allSatisfy(isLower) else { return false }
        guard let last = parts.last, (1...2).contains(last.count), last.allSatisfy(isDigit) else { return false }
        return parts.dropFirst().dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy(isLower) }
    }

    static func isIdentityStoreUserId(_ u: [UInt8]) -> Bool {
        var body = u[...]
        if u.count == 47 {
            guard u[10] == 0x2D, u[..<10].allSatisfy({ isDigit($0) || (0x61...0x66).contains($0) }) else { return false }
            body = u[11...]
        }
        guard body.count == 36 else { return false }
        for (i, b) in body.enumerated() {
            if [8, 13, 18, 23].contains(i) { guard b == 0x2D else { return false } } else { guard isHex(b) else { return false } }
        }
        return true
    }

    static func isTime(_ u: [UInt8]) -> Bool {
        // YYYY-MM-DDThh:mm:ssZ, with optional fractional seconds
        guard u.count >= 20, u.count <= 30, u.last == 0x5A else { return false }
        let shape = Array("dddd-dd-ddTdd:dd:dd".utf8)
        for (i, s) in shape.enumerated() {
            if s == 0x64 { guard isDigit(u[i]) else { return false } } else { guard u[i] == s else { return false } }
        }
        let rest = u[19..<(u.count - 1)]
        return rest.isEmpty || (rest.first == 0x2E && rest.count > 1 && rest.dropFirst().allSatisfy(isDigit))
    }

    static func isARN(_ u: [UInt8]) -> Bool {
        guard (12...2048).contains(u.count), u.starts(with: Array("arn:".utf8)) else { return false }
        let parts = u.split(separator: 0x3A, maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return false }
        let partition = parts[1], service = parts[2], region = parts[3], account = parts[4], resource = parts[5]
        guard partition.starts(with: Array("aws".utf8)), partition.allSatisfy({ isLower($0) || $0 == 0x2D }) else { return false }
        guard !service.isEmpty, service.allSatisfy({ isLowerAlnum($0) || $0 == 0x2D }) else { return false }
        guard region.allSatisfy({ isLowerAlnum($0) || $0 == 0x2D }) else { return false }
        guard account.isEmpty || (account.count == 12 && account.allSatisfy(isDigit)) || account.elementsEqual("aws".utf8)
        else { return false }
        // IAM paths allow any printable ASCII (U+0021–U+007E); no space, no control, nothing past ASCII.
        return !resource.isEmpty && resource.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }

    static func isTrailName(_ u: [UInt8]) -> Bool {
        guard (3...128).contains(u.count), isAlnum(u.first!), isAlnum(u.last!) else { return false }
        return u.allSatisfy { isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }
}

/// Where in a command a placeholder stands, which decides how a value is written there.
enum ShellContext: Equatable, Sendable {
    case unquoted, singleQuoted, doubleQuoted
}

/// Binds a log value to a template: validation against its kind's grammar, then the quoting of its context.
public enum TemplateValue {
    /// Bytes that need no quoting anywhere in a POSIX shell word, inside single or double quotes, in a JSON string
    /// or in a JMESPath raw string: `A-Z a-z 0-9 _ + = , . @ / : -`.
    static func isPlainByte(_ b: UInt8) -> Bool { TemplateValueKind.isIAMNameByte(b) || b == 0x2F || b == 0x3A }

    public static func isPlain(_ s: String) -> Bool { s.utf8.allSatisfy(isPlainByte) }

    /// A value as one shell word: bare when plain, else in single quotes (`'` written as `'\''`).
    public static func shellQuoted(_ s: String) -> String {
        if !s.isEmpty && isPlain(s) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A string's contents escaped for a JSON string literal.
    static func jsonEscaped(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where InertText.mustEscape(scalar):
                let v = scalar.value
                for unit in v > 0xFFFF ? [0xD800 + ((v - 0x10000) >> 10), 0xDC00 + ((v - 0x10000) & 0x3FF)] : [v] {
                    let hex = String(unit, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

