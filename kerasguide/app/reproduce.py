"""``kerasguide reproduce``: rerun the talk's experiments and write the results beside its figures.

It picks the dataset (MNIST when a local copy is found, else the embedded digits, and says which and
why), runs the houses comparison, ``kerasguide.app.experiments.EXPERIMENTS`` and then
``ROADMAP`` in order through [`kerasguide.app.runner`][kerasguide.app.runner], each row with its
setting and goal for the dataset, prints the tables and writes ``results.json``, ``results.md``
and the plots (training loss curves, optimizer paths, decision boundaries, a 2-D code of
digits).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from kerasguide.app.backend import import_keras
from kerasguide.app.datasets_table import DATASETS
from kerasguide.app.inputs import MnistMissing, load_split, mnist_file, out_dir
from kerasguide.app.report import markdown, table, tables
from kerasguide.core.checks import cli_type

__all__ = [
    "add_parser",
    "cmd_reproduce",
    "learning_curve_figures",
    "load_reproduce_split",
    "rewrite",
]


def add_parser(commands, common: argparse.ArgumentParser) -> None:
    """Add ``reproduce`` and its flags; ``--out`` is checked here, before anything runs."""
    reproduce = commands.add_parser(
        "reproduce",
        parents=[common],
        help="rerun the talk's experiments and compare with its figures",
        description="Rerun the talk's experiments in order; print and write the results table "
        "beside the talk's figures, with learning curves and decision boundaries.",
    )
    reproduce.add_argument(
        "--dataset",
        choices=[name for name, spec in DATASETS.items() if spec.epochs_scale is not None],
        help="default: MNIST when a local copy is found, else the embedded digits",
    )
    reproduce.add_argument("--quick", action="store_true", help="a small run, under a minute")
    reproduce.add_argument(
        "--out", type=out_dir, default="reproduce-out", help="default: ./reproduce-out"
    )
    reproduce.add_argument("--seed", type=cli_type("seed"), default=0, help="default: 0")
    reproduce.add_argument("--mnist", type=mnist_file, metavar="PATH", help="a local mnist.npz")


def load_reproduce_split(args: argparse.Namespace):
    """The split to reproduce on, and a line saying which dataset and why."""
    from kerasguide.datasets import MNIST_ENV

    def load(dataset: str):
        return load_split(dataset, args, quick=args.quick)

    if args.dataset is not None:
        return load(args.dataset), f"as asked (--dataset {args.dataset})"
    if args.mnist is not None:
        return load("mnist"), f"MNIST from --mnist {args.mnist}"
    if os.environ.get(MNIST_ENV):
        return load("mnist"), f"MNIST from ${MNIST_ENV}"
    try:
        return load("mnist"), "MNIST, found in the Keras cache"
    except MnistMissing:
        return load("digits"), (
            f"MNIST was not found locally (no --mnist, no {MNIST_ENV}, nothing in the Keras "
            "cache), so the embedded digits stand in; pass --mnist PATH to use MNIST"
        )


def _plan(experiment, split, args: argparse.Namespace):
    """(epochs, batch size, goal, params) of ``experiment`` on ``split``: its setting there; a
    quick MNIST run scales the MNIST epochs down and checks nothing."""
    from kerasguide.app.datasets_table import get_dataset

    setting = experiment.setting(split.name)
    if setting is None or (split.name == "mnist" and args.quick):
        params = dict(setting.params) if setting else {}
        epochs = get_dataset(split.name).epochs(experiment.epochs, args.quick)
        return epochs, None, None, params
    return setting.epochs, setting.batch_size, setting.goal, dict(setting.params)


def _own_splits(experiments, split, args: argparse.Namespace) -> dict:
    """The splits of rows that train on a dataset of their own (``Experiment.data``)."""
    from kerasguide.app import runner

    splits = {}
    for experiment in experiments:
        if experiment.data and experiment.data not in splits:
            setting = experiment.setting(split.name) or experiment.setting("mnist")
            n_samples = setting.n_samples
            if split.name == "mnist" and args.quick:
                n_samples = experiment.setting("digits").n_samples
            splits[experiment.data] = runner.load_split(
                experiment.data, seed=args.seed, n_samples=n_samples
            )
    return splits


def run_rows(experiments, split, args: argparse.Namespace, *, first_step: int, total: int) -> list:
    """Train ``experiments`` in order on ``split`` (or the dataset a row names), each with its
    setting for the dataset (``_plan``). Prints a line per row."""
    from kerasguide.app import runner

    splits = _own_splits(experiments, split, args)
    results = []
    for step, experiment in enumerate(experiments, start=first_step):
        epochs, batch_size, goal, params = _plan(experiment, split, args)
        print(f"[{step}/{total}] {experiment.title}: {epochs} epochs ...", end=" ", flush=True)
        result = runner.run_experiment(
            experiment, splits.get(experiment.data, split), epochs=epochs, seed=args.seed,
            batch_size=batch_size, goal=goal, params=params,
        )  # fmt: skip
        print(f"test accuracy {result.test_accuracy:.2f} % ({result.seconds:.0f} s)", flush=True)
        results.append(result)
    return results


def cmd_reproduce(args: argparse.Namespace) -> int:
    from kerasguide.app import experiments as ex
    from kerasguide.app import runner

    out: Path = args.out  # checked by the parser: a folder, or one that can be made
    start = time.perf_counter()
    split, why = load_reproduce_split(args)
    import_keras()  # after the data is checked; without the backend's start-up lines
    print(f"Dataset: {split.name}: {why}.{' Quick mode.' if args.quick else ''}", flush=True)
    total = 2 + len(ex.EXPERIMENTS) + len(ex.ROADMAP)
    print(f"[1/{total}] Linear regression on houses: NumPy from scratch, then Keras ...",
          flush=True)  # fmt: skip
    houses = runner.run_houses(quick=args.quick, seed=args.seed)
    results = run_rows(ex.EXPERIMENTS, split, args, first_step=2, total=total)
    roadmap = run_rows(ex.ROADMAP, split, args, first_step=2 + len(results), total=total)
    print(f"[{total}/{total}] A 2-D code of digits (KerasTransformer's autoencoder) ...", end=" ",
          flush=True)  # fmt: skip
    codes = runner.digit_codes(seed=args.seed)
    print(f"{codes['neighbours']} neighbours on it: {codes['knn_accuracy']:.2f} %", flush=True)
    report = _report(split, args, houses, results, roadmap)
    report["digit_codes"] = {key: value for key, value in codes.items()
                             if key not in ("codes", "labels")}  # fmt: skip
    report["notes"].append(_codes_note(codes))
    out.mkdir(parents=True, exist_ok=True)
    report["plots"] = _reproduce_plots(out, report, codes, args)
    report["wall_seconds"] = round(time.perf_counter() - start, 1)
    (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "results.md").write_text(markdown(report))
    for heading, caption, header, rows in tables(report):
        print(f"\n{heading}. {caption}\n{table(header, rows)}")
    print(f"\nWall time {report['wall_seconds']:.0f} s. Wrote results.json, results.md and "
          f"{len(report['plots'])} plots to {out}{os.sep}")  # fmt: skip
    return 0


def _rows(results: list, first_step: int) -> list[dict[str, Any]]:
    from kerasguide.app import runner

    met = runner.check_goals(results)
    return [
        {"step": step, "group": r.experiment.title.partition(": ")[0] if ": " in
         r.experiment.title else "talk", **r.to_dict(),
         "met": met[r.experiment.name]}
        for step, r in enumerate(results, start=first_step)
    ]  # fmt: skip


def _report(split, args: argparse.Namespace, houses: dict, results: list, roadmap: list) -> dict:
    """What ``results.json`` holds: the settings, versions, both tables and the notes."""
    import keras

    import kerasguide
    from kerasguide.app import experiments as ex

    checked = not (split.name == "mnist" and args.quick)
    return {
        "command": f"kerasguide reproduce --dataset {split.name}" + " --quick" * args.quick,
        "kerasguide_version": kerasguide.__version__,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "dataset": split.name,
        "source": split.source,
        "quick": args.quick,
        "seed": args.seed,
        "n_train": len(split.y_train),
        "n_test": len(split.y_test),
        "houses": houses,
        "experiments": _rows(results, 2),
        "roadmap": _rows(roadmap, 2 + len(results)),
        "notes": [
            *ex.NOTES,
            *ex.ROADMAP_NOTES,
            *([ex.DIGITS_NOTE] if split.name == "digits" else []),
            *([] if checked else [ex.UNCHECKED_NOTE]),
        ],
    }


def _codes_note(codes: dict) -> str:
    return (
        "The 2-D code of digits (digit_codes.png): KerasTransformer's autoencoder squeezes each "
        f"64-pixel digit into two numbers; {codes['neighbours']} nearest neighbours on those two "
        f"alone classify {codes['knn_accuracy']:.1f} % of the test digits (chance: 10 %)."
    )


def learning_curve_figures(report: dict[str, Any], out: Path) -> list[str]:
    """Draw the training-loss figures from a report (``results.json``'s content: its rows keep
    their per-epoch histories) into ``out``; returns the files' names."""
    from kerasguide import plots

    names = ["learning_curves.png", "houses_learning_curves.png"]
    plots.plot_learning_curves(
        {r["title"]: r["history"] for r in report["experiments"]},
        out / names[0],
        metrics=("loss",),
        title="Training loss per epoch",
    )
    curves = {"NumPy from scratch": "scratch", "Keras": "keras"}
    plots.plot_learning_curves(
        {label: {"loss": report["houses"]["history"][key]} for label, key in curves.items()},
        out / names[1],
        title="Houses: training mean squared error (standardised prices)",
    )
    return names


def rewrite(out: str | os.PathLike) -> None:
    """Rewrite ``results.md`` and the learning-curve figures in ``out`` from its
    ``results.json``, without training: how the page's layout is refreshed after a change to
    the report's code. (The other figures need their models, so only a full run redraws them.)
    """
    out = Path(out)
    report = json.loads((out / "results.json").read_text())
    (out / "results.md").write_text(markdown(report))
    if report["plots"]:
        learning_curve_figures(report, out)


def _reproduce_plots(out: Path, report: dict, codes: dict, args) -> list[str]:
    from kerasguide.app import experiments as ex
    from kerasguide.app import runner

    try:
        from kerasguide import plots

        plots.require_matplotlib()
    except ImportError as exc:
        print(f"kerasguide: note: no plots: {exc}", file=sys.stderr)
        return []
    names = [*learning_curve_figures(report, out), "optimizer_paths.png"]
    plots.plot_optimizer_paths(
        runner.optimizer_paths(), ex.valley, out / names[2],
        title="Optimizers on a narrow valley: x^2 / 20 + y^2, from the same start",
    )  # fmt: skip
    epochs = ex.BOUNDARY_QUICK_EPOCHS if args.quick else ex.BOUNDARY_EPOCHS
    for dataset in ex.BOUNDARY_DATASETS:
        split = runner.load_split(dataset, seed=args.seed, n_samples=ex.BOUNDARY_SAMPLES)
        fitted = {
            spec.title: runner.fit_boundary_model(spec, split, epochs=epochs, seed=args.seed)
            for spec in ex.BOUNDARY_MODELS
        }
        names.append(f"decision_boundaries_{dataset}.png")
        title = f"{dataset}: decision boundaries over the test points"
        plots.plot_decision_boundaries(
            fitted, split.X_test, split.y_test, out / names[-1], title=title
        )
    names.append("digit_codes.png")
    plots.plot_codes(codes["codes"], codes["labels"], out / names[-1],
                     title="Digits: the autoencoder's 2-D code of the test images")  # fmt: skip
    return names
