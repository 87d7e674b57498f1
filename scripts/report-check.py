#!/usr/bin/env python3
"""Opens an HTML report of `trailhound report` in headless chromium and checks it from the DOM.

    python3 scripts/report-check.py REPORT.html FINDINGS.jsonl     check a report against `scan --format jsonl`
    python3 scripts/report-check.py --self-test                    the checker must reject a page that misbehaves

Checks: the severity cards count what the JSON findings count, level by level, and every finding is listed when the
report lists them all; no element, attribute or URL came from the logs (no img/iframe/object/embed/textarea/svg
event handler, no on* attribute, no link leaving the page, one script: the report's own); no alert() ran; no console
message, uncaught exception or Content-Security-Policy violation; no network request but the file itself (the
browser also runs with a dead proxy and every host name unresolvable, so nothing could leave anyway); the copy
button's script runs under the page's policy.

Talks to chromium over the DevTools protocol with the small WebSocket client below (standard library only).
"""

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class DevTools:
    """A minimal WebSocket (RFC 6455) client for one DevTools target: text frames, client-masked."""

    def __init__(self, url):
        assert url.startswith("ws://")
        host_port, path = url[5:].split("/", 1)
        host, port = host_port.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            response += chunk
        if b" 101 " not in response.split(b"\r\n")[0]:
            raise RuntimeError(f"WebSocket handshake refused: {response[:200]!r}")
        self.buffer = response.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0
        self.events = []

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _frame(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0x9, 0xA):
                continue
            message += payload
            if b0 & 0x80:
                return json.loads(message)

    def send(self, method, **params):
        self.next_id += 1
        payload = json.dumps({"id": self.next_id, "method": method, "params": params}).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)
        while True:
            message = self._frame()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, timeout=60):
        deadline = time.time() + timeout
        for e in self.events:
            if e.get("method") == method:
                return e
        while time.time() < deadline:
            message = self._frame()
            self.events.append(message)
            if message.get("method") == method:
                return message
        raise RuntimeError(f"timed out waiting for {method}")

    def drain(self, seconds):
        self.sock.settimeout(0.2)
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                self.events.append(self._frame())
            except (socket.timeout, TimeoutError):
                pass
        self.sock.settimeout(30)


def start_browser(profile):
    args = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--metrics-recording-only", "--no-pings",
            # Nothing may leave: a dead proxy, and no host name resolves.
            "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"]
    browser = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + 60
    while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
        if time.time() > deadline or browser.poll() is not None:
            browser.kill()
            raise RuntimeError("chromium did not start")
        time.sleep(0.1)
    port = open(port_file).read().split()[0]
    return browser, port


def inspect(path):
    """Loads the page; returns (facts from the DOM, problems seen by the browser)."""
    profile = tempfile.mkdtemp(prefix="report-check-")
    browser, port = start_browser(profile)
    try:
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t.get("type") == "page")
        dt = DevTools(page["webSocketDebuggerUrl"])
        for domain in ("Page", "Runtime", "Log", "Network"):
            dt.send(f"{domain}.enable")
        # Any alert/confirm/prompt an injected script calls is recorded (CDP's script runs before the page's).
        dt.send("Page.addScriptToEvaluateOnNewDocument", source=(
            "window.__called=[];['alert','confirm','prompt','print'].forEach(function(n){"
            "window[n]=function(){window.__called.push(n+':'+Array.prototype.join.call(arguments,','));}});"))
        url = "file://" + os.path.abspath(path)
        dt.send("Page.navigate", url=url)
        dt.wait_for("Page.loadEventFired")
        dt.drain(1.0)
        facts = dt.send("Runtime.evaluate", returnByValue=True, expression=DOM_FACTS)["result"]["value"]
        # The copy button: its handler is the page's one script; if the policy blocked it, the label never changes.
        clicked = dt.send("Runtime.evaluate", returnByValue=True, awaitPromise=True, expression=(
            "new Promise(function(ok){var b=document.querySelector('button.copy');if(!b){ok('no button');return;}"
            "b.click();setTimeout(function(){ok(b.textContent);},300);})"))["result"]["value"]
        facts["copyLabel"] = clicked
        dt.drain(0.5)
        problems = []
        for e in dt.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled":
                problems.append(f"console.{params.get('type')}: "
                                + " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                problems.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                problems.append(f"log {entry.get('level')} ({entry.get('source')}): {entry.get('text')}")
            elif method == "Network.requestWillBeSent":
                requested = params.get("request", {}).get("url", "")
                if requested != url and not requested.startswith("data:"):
                    problems.append(f"network request: {requested}")
        return facts, problems
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


DOM_FACTS = r"""(function(){
  var cards={};document.querySelectorAll('#cards .card').forEach(function(c){cards[c.dataset.level]=+c.dataset.count;});
  var handlers=[];document.querySelectorAll('*').forEach(function(el){for(var i=0;i<el.attributes.length;i++){
    var a=el.attributes[i].name.toLowerCase();if(a.indexOf('on')===0)handlers.push(el.tagName+'['+a+']');}});
  var links=[];document.querySelectorAll('[href],[src],[action],[formaction]').forEach(function(el){
    ['href','src','action','formaction'].forEach(function(a){var v=el.getAttribute(a);if(v!==null&&v.charAt(0)!=='#')links.push(el.tagName+' '+a+'='+v);});});
  return {cards:cards,total:+document.getElementById('cards').dataset.total,
    findings:document.querySelectorAll('details.finding').length,
    identities:+document.getElementById('identity-count').dataset.count,
    identitySections:document.querySelectorAll('details.identity').length,
    moreIdentities:!!document.getElementById('identities-more'),
    scripts:document.scripts.length,
    injected:Array.prototype.map.call(document.querySelectorAll('img,iframe,object,embed,textarea,form,input,base,link,meta[http-equiv=refresh],video,audio,svg foreignObject,svg script,svg a'),function(e){return e.tagName;}),
    handlers:handlers,links:links,called:window.__called||[],
    bidi:/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/.test(document.documentElement.textContent+document.title),
    svgs:document.querySelectorAll('svg.timeline').length+document.querySelectorAll('svg.lineage').length,
    csp:(document.querySelector('meta[http-equiv="Content-Security-Policy"]')||{}).content||''};
})()"""


def check(report, findings_path):
    findings = [json.loads(line) for line in open(findings_path) if line.strip()]
    levels = {}
    for f in findings:
        levels[f["rule"]["level"]] = levels.get(f["rule"]["level"], 0) + 1
    facts, problems = inspect(report)
    errors = list(problems)
    for level in ("critical", "high", "medium", "low", "informational"):
        if facts["cards"].get(level) != levels.get(level, 0):
            errors.append(f"card {level}: {facts['cards'].get(level)} in the page, {levels.get(level, 0)} in the JSON")
    if facts["total"] != len(findings):
        errors.append(f"total: {facts['total']} in the page, {len(findings)} in the JSON")
    if not facts["moreIdentities"] and facts["findings"] != len(findings):
        errors.append(f"{facts['findings']} findings listed, {len(findings)} in the JSON")
    if facts["identitySections"] == 0 and findings:
        errors.append("no identity section")
    if facts["scripts"] != 1:
        errors.append(f"{facts['scripts']} script elements (the report has one)")
    for what in ("injected", "handlers", "links", "called"):
        if facts[what]:
            errors.append(f"{what}: {facts[what][:10]}")
    if facts["bidi"]:
        errors.append("a bidirectional control character reached the page's text")
    if "default-src 'none'" not in facts["csp"]:
        errors.append(f"no default-src 'none' policy: {facts['csp']!r}")
    if facts["copyLabel"] not in ("Copied", "Select and copy") and findings:
        errors.append(f"the copy button did not run its script (label {facts['copyLabel']!r})")
    return facts, errors


BROKEN = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src http:"><title>x‮gnp.exe</title></head><body>
<div class="cards" id="cards" data-total="1"><div class="card" data-level="high" data-count="1"></div></div>
<span id="identity-count" data-count="1"></span><details class="identity"></details>
<img src="http://example.invalid/x.png" onerror="alert(1)"><script>alert(2)</script>
</body></html>"""


def self_test():
    with tempfile.TemporaryDirectory() as d:
        page = os.path.join(d, "broken.html")
        jsonl = os.path.join(d, "findings.jsonl")
        open(page, "w").write(BROKEN)
        open(jsonl, "w").write(json.dumps({"rule": {"level": "high"}}) + "\n")
        _, errors = check(page, jsonl)
    wanted = ["injected", "handlers", "links", "network request", "Content Security Policy", "bidirectional"]
    missed = [w for w in wanted if not any(w.lower() in e.lower() for e in errors)]
    if missed:
        print(f"report-check self-test: the checker missed {missed} on a broken page; it said: {errors}", file=sys.stderr)
        return 1
    print(f"report-check self-test: a broken page is rejected ({len(errors)} problems found)")
    return 0


def main():
    if not CHROMIUM:
        print("report-check: chromium not found (scripts/setup installs it when CI=true)", file=sys.stderr)
        return 2
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    facts, errors = check(sys.argv[1], sys.argv[2])
    if errors:
        for e in errors:
            print(f"report-check: {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    print(f"report-check: {sys.argv[1]}: ok: {facts['total']} findings ({facts['cards']}), {facts['identities']} identities, "
          f"{facts['svgs']} pictures, one script, no injected element, no console message, no network request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
