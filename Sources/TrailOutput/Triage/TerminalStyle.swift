import TrailDetect

/// Colour for text on a terminal: SGR sequences around text that is already inert (`TerminalText.sanitize`), or
/// nothing at all when colour is off. The only escape sequences trailhound writes are these, and never inside a log
/// value.
public struct TerminalStyle: Sendable {
    public let color: Bool

    public init(color: Bool) { self.color = color }

    /// Whether to colour: `never` and `always` as said; `auto` when the output is a terminal and `NO_COLOR` is
    /// unset or empty (no-color.org).
    public static func wantsColor(_ choice: ColorChoice, isTerminal: Bool, environment: [String: String]) -> Bool {
        switch choice {
        case .always: return true
        case .never: return false
        case .auto: return isTerminal && (environment["NO_COLOR"] ?? "").isEmpty
        }
    }

    public enum ColorChoice: String, Sendable, CaseIterable {
        case auto, always, never
    }

    func paint(_ text: String, _ sgr: String) -> String {
        color && !text.isEmpty ? "\u{1B}[\(sgr)m\(text)\u{1B}[0m" : text
    }

    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }

    /// The level's name in capitals (`INFO` for informational), padded to `width` before colouring (so columns
    /// line up either way).
    func level(_ level: SigmaRule.Level, width: Int = 0) -> String {
        let name = level == .informational ? "INFO" : level.rawValue.uppercased()
        return paint(name.count < width ? name + String(repeating: " ", count: width - name.count) : name, as: level)
    }

    /// `text` in the colour of `level`.
    func paint(_ text: String, as level: SigmaRule.Level) -> String {
        switch level {
        case .critical: return paint(text, "1;35")
        case .high: return paint(text, "1;31")
        case .medium: return paint(text, "33")
        case .low: return paint(text, "36")
        case .informational: return paint(text, "2")
        }
    }
}
