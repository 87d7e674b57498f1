import Foundation
import PackagePlugin

/// Embeds the rules tree (`rules/` at the top of the package: rules, containment actions, policy facts) in the
/// target it is applied to, as generated Swift source. Every YAML file is an input of the build command, so an edited,
/// added or removed rule regenerates the source on the next build: the embedded copy cannot go stale.
@main
struct EmbedRules: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL.appending(path: "rules")
        var paths: [String] = []
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
            for case let url as URL in walker where ["yml", "yaml"].contains(url.pathExtension.lowercased()) {
                let full = url.standardizedFileURL.path
                paths.append(String(full.dropFirst(root.standardizedFileURL.path.count + 1)))
            }
        }
        paths.sort()
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedRules.swift")
        return [
            .buildCommand(
                displayName: "Embedding rules/ (\(paths.count) files) in \(target.name)",
                executable: try context.tool(named: "trailhound-embed-rules").url,
                arguments: [root.path, output.path] + paths,
                inputFiles: paths.map { root.appending(path: $0) },
                outputFiles: [output])
        ]
    }
}
