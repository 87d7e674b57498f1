/// A wildcard pattern over UTF-8 text: `*` any run, `?` any one character (a whole UTF-8 sequence); `\*`, `\?`, `\\` stand for themselves and any other
/// backslash is literal (Sigma's escaping). Matching ignores ASCII case unless `cased`. Patterns without wildcards, or
/// with them only at the ends, are matched by direct comparison; others by a linear backtracking matcher that is
/// never exponential.
public struct WildcardPattern: Sendable, Hashable {
    public enum Token: Sendable, Hashable {
        case byte(UInt8)
        case any
        case star
    }

    enum Shape: Sendable, Hashable {
        case exact, prefix, suffix, contains, general
    }

    public let tokens: [Token]
    public let cased: Bool
    let shape: Shape
    /// The literal bytes for the direct shapes (folded to lower case unless cased).
    let literal: [UInt8]

    /// Parses `text` with Sigma's escapes.
    public init(_ text: String, cased: Bool = false) {
        var tokens: [Token] = []
        let bytes = Array(text.utf8)
        var k = 0
        while k < bytes.count {
            let b = bytes[k]
            if b == 0x5C, k + 1 < bytes.count, [0x2A, 0x3F, 0x5C].contains(bytes[k + 1]) {
                tokens.append(.byte(Self.fold(bytes[k + 1], cased)))
                k += 2
                continue
            }
            switch b {
            case 0x2A: if tokens.last != .star { tokens.append(.star) }
            case 0x3F: tokens.append(.any)
            default: tokens.append(.byte(Self.fold(b, cased)))
            }
            k += 1
        }
        self.init(tokens: tokens, cased: cased)
    }

    /// A pattern from tokens (already folded unless `cased`).
    public init(tokens: [Token], cased: Bool) {
        self.tokens = tokens
        self.cased = cased
        let inner = tokens.drop { $0 == .star }.reversed().drop { $0 == .star }.reversed()
        let leading = tokens.first == .star
        let trailing = tokens.count > 1 && tokens.last == .star
        if inner.allSatisfy({ if case .byte = $0 { return true } else { return false } }) {
            literal = inner.map { if case .byte(let b) = $0 { return b } else { return 0 } }
            switch (leading, trailing) {
            case (false, false): shape = .exact
            case (false, true): shape = .prefix
            case (true, false): shape = tokens.count == 1 ? .contains : .suffix
            case (true, true): shape = .contains
            }
        } else {
            literal = []
            shape = .general
        }
    }

    /// The same pattern with `*` added at the start and/or end (Sigma's `contains`, `startswith`, `endswith`).
    public func anchored(leadingStar: Bool, trailingStar: Bool) -> WildcardPattern {
        var t = tokens
        if leadingStar && t.first != .star { t.insert(.star, at: 0) }
        if trailingStar && t.last != .star { t.append(.star) }
        return WildcardPattern(tokens: t, cased: cased)
    }

    /// The literal text of a pattern without wildcards (lower-cased unless cased).
    public var literalBytes: [UInt8]? { shape == .exact ? literal : nil }

    /// How a pattern of one literal run matches, for matchers that keep their own copy of the literal.
    public enum DirectShape: UInt8, Sendable {
        case exact, prefix, suffix, contains

        init?(_ shape: Shape) {
            switch shape {
            case .exact: self = .exact
            case .prefix: self = .prefix
            case .suffix: self = .suffix
            case .contains: self = .contains
            case .general: return nil
            }
        }
    }

    /// The shape and literal (lower-cased unless `cased`) of a pattern that is one literal run with `*` at neither,
    /// either or both ends; nil for patterns with `?` or inner `*`. `matchesDirect` with these answers as `matches`.
    public var direct: (shape: DirectShape, literal: [UInt8])? { DirectShape(shape).map { ($0, literal) } }

    /// `matches` for a `direct` form whose literal is at `literal`.
    @inline(__always)
    public static func matchesDirect(
        _ s: UnsafeRawBufferPointer, shape: DirectShape, literal: UnsafePointer<UInt8>, count: Int, cased: Bool
    ) -> Bool {
        @inline(__always)
        func equal(at start: Int) -> Bool {
            for k in 0..<count where fold(s[start + k], cased) != literal[k] { return false }
            return true
        }
        switch shape {
        case .exact: return s.count == count && equal(at: 0)
        case .prefix: return s.count >= count && equal(at: 0)
        case .suffix: return s.count >= count && equal(at: s.count - count)
        case .contains:
            if count == 0 { return true }
            guard s.count >= count else { return false }
            return containsFrom(s, literal: literal, count: count, cased: cased)
        }
    }

    /// `.contains`: every start where the literal may begin, sixteen bytes at a time. A byte that is the literal's
    /// first with bit 0x20 set (ASCII case, unless `cased`) is a candidate, checked byte by byte; then the tail one
    /// byte at a time. (A user agent is checked against a dozen tool names on nearly every event: the byte loop was
    /// the detector's largest single cost.)
    static func containsFrom(_ s: UnsafeRawBufferPointer, literal: UnsafePointer<UInt8>, count: Int, cased: Bool) -> Bool {
        @inline(__always)
        func equal(at start: Int) -> Bool {
            for k in 0..<count where fold(s[start + k], cased) != literal[k] { return false }
            return true
        }
        let first = literal[0]
        let lastStart = s.count - count
        var start = 0
        if lastStart >= 15 {
            let mask = SIMD16<UInt8>(repeating: cased ? 0 : 0x20)
            let needle = SIMD16<UInt8>(repeating: first) | mask
            let base = s.baseAddress!
            while start + 15 <= lastStart {
                let v = base.loadUnaligned(fromByteOffset: start, as: SIMD16<UInt8>.self) | mask
                let hits = v .== needle
                if any(hits) {
                    for k in 0..<16 where hits[k] && fold(s[start + k], cased) == first && equal(at: start + k) { return true }
                }
                start += 16
            }
        }
        while start <= lastStart {
            if fold(s[start], cased) == first && equal(at: start) { return true }
            start += 1
        }
        return false
    }

    @inline(__always)
    static func fold(_ b: UInt8, _ cased: Bool) -> UInt8 { !cased && b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    public func matches(_ s: UnsafeRawBufferPointer) -> Bool {
        guard let form = DirectShape(shape) else { return general(s) }
        return literal.withUnsafeBufferPointer { l in
            Self.matchesDirect(s, shape: form, literal: l.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: l.count, cased: cased)
        }
    }

    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }


    /// The length of the UTF-8 sequence that starts at `i` (1 for a stray continuation or invalid byte), within `s`.
    @inline(__always)
    static func sequenceLength(_ s: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let b = s[i]
        let n = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
        var k = 1
        while k < n && i + k < s.count && s[i + k] & 0xC0 == 0x80 { k += 1 }
        return k
    }

    func general(_ s: UnsafeRawBufferPointer) -> Bool {
        var si = 0
        var ti = 0
        var starToken = -1
        var starString = 0
        while si < s.count {
            if ti < tokens.count {
                switch tokens[ti] {
                case .star:
                    starToken = ti
                    starString = si
                    ti += 1
                    continue
                case .any:
                    si += Self.sequenceLength(s, si)
                    ti += 1
                    continue
                case .byte(let b) where b == Self.fold(s[si], cased):
                    si += 1
                    ti += 1
                    continue
                default:
                    break
                }
            }
            guard starToken >= 0 else { return false }
            ti = starToken + 1
            starString += Self.sequenceLength(s, starString)
            si = starString
        }
        while ti < tokens.count && tokens[ti] == .star { ti += 1 }
        return ti == tokens.count
    }
}
