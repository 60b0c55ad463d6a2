#!/usr/bin/env bash
# `tocsin scan --format html` and `tocsin hunt --format html` opened in a real browser (Debian chromium, headless): the DOM it
# builds has one section per file, one article per finding (as many as the JSON report has),
# source excerpts with the range marked; a file with hostile bytes in its name and content shows
# them escaped; the page requests nothing (no http(s) src/href in the HTML, a CSP that forbids
# loads, and chromium's network log, run behind a proxy on a closed loopback port, holds no
# request other than the file itself). A screenshot goes to the build tree (scan-report.png).
# hunt: a lab recording of the docker cp race (race-to.raw): coverage rows for every rule, a
# table of copies per user with one row per AU001 and its verdict links, the SVG timeline with a
# mark per timed alert linking to it, one row per alert (as many as --format json has), no
# request; screenshot hunt-report.png.
set -euo pipefail
bin="$1"
build=$(cd "$(dirname "$bin")" && pwd)
chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
  if [ "${CI:-}" = true ]; then echo "FAIL: chromium missing (scripts/install-deps installs it)"; exit 1; fi
  echo "SKIP: chromium not installed (scripts/install-deps installs it)"; exit 0
fi
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
hdir="$out/$(printf 'evil\033]0;x\007<b>&')"
mkdir -p "$hdir"
printf 'FROM alpine\nCOPY app /app\nRUN chmod 755 /app/x\001\033[2J</pre><script>alert(1)</script>\n' > "$hdir/Dockerfile"
rc=0; "$bin" scan --no-progress --format html -o "$out/report.html" examples "$hdir/Dockerfile" || rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: scan exited $rc, want 1"; exit 1; }
rc=0; "$bin" scan --no-progress --format json -o "$out/report.json" examples "$hdir/Dockerfile" || rc=$?
cp "$out/report.html" "$build/scan-report.html"
# No resource from the network in the markup.
if grep -Eiq "(src|href)[[:space:]]*=[[:space:]]*[\"']?[[:space:]]*(https?:)?//|url\(|<script|<link|<img|<iframe" "$out/report.html"; then
  echo "FAIL: the HTML references an external resource or carries a script:"
  grep -Eio "(src|href)[[:space:]]*=[[:space:]]*[\"']?[[:space:]]*(https?:)?//[^\"' >]*|url\([^)]*\)|<script[^>]*>|<link[^>]*>|<img[^>]*>|<iframe[^>]*>" "$out/report.html" | head
  exit 1
fi
flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-extensions --disable-background-networking
       --disable-component-update --disable-sync --proxy-server=127.0.0.1:9 --user-data-dir="$out/profile")
browse() {  # browse NAME: report NAME.html → NAME.dom.html, NAME.net.json, build/NAME-report.png
  timeout 120 "$chromium" "${flags[@]}" --log-net-log="$out/$1.net.json" --dump-dom "file://$out/$1.html" \
    > "$out/$1.dom.html" 2>>"$out/chromium.err" || { echo "FAIL: chromium --dump-dom $1"; tail -5 "$out/chromium.err"; exit 1; }
  timeout 120 "$chromium" "${flags[@]}" --window-size=1280,1600 --screenshot="$build/$1-report.png" \
    "file://$out/$1.html" 2>>"$out/chromium.err" >/dev/null || { echo "FAIL: chromium --screenshot $1"; exit 1; }
  [ -s "$build/$1-report.png" ] || { echo "FAIL: no screenshot for $1"; exit 1; }
}
mv "$out/report.html" "$out/scan.html"
browse scan
"$bin" hunt --quiet --fail-on none --format html -o "$out/hunt.html" tests/e2e/recordings/race-to.raw.log.gz
"$bin" hunt --quiet --fail-on none --format json -o "$out/hunt.json" tests/e2e/recordings/race-to.raw.log.gz
cp "$out/hunt.html" "$build/hunt-report.html"
if grep -Eiq "(src|href)[[:space:]]*=[[:space:]]*[\"']?[[:space:]]*(https?:)?//|url\(|<script|<link|<img|<iframe" "$out/hunt.html"; then
  echo "FAIL: the hunt HTML references an external resource or carries a script"; exit 1
fi
browse hunt
python3 - "$out" <<'PY'
import json, re, sys
from html.parser import HTMLParser
out = sys.argv[1]
dom = open(f"{out}/scan.dom.html", encoding="utf-8").read()
rep = json.load(open(f"{out}/report.json"))
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.tags = []; s.stack = []; s.text = {}
    def handle_starttag(s, tag, attrs):
        a = dict(attrs); s.tags.append((tag, a))
fail = []
def check(c, m):
    if not c: fail.append(m)
p = P(); p.feed(dom)
arts = [a for t, a in p.tags if t == "article" and "finding" in (a.get("class") or "")]
files = [a for t, a in p.tags if t == "section" and a.get("class") == "file"]
check(len(arts) == len(rep["findings"]) and arts, f"{len(arts)} finding articles, JSON has {len(rep['findings'])}")
check(len(files) == len({f['file'] for f in rep["findings"]}), f"{len(files)} file sections")
check(sorted(a["data-rule"] for a in arts) == sorted(f["rule"] for f in rep["findings"]), "rules of the articles differ")
check(sum(1 for t, _ in p.tags if t == "mark") >= len(arts) - 2, "ranges not marked in the excerpts")
check(sum(1 for t, a in p.tags if t == "pre") >= len(arts) - 2, "no source excerpts")
check(not any(t in ("script", "img", "iframe", "link") for t, _ in p.tags), "script/img/iframe/link in the DOM")
check("\x1b" not in dom and "\x01" not in dom, "raw control bytes in the DOM")
check("evil\\x1b]0;x\\x07&lt;b&gt;&amp;" in dom, "the hostile file name is not shown escaped")
check("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in dom, "the hostile source line is not shown escaped")
check(any(a.get("id") == "summary" for t, a in p.tags), "no summary")
# The network log: every request the page made. The browser's own background requests
# (update checks, accounts) carry the initiator "not an origin"; a request from a file://
# page carries "null" (checked by hand: an <img src=http://…> in a page shows up so).
def page_requests(name):
    events = json.load(open(f"{out}/{name}.net.json", encoding="utf-8", errors="replace"))["events"]
    return {e["params"]["url"] for e in events
            if "url" in e.get("params", {}) and e["params"].get("initiator") not in (None, "not an origin")}
urls = page_requests("scan") | page_requests("hunt")
bad = [u for u in urls if not u.startswith(("file://", "data:"))]
check(not bad, f"the pages made requests: {bad[:5]}")
# hunt
hdom = open(f"{out}/hunt.dom.html", encoding="utf-8").read()
hj = json.load(open(f"{out}/hunt.json"))
h = P(); h.feed(hdom)
rows = [a for t, a in h.tags if t == "tr" and a.get("class") == "alert"]
check(len(rows) == len(hj["alerts"]) and rows, f"hunt: {len(rows)} alert rows, json has {len(hj['alerts'])}")
check([a["data-rule"] for a in rows] == [a["rule"] for a in hj["alerts"]], "hunt: alert rows not in report order")
copies = [a for t, a in h.tags if t == "tr" and a.get("class") == "copy"]
check(len(copies) == sum(1 for a in hj["alerts"] if a["rule"] == "AU001"), f"hunt: {len(copies)} copy rows")
cov = [a["data-rule"] for t, a in h.tags if t == "tr" and a.get("class") == "coverage"]
check(cov == list(hj["coverage"]["rules"]), f"hunt: coverage rows {cov}")
check(any(t == "svg" and a.get("id") == "timeline" for t, a in h.tags), "hunt: no timeline svg")
marks = [a for t, a in h.tags if t in ("rect", "circle") and "mark" in (a.get("class") or "")]
check(len(marks) == sum(1 for a in hj["alerts"] if a["time"]), f"hunt: {len(marks)} timeline marks")
check(sum(1 for a in marks if "race" in a["class"]) == sum(1 for a in hj["alerts"] if a["rule"] in ("AU003", "AU004", "AU005")),
      "hunt: won races not all marked")
ids = {a.get("id") for t, a in h.tags}
links = [a["href"] for t, a in h.tags if t == "a" and a.get("href", "").startswith("#alert-")]
check(links and all(l[1:] in ids for l in links), "hunt: links to alerts that do not exist")
if fail:
    print("\n".join("FAIL: " + m for m in fail)); sys.exit(1)
print(f"ok: scan {len(arts)} findings in {len(files)} file sections; hunt {len(rows)} alerts, {len(copies)} copies, "
      f"{len(marks)} timeline marks; rendered by chromium; page requests: {sorted(urls)[:3] or 'none'}")
PY
echo "screenshots: $build/scan-report.png $build/hunt-report.png"
