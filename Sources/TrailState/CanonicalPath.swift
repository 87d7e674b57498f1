#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one spelling of a path the state file keeps: absolute, without `.`, `..`, repeated slashes or symbolic links.
package enum CanonicalPath {
    /// `realpath(3)` of `path`; nil when it cannot be resolved (missing, not UTF-8).
    package static func resolve(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(validatingCString: p)
    }
}
