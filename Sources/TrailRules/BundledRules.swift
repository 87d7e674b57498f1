/// The rules tree of this checkout (`rules/`: Sigma rules, containment actions, policy facts), embedded in the binary
/// at build time by the EmbedRules plugin, so a binary copied anywhere has its rules.
public enum BundledRules {
    /// Each file's path inside `rules/` and its text, in path order.
    public static var files: [(path: String, text: String)] { generated }
}
