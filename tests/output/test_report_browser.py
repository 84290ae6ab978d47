"""The review page in a real browser: headless Chromium loads the report of two machines
and what it shows is read back from the page it built (its DOM after the load).

The report itself has no script; a copy of it gets one that, once the page has loaded,
writes every image's decoded size into the page, so the DOM dump says whether the
embedded charts really decode. Skipped, with the reason, where no Chromium is installed
(Debian: ``apt-get install -y chromium``).
"""
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

import crafted_machines as cm
from bench.cli import main as cli

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PROBE = """<pre id="bench-probe"></pre><script>
window.addEventListener("load", function () {
  document.getElementById("bench-probe").textContent = Array.from(document.images)
    .map(function (i) { return i.naturalWidth + "x" + i.naturalHeight; }).join(" ");
});
</script></body>"""


def browser() -> str | None:
    found = os.environ.get("BENCH_BROWSER") or next(filter(None, map(shutil.which, BROWSERS)), None)
    return found


class Page(HTMLParser):
    """The text of the page, its tables (rows of cell texts) and its images."""

    def __init__(self):
        super().__init__()
        self.text, self.tables, self.images, self.probe = [], [], [], ""
        self._cell = self._row = None
        self._in_probe = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "pre" and attrs.get("id") == "bench-probe":
            self._in_probe = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag == "pre":
            self._in_probe = False

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._in_probe:
            self.probe += data


@pytest.mark.e2e
def test_the_review_page_shows_the_machines_answers_side_by_side(tmp_path):
    exe = browser()
    if exe is None:
        pytest.skip("no headless browser to load the review page in: install Chromium "
                    "(Debian: apt-get install -y chromium) or set BENCH_BROWSER")
    small = cm.exhaustive(tmp_path / "small.json", {"serial": {1: 1000}, "threads": {2: 1500},
                                                    "processes-chunked": {1: 950, 2: 1900, 4: 1950}},
                          cpus=2, capacity=1.9, count=100)
    big = cm.raced(tmp_path / "big.json", {("threads", 8): 1.3, ("processes-chunked", 4): 3.7,
                                           ("processes-chunked", 8): 7.1}, serial_rate=1000)
    out = tmp_path / "p"
    assert cli.main(["report", small, big, "--plots-dir", str(out)]) == 0
    page = (out / "report-small-vs-big.html").read_text()
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE, 1))
    proc = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", probed.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = Page()
    dom.feed(proc.stdout)
    text = " ".join(" ".join(dom.text).split())
    assert "bench report - 2 runs compared" in text
    assert "Answers of 2 runs side by side" in text and "Each run on its own" in text
    # the machines, and every machine's pick for the one answer both measured
    machines = next(t for t in dom.tables if t and t[0][:4] == ["machine", "host", "CPUs", "capacity"])
    assert [row[:3] for row in machines[1:]] == [["A", "small", "2"], ["B", "big", "8"]]
    answers = next(t for t in dom.tables if t and t[0][:3] == ["machine", "images", "pick"])
    assert answers[1][:3] == ["A", "100", "processes-chunked w=4 chunk=auto (25) fork"]
    assert answers[2][:3] == ["B", "400", "processes-chunked w=8 chunk=auto (50) fork"]
    assert answers[2][answers[0].index("workers fit")] == "16 (CPU 16, RAM not measured)"
    ratios = next(t for t in dom.tables if t and t[0][:2] == ["machine", "img/s vs A"])
    assert ratios[1][:3] == ["B", "3.64x faster", "significant (Welch t-test)"]
    # every chart embedded and decoded by the browser: the comparison's, then each run's
    assert dom.images and all(img["src"].startswith("data:image/png;base64,") for img in dom.images)
    assert dom.images[0]["alt"] == "imwrite on every machine"
    sizes = dom.probe.split()
    assert len(sizes) == len(dom.images)
    for size in sizes:
        w, h = map(int, size.split("x"))
        assert w > 500 and h > 300, sizes
    assert not re.search(r'(src|href)="(https?:|//)', page)     # nothing fetched from outside
