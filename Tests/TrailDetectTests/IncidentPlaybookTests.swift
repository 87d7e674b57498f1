import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// `trailhound contain` for a finding: one playbook for the whole incident, on real and demo logs.
@Suite struct IncidentPlaybookTests {
    /// Invictus IR's capture of a real incident (MIT licence), read where it lies in the project's shared folder.
    static let invictus = repository.deletingLastPathComponent().appendingPathComponent("shared/corpus/invictus-ir-aws_dataset")
    static let cutoff = "2023-07-10T18:00:00Z"

    static func scan(_ folder: URL) -> [Finding] {
        let options = ReaderOptions()
        let discovery = Discovery(options: options).discover([folder.path])
        return Analysis.run(discovery.files, rules: bundled.0, using: ParallelReader(options: options)) { _ in }.findings
    }

    static func incident(_ findings: [Finding], _ predicate: @escaping (Finding) -> Bool) throws -> IncidentPlaybook {
        let finding = try #require(findings.first(where: predicate))
        return IncidentPlaybook(root: RootIdentity(of: finding), findings: findings, catalog: bundled.0.containment, cutoff: cutoff)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: invictus.path), "needs ../shared/corpus"))
    func invictusIncidentIsContainedWhole() throws {
        let findings = Self.scan(Self.invictus)
        // The finding a responder starts from: bert-jan made a key for malicious-iam-user.
        let incident = try Self.incident(findings) { $0.title.contains("created access key AKIATFQR7NSCQLA2F4OD") }
        #expect(incident.root == RootIdentity(account: "123837392027", kind: .iamUser, name: "bert-jan"))
        // Every finding rooted at bert-jan, role sessions it assumed included, is part of the incident.
        #expect(incident.findings.count == findings.filter { RootIdentity(of: $0).name == "bert-jan" }.count)
        #expect(incident.findings.contains { $0.actor.type == "AssumedRole" })
        let script = incident.script()
        let expected = [
            // the leaked key's user: deny-all, its key deactivated, sessions before the cutoff revoked
            "change aws iam attach-user-policy --user-name bert-jan --policy-arn arn:aws:iam::aws:policy/AWSDenyAll",
            "change aws iam update-access-key --user-name bert-jan --access-key-id AKIATFQR7NSC8Q4X20BJ --status Inactive",
            // the keys it made for other users: none left active
            "change aws iam update-access-key --user-name malicious-iam-user --access-key-id AKIATFQR7NSCQLA2F4OD --status Inactive",
            "change aws iam update-access-key --user-name stratus-red-team-backdoor-u-user --access-key-id AKIATFQR7NSC3ZO6PKAZ --status Inactive",
            // the passwords it set
            "change aws iam delete-login-profile --user-name stratus-red-team-login-profile-user",
            // the admin policy it attached, by its ARN, to the user and the role
            "change aws iam detach-user-policy --user-name malicious-iam-user --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
            "change aws iam detach-role-policy --role-name stratus-red-team-backdoor-r-role --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
            // role sessions its key assumed, revoked at the cutoff
            "change aws iam put-role-policy --role-name stratus-red-team-get-usr-data-role --policy-name AWSRevokeOlderSessions",
            "\"aws:TokenIssueTime\":\"\(Self.cutoff)\"",
            // the trails it deleted, by name
            "--name stratus-red-team-ctlr-trail-zqfsvooxqj",
        ]
        for line in expected { #expect(script.contains(line), "missing: \(line)") }
        // No federation token was minted: no federation step. No value the logs hold is left to fill in.
        #expect(!script.contains("IR-DenyGetFederationToken"))
        for name in ["<targetRoleName>", "<policyArn>", "<trailName>", "<targetUserName>", "<userName>", "<roleName>", "<region>"] {
            #expect(!script.contains(name), "\(name) left unfilled")
        }
        #expect(!script.contains("# NOT RUN"))
        // The script runs whole against a stub aws: every command once, exit 0.
        let run = try StubAWS.run(script, shell: "/bin/sh")
        #expect(run.status == 0, "\(run.stderr)")
        let commands = script.split(separator: "\n").filter { $0.hasPrefix("check aws ") || $0.hasPrefix("change aws ") }.count
        #expect(run.calls.count == commands)
        #expect(run.stderr.contains("trailhound playbook: "))
        // A dry run changes nothing.
        let dry = try StubAWS.run("TRAILHOUND_DRY_RUN=1; export TRAILHOUND_DRY_RUN\n" + script, shell: "/bin/sh")
        #expect(dry.calls.allSatisfy { call in Playbook.isRead(call.count > 1 ? call[1] : "") })
    }

    @Test func federationAndTheBackdoorsCreatorOnTheDemo() throws {
        let findings = Self.scan(repository.appendingPathComponent("Fixtures/logs"))
        // A federated session that outlived containment: its parent is contained, with the key that minted it.
        let federated = try Self.incident(findings) { $0.rule.file.hasSuffix("federated_session_after_parent_contained.yml") }
        #expect(federated.root == RootIdentity(account: "111122223333", kind: .iamUser, name: "build-bot"))
        let script = federated.script()
        #expect(script.contains("change aws iam put-user-policy --user-name build-bot --policy-name IR-DenyGetFederationToken"))
        #expect(script.contains("change aws iam update-access-key --user-name build-bot --access-key-id AKIAEXAMPLEF5N6ISUMN --status Inactive"))
        #expect(!script.contains("<parentAccessKeyId>"))
        // The key made for svc-backup and then used: whoever made it (alice) is contained too.
        let backdoor = try Self.incident(findings) { $0.rule.file.hasSuffix("backdoor_access_key_used.yml") }
        #expect(backdoor.root.name == "svc-backup")
        let titles = backdoor.playbook.sections.compactMap(\.title)
        #expect(titles.contains { $0.hasPrefix("Contain the IAM user alice in 111122223333 too") })
        #expect(backdoor.script().contains("change aws iam attach-user-policy --user-name alice --policy-arn arn:aws:iam::aws:policy/AWSDenyAll"))
        // bob only minted a session token: no federation step for him.
        let bob = try Self.incident(findings) { $0.actor.userName == "bob" }
        #expect(!bob.script().contains("IR-DenyGetFederationToken"))
        // AWS quarantining build-bot is build-bot's incident, not "AWSService"'s.
        let quarantine = try #require(findings.first { $0.actor.type == "AWSService" })
        #expect(RootIdentity(of: quarantine) == RootIdentity(account: "111122223333", kind: .iamUser, name: "build-bot"))
    }

    /// A finding's own containment also contains the creator of the backdoor it saw used.
    @Test func openerActionsNameTheCreator() throws {
        let findings = Self.scan(repository.appendingPathComponent("Fixtures/logs"))
        let used = try #require(findings.first { $0.rule.file.hasSuffix("backdoor_access_key_used.yml") })
        #expect(used.state?.openedBy?.userName == "alice")
        let opener = used.containment.filter { $0.subject == "opener" }
        #expect(opener.map(\.id).contains("iam-user-deny-all"))
        #expect(opener.flatMap { $0.steps.flatMap(\.commands) }.contains { $0.contains("--user-name alice") })
    }

    static let stratus = repository.deletingLastPathComponent().appendingPathComponent("shared/corpus/stratus-red-team/detonation-logs")

    /// What a finding's evidence names — a trust anchor and profile, the secrets and parameters read — is what its
    /// containment acts on. (Stratus's captures hold made-up region codes such as cn-northsouth-3r: those commands
    /// are NOT RUN, with the ids filled in all the same.)
    @Test(.enabled(if: FileManager.default.fileExists(atPath: stratus.path), "needs ../shared/corpus"))
    func resourcesNamedInTheEvidenceAreContained() throws {
        func commands(_ technique: String, _ action: String) -> [String] {
            Self.scan(Self.stratus.appendingPathComponent("aws.\(technique).json"))
                .flatMap(\.containment).filter { $0.id == action }.flatMap { $0.steps.flatMap(\.commands) }
        }
        let anchor = commands("persistence.rolesanywhere-create-trust-anchor", "rolesanywhere-disable-trust-anchor")
        #expect(anchor.contains { $0.contains("disable-trust-anchor --region <region> --trust-anchor-id 4d07f6a0-1c50-44d3-951b-b68b783daa0a") })
        #expect(anchor.contains { $0.contains("disable-profile --region <region> --profile-id 910042eb-8463-427d-8095-6fd60ac303d9") })
        #expect(anchor.allSatisfy { $0.hasPrefix("# NOT RUN: {{region}} from the logs is \"cn-northsouth-3r\"") })
        let secrets = commands("credential-access.secretsmanager-retrieve-secrets", "secrets-rotate-exposed")
        #expect(secrets.filter { $0.contains("rotate-secret") && $0.contains("--secret-id arn:aws:secretsmanager:") }.count >= 5)
        let parameters = commands("credential-access.ssm-retrieve-securestring-parameters", "secrets-rotate-exposed")
        #expect(parameters.contains { $0.contains("get-parameter-history --region <region> --name /credentials/") })
        let selectors = commands("defense-evasion.cloudtrail-event-selectors", "cloudtrail-restore-event-selectors")
        #expect(selectors.contains { $0.contains("put-event-selectors --region <region> --trail-name stratus-red-team-") })
    }

    /// A role of account B assumed with a key of account A (the AssumeRole logged in both, as CloudTrail does for
    /// cross-account calls), then used in B: the incident is A's user, contained in A; the role is revoked in B.
    @Test func crossAccountOriginIsContainedInItsOwnAccount() throws {
        let (a, b) = ("444455556666", "111122223333")
        func assume(_ recipient: String, _ id: String) -> String {
            #"{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE0001","arn":"arn:aws:iam::\#(a):user/alice","accountId":"\#(a)","accessKeyId":"AKIAEXAMPLEALICE0001","userName":"alice"},"eventTime":"2026-11-24T06:12:40Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.66","requestParameters":{"roleArn":"arn:aws:iam::\#(b):role/Deploy","roleSessionName":"x"},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLEXACCT0001","sessionToken":"t","expiration":"Nov 24, 2026, 7:12:40 AM"},"assumedRoleUser":{"assumedRoleId":"AROAEXAMPLEDEPLOY001:x","arn":"arn:aws:sts::\#(b):assumed-role/Deploy/x"}},"eventID":"\#(id)","sharedEventID":"s1","eventType":"AwsApiCall","recipientAccountId":"\#(recipient)"}"#
        }
        let use = #"{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEDEPLOY001:x","arn":"arn:aws:sts::\#(b):assumed-role/Deploy/x","accountId":"\#(b)","accessKeyId":"ASIAEXAMPLEXACCT0001","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::\#(b):role/Deploy","accountId":"\#(b)","userName":"Deploy"}}},"eventTime":"2026-11-24T06:20:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.66","requestParameters":{"userName":"backdoor"},"responseElements":{"user":{"userName":"backdoor"}},"eventID":"e2","eventType":"AwsApiCall","recipientAccountId":"\#(b)"}"#
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xacct-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, record) in [("a.json", assume(a, "e1")), ("b1.json", assume(b, "e1b")), ("b2.json", use)] {
            try #"{"Records":[\#(record)]}"#.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let findings = Self.scan(folder)
        let created = try #require(findings.first { $0.title.contains("created IAM user backdoor") })
        #expect(created.actor.originUserName == "alice" && created.actor.originAccount == a)
        let incident = try Self.incident(findings) { $0.id == created.id }
        #expect(incident.root == RootIdentity(account: a, kind: .iamUser, name: "alice"))
        let titles = incident.playbook.sections.compactMap(\.title)
        #expect(titles.contains("Contain the IAM user alice in \(a)"))
        #expect(titles.contains("Revoke the sessions of role Deploy in \(b) that its credentials assumed"))
        #expect(incident.script().contains("change aws iam update-access-key --user-name alice --access-key-id AKIAEXAMPLEALICE0001 --status Inactive"))
    }

    @Test func rootIdentityOfEachKind() {
        func finding(_ actor: Finding.Actor, target: Finding.Target? = nil) -> Finding {
            Finding(
                id: "x", rule: .init(id: "r", title: "t", level: "high", tactics: [], techniques: [], file: "f"), title: "t",
                firstSeen: "", lastSeen: "", count: 1, account: "111122223333", regions: [], actor: actor, target: target,
                evidence: [], evidenceNotListed: 0, containment: [])
        }
        #expect(RootIdentity(of: finding(.init(type: "Root", arn: "arn:aws:iam::111122223333:root"))).kind == .root)
        #expect(RootIdentity(of: finding(.init(type: "FederatedUser", userName: "build-bot", federatedName: "maint"))).name == "build-bot")
        var session = Finding.Actor(type: "AssumedRole", roleName: "Deploy", sessionName: "s")
        #expect(RootIdentity(of: finding(session)) == RootIdentity(account: "111122223333", kind: .assumedRole, name: "Deploy"))
        session.originUserName = "alice"
        #expect(RootIdentity(of: finding(session)) == RootIdentity(account: "111122223333", kind: .iamUser, name: "alice"))
        // A role in 111122223333 assumed with alice's key from 444455556666: alice is contained in her own account.
        session.originAccount = "444455556666"
        #expect(RootIdentity(of: finding(session)) == RootIdentity(account: "444455556666", kind: .iamUser, name: "alice"))
        let sso = Finding.Actor(type: "AssumedRole", roleName: "AWSReservedSSO_Admin_0123", sessionName: "jane", identityCenterUserId: "906757b8-d0b1-7010-4e04-bd1d2c8dd8f4")
        #expect(RootIdentity(of: finding(sso)).kind == .identityCenterUser)
    }
}
