"""The results of ``kerasguide reproduce`` as tables: aligned plain text and Markdown.

``tables`` turns the report that ``kerasguide reproduce`` writes to ``results.json`` into
its two tables (houses, then classification), ``table`` lays one out, and ``markdown``
writes the whole report as ``results.md``. ``kerasguide models`` uses ``table`` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: A table as (heading, caption, header, rows).
Table = tuple[str, str, Sequence[str], list[tuple]]
#: How the classification table says whether a goal was met (None: not checked).
MET = {None: "-", True: "yes", False: "NO"}


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], markdown: bool = False) -> str:
    """Rows as aligned plain text, or as a Markdown table."""
    cells = [[str(c) for c in header], *([str(c) for c in row] for row in rows)]
    return markdown_table(cells) if markdown else text_table(cells)


def markdown_table(cells: list[list[str]]) -> str:
    """A header row and data rows as a Markdown table: numbers right-aligned, text left."""
    numeric = [
        all(set(row[i]) <= set("0123456789.,-") for row in cells[1:]) for i in range(len(cells[0]))
    ]
    rule = ["---:" if is_number else "---" for is_number in numeric]
    return "\n".join("| " + " | ".join(row) + " |" for row in [cells[0], rule, *cells[1:]])


def text_table(cells: list[list[str]]) -> str:
    """A header row and data rows as aligned plain text, a rule under the header."""
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


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
    """The classification experiments: accuracies in percent, the talk's and ours."""
    return (
        "2-7. Classification: accuracy in %",
        f"{report['source']}: {report['n_train']} training and {report['n_test']} test "
        "images. The talk's figures are for MNIST.",
        ("#", "experiment", "epochs", "batch", "talk train", "talk test", "our train",
         "our test", "goal", "met"),
        [(r["step"], r["title"], r["epochs"], r["batch_size"], percent(r["talk_train_accuracy"]),
          percent(r["talk_test_accuracy"]), f"{r['train_accuracy']:.2f}",
          f"{r['test_accuracy']:.2f}", r["goal"], MET[r["met"]])
         for r in report["experiments"]],
    )  # fmt: skip


def roadmap_table(report: dict[str, Any]) -> Table:
    """ "Where to from here": the talk's road map, a row per step, each with its lesson."""
    rows = report.get("roadmap", [])
    first, last = (rows[0]["step"], rows[-1]["step"]) if rows else (0, 0)
    return (
        f"{first}-{last}. Where to from here: the talk's road map, accuracy in %",
        "Each group changes one knob of the same network; the sequences rows train on "
        "make_sequences. zeros: the share of first-layer weights under 1e-3 in magnitude.",
        ("#", "step", "epochs", "batch", "our train", "our test", "zeros %", "goal", "met",
         "lesson"),
        [(r["step"], r["title"], r["epochs"], r["batch_size"], f"{r['train_accuracy']:.2f}",
          f"{r['test_accuracy']:.2f}", percent(r["near_zero_weights"]), r["goal"],
          MET[r["met"]], r["lesson"])
         for r in rows],
    )  # fmt: skip


def tables(report: dict[str, Any]) -> list[Table]:
    """The report's tables (houses, the talk's classification, and the road map when the
    report has it), as (heading, caption, header, rows)."""
    found = [houses_table(report), accuracy_table(report)]
    return found + ([roadmap_table(report)] if report.get("roadmap") else [])


def markdown(report: dict[str, Any]) -> str:
    """The whole report as Markdown: both tables, the notes and the figures."""
    lines = [
        "# The talk's results, reproduced" + (" (quick mode)" if report["quick"] else ""),
        "",
        f"Produced by `{report['command']}` (kerasguide {report['kerasguide_version']}, "
        f"Keras {report['keras_version']}, {report['backend']} backend) in "
        f"{report['wall_seconds']:.0f} s.",
    ]
    for heading, caption, header, rows in tables(report):
        lines += ["", f"## {heading}", "", caption, "", table(header, rows, markdown=True)]
    lines += ["", *(f"- {note}" for note in report["notes"])]
    if report["plots"]:
        lines += ["", "## Figures"]
        lines += [f"\n![{name.removesuffix('.png')}]({name})" for name in report["plots"]]
    return "\n".join(lines) + "\n"
