/// CSV cells (RFC 4180) that a spreadsheet cannot run: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is prefixed with `'` (OWASP's advice against formula injection), since log values are attacker-chosen.
public enum CSV {
    public static func cell(_ value: String) -> String {
        var v = value
        if let first = v.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            v = "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    public static func row(_ cells: [String]) -> String { cells.map(cell).joined(separator: ",") + "\r\n" }
}
