/// Sigma time spans: `30s`, `5m`, `2h`, `7d`, `2w` (and `1M` = 30 days, `1y` = 365 days).
enum TimeSpan {
    static func seconds(_ text: String) -> Int64? {
        guard let unit = text.last, let n = Int64(text.dropLast()), n > 0 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86_400
        case "w": return n * 604_800
        case "M": return n * 2_592_000
        case "y": return n * 31_536_000
        default: return nil
        }
    }
}
