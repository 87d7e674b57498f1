import Foundation
import Testing
import TrailDetect
import TrailReport

/// Every value in the report is attacker-chosen log text: none may become markup, script, a URL or reordered text.
@Suite struct ReportSafetyTests {
    static let hostile = [
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", "javascript:alert(3)",
        "</textarea><svg onload=alert(4)>", "invoice\u{202E}gnp.exe", String(repeating: "L", count: 5000),
        "'><iframe src=//evil.example/x>", "</title></style><script>alert(5)</script>",
    ]

    @Test(arguments: hostile) func theEscaperLeavesNothingActive(_ value: String) {
        let escaped = HTML.escape(value)
        for c in ["<", ">", "\"", "'", "\u{202E}"] { #expect(!escaped.contains(c)) }
        #expect(escaped.count <= HTML.maxValue + 40)
        let inText: HTML = "<p title=\"\(value)\">\(value)</p>"
        #expect(inText.markup.occurrences(of: "<") == 2)
        let label: HTML = "<text>\(value, cut: 30)</text>"
        #expect(label.markup.occurrences(of: "<") == 2)
    }

    @Test func aReportOfHostileLogsHasNoElementOrScriptOfTheirs() throws {
        let dir = try hostileLogs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (report, page) = report([dir])
        // The logs fire rules: the values reach the page (escaped), they are not simply missing.
        #expect(report.findings.count >= 5)
        #expect(page.contains("&lt;/title&gt;&lt;/style&gt;&lt;script&gt;alert(5)&lt;/script&gt;"))
        #expect(page.contains("/&lt;img src=x onerror=alert(6)&gt;/AWSLogs/"))
        #expect(page.contains("&#39;&gt;&lt;iframe src=//evil.example/x&gt;"))
        #expect(page.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
        #expect(page.contains("invoice\\u{202e}gnp.exe"))
        #expect(page.contains("more characters)"))
        // Nothing of theirs is an element, an attribute, a URL or a bidi override.
        let lower = page.lowercased()
        #expect(lower.occurrences(of: "<script") == 1)
        for bad in ["<img", "<iframe", "<svg onload", "</textarea", "<textarea", "</title></style>", "\u{202E}"] {
            #expect(!lower.contains(bad), "\(bad) in the page")
        }
        #expect(!page.contains(String(repeating: "L", count: HTML.maxValue + 1)))
        let urls = try Regex(#"(?i)(href|src|action|xlink:href)\s*=\s*"([^"]*)""#)
        for m in page.matches(of: urls) {
            let url = String(m.output[2].substring ?? "")
            #expect(url.hasPrefix("#"), "a URL that is not a link inside the page: \(url)")
        }
        // Every finding is listed, and each attribute value is closed where the page's markup closes it.
        #expect(page.occurrences(of: "<details class=\"finding\"") == report.findings.count)
        #expect(page.occurrences(of: "<title>") == page.occurrences(of: "</title>"))
    }

    @Test func thePolicyAllowsOnlyThePagesOwnStyleAndScript() throws {
        let (_, page) = report([repository.appendingPathComponent("Fixtures/logs").path])
        let csp = try #require(page.firstMatch(of: try Regex(#"http-equiv="Content-Security-Policy" content="([^"]*)""#)))
        let policy = String(csp.output[1].substring ?? "").replacingOccurrences(of: "&#39;", with: "'")
        #expect(policy.hasPrefix("default-src 'none';"))
        #expect(!policy.contains("unsafe-inline") && !policy.contains("http") && !policy.contains("*"))
        // The hashes are those of the one style element and the one script element the page holds.
        let style = try #require(page.firstMatch(of: try Regex(#"(?s)<style>(.*?)</style>"#)))
        let script = try #require(page.firstMatch(of: try Regex(#"(?s)<script>(.*?)</script>"#)))
        #expect(policy.contains("style-src " + sha256(String(style.output[1].substring ?? ""))))
        #expect(policy.contains("script-src " + sha256(String(script.output[1].substring ?? ""))))
        #expect(page.occurrences(of: "<style") == 1)
        #expect(!page.contains(" style=\""))
    }
}

import Crypto

func sha256(_ s: String) -> String {
    "'sha256-" + Data(SHA256.hash(data: Data(s.utf8))).base64EncodedString() + "'"
}
