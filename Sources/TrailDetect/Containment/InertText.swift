/// Text that is inert on a terminal and inside a shell comment: every character that could move the cursor, run a
/// terminal command (ANSI/OSC escapes), end a line, reorder what is shown (bidirectional overrides, "Trojan Source")
/// or hide text (zero-width and other invisible format characters) becomes a visible `\u{…}` escape. The one
/// predicate for every text for people: containment scripts here, and tables, trace, summaries and diagnostics
/// through `TerminalText`.
public enum InertText {
    public static func escape(_ s: String) -> String {
        // Printable ASCII (the common case) needs no scalar walk.
        guard !s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return s }
        guard s.unicodeScalars.contains(where: mustEscape) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for scalar in s.unicodeScalars {
            if mustEscape(scalar) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// True for what a terminal or a comment line must not receive raw:
    /// - C0 controls, DEL and C1 controls (ESC starts ANSI sequences; U+009B is a one-character CSI; LF ends a line);
    /// - line and paragraph separators (U+2028, U+2029), which some terminals and viewers break lines at;
    /// - every invisible format character (general category Cf): the bidirectional embeddings, overrides and
    ///   isolates (U+202A–U+202E, U+2066–U+2069), the marks U+200E, U+200F and U+061C, zero-width space U+200B,
    ///   word joiners and invisible operators (U+2060–U+2064), the byte-order mark U+FEFF, soft hyphen U+00AD,
    ///   interlinear annotations, and the tag characters U+E0000–U+E007F (invisible "ASCII smuggling").
    ///   Zero-width joiner and non-joiner (U+200C, U+200D) are kept: emoji sequences and several scripts need
    ///   them, and they cannot reorder or hide text on their own.
    public static func mustEscape(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x20 || v == 0x7F || (0x80..<0xA0).contains(v) { return true }
        if v < 0xAD { return false }
        if v == 0x200C || v == 0x200D { return false }
        if v == 0x2028 || v == 0x2029 { return true }
        return s.properties.generalCategory == .format
    }

    /// A log value shown as data: escaped and in double quotes, backslashes and quotes escaped too, so its ends are
    /// visible and nothing in it reads as code.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where mustEscape(scalar): out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
