import Foundation
import Yams

/// Sigma's value-transforming modifiers: the encodings (`utf16le`/`wide`, `utf16be`, `utf16`, `base64`,
/// `base64offset`), as the Sigma specification's modifiers appendix and pySigma define them.
enum Encoding {
    /// A value's text with Sigma's escapes (`\*`, `\?`, `\\`) resolved: what an encoding encodes.
    static func unescaped(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var k = 0
        while k < bytes.count {
            if bytes[k] == 0x5C, k + 1 < bytes.count, [0x2A, 0x3F, 0x5C].contains(bytes[k + 1]) {
                out.append(bytes[k + 1])
                k += 2
            } else {
                out.append(bytes[k])
                k += 1
            }
        }
        return out
    }

    /// The byte strings a value stands for after `modifiers` (in rule order; `base64offset` gives three).
    static func apply(_ modifiers: [String], to value: [UInt8]) -> [[UInt8]] {
        var values = [value]
        for m in modifiers {
            switch m {
            case "utf16le": values = values.map { utf16($0, bigEndian: false) }
            case "utf16be": values = values.map { utf16($0, bigEndian: true) }
            case "utf16": values = values.map { [0xFF, 0xFE] + utf16($0, bigEndian: false) }
            case "base64": values = values.map { Array(Data($0).base64EncodedString().utf8) }
            case "base64offset": values = values.flatMap { base64Offsets($0) }
            default: break
            }
        }
        return values
    }

    static func utf16(_ utf8: [UInt8], bigEndian: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for unit in String(decoding: utf8, as: UTF8.self).utf16 {
            let hi = UInt8(unit >> 8)
            let lo = UInt8(unit & 0xFF)
            out += bigEndian ? [hi, lo] : [lo, hi]
        }
        return out
    }

    /// The three Base64 forms of `data` shifted by 0, 1 and 2 bytes, each cut to the characters that do not depend
    /// on the bytes around it: a value that appears anywhere inside a Base64-encoded text contains one of them.
    static func base64Offsets(_ data: [UInt8]) -> [[UInt8]] {
        let starts = [0, 2, 3]
        let ends = [0, 3, 2]  // characters dropped at the end, by (count + shift) % 3
        return (0..<3).map { shift in
            let encoded = Array(Data(Array(repeating: 0x20, count: shift) + data).base64EncodedString().utf8)
            let end = encoded.count - ends[(data.count + shift) % 3]
            let start = starts[shift]
            return start < end ? Array(encoded[start..<end]) : []
        }
    }
}

/// `windash`: a `-` or `/` that starts a command-line flag (not after a word character, before one) stands for any
/// of `-`, `/`, en dash, em dash and horizontal bar.
enum Windash {
    static let dashes: [Character] = ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"]

    /// Every variant of `text`; nil when it has more than three flag dashes (as pySigma refuses).
    static func variants(_ text: String) -> [String]? {
        let chars = Array(text)
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        var positions: [Int] = []
        for (k, c) in chars.enumerated() where c == "-" || c == "/" {
            let before = k > 0 && isWord(chars[k - 1])
            let after = k + 1 < chars.count && isWord(chars[k + 1])
            if !before && after { positions.append(k) }
        }
        guard positions.count <= 3 else { return nil }
        var out = [chars]
        for p in positions {
            out = out.flatMap { v in dashes.map { d in
                var copy = v
                copy[p] = d
                return copy
            } }
        }
        return out.map { String($0) }
    }
}

/// Settings for Sigma rules beyond the rules themselves: the values of the `expand` modifier's placeholders.
/// Read from a YAML file (`--sigma-config`) with a `vars:` map of placeholder names to a value or a list of values,
/// the same key pySigma's processing pipelines use.
public struct SigmaConfig: Sendable {
    public var placeholders: [String: [String]] = [:]

    public init(placeholders: [String: [String]] = [:]) { self.placeholders = placeholders }

    /// The configuration the rules being parsed see.
    @TaskLocal static var current = SigmaConfig()

    struct MissingPlaceholder: Error {
        let name: String
    }

    /// Parses the file's text; errors name the file and line.
    public init(yaml: String, file: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw DetectError(.yaml, file: file, "\(error)")
        }
        guard let map = root?.mapping else { throw DetectError(.rule, file: file, line: 1, "a Sigma config is a mapping with 'vars:'") }
        guard let vars = map["vars"] else { return }
        guard let entries = vars.mapping else { throw DetectError(.rule, file: file, line: vars.mark?.line, "'vars' must be a mapping") }
        for (key, value) in entries {
            guard let name = key.string else { continue }
            if let seq = value.sequence {
                var list: [String] = []
                for item in seq {
                    guard let s = item.scalar?.string else {
                        throw DetectError(.rule, file: file, line: item.mark?.line, "placeholder '\(name)': values must be scalars")
                    }
                    list.append(s)
                }
                placeholders[name] = list
            } else if let s = value.scalar?.string {
                placeholders[name] = [s]
            } else {
                throw DetectError(.rule, file: file, line: value.mark?.line, "placeholder '\(name)' must be a value or a list")
            }
        }
    }

    /// `text` with every `%name%` replaced by each of its values (every combination).
    func expand(_ text: String) throws -> [String] {
        var results = [""]
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "%") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "%") else { break }
            let name = String(rest[afterOpen..<close])
            let prefix = rest[..<open]
            guard let values = placeholders[name], !values.isEmpty else { throw MissingPlaceholder(name: name) }
            results = results.flatMap { r in values.map { r + prefix + $0 } }
            rest = rest[rest.index(after: close)...]
        }
        return results.map { $0 + rest }
    }
}
