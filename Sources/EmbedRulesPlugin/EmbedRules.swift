import Foundation
import PackagePlugin

/// Embeds the rules tree (`rules/` at the top of the package: rules, containment actions, policy facts) in the
/// target it is applied to, as generated Swift source. Every YAML file and every folder of the tree is an input of
/// the build command: an edited file changes its own time, an added or removed one its folder's, so the next build
/// regenerates the source and the embedded copy cannot go stale.
@main
struct EmbedRules: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL.appending(path: "rules")
        var inputs: [URL] = [root]
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey]) {
            for case let url as URL in walker {
                let isFolder = (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) ?? false
                if isFolder || ["yml", "yaml"].contains(url.pathExtension.lowercased()) { inputs.append(url) }
            }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedRules.swift")
        return [
            .buildCommand(
                displayName: "Embedding the rules folder in \(target.name)",
                executable: try context.tool(named: "trailhound-embed-rules").url,
                arguments: [root.path, output.path],
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
