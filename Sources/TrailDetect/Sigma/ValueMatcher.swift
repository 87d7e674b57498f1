import Foundation
import TrailReader

#if canImport(Glibc)
    import Glibc
#endif

/// One value of a Sigma detection item with its modifiers applied, matched against the bytes of a field value.
enum ValueMatcher: Sendable {
    case pattern(WildcardPattern)
    case regex(RegexBox)
    case cidr(CIDRBlock)
    case compare(Comparison, Double)
    /// A part of a timestamp (`hour`, `day`, …: Sigma's time modifiers) equal to the number.
    case timePart(TimePart, Int)

    enum Comparison: String, Sendable {
        case lt, lte, gt, gte
    }

    /// The parts of a UTC timestamp Sigma's time modifiers take: `week` is the ISO 8601 week (1–53).
    enum TimePart: String, Sendable, CaseIterable {
        case minute, hour, day, week, month, year

        func value(of seconds: Int64) -> Int {
            var t = time_t(seconds)
            var parts = tm()
            gmtime_r(&t, &parts)
            switch self {
            case .minute: return Int(parts.tm_min)
            case .hour: return Int(parts.tm_hour)
            case .day: return Int(parts.tm_mday)
            case .month: return Int(parts.tm_mon) + 1
            case .year: return Int(parts.tm_year) + 1900
            case .week:
                // ISO 8601: weeks start on Monday; week 1 holds the year's first Thursday.
                let weekday = (Int(parts.tm_wday) + 6) % 7  // Monday 0
                let yday = Int(parts.tm_yday)
                let week = (yday - weekday + 10) / 7
                if week < 1 {
                    // The last week of the previous year.
                    return TimePart.week.value(of: seconds - Int64(yday + 1) * 86_400)
                }
                let year = Int(parts.tm_year) + 1900
                let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
                let daysInYear = leap ? 366 : 365
                // Week 53 exists only when the year ends on Thursday (or Friday in a leap year): else it is week 1.
                if week == 53 && (yday - weekday) > daysInYear - 4 { return 1 }
                return week
            }
        }
    }

    /// A decimal number as Sigma's `gt`/`lt`/`gte`/`lte` compare it: an optional sign, digits with an optional
    /// fraction, an optional exponent. Not hexadecimal, not `inf` or `nan` (which `Double(_:)` would take).
    static func decimal(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var k = 0
        let n = bytes.count
        if k < n && (bytes[k] == 0x2D || bytes[k] == 0x2B) { k += 1 }
        var digits = 0
        while k < n && bytes[k] >= 0x30 && bytes[k] <= 0x39 { k += 1; digits += 1 }
        if k < n && bytes[k] == 0x2E {
            k += 1
            var fraction = 0
            while k < n && bytes[k] >= 0x30 && bytes[k] <= 0x39 { k += 1; fraction += 1 }
            guard fraction > 0 else { return nil }
            digits += fraction
        }
        guard digits > 0 else { return nil }
        if k < n && (bytes[k] == 0x65 || bytes[k] == 0x45) {
            k += 1
            if k < n && (bytes[k] == 0x2D || bytes[k] == 0x2B) { k += 1 }
            var exponent = 0
            while k < n && bytes[k] >= 0x30 && bytes[k] <= 0x39 { k += 1; exponent += 1 }
            guard exponent > 0 else { return nil }
        }
        guard k == n, let v = Double(String(decoding: bytes, as: UTF8.self)), v.isFinite else { return nil }
        return v
    }

    static func decimal(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { decimal(UnsafeRawBufferPointer($0)) }
    }

    func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .pattern(let p):
            return p.matches(bytes)
        case .regex(let r):
            return r.matches(bytes)
        case .cidr(let block):
            return block.contains(String(decoding: bytes, as: UTF8.self))
        case .compare(let op, let limit):
            guard let v = Self.decimal(bytes) else { return false }
            switch op {
            case .lt: return v < limit
            case .lte: return v <= limit
            case .gt: return v > limit
            case .gte: return v >= limit
            }
        case .timePart(let part, let expected):
            guard let seconds = Timestamp.parse(bytes) else { return false }
            return part.value(of: seconds) == expected
        }
    }
}

/// A rule's regular expression, with a time budget per match: a foreign rule with a catastrophic pattern (nested
/// quantifiers) cannot hang a scan. A match that runs out of time counts as no match and is counted, so the scan can
/// warn about the rule; after `maxTimeouts` the expression is no longer run at all. NSRegularExpression is immutable
/// once made, so one box serves every thread; the counter is locked.
final class RegexBox: @unchecked Sendable {
    let regex: NSRegularExpression
    let pattern: String
    /// Literal runs every match contains, as `*literal*` patterns, checked before the regular expression runs.
    let requiredLiterals: [WildcardPattern]
    /// Nanoseconds one match may take.
    static let budget: UInt64 = 100_000_000
    static let maxTimeouts = 3
    private let lock = NSLock()
    private var timeoutCount = 0

    var timeouts: Int {
        lock.lock()
        defer { lock.unlock() }
        return timeoutCount
    }

    func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // Cheap first: a literal every match must contain (Foundation's regex bridges each value to UTF-16).
        for literal in requiredLiterals where !literal.matches(bytes) { return false }
        if timeouts >= Self.maxTimeouts { return false }
        let text = String(decoding: bytes, as: UTF8.self)
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.budget
        var found = false
        var expired = false
        // `reportProgress` makes the engine call back during long matches, which is where the budget is enforced.
        regex.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(text.startIndex..., in: text)) {
            match, _, stop in
            if match != nil {
                found = true
                stop.pointee = true
            } else if DispatchTime.now().uptimeNanoseconds > deadline {
                expired = true
                stop.pointee = true
            }
        }
        if expired && !found {
            lock.lock()
            timeoutCount += 1
            lock.unlock()
        }
        return found
    }

    init(_ regex: NSRegularExpression, pattern: String, caseInsensitive: Bool) {
        self.regex = regex
        self.pattern = pattern
        requiredLiterals = Self.literals(in: pattern).filter { $0.count >= 3 }.map {
            WildcardPattern(tokens: $0.map { .byte(caseInsensitive && $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) }, cased: !caseInsensitive)
                .anchored(leadingStar: true, trailingStar: true)
        }
    }

    /// Runs of plain characters at the top level of a pattern that any match must contain. Conservative: a pattern
    /// with alternation, or anything this does not understand, yields none.
    static func literals(in pattern: String) -> [[UInt8]] {
        let p = Array(pattern.utf8)
        // Inline options such as `(?i)` change what a literal means: take nothing from such patterns.
        if pattern.contains("(?") { return [] }
        var runs: [[UInt8]] = []
        var run: [UInt8] = []
        var depth = 0
        var k = 0
        func flush() {
            if !run.isEmpty { runs.append(run) }
            run = []
        }
        while k < p.count {
            let c = p[k]
            let next: UInt8? = k + 1 < p.count ? p[k + 1] : nil
            let quantified = next.map { [0x2A, 0x2B, 0x3F, 0x7B].contains($0) } ?? false  // * + ? {
            switch c {
            case 0x7C:  // |: alternation, nothing is certain
                return []
            case 0x28:  // (
                flush()
                depth += 1
            case 0x29:  // )
                flush()
                depth -= 1
            case 0x5B:  // [: skip the class
                flush()
                while k < p.count && p[k] != 0x5D { k += p[k] == 0x5C ? 2 : 1 }
            case 0x5C:  // escapes: a letter or digit escape is a class or a back-reference; an escaped symbol is itself
                if let n = next, !((n >= 0x41 && n <= 0x5A) || (n >= 0x61 && n <= 0x7A) || (n >= 0x30 && n <= 0x39)),
                    depth == 0, !(k + 2 < p.count && [0x2A, 0x2B, 0x3F, 0x7B].contains(p[k + 2]))
                {
                    run.append(n)
                } else {
                    flush()
                }
                k += 1
            case 0x7B:  // {m,n}: a quantifier; its digits are not text
                flush()
                while k < p.count && p[k] != 0x7D { k += 1 }
            case 0x2E, 0x5E, 0x24, 0x2A, 0x2B, 0x3F, 0x7D:  // . ^ $ * + ? }
                flush()
            default:
                if depth > 0 || quantified {
                    flush()
                } else {
                    run.append(c)
                }
            }
            k += 1
        }
        flush()
        return depth == 0 ? runs : []
    }
}

/// An IPv4 or IPv6 network, for the `cidr` modifier.
struct CIDRBlock: Sendable {
    let network: [UInt8]
    let prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let address = Self.parse(String(parts[0])) else { return nil }
        let bits = address.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : bits
        guard let prefix, prefix >= 0, prefix <= bits else { return nil }
        network = address
        self.prefix = prefix
    }

    func contains(_ text: String) -> Bool {
        guard let address = Self.parse(text), address.count == network.count else { return false }
        var left = prefix
        for k in 0..<address.count where left > 0 {
            let take = min(8, left)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if address[k] & mask != network[k] & mask { return false }
            left -= take
        }
        return true
    }

    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

/// One `field|modifiers: values` item of a selection.
///
/// Values are compared with a field's scalars (strings decoded, numbers and booleans as written): an object is never
/// equal to a string or pattern (its text would depend on how the log was formatted), though it is present.
struct FieldTest: Sendable {
    enum Kind: Sendable {
        /// Any (or, with `all`, every) matcher matches some value; `orNull` also accepts an absent or null field.
        case values([ValueMatcher], all: Bool, orNull: Bool)
        /// `field: null`, or `field|exists: false`: no value, not even a JSON null.
        case absent
        /// `field|exists: true`: the field is in the event, whatever its value (a JSON null included, as the Sigma
        /// specification has it).
        case present
        /// `field: null`: absent, or a JSON null.
        case absentOrNull
        /// `field|fieldref: other` (or a list of fields, any of which may match), optionally with
        /// `contains`/`startswith`/`endswith`.
        case fieldref([RuleField], leadingStar: Bool, trailingStar: Bool, cased: Bool)
        /// A keyword detection: any scalar anywhere in the event matches one of the matchers.
        case keywords([ValueMatcher])
    }

    let field: RuleField
    let kind: Kind
    /// `neq`: the item holds when it would not.
    var negated = false

    /// The placeholder field of keyword detections (they read every field).
    static let anyField = RuleField.json(FieldPath("*")!)

    func matches(_ context: EventContext) -> Bool { negated != matchesPlain(context) }

    private func matchesPlain(_ context: EventContext) -> Bool {
        switch kind {
        case .absent:
            return !context.exists(field)
        case .present:
            return context.exists(field)
        case .absentOrNull:
            return !context.isPresent(field)
        case .values(let matchers, let all, let orNull):
            if orNull && !context.isPresent(field) { return true }
            if all {
                return matchers.allSatisfy { m in context.anyValue(field, scalars: true) { m.matches($0) } }
            }
            return context.anyValue(field, scalars: true) { bytes in matchers.contains { $0.matches(bytes) } }
        case .fieldref(let others, let leading, let trailing, let cased):
            let patterns = others.flatMap { other in
                context.scalarStrings(other).map {
                    WildcardPattern(tokens: Array($0.utf8).map { .byte(cased ? $0 : ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0)) }, cased: cased)
                        .anchored(leadingStar: leading, trailingStar: trailing)
                }
            }
            guard !patterns.isEmpty else { return false }
            return context.anyValue(field, scalars: true) { bytes in patterns.contains { $0.matches(bytes) } }
        case .keywords(let matchers):
            return context.anyScalar { bytes in matchers.contains { $0.matches(bytes) } }
        }
    }
}
