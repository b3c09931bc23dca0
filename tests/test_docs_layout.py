"""The docs as a reader sees them: the generated results page's layout, and (where Chromium is
installed) every table on the main pages fits its column at a laptop's 1,400 px window.

The browser tests build the site with ``mkdocs build --strict``, serve it on 127.0.0.1 and
load each page in headless Chromium with a measuring script added at the end of its body; the
script's findings come back through ``--dump-dom``. They are skipped, with the reason, where
Chromium or mkdocs is missing. ``python tests/test_docs_layout.py SITE_DIR`` prints the same
measurements for a site already built.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from kerasguide.app.report import markdown, table, text_table

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "docs" / "reproduce" / "results.json"
#: The pages checked in the browser: the results page, the home page, two how-tos with tables,
#: the command line's reference, two API pages with parameter tables and the getting-started
#: page (the compile options' table). (All 35 pages fitted when this test was written.)
PAGES = (
    "reproduce/index.html",
    "index.html",
    "how-to/tuning/index.html",
    "how-to/backends/index.html",
    "reference/cli/index.html",
    "reference/estimators/index.html",
    "reference/models/index.html",
    "getting-started/index.html",
)
WINDOW = (1400, 900)
MAX_ROADMAP_LINES = 3

# Runs after the theme's own scripts have laid the page out (a timer, which Chromium's virtual
# time budget lets fire before the DOM is dumped).
MEASURE_JS = """
<script>
window.addEventListener("load", () => setTimeout(() => {
  const article = document.querySelector("article").getBoundingClientRect();
  const found = [...document.querySelectorAll("article table")].map((table) => {
    let node = table.closest(".md-typeset__scrollwrap") || table;
    let heading = node.previousElementSibling;
    while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
    let lines = 0;
    for (const cell of table.querySelectorAll("tbody td")) {
      const style = getComputedStyle(cell);
      const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
      const height = cell.clientHeight - parseFloat(style.paddingTop)
        - parseFloat(style.paddingBottom);
      lines = Math.max(lines, Math.round(height / line));
    }
    const box = table.getBoundingClientRect();
    return {
      heading: heading ? heading.textContent.replace("¶", "").trim() : "",
      header: [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim()),
      width: Math.round(box.width), scroll_width: table.scrollWidth,
      client_width: table.clientWidth, right: Math.round(box.right),
      container: Math.round(article.width), container_right: Math.round(article.right),
      max_lines: lines,
    };
  });
  const out = document.createElement("pre");
  out.id = "layout-measure";
  out.textContent = JSON.stringify({viewport: window.innerWidth, tables: found});
  document.body.appendChild(out);
}, 300));
</script>
"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def measure(site: Path, pages=PAGES, window=WINDOW) -> dict[str, dict]:
    """Each page's tables as laid out by headless Chromium: widths, and rows' height in lines."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        shutil.copytree(site, root)
        for page in pages:
            path = root / page
            path.write_text(path.read_text().replace("</body>", MEASURE_JS + "</body>"))
        handler = functools.partial(QuietHandler, directory=str(root))
        with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            try:
                return {page: _dump(url + page, Path(tmp), window) for page in pages}
            finally:
                server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # one line per request would drown pytest's output
        pass


def _dump(url: str, tmp: Path, window: tuple[int, int]) -> dict:
    profile = tempfile.mkdtemp(dir=tmp)
    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}", f"--window-size={window[0]},{window[1]}",
        "--virtual-time-budget=5000", "--dump-dom", url,
    ]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    found = re.search(r'<pre id="layout-measure">(.*?)</pre>', dom, re.S)
    assert found, f"the measuring script did not run on {url}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


# --------------------------------------------------------------------------- without a browser
@pytest.fixture(scope="module")
def results_md() -> str:
    return markdown(json.loads(RESULTS.read_text()))


def _tables(text: str) -> list[list[list[str]]]:
    """The Markdown tables of ``text``, each as rows of cells (header first, rule dropped)."""
    tables, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            if not all(set(c) <= set("-:") for c in cells):
                current.append(cells)
        elif current:
            tables, current = [*tables, current], []
    return tables


def test_committed_results_page_is_what_the_report_writes(results_md):
    assert (REPO / "docs" / "reproduce" / "results.md").read_text() == results_md


def test_results_tables_put_the_answer_next_to_the_figures(results_md):
    houses, talk, roadmap = _tables(results_md)
    assert houses[0] == ["implementation", "talk", "ours"]
    assert talk[0][:6] == ["#", "experiment", "talk test", "our test", "goal", "met"]
    assert roadmap[0][:5] == ["#", "step", "our test", "goal", "met"]
    for rows in (talk, roadmap):
        assert len(rows[0]) <= 10
        assert all(len(row) == len(rows[0]) for row in rows)
        assert "lesson" not in rows[0]


def test_results_goals_name_rows_by_number(results_md):
    _, talk, roadmap = _tables(results_md)
    goals = [row[3] for row in roadmap] + [row[4] for row in talk[1:]]
    assert "≤&nbsp;#2" in goals  # the linear hidden layer against softmax regression
    assert not any(re.search(r"[a-z]+_[a-z]+", goal) for goal in goals)  # no internal names


def test_results_lessons_are_a_list_keyed_by_row(results_md):
    report = json.loads(RESULTS.read_text())
    lessons = results_md.split("### Lessons", 1)[1]
    for row in report["roadmap"]:
        assert f"- **{row['step']}** {row['title']} — {row['lesson']}" in lessons


def test_rewrite_from_the_stored_results_without_training(tmp_path):
    from kerasguide.app.reproduce import rewrite

    pytest.importorskip("matplotlib")
    shutil.copy(RESULTS, tmp_path / "results.json")
    rewrite(tmp_path)
    committed = REPO / "docs" / "reproduce" / "results.md"
    assert (tmp_path / "results.md").read_text() == committed.read_text()
    assert {p.name for p in tmp_path.glob("*.png")} == {
        "learning_curves.png",
        "houses_learning_curves.png",
    }


def test_text_table_wraps_its_widest_column_to_the_width():
    # `kerasguide models` printed 123 characters a row, wider than most terminals.
    description = "Convolutional network of the LeNet family: conv and max-pool blocks, a head."
    rows = [("cnn", "any", description), ("mlp", "any", "Multi-layer perceptron.")]
    wrapped = table(("name", "task", "description"), rows, width=50).splitlines()
    assert max(map(len, wrapped)) <= 50
    assert wrapped[0].split() == ["name", "task", "description"]
    assert " ".join(line[11:].strip() for line in wrapped[2:-1]) == description
    assert wrapped[-1].split()[0] == "mlp"
    whole = text_table([["name", "task", "description"], *map(list, rows)]).splitlines()
    assert len(whole) == 4  # no width: a line per row


# --------------------------------------------------------------------------- in the browser
@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> dict[str, dict]:
    if chromium() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (the docs extra)")
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
        cwd=REPO, check=True, capture_output=True,
    )  # fmt: skip
    return measure(site)


@pytest.mark.parametrize("page", PAGES)
def test_no_table_is_wider_than_its_column(layout, page):
    for found in layout[page]["tables"]:
        assert found["width"] <= found["container"], found
        assert found["right"] <= found["container_right"], found


def test_results_page_answer_is_on_screen_and_rows_are_short(layout):
    page = layout["reproduce/index.html"]
    tables = {t["heading"].split(".")[0]: t for t in page["tables"]}
    for key in ("2-7", "8-27"):
        assert "met" in tables[key]["header"]
        assert tables[key]["right"] <= page["viewport"]
    assert tables["8-27"]["max_lines"] <= MAX_ROADMAP_LINES


if __name__ == "__main__":
    for name, found in measure(Path(sys.argv[1])).items():
        print(name, f"(viewport {found['viewport']} px)")
        for t in found["tables"]:
            print(f"  {t['heading'][:40]!r:44} cols={len(t['header']):2} width={t['width']} "
                  f"scroll={t['scroll_width']} container={t['container']} "
                  f"lines<={t['max_lines']}")  # fmt: skip
