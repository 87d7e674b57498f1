import ArgumentParser
import Foundation
import TrailDetect
import TrailOutput
import TrailReader
import TrailState

struct Contain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the containment playbook for an identity as a shell script of AWS CLI commands.",
        discussion: """
            Every applicable action of the containment catalog (rules/containment/), in order, with its policy \
            documents and a comment saying why. trailhound prints the script; it never runs it or calls AWS.
            """
    )

    @Argument(help: ArgumentHelp("A finding id (or its first 8+ characters) from the state file given with --state.", valueName: "finding-id"))
    var finding: String?
    @Option(help: ArgumentHelp("The state file of `scan --state`, to look the finding up in.", valueName: "file")) var state: String?
    @Option(help: "An IAM user.") var user: String?
    @Option(help: "An IAM role (its sessions).") var role: String?
    @Option(help: "A federated user name (GetFederationToken); give its parent with --parent-user.") var federatedUser: String?
    @Option(help: "The IAM user that minted the federated user's token.") var parentUser: String?
    @Option(help: "An IAM Identity Center user id (identitystore).") var identityCenterUser: String?
    @Flag(help: "The account's root user.") var root = false
    @Option(help: "The account id.") var account: String?
    @Option(help: "An access key id of the identity (repeatable).") var accessKey: [String] = []
    @Option(help: "The region for regional commands.") var region: String = "us-east-1"
    @Option(help: "Sessions issued before this time are revoked (default: now).") var cutoff: String?
    @OptionGroup var rules: RuleFlags

    func validate() throws {
        if finding != nil {
            guard state != nil else { throw ValidationError("a finding id needs --state FILE (the state file of scan --state)") }
            guard [user, role, federatedUser, identityCenterUser].allSatisfy({ $0 == nil }), !root else {
                throw ValidationError("give a finding id or an identity, not both")
            }
            return
        }
        guard let account else { throw ValidationError("--account is required with an identity") }
        let chosen = [user != nil, role != nil, federatedUser != nil, identityCenterUser != nil, root].filter { $0 }.count
        guard chosen == 1 else {
            throw ValidationError("name one identity: --user, --role, --federated-user, --identity-center-user or --root")
        }
        guard account.count == 12, account.allSatisfy(\.isNumber) else {
            throw ValidationError("--account '\(account)' is not a 12-digit account id")
        }
        if federatedUser != nil && parentUser == nil {
            throw ValidationError("--federated-user needs --parent-user (the IAM user whose policies bound the session)")
        }
    }

    func run() throws {
        let (ruleSet, _) = try rules.load { _ in }
        if let finding, let state {
            let stderr = ByteSink(fd: 2)
            defer { stderr.flush() }
            do {
                let store = try StateStore(path: state, lockWait: 10)
                guard let record = try store.record(id: finding) else {
                    stderr.write("trailhound: no finding \(finding) in state file \(state)\n")
                    throw ExitCode(2)
                }
                guard let builder = FindingBuilder(record: record, rules: ruleSet) else {
                    stderr.write("trailhound: finding \(record.id) comes from rule \(record.ruleId), which is not loaded\n")
                    throw ExitCode(2)
                }
                var lineage = LineageMap()
                for i in try store.issuances() { lineage.add(i) }
                let (title, playbook) = builder.playbook(ruleSet, lineage: lineage)
                let out = ByteSink(fd: 1)
                out.write(playbook.script(title: title))
                out.flush()
                return
            } catch let e as ExitCode {
                throw e
            } catch {
                stderr.write("trailhound: \(error)\n")
                throw ExitCode(2)
            }
        }
        guard let account else { throw ExitCode(2) }
        var values: [String: [String]] = ["account": [account], "region": [region]]
        let cutoffTime = try cutoff.map { try TimeArgument.parse($0, option: "--cutoff", endOfDay: false, now: Date()) }
            ?? Int64(Date().timeIntervalSince1970)
        values["cutoff"] = [Timestamp.format(cutoffTime)]
        if !accessKey.isEmpty { values["accessKeyId"] = accessKey }
        let type: String
        let title: String
        if let user {
            type = "IAMUser"
            values["userName"] = [user]
            values["actorArn"] = ["arn:aws:iam::\(account):user/\(user)"]
            title = "IAM user \(user) in \(account)"
        } else if let role {
            // A permission-set role is contained through Identity Center, as findings do.
            type = role.hasPrefix("AWSReservedSSO_") ? "IdentityCenterUser" : "AssumedRole"
            values["roleName"] = [role]
            values["actorArn"] = ["arn:aws:iam::\(account):role/\(role)"]
            title = "sessions of role \(role) in \(account)"
        } else if let federatedUser, let parentUser {
            type = "FederatedUser"
            values["federatedName"] = [federatedUser]
            values["userName"] = [parentUser]
            values["actorArn"] = ["arn:aws:sts::\(account):federated-user/\(federatedUser)"]
            title = "federated user \(federatedUser) (parent IAM user \(parentUser)) in \(account)"
        } else if let identityCenterUser {
            type = "IdentityCenterUser"
            values["identityCenterUserId"] = [identityCenterUser]
            title = "Identity Center user \(identityCenterUser), account \(account)"
        } else {
            type = "Root"
            values["actorArn"] = ["arn:aws:iam::\(account):root"]
            title = "root user of \(account)"
        }
        let playbook = Playbook(identityType: type, values: values, catalog: ruleSet.containment)
        let out = ByteSink(fd: 1)
        out.write(playbook.script(title: title))
        out.flush()
    }
}
