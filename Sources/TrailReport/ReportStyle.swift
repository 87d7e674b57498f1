import Crypto
import Foundation

/// The page's one style sheet and one script, both fixed text of the report (no log value), allowed by their
/// SHA-256 hashes in the Content-Security-Policy, which forbids everything else: no remote load of any kind, no
/// other script, no inline `style` attribute, no form, no base URL.
enum ReportStyle {
    static let css = """
        :root{--crit:#8b0000;--high:#c2410c;--med:#a16207;--low:#1d4ed8;--info:#475569;--ok:#15803d;--line:#d4d4d8}
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1180px;padding:16px 24px;color:#18181b;background:#fafafa}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
        h3{font-size:15px;margin:16px 0 6px}.meta{color:#52525b;margin:0 0 12px}
        .cards{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0}
        .card{border-radius:8px;padding:10px 16px;min-width:110px;color:#fff;background:var(--info)}
        .card .n{font-size:28px;font-weight:700;display:block}.card.zero{opacity:.35}
        .critical{background:var(--crit)}.high{background:var(--high)}.medium{background:var(--med)}.low{background:var(--low)}.informational{background:var(--info)}
        .facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}.facts dt{font-weight:600;color:#3f3f46}.facts dd{margin:0}
        .badge{display:inline-block;border-radius:4px;padding:0 6px;color:#fff;font-size:12px;font-weight:600;text-transform:uppercase}
        ol.verdicts{padding-left:24px}ol.verdicts li{margin:3px 0}.contained{color:var(--ok);font-weight:600}
        details{background:#fff;border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:6px 10px}
        details>summary{cursor:pointer;font-weight:600}
        pre{background:#18181b;color:#f4f4f5;padding:10px;border-radius:6px;overflow:auto;max-height:420px;white-space:pre;font-size:12px}
        code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;overflow-wrap:anywhere}
        table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;font-size:12px}
        td{overflow-wrap:anywhere}button.copy{float:right;margin:4px 0}.more{color:#52525b;font-style:italic}
        svg{background:#fff;border:1px solid var(--line);border-radius:6px;max-width:100%;height:auto;display:block;margin:6px 0}
        svg text{font:11px system-ui,sans-serif;fill:#18181b}svg .axis{fill:#52525b}
        svg .bar{fill:#93c5fd}svg .node{fill:#f4f4f5;stroke:#71717a}svg .node.hit{stroke-width:2}
        svg .edge{fill:none;stroke:#a1a1aa}svg .cont{stroke:var(--ok);stroke-dasharray:4 3}svg text.cont{fill:var(--ok)}
        svg .f-critical{fill:var(--crit);stroke:var(--crit)}svg .f-high{fill:var(--high);stroke:var(--high)}svg .f-medium{fill:var(--med);stroke:var(--med)}
        svg .f-low{fill:var(--low);stroke:var(--low)}svg .f-informational{fill:var(--info);stroke:var(--info)}
        svg .node.f-critical,svg .node.f-high,svg .node.f-medium,svg .node.f-low,svg .node.f-informational{fill:#fff}
        @media print{details{break-inside:avoid}pre{max-height:none;white-space:pre-wrap}}
        """

    /// The copy buttons: each names (in `data-for`) the id of the `<pre>` it copies; ids are the report's own.
    static let script = """
        document.addEventListener('click',function(e){var b=e.target.closest?e.target.closest('button.copy'):null;if(!b)return;
        var pre=document.getElementById(b.getAttribute('data-for'));if(!pre)return;var text=pre.textContent;
        function done(){b.textContent='Copied';setTimeout(function(){b.textContent='Copy'},1500);}
        function fallback(){var r=document.createRange();r.selectNodeContents(pre);var s=window.getSelection();s.removeAllRanges();s.addRange(r);
        try{document.execCommand('copy');done();}catch(x){b.textContent='Select and copy';}}
        if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(text).then(done,fallback);}else{fallback();}});
        """

    /// `'sha256-…'` of a style or script element's exact content, as CSP source lists want it.
    static func hash(_ content: String) -> String {
        "'sha256-" + Data(SHA256.hash(data: Data(content.utf8))).base64EncodedString() + "'"
    }

    /// The page's policy: nothing from anywhere, except the style sheet and the script above (by hash) and `data:`
    /// images (none is used today; SVG is inline markup).
    static var contentSecurityPolicy: String {
        "default-src 'none'; style-src \(hash(css)); script-src \(hash(script)); img-src data:; "
            + "base-uri 'none'; form-action 'none'; frame-src 'none'; connect-src 'none'"
    }
}
