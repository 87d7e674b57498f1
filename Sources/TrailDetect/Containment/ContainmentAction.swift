import Foundation
import Yams

/// One containment action from `rules/containment/`: what to do, why, and the commands, as templates.
public struct ContainmentAction: Sendable {
    public struct Step: Sendable {
        public let title: String
        public let why: String?
        /// The list variables the step repeats over (`accessKeyId`); several are walked together, item by item
        /// (`[createdForUserName, createdAccessKeyId]`: each key with the user it was made for).
        public let forEach: [String]
        /// Leave the step out when the `for-each` list is empty (`only-if-any: true`), e.g. live temporary keys.
        public let onlyIfAny: Bool
        /// Leave the step out when one of these variables has no value (`only-if-known:`), unless that would leave
        /// the action with no step: then every step stays, to be filled in by hand.
        public var onlyIfKnown: [String] = []
        public let command: String
        public let documentFile: String?
        public let documentContent: String?
        /// The step's templates, parsed once when the catalog loads (a scan renders them for every finding).
        let parsed: Parsed

        struct Parsed: Sendable {
            let title: Template
            let why: Template?
            let command: Template
            let document: Template?
        }

        init(
            title: String, why: String?, forEach: [String], onlyIfAny: Bool, command: String, documentFile: String?,
            documentContent: String?
        ) {
            self.title = title
            self.why = why
            self.forEach = forEach
            self.onlyIfAny = onlyIfAny
            self.command = command
            self.documentFile = documentFile
            self.documentContent = documentContent
            parsed = Parsed(
                title: Template(title, mode: .text), why: why.map { Template($0, mode: .text) },
                command: Template(command, mode: command.hasPrefix("#") ? .comment : .shell),
                document: documentFile.map { _ in Template(documentContent ?? "", mode: .json) })
        }
    }

    public let id: String
    public let title: String
    public let appliesTo: [String]
    public let why: String
    let titleTemplate: Template
    public let steps: [Step]
    public let references: [String]
    public let file: String
    /// The action's place in `trailhound contain`'s playbook for the identities it applies to; nil: not in playbooks
    /// (actions about what an identity did to others).
    public let playbookOrder: Int?
    /// Variables that must have a value for the action to enter a playbook (`only-if-known:`), e.g. federation
    /// steps only when a federation token was minted.
    public let onlyIfKnown: [String]
    /// In an incident's playbook, once (in the first section it fits), not once per identity (`once-per-playbook:`).
    public let oncePerPlaybook: Bool

    /// The variables a template may name, with the kind of value each holds (rules/README.md). The finding fills
    /// in those its logs hold; the rest are left for the responder (`FILL IN`).
    public static let variables: [String: TemplateValueKind] = [
        "account": .accountId, "region": .region, "userName": .iamName, "targetUserName": .iamName,
        "targetRoleName": .iamName, "roleName": .iamName, "sessionName": .sessionName, "federatedName": .federatedName,
        "identityCenterUserId": .identityCenterUserId, "accessKeyId": .accessKeyId, "cutoff": .time, "actorArn": .arn,
        "temporaryAccessKeyId": .accessKeyId, "liveCredential": .text, "parentAccessKeyId": .accessKeyId,
        "createdAccessKeyId": .accessKeyId, "createdForUserName": .iamName, "policyArn": .arn, "policyName": .policyName,
        "groupName": .policyName, "trailName": .trailName, "loggingBucket": .bucketName, "assumedRoleName": .iamName,
        "assumedRoleArn": .arn, "createdUserName": .iamName, "createdRoleName": .iamName,
        // Never in a log trailhound reads; the responder fills them in from the output of an earlier step.
        "assignedAccountId": .accountId, "certificateId": .awsId, "identityStoreId": .awsId, "instanceArn": .arn,
        "membershipId": .awsId, "mfaSerialNumber": .awsId, "permissionSetArn": .arn, "policyId": .awsId,
        "rootOuOrAccountId": .awsId, "serviceSpecificCredentialId": .awsId, "sshPublicKeyId": .awsId,
        "trustedPrincipalArn": .arn,
        // From the evidence's requests and responses (`Finding.Target.resources`).
        "trustAnchorId": .awsId, "profileId": .awsId, "secretId": .awsId, "parameterName": .awsId,
    ]

    public init(yaml text: String, file: String) throws {
        let node: Node?
        do { node = try Parser(yaml: text, resolver: .basic).singleRoot() } catch { throw DetectError(.yaml, file: file, "\(error)") }
        guard let map = node?.mapping else { throw DetectError(.containment, file: file, line: 1, "expected a mapping") }
        func req(_ m: Node.Mapping, _ key: String) throws -> String {
            guard let s = m[key]?.string, !s.isEmpty else {
                throw DetectError(.containment, file: file, line: m[key]?.mark?.line ?? m.mark?.line, "'\(key)' is missing")
            }
            return s
        }
        id = try req(map, "id")
        title = try req(map, "title")
        titleTemplate = Template(title, mode: .text)
        why = try req(map, "why").trimmingCharacters(in: .whitespacesAndNewlines)
        appliesTo = map["applies-to"]?.sequence?.compactMap(\.string) ?? []
        playbookOrder = map["playbook-order"]?.string.flatMap { Int($0) }
        references = map["references"]?.sequence?.compactMap(\.string) ?? []
        onlyIfKnown = map["only-if-known"]?.sequence?.compactMap(\.string) ?? []
        for name in onlyIfKnown where Self.variables[name] == nil {
            throw DetectError(.containment, file: file, line: map["only-if-known"]?.mark?.line, "unknown variable '\(name)' in only-if-known")
        }
        oncePerPlaybook = map["once-per-playbook"]?.string == "true"
        guard let stepNodes = map["steps"]?.sequence, !stepNodes.isEmpty else {
            throw DetectError(.containment, file: file, line: map.mark?.line, "'steps' must be a non-empty list")
        }
        var steps: [Step] = []
        for node in stepNodes {
            guard let m = node.mapping else { throw DetectError(.containment, file: file, line: node.mark?.line, "a step is a mapping") }
            let line = node.mark?.line
            let document = m["document"]?.mapping
            let command = try req(m, "command").trimmingCharacters(in: .whitespacesAndNewlines)
            let forEach = m["for-each"]?.string.map { [$0] } ?? m["for-each"]?.sequence?.compactMap(\.string) ?? []
            for name in forEach where Self.variables[name] == nil {
                throw DetectError(.containment, file: file, line: line, "unknown for-each variable '\(name)'")
            }
            guard !command.contains("\n") else {
                throw DetectError(.containment, file: file, line: line, "a command is one line")
            }
            let documentFile = document?["file"]?.string
            if let documentFile {
                // A file name the script writes: plain, so it needs no quoting and cannot leave the working folder.
                guard documentFile.utf8.allSatisfy({ TemplateValueKind.isIAMNameByte($0) }), !documentFile.hasPrefix("-"),
                    !documentFile.hasPrefix(".")
                else { throw DetectError(.containment, file: file, line: line, "document file '\(documentFile)' is not a plain file name") }
            }
            var step = Step(
                title: try req(m, "title"), why: m["why"]?.string, forEach: forEach, onlyIfAny: m["only-if-any"]?.string == "true",
                command: command, documentFile: documentFile, documentContent: document?["content"]?.string)
            step.onlyIfKnown = m["only-if-known"]?.sequence?.compactMap(\.string) ?? []
            for name in step.onlyIfKnown where Self.variables[name] == nil {
                throw DetectError(.containment, file: file, line: line, "unknown variable '\(name)' in only-if-known")
            }
            do { try step.check() } catch let message as TemplateError {
                throw DetectError(.containment, file: file, line: line, message.text)
            }
            steps.append(step)
        }
        self.steps = steps
        self.file = file
        do { try titleTemplate.check() } catch let message as TemplateError {
            throw DetectError(.containment, file: file, line: map["title"]?.mark?.line, message.text)
        }
    }

    /// Whether every variable in `names` has a value in `values` (`only-if-known:`).
    static func known(_ names: [String], in values: [String: [String]]) -> Bool {
        names.allSatisfy { !(values[$0]?.isEmpty ?? true) }
    }

    /// Whether any template of the action names `variable`.
    public func uses(_ variable: String) -> Bool {
        let templates = [titleTemplate] + steps.flatMap { [$0.parsed.title, $0.parsed.command] + [$0.parsed.why, $0.parsed.document].compactMap { $0 } }
        return templates.contains { $0.variableNames.contains(variable) }
    }

    /// The action with a finding's values filled in. Each value is checked against its kind's grammar and quoted for
    /// where it stands; a command that would need a missing value is printed as a `# FILL IN` comment, and one that
    /// would hold a value that fails its grammar as a `# NOT RUN` comment showing the value escaped.
    public func render(_ values: [String: [String]]) -> RenderedContainment {
        func known(_ step: Step) -> Bool { Self.known(step.onlyIfKnown, in: values) }
        let conditional = steps.contains { !$0.onlyIfKnown.isEmpty }
        let keepAll = conditional && !steps.contains { !$0.onlyIfKnown.isEmpty && known($0) }
        let rendered = steps.compactMap { step -> RenderedContainment.Step? in
            let count = step.forEach.map { values[$0]?.count ?? 0 }.min() ?? 0
            if step.onlyIfAny && !step.forEach.isEmpty && count == 0 { return nil }
            if !keepAll && !known(step) { return nil }
            var document: RenderedContainment.Document?
            var documentBinding = Template.Binding()
            if let file = step.documentFile {
                let doc = (step.parsed.document ?? Template("", mode: .json)).fill(values)
                document = RenderedContainment.Document(file: file, content: doc.text)
                documentBinding = doc
            }
            let template = step.parsed.command
            var commands: [String] = []
            for item in count == 0 ? [nil] : (0..<count).map(Optional.some) {
                var bound = template.fill(values, item: item.map { (step.forEach, $0) })
                bound.missing += documentBinding.missing.filter { !bound.missing.contains($0) }
                bound.refused += documentBinding.refused
                commands.append(bound.command())
            }
            return RenderedContainment.Step(
                title: step.parsed.title.fill(values).text, why: step.parsed.why?.fill(values).text, commands: commands,
                document: document)
        }
        return RenderedContainment(
            id: id, title: titleTemplate.fill(values).text, why: why, steps: rendered, references: references)
    }
}

/// A containment action filled in for one finding.
public struct RenderedContainment: Codable, Sendable, Equatable {
    public struct Document: Codable, Sendable, Equatable {
        public let file: String
        public let content: String
    }
    public struct Step: Codable, Sendable, Equatable {
        public let title: String
        public let why: String?
        public let commands: [String]
        public let document: Document?
    }
    public let id: String
    public let title: String
    public let why: String
    public let steps: [Step]
    public let references: [String]
    /// `opener` for an action aimed at whoever opened the finding's state (absent: the actor, its origin, or the
    /// target, as the action's variables say).
    public var subject: String? = nil
}
