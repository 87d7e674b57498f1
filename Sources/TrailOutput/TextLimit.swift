/// Cuts text to a length limit, for formats with limits (ASFF). Length is counted in UTF-16 code units: never less
/// than the count in characters or Unicode scalars, so the result fits whichever a consumer uses. The cut falls
/// between grapheme clusters, so no character is split and the text stays valid UTF-8; a cut text ends with "…".
enum TextLimit {
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        guard limit > 0 else { return "" }
        var out = ""
        var used = 0
        for ch in text {
            let n = ch.utf16.count
            if used + n > limit - 1 { break }
            out.append(ch)
            used += n
        }
        return out + "…"
    }

    /// Items joined by `separator`, as many whole items as fit in `limit`, then "+N more" for the rest.
    static func join(_ items: [String], separator: String = " ", limit: Int) -> String {
        var out = ""
        for (k, item) in items.enumerated() {
            let candidate = out.isEmpty ? item : out + separator + item
            let rest = items.count - k - 1
            let tail = rest > 0 ? "\(separator)+\(rest) more" : ""
            if (candidate + tail).utf16.count > limit {
                let more = "+\(items.count - k) more"
                return out.isEmpty ? cut(item, to: limit) : out + separator + more
            }
            out = candidate
        }
        return out
    }
}
