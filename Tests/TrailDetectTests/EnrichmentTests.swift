import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// The derived `trailhound.*` fields, on record shapes from the reference.
@Suite struct EnrichmentTests {
    /// Root creating its own access key (no userName in the request) acts on itself, not on a user named in the
    /// response; root creating a key for a user still targets that user.
    @Test func rootActsOnItselfWithoutAUserName() {
        let own = enrichment(#"{"eventName":"CreateAccessKey","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},"requestParameters":null,"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLEROOTKEY01","userName":"Root","status":"Active"}}}"#)
        #expect(own.value(.targetUserName) == nil)
        #expect(own.value(.targetIsOtherUser) == nil)
        let other = enrichment(#"{"eventName":"CreateAccessKey","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},"requestParameters":{"userName":"svc"},"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLESVCKEY001","userName":"svc","status":"Active"}}}"#)
        #expect(other.value(.targetUserName) == "svc")
        #expect(other.value(.targetIsOtherUser) == "true")
    }

    @Test func actorOfEachIdentityType() {
        let user = enrichment(#"{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE000000001","userName":"alice"}}"#)
        #expect(user.value(.actorUserName) == "alice")
        #expect(user.value(.actorKeyType) == "long-term")
        let federated = enrichment(#"{"userIdentity":{"type":"FederatedUser","arn":"arn:aws:sts::111122223333:federated-user/ops","accessKeyId":"ASIAEXAMPLE000000001","sessionContext":{"sessionIssuer":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice"}}}}"#)
        #expect(federated.value(.actorUserName) == "alice")
        #expect(federated.value(.actorFederatedName) == "ops")
        #expect(federated.value(.actorParentArn) == "arn:aws:iam::111122223333:user/alice")
        #expect(federated.value(.actorKeyType) == "temporary")
        let role = enrichment(#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Deploy/ci-run-7","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/Deploy","userName":"Deploy"}}}}"#)
        #expect(role.value(.actorRoleName) == "Deploy")
        #expect(role.value(.actorSessionName) == "ci-run-7")
        #expect(role.value(.actorUserName) == nil)
        let idc = enrichment(#"{"userIdentity":{"type":"IdentityCenterUser","accountId":"607481581596","onBehalfOf":{"userId":"9067-abc","identityStoreArn":"arn:aws:identitystore::607481581596:identitystore/d-1"}}}"#)
        #expect(idc.value(.actorIdentityCenterUserId) == "9067-abc")
        let service = enrichment(#"{"userIdentity":{"type":"AWSService","invokedBy":"lambda.amazonaws.com"}}"#)
        #expect(service.value(.actorIsService) == "true")
    }

    @Test func targetIsComparedExactly() {
        func other(_ actor: String, _ target: String) -> String? {
            enrichment(#"{"userIdentity":{"type":"IAMUser","userName":"\#(actor)"},"requestParameters":{"userName":"\#(target)"}}"#).value(.targetIsOtherUser)
        }
        #expect(other("jack", "jackson") == "true")
        #expect(other("jackson", "jack") == "true")
        #expect(other("jack", "jack") == "false")
        #expect(other("Jack", "jack") == "false")
        let fromResponse = enrichment(#"{"userIdentity":{"type":"IAMUser","userName":"a"},"requestParameters":null,"responseElements":{"accessKey":{"userName":"b","accessKeyId":"AKIAEXAMPLE000000009"}}}"#)
        #expect(fromResponse.value(.targetUserName) == "b")
        #expect(fromResponse.value(.targetSource) == "responseElements")
        #expect(fromResponse.value(.targetAccessKeyId) == "AKIAEXAMPLE000000009")
    }

    @Test func deniedCallWithNullParametersNamesItsTargetFromTheMessage() {
        let e = enrichment(#"{"userIdentity":{"type":"IAMUser","userName":"mallory"},"errorCode":"AccessDenied","errorMessage":"User: arn:aws:iam::111122223333:user/mallory is not authorized to perform: iam:UpdateAccessKey on resource: user alice because no identity-based policy allows the iam:UpdateAccessKey action","requestParameters":null}"#)
        #expect(e.value(.targetUserName) == "alice")
        #expect(e.value(.targetSource) == "errorMessage")
        #expect(e.value(.denialIsDenied) == "true")
        #expect(e.value(.denialExplicit) == "false")
        #expect(e.value(.denialPolicyType) == "identity-based")
        #expect(e.value(.denialAction) == "iam:UpdateAccessKey")
        let explicit = enrichment(#"{"errorCode":"Client.UnauthorizedOperation","errorMessage":"User: arn:aws:sts::1:federated-user/x is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:1:instance/* with an explicit deny in a service control policy"}"#)
        #expect(explicit.value(.denialIsDenied) == "true")
        #expect(explicit.value(.denialExplicit) == "true")
        #expect(explicit.value(.denialPolicyType) == "service control")
        #expect(explicit.value(.denialResource) == "arn:aws:ec2:us-east-1:1:instance/*")
        let arnTarget = enrichment(#"{"errorCode":"AccessDenied","errorMessage":"User: x is not authorized to perform: iam:CreateAccessKey on resource: arn:aws:iam::1:user/path/bob with an explicit deny in an identity-based policy","requestParameters":null}"#)
        #expect(arnTarget.value(.targetUserName) == "bob")
        #expect(enrichment(#"{"errorCode":"NoSuchEntity"}"#).value(.denialIsDenied) == "false")
    }

    @Test func policiesAreJudged() {
        let inline = enrichment(#"{"requestParameters":{"name":"x","policy":"{\n\t\t\"Version\": \"2012-10-17\",\n\t\t\"Statement\": [{\"Effect\": \"Allow\",\"Action\": \"*\",\"Resource\": \"*\"}]}"}}"#)
        #expect(inline.value(.policyAllowsAll) == "true")
        #expect(inline.value(.policyIsAdmin) == "true")
        let managed = enrichment(#"{"requestParameters":{"policyArns":[{"arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"},{"arn":"arn:aws:iam::aws:policy/AdministratorAccess"}]}}"#)
        #expect(managed.value(.policyIsAdmin) == "true")
        #expect(managed.values(.policyArn).count == 2)
        let readOnly = enrichment(#"{"requestParameters":{"policyArns":[{"arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}]}}"#)
        #expect(readOnly.value(.policyIsAdmin) == "false")
        for (arn, version) in [("AWSCompromisedKeyQuarantine", "V1"), ("AWSCompromisedKeyQuarantineV2", "V2"), ("AWSCompromisedKeyQuarantineV3", "V3"), ("AWSCompromisedKeyQuarantineV4", "V4"), ("AWSCompromisedKeyQuarantineV7", "V7")] {
            let q = enrichment(#"{"requestParameters":{"userName":"u","policyArn":"arn:aws:iam::aws:policy/\#(arn)"}}"#)
            #expect(q.value(.policyQuarantine) == version)
            #expect(q.value(.policyIsQuarantine) == "true")
            #expect(q.value(.policyIsContainment) == "true")
        }
        let denyAll = enrichment(#"{"requestParameters":{"userName":"u","policyArn":"arn:aws:iam::aws:policy/AWSDenyAll"}}"#)
        #expect(denyAll.value(.policyIsDenyAll) == "true")
        let legacy = enrichment(#"{"requestParameters":{"userName":"u","policyName":"AWSExposedCredentialPolicy_DO_NOT_REMOVE","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"iam:CreateAccessKey\"],\"Resource\":[\"*\"]}]}"}}"#)
        #expect(legacy.value(.policyQuarantine) == "legacy")
        #expect(legacy.value(.policyIsDenyAll) == "false")
        let inlineDeny = enrichment(#"{"requestParameters":{"userName":"u","policyName":"TestUserDenyAll","policyDocument":"{\n\t\"Version\": \"2012-10-17\",\n\t\"Statement\": [{\"Sid\": \"TestUserDenyAll\",\"Effect\": \"Deny\",\"Action\": [\"*\"],\"Resource\": [\"*\"]}]\n}"}}"#)
        #expect(inlineDeny.value(.policyIsDenyAll) == "true")
        let revoke = enrichment(#"{"requestParameters":{"roleName":"r","policyName":"AWSRevokeOlderSessions","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":{\"aws:TokenIssueTime\":\"2026-11-20T10:00:00Z\"}}}}"}}"#)
        #expect(revoke.value(.policyIsRevokeSessions) == "true")
        #expect(revoke.value(.policyTokenIssueTimeCutoff) == "2026-11-20T10:00:00Z")
        #expect(revoke.value(.policyIsDenyAll) == "false")
        let scp = enrichment(#"{"requestParameters":{"type":"SERVICE_CONTROL_POLICY","content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"identitystore:UserId\":[\"u-1\",\"u-2\"]}}}]}"}}"#)
        #expect(scp.values(.policyDeniedIdentityCenterUserId) == ["u-1", "u-2"])
        let encoded = enrichment(#"{"requestParameters":{"policyDocument":"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"}}"#)
        #expect(encoded.value(.policyAllowsAll) == "true")
        let object = enrichment(#"{"requestParameters":{"policyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}}"#)
        #expect(object.value(.policyAllowsAll) == "true")
    }
}

extension EnrichmentTests {
    /// AWS's quarantine put inline: by its managed name (any version) or by its content, whatever the name.
    @Test func inlineQuarantineIsAQuarantine() {
        let named = enrichment(#"{"eventName":"PutUserPolicy","requestParameters":{"userName":"u","policyName":"AWSCompromisedKeyQuarantineV3","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"iam:CreateAccessKey\"],\"Resource\":[\"*\"]}]}"}}"#)
        #expect(named.value(.policyQuarantine) == "V3")
        #expect(named.value(.policyIsContainment) == "true")
        let content = enrichment(#"{"eventName":"PutUserPolicy","requestParameters":{"userName":"u","policyName":"quarantine","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"ec2:RunInstances\",\"IAM:CreateAccessKey\",\"iam:CreateUser\",\"lambda:CreateFunction\",\"s3:DeleteBucket\"],\"Resource\":\"*\"}]}"}}"#)
        #expect(content.value(.policyQuarantine) == "inline")
        #expect(content.value(.policyIsQuarantine) == "true")
        let partial = enrichment(#"{"eventName":"PutUserPolicy","requestParameters":{"userName":"u","policyName":"AWSCompromisedKeyQuarantineNotes","policyDocument":"{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"ec2:RunInstances\",\"iam:CreateUser\"],\"Resource\":\"*\"}]}"}}"#)
        #expect(partial.value(.policyIsQuarantine) == "false")
        let conditional = enrichment(#"{"eventName":"PutUserPolicy","requestParameters":{"userName":"u","policyName":"mfa","policyDocument":"{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"ec2:RunInstances\",\"iam:CreateAccessKey\",\"iam:CreateUser\",\"lambda:CreateFunction\"],\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"false\"}}}]}"}}"#)
        #expect(conditional.value(.policyIsQuarantine) == "false")
    }

    /// Who a trust policy lets in: other accounts (from ids and ARNs) and `*`; the event's own account is not external.
    @Test func trustPoliciesNameTheAccountsTheyTrust() {
        let external = enrichment(#"{"eventName":"UpdateAssumeRolePolicy","recipientAccountId":"111122223333","requestParameters":{"roleName":"r","policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"},{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam::444455556666:root\",\"111122223333\",\"arn:aws:iam::111122223333:user/jack\"]},\"Action\":\"sts:AssumeRole\"}]}"}}"#)
        #expect(external.values(.policyTrustedAccount) == ["444455556666"])
        #expect(external.value(.policyTrustsExternal) == "true")
        #expect(external.value(.policyTrustsAnyone) == "false")
        let own = enrichment(#"{"eventName":"CreateRole","recipientAccountId":"111122223333","requestParameters":{"roleName":"r","assumeRolePolicyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"sts:AssumeRole\"}]}"}}"#)
        #expect(own.value(.policyTrustsExternal) == "false")
        #expect(own.values(.policyTrustedAccount).isEmpty)
        let anyone = enrichment(#"{"eventName":"CreateRole","recipientAccountId":"111122223333","requestParameters":{"roleName":"r","assumeRolePolicyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}]}"}}"#)
        #expect(anyone.value(.policyTrustsAnyone) == "true")
        #expect(anyone.values(.policyTrustedAccount) == ["*"])
        let orgOnly = enrichment(#"{"eventName":"CreateRole","recipientAccountId":"111122223333","requestParameters":{"roleName":"r","assumeRolePolicyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-abc\"}}}]}"}}"#)
        #expect(orgOnly.value(.policyTrustsAnyone) == "false")
        #expect(orgOnly.value(.policyTrustsExternal) == "true")
        let service = enrichment(#"{"eventName":"CreateRole","recipientAccountId":"111122223333","requestParameters":{"roleName":"r","assumeRolePolicyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}}"#)
        #expect(service.value(.policyTrustsExternal) == nil)
    }
}

/// Findings: stable ids, grouping, and containment filled in with the finding's own values.
@Suite struct FindingTests {
    @Test func idsAreStableAndSeparateIncidents() {
        let a = FindingBuilder.id(rule: "r", values: ["111122223333", "arn:aws:iam::111122223333:user/jack", "jackson"])
        #expect(a == FindingBuilder.id(rule: "r", values: ["111122223333", "arn:aws:iam::111122223333:user/jack", "jackson"]))
        #expect(a != FindingBuilder.id(rule: "r", values: ["111122223333", "arn:aws:iam::111122223333:user/jack", "jacksonx"]))
        #expect(a != FindingBuilder.id(rule: "r", values: ["111122223333", "arn:aws:iam::111122223333:user/jackjackson", ""]))
        #expect(a.count == 32)
    }

    @Test func containmentIsRenderedForTheActorOrTheTarget() throws {
        let set = try ruleSet(rule(
            "sel:\n  eventName: CreateAccessKey\ncondition: sel",
            extra: "containment:\n  - iam-user-deactivate-keys\n  - {id: iam-user-deactivate-keys, subject: target}"))
        let detector = Detector(rules: set)
        let events = [
            #"{"eventName":"CreateAccessKey","eventTime":"2026-11-20T10:00:00Z","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/jack","userName":"jack","accessKeyId":"AKIAJACK000000000001"},"requestParameters":{"userName":"jackson"},"responseElements":{"accessKey":{"userName":"jackson","accessKeyId":"AKIAJACKSON000000001","status":"Active"}}}"#,
            #"{"eventName":"CreateAccessKey","eventTime":"2026-11-20T11:00:00Z","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/jack","userName":"jack","accessKeyId":"AKIAJACK000000000002"},"requestParameters":{"userName":"jackson"},"responseElements":{"accessKey":{"userName":"jackson","accessKeyId":"AKIAJACKSON000000002","status":"Active"}}}"#,
        ]
        for (n, e) in events.enumerated() {
            let json = RuleTestRunner.completed(e, index: n)
            _ = EventParser.withEvent(Array(json.utf8), index: n) { detector.process($0, file: "f.json") }
        }
        var all = FindingSet()
        all.merge(detector.take())
        let findings = all.findings(set)
        #expect(findings.count == 1)
        let f = try #require(findings.first)
        #expect(f.count == 2)
        #expect(f.firstSeen == "2026-11-20T10:00:00Z")
        #expect(f.lastSeen == "2026-11-20T11:00:00Z")
        #expect(f.evidence.map(\.recordIndex) == [0, 1])
        #expect(f.actor.accessKeyIds == ["AKIAJACK000000000001", "AKIAJACK000000000002"])
        #expect(f.target?.accessKeyIds == ["AKIAJACKSON000000001", "AKIAJACKSON000000002"])
        let commands = f.containment.map { $0.steps.flatMap(\.commands).joined(separator: "\n") }
        #expect(commands.count == 2)
        #expect(commands[0].contains("--user-name jack --access-key-id AKIAJACK000000000001"))
        #expect(commands[0].contains("--user-name jack --access-key-id AKIAJACK000000000002"))
        #expect(commands[1].contains("--user-name jackson --access-key-id AKIAJACKSON000000002"))
        #expect(!commands.joined().contains("{{"))
    }

    @Test func missingValuesStayVisible() throws {
        let action = try #require(bundled.0.containment["iam-user-deactivate-keys"])
        let rendered = action.render([:])
        #expect(rendered.steps.flatMap(\.commands).contains { $0.contains("<userName>") })
    }
}

/// Regular expressions are checked for a literal every match contains before they run.
@Suite struct RegexPrefilterTests {
    @Test func requiredLiterals() {
        #expect(RegexBox.literals(in: ".+:assumed-role/aws:.+") == [Array(":assumed-role/aws:".utf8)])
        #expect(RegexBox.literals(in: "^arn:aws:iam::[0-9]{12}:user/admin$") == [Array("arn:aws:iam::".utf8), Array(":user/admin".utf8)])
        #expect(RegexBox.literals(in: "a|b").isEmpty)
        #expect(RegexBox.literals(in: "(?i)admin").isEmpty)
        #expect(RegexBox.literals(in: "abc?d").map { String(decoding: $0, as: UTF8.self) } == ["ab", "d"])
        #expect(RegexBox.literals(in: "(foo)bar\\.baz").map { String(decoding: $0, as: UTF8.self) } == ["bar.baz"])
        #expect(RegexBox.literals(in: "x\\d+yz").map { String(decoding: $0, as: UTF8.self) } == ["x", "yz"])
    }

    @Test func prefilteredRegexStillMatchesLikeTheRegex() throws {
        let set = try ruleSet(rule("sel:\n  userIdentity.arn|re|i: '.+:ASSUMED-role/aws:.+'\ncondition: sel"))
        #expect(matches(set, #"{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"}}"#))
        #expect(!matches(set, #"{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/app/i-1"}}"#))
        #expect(!matches(set, #"{"userIdentity":{"arn":":assumed-role/aws:"}}"#))
    }
}

@Test func derivedFieldOrdinalsFollowDeclarationOrder() {
    #expect(DerivedField.allCases.enumerated().allSatisfy { $0.offset == $0.element.ordinal })
    #expect(Enrichment.lastSegment("arn:aws:iam::111122223333:user/division/team/jack", after: ":user/") == "jack")
    #expect(Enrichment.lastSegment("arn:aws:iam::111122223333:user/jack", after: ":user/") == "jack")
    #expect(Enrichment.lastSegment("arn:aws:iam::111122223333:role/x", after: ":user/") == nil)
}

/// The policy parser's trim gives what Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` gives.
@Test func policyTextIsTrimmedAsFoundationTrimsIt() {
    let cases = [
        "", " ", "\n\t {\"Version\":\"2012-10-17\"} \r\n", "{}", "\u{00A0}\u{2028}{ \"a\": 1 }\u{3000}\u{0085}",
        " \u{200B}{}\u{200B} ", "x", "  é  ", "\u{FEFF}{}",
    ]
    for text in cases {
        #expect(PolicyDocument.trimmed(text) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
    }
}
