import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// The bundled rules against Stratus Red Team's own detonation logs (one capture per technique, read where they lie in
/// the project's shared folder): each in-scope technique must give the findings named, and nothing named as a
/// negative. A rule is named by its Sigma `name`, else by its file's name.
///
/// Coverage (in scope: IAM, STS, CloudTrail, Organizations, sign-in, secrets, and EC2 instance credentials):
///
/// | Stratus technique                                      | rule that fires                                   | before issue 15 |
/// |--------------------------------------------------------|---------------------------------------------------|-----------------|
/// | credential-access.ec2-steal-instance-credentials       | ec2_instance_credentials_used_from_commanding_address (high) | no   |
/// | credential-access.secretsmanager-batch-retrieve-secrets | secrets_batch_retrieved (medium)                 | no              |
/// | credential-access.secretsmanager-retrieve-secrets      | secrets_bulk_retrieval (medium)                   | no              |
/// | credential-access.ssm-retrieve-securestring-parameters | secrets_bulk_retrieval (medium)                   | no              |
/// | defense-evasion.cloudtrail-delete                      | cloudtrail_trail_deleted (high)                   | yes             |
/// | defense-evasion.cloudtrail-event-selectors             | cloudtrail_event_selectors_reduce_logging (high)  | no              |
/// | defense-evasion.cloudtrail-stop                        | cloudtrail_logging_stopped (high)                 | yes             |
/// | defense-evasion.organizations-leave (denied attempt)   | organizations_leave_organization (high)           | no              |
/// | initial-access.console-login-without-mfa               | signin_console_login_without_mfa (medium)         | yes             |
/// | persistence.iam-backdoor-role                          | iam_role_trust_policy_updated_external_account (high) | no          |
/// | persistence.iam-backdoor-user                          | iam_access_key_created_for_other_user (high)      | yes             |
/// | persistence.iam-create-admin-user                      | iam_admin_policy_granted, iam_access_key_created_for_other_user (high) | yes |
/// | persistence.iam-create-backdoor-role                   | iam_admin_policy_granted (high), iam_role_created_trusting_external_account (medium) | admin grant only |
/// | persistence.iam-create-user-login-profile              | iam_login_profile_created_for_other_user (high)   | yes             |
/// | persistence.rolesanywhere-create-trust-anchor          | rolesanywhere_trust_anchor_created (high)         | no              |
/// | persistence.sts-federation-token                       | sts_federation_token_with_admin_session_policy (high) | yes         |
/// | privilege-escalation.iam-update-user-login-profile     | iam_login_profile_updated_for_other_user (high)   | yes             |
///
/// Out of scope (EC2, Lambda, SSM execution, RDS, Route 53, VPC, Bedrock: not credential compromise in IAM, STS,
/// CloudTrail, Organizations, sign-in or secrets): ec2-get-password-data and ec2-download-user-data (their denied
/// bursts do give credential_access_denied_burst), dns-delete-logs, vpc-remove-flow-logs, ec2-launch-unusual-instances,
/// ec2-user-data, ssm-send-command, ssm-start-session, the ec2/rds share and security-group techniques,
/// bedrock-invoke-model, ec2-instance-connect, ec2-serial-console-send-ssh-public-key and the three lambda techniques.
@Suite struct StratusCoverageTests {
    static let folder = repository.deletingLastPathComponent()
        .appendingPathComponent("shared/corpus/stratus-red-team/detonation-logs")

    struct Technique: CustomTestStringConvertible, Sendable {
        let name: String
        let fires: [String]
        let silent: [String]
        var testDescription: String { name }
    }

    static let techniques: [Technique] = [
        .init(
            name: "aws.credential-access.ec2-steal-instance-credentials",
            fires: ["ec2_instance_credentials_used_from_commanding_address"],
            // The SSM commands themselves, the Stratus user agent, and the instance session's own identity check.
            silent: ["recon_offensive_tool_user_agent", "signin_console_token_for_instance_credentials", "credential_access_denied_burst"]),
        .init(
            name: "aws.credential-access.secretsmanager-batch-retrieve-secrets", fires: ["secrets_batch_retrieved"],
            silent: ["recon_security_scanner_user_agent"]),
        .init(
            name: "aws.credential-access.secretsmanager-retrieve-secrets", fires: ["secrets_bulk_retrieval"],
            // GetSecretValue one by one, not a filtered batch.
            silent: ["secrets_batch_retrieved", "recon_security_scanner_user_agent"]),
        .init(
            name: "aws.credential-access.ssm-retrieve-securestring-parameters", fires: ["secrets_bulk_retrieval"],
            // Several names per GetParameters call: one finding, not also the one-by-one rule's.
            silent: ["ssm_parameters_decrypted_one_by_one", "credential_access_denied_burst"]),
        .init(
            name: "aws.defense-evasion.cloudtrail-delete", fires: ["cloudtrail_trail_deleted"],
            silent: ["cloudtrail_logging_tamper_denied", "cloudtrail_trail_changed_by_root"]),
        .init(
            name: "aws.defense-evasion.cloudtrail-event-selectors", fires: ["cloudtrail_event_selectors_reduce_logging"],
            // An IAM user, not root; it succeeded.
            silent: ["cloudtrail_trail_changed_by_root", "cloudtrail_logging_tamper_denied", "cloudtrail_trail_updated"]),
        .init(
            name: "aws.defense-evasion.cloudtrail-stop", fires: ["cloudtrail_logging_stopped"],
            silent: ["cloudtrail_logging_tamper_denied", "cloudtrail_trail_changed_by_root"]),
        .init(
            name: "aws.defense-evasion.organizations-leave", fires: ["organizations_leave_organization"],
            // The AssumeRole calls before it are ordinary.
            silent: ["sts_role_assumed_by_principal", "credential_access_denied_burst"]),
        .init(
            name: "aws.initial-access.console-login-without-mfa", fires: ["signin_console_login_without_mfa"],
            // An IAM user's password sign-in is not root's.
            silent: ["signin_root_console_login_without_mfa", "signin_root_console_login"]),
        .init(
            name: "aws.persistence.iam-backdoor-role", fires: ["iam_role_trust_policy_updated_external_account"],
            // One named account and ec2.amazonaws.com are trusted, not anyone.
            silent: ["iam_role_trust_policy_allows_anyone", "iam_role_created_trusting_external_account"]),
        .init(
            name: "aws.persistence.iam-backdoor-user", fires: ["iam_access_key_created_for_other_user"],
            silent: ["iam_root_access_key_created"]),
        .init(
            name: "aws.persistence.iam-create-admin-user",
            fires: ["iam_admin_policy_granted", "iam_access_key_created_for_other_user", "iam_user_created"],
            silent: ["iam_root_access_key_created"]),
        .init(
            name: "aws.persistence.iam-create-backdoor-role",
            fires: ["iam_admin_policy_granted", "iam_role_created_trusting_external_account"],
            silent: ["iam_role_trust_policy_allows_anyone", "iam_role_trust_policy_updated_external_account"]),
        .init(
            name: "aws.persistence.iam-create-user-login-profile", fires: ["iam_login_profile_created_for_other_user"],
            // Its DeleteLoginProfile failed (EntityTemporarilyUnmodifiable): nothing was removed.
            silent: ["iam_login_profile_deleted", "iam_login_profile_updated_for_other_user"]),
        .init(
            name: "aws.persistence.rolesanywhere-create-trust-anchor", fires: ["rolesanywhere_trust_anchor_created"],
            silent: []),
        .init(
            name: "aws.persistence.sts-federation-token", fires: ["sts_federation_token_with_admin_session_policy"],
            // The federated user only asks who it is; it never turns the token into a console session.
            silent: ["iam_or_sts_call_by_federated_user", "signin_console_token_for_key_derived_session"]),
        .init(
            name: "aws.privilege-escalation.iam-update-user-login-profile", fires: ["iam_login_profile_updated_for_other_user"],
            silent: ["iam_login_profile_created_for_other_user"]),
    ]

    static func rulesFired(_ file: URL) -> [String: String] {
        let options = ReaderOptions()
        let discovery = Discovery(options: options).discover([file.path])
        let findings = Analysis.run(discovery.files, rules: bundled.0, using: ParallelReader(options: options)) { _ in }.findings
        var fired: [String: String] = [:]
        for f in findings { fired[name(ofRule: f.rule.id, file: f.rule.file)] = f.rule.level }
        return fired
    }

    /// A rule's Sigma `name`, else its file's name (several rules may share a file).
    static func name(ofRule id: String, file: String) -> String {
        bundled.0.rules.first { $0.id == id }?.name ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    }

    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: folder.path), "needs ../shared/corpus"),
        arguments: techniques)
    func techniqueIsDetected(_ technique: Technique) throws {
        let file = Self.folder.appendingPathComponent(technique.name + ".json")
        try #require(FileManager.default.fileExists(atPath: file.path), "missing capture \(file.lastPathComponent)")
        let fired = Self.rulesFired(file)
        for rule in technique.fires { #expect(fired[rule] != nil, "\(technique.name): \(rule) did not fire (fired: \(fired.keys.sorted()))") }
        for rule in technique.silent { #expect(fired[rule] == nil, "\(technique.name): \(rule) fired") }
    }

    /// Every rule named above exists, so a renamed rule cannot make a negative pass by accident.
    @Test func namedRulesExist() {
        let names = Set(bundled.0.rules.map { Self.name(ofRule: $0.id, file: $0.file) })
        for t in Self.techniques {
            for rule in t.fires + t.silent { #expect(names.contains(rule), "\(t.name) names unknown rule \(rule)") }
        }
    }

    /// A password-only sign-in of an IAM user is one medium finding: not root's, nothing high.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: folder.path), "needs ../shared/corpus"))
    func aPasswordSignInIsOneMediumFinding() throws {
        let fired = Self.rulesFired(Self.folder.appendingPathComponent("aws.initial-access.console-login-without-mfa.json"))
        #expect(fired == ["signin_console_login_without_mfa": "medium"])
    }

    /// Invictus IR's capture of the same detonations in one account, with the Terraform set-up and clean-up around
    /// them: the new detections fire on the attack's calls only, not on the Terraform roles that trust their own
    /// account, the trail's selectors being restored, or the backdoored trust policy being reverted.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: IncidentPlaybookTests.invictus.path), "needs ../shared/corpus"))
    func invictusIncidentOnlyTheAttack() throws {
        let findings = IncidentPlaybookTests.scan(IncidentPlaybookTests.invictus)
        func of(_ rule: String) -> [Finding] { findings.filter { Self.name(ofRule: $0.rule.id, file: $0.rule.file) == rule } }
        for rule in [
            "iam_role_trust_policy_updated_external_account", "cloudtrail_event_selectors_reduce_logging",
            "organizations_leave_organization", "rolesanywhere_trust_anchor_created",
            "ec2_instance_credentials_used_from_commanding_address",
        ] {
            #expect(of(rule).count == 1, "\(rule): \(of(rule).map(\.title))")
        }
        // The trust-policy backdoor, not its revert; the selectors turned off, not turned back on.
        #expect(of("iam_role_trust_policy_updated_external_account").first?.evidence.count == 1)
        #expect(of("cloudtrail_event_selectors_reduce_logging").first?.evidence.count == 1)
        for rule in [
            "iam_role_created_trusting_external_account", "iam_role_trust_policy_allows_anyone",
            "recon_offensive_tool_user_agent", "recon_security_scanner_user_agent", "cloudtrail_logging_tamper_denied",
            "signin_root_console_login", "signin_root_console_login_without_mfa", "iam_root_access_key_used",
        ] {
            #expect(of(rule).isEmpty, "\(rule) fired: \(of(rule).map(\.title))")
        }
    }
}
