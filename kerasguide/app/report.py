"""The results of ``kerasguide reproduce`` as tables: aligned plain text and Markdown.

``tables`` turns the report that ``kerasguide reproduce`` writes to ``results.json`` into
its tables (houses, the talk's classification, the road map), ``table`` lays one out, and
``markdown`` writes the whole report as ``results.md``: each table with its goal and ``met``
right after the accuracies, the road map's lessons as a list under it, keyed by row number, so
that the page fits a laptop's browser window. ``kerasguide models`` uses ``table`` too.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

#: A table as (heading, caption, header, rows).
Table = tuple[str, str, Sequence[str], list[tuple]]
#: How the classification table says whether a goal was met (None: not checked).
MET = {None: "-", True: "yes", False: "NO"}
#: The road map table's heading, after its rows' numbers.
ROADMAP_HEADING = "Where to from here: the talk's road map, accuracy in %"


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    markdown: bool = False,
    width: int | None = None,
) -> str:
    """Rows as aligned plain text, or as a Markdown table. Plain text fits ``width``
    characters by wrapping its widest column; by default the terminal's width when the output
    is a terminal, and no limit when it is piped (so that ``grep`` sees whole rows)."""
    cells = [[str(c) for c in header], *([str(c) for c in row] for row in rows)]
    if markdown:
        return markdown_table(cells)
    return text_table(cells, terminal_width() if width is None else width)


def terminal_width() -> int | None:
    """The terminal's width in characters, or None when standard output is not a terminal."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def markdown_table(cells: list[list[str]]) -> str:
    """A header row and data rows as a Markdown table: numbers right-aligned, text left."""
    numeric = [
        all(set(row[i]) <= set("0123456789.,-") for row in cells[1:]) for i in range(len(cells[0]))
    ]
    rule = ["---:" if is_number else "---" for is_number in numeric]
    return "\n".join("| " + " | ".join(row) + " |" for row in [cells[0], rule, *cells[1:]])


def text_table(cells: list[list[str]], width: int | None = None) -> str:
    """A header row and data rows as aligned plain text, a rule under the header; with
    ``width``, the widest column wraps (to no fewer than 20 characters) to fit it."""
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    gaps = 2 * (len(widths) - 1)
    wide = widths.index(max(widths))
    if width is not None and sum(widths) + gaps > width:
        widths[wide] = max(20, width - gaps - (sum(widths) - widths[wide]))
    lines = [_text_row(row, widths, wide) for row in cells]
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([*lines[0], rule, *(line for row in lines[1:] for line in row)])


def _text_row(row: list[str], widths: list[int], wide: int) -> list[str]:
    """One table row as lines: the ``wide`` column wrapped to its width, the others as they are."""
    parts = [textwrap.wrap(c, w) or [""] if i == wide else [c]
             for i, (c, w) in enumerate(zip(row, widths, strict=True))]  # fmt: skip
    return [
        "  ".join(
            (p[k] if k < len(p) else "").ljust(w) for p, w in zip(parts, widths, strict=True)
        ).rstrip()
        for k in range(max(map(len, parts)))
    ]


def percent(value: float | None) -> str:
    """An accuracy in percent with one decimal; empty for None."""
    return "" if value is None else f"{value:.1f}"


def houses_table(report: dict[str, Any]) -> Table:
    """The houses comparison: test RMSE in dollars, the talk's and ours."""
    houses, money = report["houses"], "{:,.2f}".format
    return (
        "1. Linear regression on houses: test RMSE in dollars",
        f"{houses['n_train']} training and {houses['n_test']} test houses, synthetic, with "
        f"Gaussian noise of {houses['noise']:,.0f} dollars on the prices; "
        f"{houses['epochs']} epochs. The talk's house data is not published.",
        ("implementation", "talk", "ours"),
        [("NumPy from scratch", money(houses["talk_scratch_rmse"]),
          money(houses["scratch_rmse"])),
         ("Keras linear_regression", money(houses["talk_keras_rmse"]),
          money(houses["keras_rmse"]))],
    )  # fmt: skip


def accuracy_table(report: dict[str, Any]) -> Table:
    """The classification experiments: accuracies in percent, the talk's and ours; the test
    accuracies, the goal and whether it was met come first, the answer the page is for."""
    refer = row_references(report)
    return (
        "2-7. Classification: accuracy in %",
        f"{report['source']}: {report['n_train']} training and {report['n_test']} test "
        "images. The talk's figures are for MNIST.",
        ("#", "experiment", "talk test", "our test", "goal", "met", "talk train", "our train",
         "epochs", "batch"),
        [(r["step"], r["title"], percent(r["talk_test_accuracy"]), f"{r['test_accuracy']:.2f}",
          refer(r["goal"]), MET[r["met"]], percent(r["talk_train_accuracy"]),
          f"{r['train_accuracy']:.2f}", r["epochs"], r["batch_size"])
         for r in report["experiments"]],
    )  # fmt: skip


def roadmap_table(report: dict[str, Any]) -> Table:
    """ "Where to from here": the talk's road map, a row per step; the lessons, a sentence
    each, are listed under the table by ``lessons`` (a column of them made every row tall)."""
    rows, refer = report.get("roadmap", []), row_references(report)
    first, last = (rows[0]["step"], rows[-1]["step"]) if rows else (0, 0)
    return (
        f"{first}-{last}. {ROADMAP_HEADING}",
        "Each group changes one knob of the same network; the sequences rows train on "
        "make_sequences. zeros: the share of first-layer weights under 1e-3 in magnitude. "
        "#n in a goal is row n's test accuracy (or zeros).",
        ("#", "step", "our test", "goal", "met", "our train", "zeros %", "epochs", "batch"),
        [(r["step"], r["title"], f"{r['test_accuracy']:.2f}", refer(r["goal"]), MET[r["met"]],
          f"{r['train_accuracy']:.2f}", percent(r["near_zero_weights"]), r["epochs"],
          r["batch_size"])
         for r in rows],
    )  # fmt: skip


def lessons(report: dict[str, Any]) -> list[str]:
    """The road map's lessons as Markdown list items, keyed by row number and step."""
    return [f"- **{r['step']}** {r['title']} — {r['lesson']}" for r in report.get("roadmap", [])]


def row_references(report: dict[str, Any]):
    """A function that writes a goal's experiment names as row numbers: ``<= act_relu - 1``
    becomes ``<= #10 - 1``. The names are the code's; a reader sees the rows' numbers."""
    steps = {r["name"]: r["step"] for r in [*report["experiments"], *report.get("roadmap", [])]}
    if not steps:
        return str
    names = re.compile(r"\b(" + "|".join(sorted(map(re.escape, steps), key=len, reverse=True))
                       + r")\b")  # fmt: skip
    return lambda goal: names.sub(lambda found: f"#{steps[found.group(1)]}", goal)


def markdown_goal(goal: str) -> str:
    """A goal as the web page shows it: ``>= 95.0 %`` as ``≥ 95.0 %``, with no line break
    after the sign or before the per cent (the terminal's tables keep ASCII)."""
    goal = goal.replace(">=", "≥").replace("<=", "≤")
    return re.sub(r"^([<>≤≥]) ", r"\1&nbsp;", goal).replace(" %", "&nbsp;%")


def tables(report: dict[str, Any]) -> list[Table]:
    """The report's tables (houses, the talk's classification, and the road map when the
    report has it), as (heading, caption, header, rows)."""
    found = [houses_table(report), accuracy_table(report)]
    return found + ([roadmap_table(report)] if report.get("roadmap") else [])


def markdown(report: dict[str, Any]) -> str:
    """The whole report as Markdown: the tables, the road map's lessons, the notes and the
    figures."""
    lines = [
        "# The talk's results, reproduced" + (" (quick mode)" if report["quick"] else ""),
        "",
        f"Produced by `{report['command']}` (kerasguide {report['kerasguide_version']}, "
        f"Keras {report['keras_version']}, {report['backend']} backend) in "
        f"{report['wall_seconds']:.0f} s.",
    ]
    for heading, caption, header, rows in tables(report):
        if "goal" in header:
            at = list(header).index("goal")
            rows = [(*row[:at], markdown_goal(row[at]), *row[at + 1 :]) for row in rows]
        lines += ["", f"## {heading}", "", caption, "", table(header, rows, markdown=True)]
        if heading.endswith(ROADMAP_HEADING):
            lines += ["", "### Lessons of the road map", "", *lessons(report)]
    lines += ["", "## Notes", "", *(f"- {note}" for note in report["notes"])]
    if report["plots"]:
        lines += ["", "## Figures"]
        lines += [f"\n![{name.removesuffix('.png')}]({name})" for name in report["plots"]]
    return "\n".join(lines) + "\n"
