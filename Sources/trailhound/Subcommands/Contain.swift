import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput
import TrailReader
import TrailScan
import TrailState

struct Contain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the containment playbook for an identity as a shell script of AWS CLI commands.",
        discussion: """
            Every applicable action of the containment catalog (rules/containment/), in order, with its policy \
            documents and a comment saying why. trailhound prints the script; it never runs it or calls AWS.
            """
    )

    @Argument(help: ArgumentHelp(
        "Log files or folders to scan for the finding given with --finding (or, with --state, the finding id).", valueName: "path"))
    var inputs: [String] = []
    @Option(help: ArgumentHelp(
        "A finding id (or its first 8+ characters): the playbook covers its whole incident — the identity at the root of its credentials, the role sessions they made, what it created for others.",
        valueName: "id"))
    var finding: String?
    @Option(help: ArgumentHelp("The state file of `scan --state`, to look the finding up in (instead of scanning logs).", valueName: "file")) var state: String?
    @Option(help: "An IAM user.") var user: String?
    @Option(help: "An IAM role (its sessions).") var role: String?
    @Option(help: "A federated user name (GetFederationToken); give its parent with --parent-user.") var federatedUser: String?
    @Option(help: "The IAM user that minted the federated user's token.") var parentUser: String?
    @Option(help: "An IAM Identity Center user id (identitystore).") var identityCenterUser: String?
    @Flag(help: "The account's root user.") var root = false
    @Option(help: "The account id.") var account: String?
    @Option(help: "An access key id of the identity (repeatable).") var accessKey: [String] = []
    @Option(help: "The region for regional commands (default: the finding's, else us-east-1).") var region: String?
    @Option(help: "Sessions issued before this time are revoked (default: now).") var cutoff: String?
    @OptionGroup var rules: RuleFlags

    /// The finding id: --finding, or (as before) the one argument given with --state.
    var findingId: String? { finding ?? (state != nil && inputs.count == 1 ? inputs[0] : nil) }

    func validate() throws {
        if let id = findingId {
            guard id.count >= FindingLookup.minimumPrefix else { throw ValidationError("\(FindingLookup.Failure.tooShort(id))") }
            guard [user, role, federatedUser, identityCenterUser].allSatisfy({ $0 == nil }), !root else {
                throw ValidationError("give a finding id or an identity, not both")
            }
            if state == nil && inputs.isEmpty { throw ValidationError("--finding needs the logs to scan (paths) or --state FILE") }
            if state != nil && finding != nil && !inputs.isEmpty {
                throw ValidationError("give the logs or --state, not both")
            }
            return
        }
        if !inputs.isEmpty { throw ValidationError("with logs, name the finding: --finding ID") }
        guard let account else { throw ValidationError("--account is required with an identity") }
        let chosen = [user != nil, role != nil, federatedUser != nil, identityCenterUser != nil, root].filter { $0 }.count
        guard chosen == 1 else {
            throw ValidationError("name one identity: --user, --role, --federated-user, --identity-center-user or --root")
        }
        guard TemplateValueKind.accountId.accepts(account) else {
            throw ValidationError("--account '\(account)' is not a 12-digit account id")
        }
        if federatedUser != nil && parentUser == nil {
            throw ValidationError("--federated-user needs --parent-user (the IAM user whose policies bound the session)")
        }
        // Values typed here go into commands like values from the logs: each must be in AWS's grammar.
        let typed: [(String, String?, TemplateValueKind)] = [
            ("--user", user, .iamName), ("--role", role, .iamName), ("--federated-user", federatedUser, .federatedName),
            ("--parent-user", parentUser, .iamName), ("--identity-center-user", identityCenterUser, .identityCenterUserId),
            ("--region", region, .region),
        ] + accessKey.map { ("--access-key", $0, .accessKeyId) }
        for (option, value, kind) in typed {
            if let value, !kind.accepts(value) {
                throw ValidationError("\(option) '\(TerminalText.sanitize(value))' is not valid: \(kind.grammar)")
            }
        }
    }

    func run() throws {
        let stderr = ByteSink(fd: 2)
        defer { stderr.flush() }
        let (ruleSet, _) = try rules.load { stderr.write($0) }
        let cutoffTime = try cutoff.map { try TimeArgument.parse($0, option: "--cutoff", endOfDay: false, now: Date()) }
            ?? Int64(Date().timeIntervalSince1970)
        let cutoffText = Timestamp.format(cutoffTime)
        if let id = findingId {
            let (finding, findings) = try FindingSource.lookup(id, logs: inputs, state: state, rules: ruleSet, stderr: stderr)
            let incident = IncidentPlaybook(
                root: RootIdentity(of: finding), findings: findings, catalog: ruleSet.containment, cutoff: cutoffText)
            let out = ByteSink(fd: 1)
            out.write(incident.script())
            out.flush()
            if out.failed != nil {
                stderr.write("trailhound: cannot write the playbook to standard output\n")
                throw ExitCode(2)
            }
            return
        }
        guard let account else { throw ExitCode(2) }
        var values: [String: [String]] = ["account": [account], "region": [region ?? "us-east-1"]]
        values["cutoff"] = [cutoffText]
        if !accessKey.isEmpty { values["accessKeyId"] = accessKey }
        let kind: IdentityKind
        let title: String
        if let user {
            kind = .iamUser
            values["userName"] = [user]
            values["actorArn"] = ["arn:aws:iam::\(account):user/\(user)"]
            title = kind.describe(user, account: account)
        } else if let role {
            // A permission-set role is contained through Identity Center, as findings do.
            kind = role.hasPrefix("AWSReservedSSO_") ? .identityCenterUser : .assumedRole
            values["roleName"] = [role]
            values["actorArn"] = ["arn:aws:iam::\(account):role/\(role)"]
            title = IdentityKind.assumedRole.describe(role, account: account)
        } else if let federatedUser, let parentUser {
            kind = .federatedUser
            values["federatedName"] = [federatedUser]
            values["userName"] = [parentUser]
            values["actorArn"] = ["arn:aws:sts::\(account):federated-user/\(federatedUser)"]
            title = kind.describe(federatedUser, account: account, parent: parentUser)
        } else if let identityCenterUser {
            kind = .identityCenterUser
            values["identityCenterUserId"] = [identityCenterUser]
            title = kind.describe(identityCenterUser, account: account)
        } else {
            kind = .root
            values["actorArn"] = ["arn:aws:iam::\(account):root"]
            title = kind.describe("root", account: account)
        }
        let playbook = Playbook(identityType: kind.rawValue, values: values, catalog: ruleSet.containment)
        let out = ByteSink(fd: 1)
        out.write(playbook.script(title: title))
        out.flush()
        if out.failed != nil {
            stderr.write("trailhound: cannot write the playbook to standard output\n")
            throw ExitCode(2)
        }
    }
}
