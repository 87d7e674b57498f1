/// Sigma time spans: `30s`, `5m`, `2h`, `7d` (the specification's units), and `2w`, `1M` (30 days), `1y` (365 days).
/// A whole number above zero, the unit last; at most 100 years (a larger span, or one that overflows, is no span:
/// the correlator adds it to event times).
enum TimeSpan {
    static let maximum: Int64 = 100 * 31_536_000

    static func seconds(_ text: String) -> Int64? {
        guard let unit = text.last, text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(text.dropLast()), n > 0
        else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        case "d": scale = 86_400
        case "w": scale = 604_800
        case "M": scale = 2_592_000
        case "y": scale = 31_536_000
        default: return nil
        }
        let (product, overflow) = n.multipliedReportingOverflow(by: scale)
        guard !overflow, product <= maximum else { return nil }
        return product
    }
}
