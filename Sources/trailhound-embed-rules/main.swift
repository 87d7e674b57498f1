import Foundation

// Writes a Swift source file holding the text of every YAML file under ROOT, in path order: the build-time half of
// embedding rules/ in the binary (the EmbedRules plugin runs it). Usage: trailhound-embed-rules ROOT OUTPUT
// Each text is a raw multi-line string literal with one more `#` than the longest run of `#` in the file, so no
// content can end the literal or start an escape.

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: trailhound-embed-rules ROOT OUTPUT\n".utf8))
    exit(2)
}
let root = URL(fileURLWithPath: arguments[1])
let output = URL(fileURLWithPath: arguments[2])

func longestHashRun(_ text: String) -> Int {
    var longest = 0
    var run = 0
    for byte in text.utf8 {
        run = byte == UInt8(ascii: "#") ? run + 1 : 0
        longest = max(longest, run)
    }
    return longest
}

func literal(_ text: String) -> String {
    let hashes = String(repeating: "#", count: longestHashRun(text) + 1)
    // A multi-line literal drops the line break before its closing delimiter, so the text keeps its own last one.
    return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
}

var source = """
    // Generated at build time by trailhound-embed-rules from the package's rules/ folder. Do not edit.

    extension BundledRules {
        static let generated: [(path: String, text: String)] = [

    """
// Walked here, not listed by the plugin: a build that reuses an older plan still embeds what the folder holds now.
var paths: [String] = []
let rootPath = root.standardizedFileURL.path
if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
    for case let url as URL in walker where ["yml", "yaml"].contains(url.pathExtension.lowercased()) {
        paths.append(String(url.standardizedFileURL.path.dropFirst(rootPath.count + 1)))
    }
}
for path in paths.sorted() {
    let url = root.appendingPathComponent(path)
    guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
        FileHandle.standardError.write(Data("trailhound-embed-rules: cannot read \(url.path) as UTF-8\n".utf8))
        exit(1)
    }
    // A multi-line literal reads a carriage return as a line break, which would change the text: refuse it.
    guard !text.contains("\r") else {
        FileHandle.standardError.write(Data("trailhound-embed-rules: \(url.path) has CR line endings; use LF\n".utf8))
        exit(1)
    }
    source += "(\(literal(path)),\n\(literal(text))),\n"
}
source += "]\n}\n"
do {
    // Rewritten only when different, so an unchanged rules tree does not recompile the target.
    if FileManager.default.contents(atPath: output.path) != Data(source.utf8) {
        try Data(source.utf8).write(to: output, options: .atomic)
    }
} catch {
    FileHandle.standardError.write(Data("trailhound-embed-rules: cannot write \(output.path): \(error)\n".utf8))
    exit(1)
}
