import TrailDetect

/// Markup that is safe to put in the page: written by the report's own code, with every value from a log, a rule or
/// the command line passed through `HTML.escape` on the way in.
///
/// The only way to build it from outside this file is a string literal with interpolations: a literal part is the
/// report's markup, an interpolated `String` is escaped for text and quoted attributes (the same function serves
/// both, and SVG text), an interpolated `HTML` is kept as is. There is no initialiser from a `String`, so a log value
/// cannot become markup by concatenation. No log value is ever put in a URL or a script.
public struct HTML: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    public private(set) var markup: String

    /// The report's own fixed markup (a literal, or the style sheet and script of `ReportStyle`): never a log value.
    public init(stringLiteral value: String) { markup = value }

    public init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }

    public var description: String { markup }

    public static let empty: HTML = ""

    public struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        public init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity + 16 * interpolationCount) }

        public mutating func appendLiteral(_ literal: String) { markup += literal }

        /// A value: escaped (and cut to `HTML.maxValue` characters).
        public mutating func appendInterpolation(_ value: String) { markup += HTML.escape(value) }

        /// A value that may be absent: `-` when it is.
        public mutating func appendInterpolation(_ value: String?) { markup += HTML.escape(value ?? "-") }

        /// A value kept whole (a command to copy, a policy document): escaped, not cut.
        public mutating func appendInterpolation(whole value: String) {
            markup += value.split(separator: "\n", omittingEmptySubsequences: false)
                .map { HTML.escape(String($0), limit: .max) }.joined(separator: "\n")
        }

        /// A value cut to `limit` characters (labels in pictures).
        public mutating func appendInterpolation(_ value: String, limit: Int) { markup += HTML.escape(value, limit: limit) }

        /// A label in a picture: cut to `cut` characters with an ellipsis (the whole value goes in its `<title>`).
        public mutating func appendInterpolation(_ value: String, cut: Int) {
            let clean = InertText.escape(value)
            markup += HTML.escape(clean.count > cut ? String(clean.prefix(max(1, cut - 1))) + "…" : clean, limit: .max)
        }

        public mutating func appendInterpolation<N: BinaryInteger>(_ number: N) { markup += String(number) }

        /// A coordinate in a picture, with one decimal at most.
        public mutating func appendInterpolation(_ number: Double) {
            let tenths = (number * 10).rounded()
            markup += tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
        }

        public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }

        public mutating func appendInterpolation(_ parts: [HTML]) { for p in parts { markup += p.markup } }
    }

    /// The longest value shown whole in text (longer values are cut, saying how much was cut).
    public static let maxValue = 400

    /// The one escaper: invisible and control characters (bidi overrides such as U+202E, zero-width characters, C0
    /// and C1 controls) are shown as `\u{…}` (`InertText`), then `& < > " '` become character references, so the
    /// result is inert in element text, in a double- or single-quoted attribute, and in SVG `<text>`. A value longer
    /// than `limit` characters is cut and says how many were left out.
    public static func escape(_ value: String, limit: Int = maxValue) -> String {
        var text = InertText.escape(value)
        if text.count > limit {
            let rest = text.count - limit
            text = String(text.prefix(limit)) + "… (\(rest) more characters)"
        }
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Joins parts with a separator that is markup of the report's own.
    public static func join(_ parts: [HTML], separator: HTML = "") -> HTML {
        var out = HTML.empty
        for (i, p) in parts.enumerated() {
            if i > 0 { out.markup += separator.markup }
            out.markup += p.markup
        }
        return out
    }

    public static func += (a: inout HTML, b: HTML) { a.markup += b.markup }
}
