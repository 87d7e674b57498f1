import Foundation
import Yams

/// Facts about managed and well-known inline policies, read from `rules/policies/managed.yml` so that a wrong or
/// outdated fact is a one-line data fix.
public struct PolicyCatalog: Sendable, Equatable {
    public var adminEquivalent: Set<String> = []
    public var quarantinePrefix = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine"
    public var denyAll: Set<String> = []
    public var legacyInlineQuarantine: Set<String> = []
    public var revokeSessionsInline: Set<String> = []
    /// Actions every version of AWS's quarantine denies (lowercased): an inline document that denies all of them
    /// on `*` is AWS's quarantine put inline, whatever its name.
    public var quarantineSignatureActions: Set<String> = []

    public init() {}

    public init(yaml text: String, file: String) throws {
        let node: Node?
        do { node = try Parser(yaml: text, resolver: .basic).singleRoot() } catch { throw DetectError(.yaml, file: file, "\(error)") }
        guard let map = node?.mapping else { throw DetectError(.rule, file: file, "expected a mapping") }
        func strings(_ key: String) throws -> Set<String> {
            guard let value = map[key] else { return [] }
            guard let seq = value.sequence else {
                throw DetectError(.rule, file: file, line: value.mark?.line, "\(key) must be a list")
            }
            return Set(seq.compactMap(\.string))
        }
        adminEquivalent = try strings("admin-equivalent")
        denyAll = try strings("deny-all")
        legacyInlineQuarantine = try strings("legacy-inline-quarantine")
        revokeSessionsInline = try strings("revoke-sessions-inline")
        quarantineSignatureActions = Set(try strings("quarantine-signature-actions").map { $0.lowercased() })
        if let prefix = map["quarantine-prefix"]?.string { quarantinePrefix = prefix }
    }

    public static func load(from folder: URL) throws -> PolicyCatalog {
        let url = folder.appendingPathComponent("policies/managed.yml")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw DetectError(.io, file: url.path, "the policy catalog is missing")
        }
        return try PolicyCatalog(yaml: text, file: url.path)
    }

    /// `V1`…`Vn` for an inline policy named like the managed quarantine (`AWSCompromisedKeyQuarantineV3` put with
    /// PutUserPolicy), nil otherwise.
    public func inlineQuarantineVersion(_ name: String) -> String? {
        guard let base = quarantinePrefix.split(separator: "/").last, name.hasPrefix(base) else { return nil }
        let rest = name.dropFirst(base.count)
        if rest.isEmpty { return "V1" }
        return rest.first == "V" && rest.dropFirst().allSatisfy(\.isNumber) && rest.count > 1 ? String(rest) : nil
    }

    /// Whether a document denies every action of the quarantine signature on `*`.
    public func hasQuarantineContent(_ document: PolicyDocument) -> Bool {
        !quarantineSignatureActions.isEmpty && quarantineSignatureActions.isSubset(of: document.deniedActions)
    }

    /// `V1`…`Vn` for a quarantine ARN (the unversioned name is V1), nil otherwise.
    public func quarantineVersion(_ arn: String) -> String? {
        guard arn.hasPrefix(quarantinePrefix) else { return nil }
        let rest = arn.dropFirst(quarantinePrefix.count)
        if rest.isEmpty { return "V1" }
        return rest.first == "V" ? String(rest) : "other"
    }
}
