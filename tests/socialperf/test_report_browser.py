"""The HTML report in a real browser (headless Chromium): tables sort and filter, every
image loads, one header row per table, no console errors.

Skipped when no Chromium is installed (Debian: ``apt-get install chromium``). The page is
the demo report with a probe script appended that clicks a header twice, types in a
filter box and records what the page shows; ``--dump-dom`` returns the DOM after it ran.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from socialperf.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")

PROBE = """<script>
window.addEventListener("load", function () {
  var out = {};
  function col(t, i) {
    return Array.prototype.map.call(t.tBodies[0].rows, function (r) {
      return r.cells[i].textContent; });
  }
  var t = document.getElementById("t-mfi_scores");
  var heads = Array.prototype.map.call(t.tHead.rows[0].cells, function (c) {
    return c.textContent; });
  var j = heads.indexOf("equal");
  out.before = col(t, j);
  t.tHead.rows[0].cells[j].click(); out.asc = col(t, j);
  t.tHead.rows[0].cells[j].click(); out.desc = col(t, j);
  out.ids = col(t, 0);
  var f = t.parentNode.previousElementSibling;
  out.filterIsInput = f.tagName === "INPUT";
  f.value = out.ids[0]; f.dispatchEvent(new Event("input"));
  out.visible = Array.prototype.filter.call(t.tBodies[0].rows, function (r) {
    return r.style.display !== "none"; }).length;
  out.images = Array.prototype.map.call(document.images, function (i) {
    return i.complete && i.naturalWidth > 0; });
  out.headerRows = Array.prototype.map.call(document.querySelectorAll("table.data"),
    function (x) { return x.tHead.rows.length; });
  var p = document.createElement("pre"); p.id = "probe";
  p.textContent = JSON.stringify(out); document.body.appendChild(p);
});
</script>"""


def _numbers(cells):
    return [float(c.replace(",", "")) for c in cells if c.strip()]


def test_demo_report_in_headless_chromium(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["demo", "--no-sensitivity", "--out", str(out)]) == 0
    capsys.readouterr()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page.split("<body>")[0]
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
         "--v=0", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=180,
    )
    match = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert match, proc.stderr[-2000:]
    res = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    asc, desc = _numbers(res["asc"]), _numbers(res["desc"])
    assert len(asc) > 5 and asc == sorted(asc) and desc == sorted(desc, reverse=True)
    assert res["asc"][-1].strip() == "" or len(asc) == len(res["asc"])  # blanks sort last
    assert sorted(_numbers(res["before"])) == asc
    assert res["filterIsInput"] and res["visible"] >= 1
    assert res["images"] and all(res["images"])  # every figure loads
    assert set(res["headerRows"]) == {1}
    errors = [ln for ln in proc.stderr.splitlines()
              if "CONSOLE" in ln and ("Uncaught" in ln or "Error" in ln)]
    assert not errors, errors
