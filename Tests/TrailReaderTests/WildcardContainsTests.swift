import Testing

@testable import TrailReader

/// `*literal*` patterns take the sixteen-bytes-at-a-time search; it must answer as the general matcher does, for
/// either case rule, at every length around the block size, with the bytes whose bit 0x20 is their only difference
/// (`@` and a back-quote, `[` and `{`) and with UTF-8 beyond ASCII.
@Suite struct WildcardContainsTests {
    @Test func containsAnswersAsTheGeneralMatcher() {
        let alphabet: [[UInt8]] = [[0x61], [0x41], [0x62], [0x42], [0x40], [0x60], [0x5B], [0x7B], [0x20], [0x2F], [0xC3, 0xA9], [0xE2, 0x80, 0xAE]]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(n))
        }
        var checked = 0
        var matched = 0
        for _ in 0..<20_000 {
            var needle: [UInt8] = []
            for _ in 0..<(1 + next(4)) { needle += alphabet[next(alphabet.count)] }
            var haystack: [UInt8] = []
            for _ in 0..<next(70) { haystack += alphabet[next(alphabet.count)] }
            if next(3) == 0 {
                // Plant the needle (in another case, half the time) somewhere, often past the first block.
                let at = next(haystack.count + 1)
                let planted = next(2) == 0 ? needle : needle.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
                haystack.insert(contentsOf: planted, at: at)
            }
            for cased in [false, true] {
                let pattern = WildcardPattern("*" + String(decoding: needle, as: UTF8.self) + "*", cased: cased)
                let fast = haystack.withUnsafeBytes { pattern.matches($0) }
                let general = haystack.withUnsafeBytes { pattern.general($0) }
                #expect(fast == general, "\(needle) in \(haystack), cased \(cased)")
                checked += 1
                if fast { matched += 1 }
            }
        }
        #expect(matched > 2_000 && matched < checked - 2_000)
    }
}
