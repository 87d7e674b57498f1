import Foundation
import Yams

/// One containment action from `rules/containment/`: what to do, why, and the commands, as templates.
public struct ContainmentAction: Sendable {
    public struct Step: Sendable {
        public let title: String
        public let why: String?
        /// A list variable the step repeats over (`accessKeyId`).
        public let forEach: String?
        /// Leave the step out when the `for-each` list is empty (`only-if-any: true`), e.g. live temporary keys.
        public let onlyIfAny: Bool
        public let command: String
        public let documentFile: String?
        public let documentContent: String?
    }

    public let id: String
    public let title: String
    public let appliesTo: [String]
    public let why: String
    public let steps: [Step]
    public let references: [String]
    public let file: String
    /// The action's place in `trailhound contain`'s playbook for the identities it applies to; nil: not in playbooks
    /// (actions about what an identity did to others).
    public let playbookOrder: Int?

    /// The variables a finding fills in (rules/README.md).
    public static let variables: Set<String> = [
        "account", "region", "userName", "targetUserName", "targetRoleName", "roleName", "sessionName", "federatedName",
        "identityCenterUserId", "accessKeyId", "cutoff", "actorArn", "temporaryAccessKeyId", "liveCredential",
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
        why = try req(map, "why").trimmingCharacters(in: .whitespacesAndNewlines)
        appliesTo = map["applies-to"]?.sequence?.compactMap(\.string) ?? []
        playbookOrder = map["playbook-order"]?.string.flatMap { Int($0) }
        references = map["references"]?.sequence?.compactMap(\.string) ?? []
        guard let stepNodes = map["steps"]?.sequence, !stepNodes.isEmpty else {
            throw DetectError(.containment, file: file, line: map.mark?.line, "'steps' must be a non-empty list")
        }
        var steps: [Step] = []
        for node in stepNodes {
            guard let m = node.mapping else { throw DetectError(.containment, file: file, line: node.mark?.line, "a step is a mapping") }
            let document = m["document"]?.mapping
            steps.append(
                Step(
                    title: try req(m, "title"), why: m["why"]?.string, forEach: m["for-each"]?.string,
                    onlyIfAny: m["only-if-any"]?.string == "true",
                    command: try req(m, "command").trimmingCharacters(in: .whitespacesAndNewlines),
                    documentFile: document?["file"]?.string, documentContent: document?["content"]?.string))
        }
        self.steps = steps
        self.file = file
        for (text, line) in steps.flatMap({ [($0.command, node?.mark?.line), ($0.documentContent ?? "", nil)] }) {
            for v in Self.placeholders(in: text) where !Self.variables.contains(v) {
                throw DetectError(.containment, file: file, line: line, "unknown variable {{\(v)}}")
            }
        }
    }

    /// Names inside `{{…}}`.
    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            names.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// The action with a finding's values filled in; a missing value stays visible as `<name>`.
    public func render(_ values: [String: [String]]) -> RenderedContainment {
        func fill(_ template: String, _ overrides: [String: String] = [:]) -> String {
            var out = ""
            var rest = Substring(template)
            while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
                out += rest[..<open.lowerBound]
                let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                out += overrides[name] ?? values[name]?.first ?? "<\(name)>"
                rest = rest[close.upperBound...]
            }
            return out + rest
        }
        let rendered = steps.compactMap { step -> RenderedContainment.Step? in
            if step.onlyIfAny, let each = step.forEach, values[each]?.isEmpty ?? true { return nil }
            var commands: [String] = []
            if let each = step.forEach, let list = values[each], !list.isEmpty {
                commands = list.map { fill(step.command, [each: $0]) }
            } else {
                commands = [fill(step.command)]
            }
            return RenderedContainment.Step(
                title: fill(step.title), why: step.why.map { fill($0) }, commands: commands,
                document: step.documentFile.map { RenderedContainment.Document(file: $0, content: fill(step.documentContent ?? "")) })
        }
        return RenderedContainment(id: id, title: fill(title), why: why, steps: rendered, references: references)
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
}
