import Foundation

/// One file of a rules tree, read from a folder or embedded in the binary: its path inside the tree
/// (`iam/iam_user_created.yml`), the name errors give for it, and its text.
public struct RuleFile: Sendable, Equatable {
    public let path: String
    public let name: String
    public let text: String

    public init(path: String, name: String, text: String) {
        self.path = path
        self.name = name
        self.text = text
    }

    /// The part of the tree the file belongs to: `containment`, `policies`, or a rules folder such as `iam`.
    var part: Substring { path.split(separator: "/").first ?? "" }

    /// Every YAML file under `folder`, in path order. A file that cannot be read is an error naming it.
    public static func read(folder: URL) -> ([RuleFile], [DetectError]) {
        var files: [RuleFile] = []
        var errors: [DetectError] = []
        let root = folder.standardizedFileURL.path
        for url in RuleSet.yamlFiles(in: folder) {
            let full = url.standardizedFileURL.path
            let path = full.hasPrefix(root + "/") ? String(full.dropFirst(root.count + 1)) : url.lastPathComponent
            do {
                files.append(RuleFile(path: path, name: RuleSet.relative(url), text: try String(contentsOf: url, encoding: .utf8)))
            } catch {
                errors.append(DetectError(.io, file: RuleSet.relative(url), "\(error)"))
            }
        }
        return (files, errors)
    }
}
