"""The ``kerasguide`` command: list the model zoo, train a model, reproduce the talk's results.

``kerasguide models`` imports no Keras; ``train`` and ``reproduce`` import it quietly. A user's
mistake (an unknown name, a bad number, a missing file) ends with one line on stderr,
``kerasguide: error: ...``, and exit status 2.
"""

from __future__ import annotations

import os

# Before anything imports TensorFlow, so that its C++ start-up logging stays quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "main"]

PROG = "kerasguide"
#: Default epochs and batch size of ``kerasguide train`` on each dataset.
TRAIN_DEFAULTS = {
    "digits": (30, 100),
    "mnist": (10, 100),
    "houses": (100, 32),
    "xor": (200, 32),
    "circles": (200, 32),
}
#: The dataset ``kerasguide train`` uses for a model of each task when none is named.
DEFAULT_DATASET = {"regression": "houses", "binary": "xor", "multiclass": "digits", "any": "digits"}


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


class UserError(Exception):
    """A mistake in the command line; reported as one line, exit status 2."""


# --------------------------------------------------------------------------- argument types
def _number(kind: type, text: str, test, allowed: str):
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value != value or not test(value):  # value != value: NaN
        raise argparse.ArgumentTypeError(f"must be {allowed}. Received: {text!r}")
    return value


def positive_int(text: str) -> int:
    return _number(int, text, lambda v: v >= 1, "an integer >= 1")


def non_negative_int(text: str) -> int:
    return _number(int, text, lambda v: v >= 0, "an integer >= 0")


def positive_float(text: str) -> float:
    return _number(float, text, lambda v: 0 < v < float("inf"), "a number > 0")


def fraction(text: str) -> float:
    return _number(float, text, lambda v: 0 <= v < 1, "a number in [0, 1)")


def non_negative_float(text: str) -> float:
    return _number(float, text, lambda v: 0 <= v < float("inf"), "a number >= 0")


def hidden_layers(text: str) -> tuple[int, ...]:
    """``"128,64"`` -> ``(128, 64)``."""
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise argparse.ArgumentTypeError(
            f"must be positive integers separated by commas, e.g. 128,64. Received: {text!r}"
        )
    return tuple(int(part) for part in parts)


def mnist_file(text: str) -> Path:
    path = Path(text).expanduser()
    file = path / "mnist.npz" if path.is_dir() else path
    if not file.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {str(file)!r}")
    return file


def keras_file(text: str) -> Path:
    path = Path(text).expanduser()
    if path.suffix != ".keras":
        raise argparse.ArgumentTypeError(f"must end in .keras. Received: {text!r}")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {str(path.parent)!r}")
    return path


# --------------------------------------------------------------------------- the parser
def build_parser() -> argparse.ArgumentParser:
    """The ``kerasguide`` argument parser."""
    from kerasguide import __version__
    from kerasguide.experiments import DATASETS

    parser = _Parser(
        prog=PROG,
        description="The classic neural networks of the talk as a Keras 3 model zoo.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("models", help="list the models of the zoo")

    train = commands.add_parser(
        "train",
        help="train a model of the zoo on a dataset",
        description="Train a model of the zoo on a dataset and report its test score.",
    )
    train.add_argument("model", help="a name from 'kerasguide models'")
    train.add_argument(
        "--dataset",
        choices=list(DATASETS),
        help="default: houses for regression, xor for binary, digits otherwise",
    )
    train.add_argument("--hidden-layers", type=hidden_layers, metavar="UNITS", help="e.g. 128,64")
    train.add_argument("--activation", help="hidden activation, e.g. relu, tanh, linear")
    train.add_argument("--dropout", type=fraction, help="fraction of hidden units dropped")
    train.add_argument("--l2", type=non_negative_float, help="L2 penalty factor")
    train.add_argument("--optimizer", default="sgd", help="a Keras optimizer (default: sgd)")
    train.add_argument(
        "--learning-rate", type=positive_float, default=0.05, help="default: 0.05, the talk's"
    )
    train.add_argument("--epochs", type=positive_int, help="default depends on the dataset")
    train.add_argument("--batch-size", type=positive_int, help="default depends on the dataset")
    train.add_argument(
        "--seed", type=non_negative_int, default=0, help="weights, dropout, shuffling, split"
    )
    train.add_argument("--save", type=keras_file, metavar="PATH", help="save the model (.keras)")
    train.add_argument("--mnist", type=mnist_file, metavar="PATH", help="a local mnist.npz")

    reproduce = commands.add_parser(
        "reproduce",
        help="rerun the talk's experiments and compare with its figures",
        description="Rerun the talk's experiments in order; print and write the results table "
        "beside the talk's figures, with learning curves and decision boundaries.",
    )
    reproduce.add_argument(
        "--dataset",
        choices=["mnist", "digits"],
        help="default: MNIST when a local copy is found, else the embedded digits",
    )
    reproduce.add_argument("--quick", action="store_true", help="a small run, under a minute")
    reproduce.add_argument(
        "--out", type=Path, default=Path("reproduce-out"), help="default: ./reproduce-out"
    )
    reproduce.add_argument("--seed", type=non_negative_int, default=0, help="default: 0")
    reproduce.add_argument("--mnist", type=mnist_file, metavar="PATH", help="a local mnist.npz")
    return parser


# --------------------------------------------------------------------------- helpers
def _import_keras():
    """Import Keras with stderr closed: TensorFlow logs to it at import despite the level."""
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    sys.stderr.flush()
    os.dup2(devnull, 2)
    try:
        import keras
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return keras


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    cells = [[str(c) for c in header], *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


# --------------------------------------------------------------------------- models
def _cmd_models(args: argparse.Namespace) -> int:
    from kerasguide.registry import get_model_card, list_models

    cards = [get_model_card(name) for name in list_models()]
    print(_table([(c.name, c.task, c.description) for c in cards], ("name", "task", "description")))
    return 0


# --------------------------------------------------------------------------- train
_ARCHITECTURE = ("hidden_layers", "activation", "dropout", "l2")


def _cmd_train(args: argparse.Namespace) -> int:
    import inspect

    from kerasguide.registry import get_model_card

    card = get_model_card(args.model)
    accepted = inspect.signature(card.builder).parameters
    params: dict[str, Any] = {"optimizer": args.optimizer, "learning_rate": args.learning_rate}
    for name in _ARCHITECTURE:
        value = getattr(args, name)
        if value is not None and name not in accepted:
            flag = "--" + name.replace("_", "-")
            raise UserError(f"model {args.model!r} takes no {flag}; see 'kerasguide models'")
        if value is not None:
            params[name] = value
    dataset = args.dataset or DEFAULT_DATASET[card.task]
    default_epochs, default_batch = TRAIN_DEFAULTS[dataset]
    epochs, batch_size = args.epochs or default_epochs, args.batch_size or default_batch

    keras = _import_keras()
    from kerasguide.experiments import build, load_split

    split = load_split(dataset, mnist=args.mnist, seed=args.seed)
    keras.utils.set_random_seed(args.seed)
    model = build(args.model, split, seed=args.seed, **params)
    print(
        f"Training {args.model} on {dataset}: {split.source}; {len(split.y_train)} training and "
        f"{len(split.y_test)} test rows, {split.X_train.shape[1]} features; "
        f"{epochs} epochs, batch size {batch_size}, {args.optimizer} at {args.learning_rate:g}."
    )
    model.fit(split.X_train, split.y_train, epochs=epochs, batch_size=batch_size, verbose=1)
    if split.task == "regression":
        predicted = model.predict(split.X_test, verbose=0).ravel().astype("float64")
        truth = split.y_test.astype("float64")
        rmse = split.target_std * float(((predicted - truth) ** 2).mean() ** 0.5)
        r2 = 1.0 - float(((predicted - truth) ** 2).sum() / ((truth - truth.mean()) ** 2).sum())
        print(f"Test RMSE: {rmse:,.2f} dollars; R²: {r2:.4f}")
    else:
        _, accuracy = model.evaluate(split.X_test, split.y_test, batch_size=1000, verbose=0)
        print(f"Test accuracy: {100 * accuracy:.2f} %")
    if args.save is not None:
        model.save(args.save)
        scaled = " (it takes standardised features)" if dataset == "houses" else ""
        print(f"Saved the model to {args.save}{scaled}")
    return 0


# --------------------------------------------------------------------------- reproduce
def _load_reproduce_split(args: argparse.Namespace):
    """The split to reproduce on, and a line saying which dataset and why."""
    from kerasguide.datasets import MNIST_ENV
    from kerasguide.experiments import load_split

    def load(dataset: str):
        return load_split(dataset, mnist=args.mnist, seed=args.seed, quick=args.quick)

    if args.dataset is not None:
        return load(args.dataset), f"as asked (--dataset {args.dataset})"
    if args.mnist is not None or os.environ.get(MNIST_ENV):
        return load("mnist"), "MNIST, as given"
    try:
        return load("mnist"), "MNIST, found in the Keras cache"
    except FileNotFoundError:
        return load("digits"), (
            f"MNIST was not found locally (no --mnist, no {MNIST_ENV}, nothing in the Keras "
            "cache), so the embedded digits stand in; pass --mnist PATH to use MNIST"
        )


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _accuracy_rows(results: list, checked: bool) -> list[dict[str, Any]]:
    by_name = {r.experiment.name: r for r in results}
    rows = []
    for index, result in enumerate(results, start=2):
        exp = result.experiment
        met = None
        if checked and exp.at_least is not None:
            met = result.test_accuracy >= exp.at_least
        elif checked and exp.not_above is not None:
            met = result.test_accuracy <= by_name[exp.not_above].test_accuracy
        rows.append(
            {
                "step": index,
                "name": exp.name,
                "title": exp.title,
                "model": exp.model,
                "params": dict(exp.params),
                "epochs": result.epochs,
                "batch_size": exp.batch_size,
                "talk_train_accuracy": exp.talk.train if exp.talk else None,
                "talk_test_accuracy": exp.talk.test if exp.talk else None,
                "train_accuracy": round(result.train_accuracy, 2),
                "test_accuracy": round(result.test_accuracy, 2),
                "goal": exp.goal,
                "met": met,
                "seconds": round(result.seconds, 1),
                "lesson": exp.lesson,
                "history": {k: [round(v, 5) for v in vs] for k, vs in result.history.items()},
            }
        )
    return rows


def _markdown(report: dict[str, Any]) -> str:
    houses, mode = report["houses"], " (quick mode)" if report["quick"] else ""
    lines = [
        f"# The talk's results, reproduced{mode}",
        "",
        f"Produced by `{report['command']}` with kerasguide {report['kerasguide_version']} "
        f"and Keras {report['keras_version']} in {report['wall_seconds']:.0f} s.",
        "",
        "## 1. Linear regression on houses (test RMSE, dollars)",
        "",
        "| Implementation | Talk | Ours |",
        "|---|---:|---:|",
        f"| NumPy from scratch | {houses['talk_scratch_rmse']:,.2f} | "
        f"{houses['scratch_rmse']:,.2f} |",
        f"| Keras (`linear_regression`) | {houses['talk_keras_rmse']:,.2f} | "
        f"{houses['keras_rmse']:,.2f} |",
        "",
        f"Ours: {houses['n_train']} training and {houses['n_test']} test houses, synthetic "
        f"(noise {houses['noise']:,.0f} dollars), {houses['epochs']} epochs. The talk's data "
        "is not published, so only the order of magnitude compares.",
        "",
        f"## 2-7. Classification on {report['source']} (accuracy, %)",
        "",
        f"{report['n_train']} training and {report['n_test']} test images; "
        f"{report['settings']}. The talk's figures are for MNIST.",
        "",
        "| # | Experiment | Epochs | Talk train | Talk test | Our train | Our test | Goal | Met |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in report["experiments"]:
        met = {None: "–", True: "yes", False: "**no**"}[row["met"]]
        lines.append(
            f"| {row['step']} | {row['title']} | {row['epochs']} | "
            f"{_percent(row['talk_train_accuracy'])} | {_percent(row['talk_test_accuracy'])} | "
            f"{row['train_accuracy']:.2f} | {row['test_accuracy']:.2f} | {row['goal']} | {met} |"
        )
    lines += ["", *report["notes"], ""]
    if report["plots"]:
        lines += ["## Figures", ""]
        lines += [f"![{name}]({name})" for name in report["plots"]]
        lines.append("")
    return "\n".join(lines)


def _cmd_reproduce(args: argparse.Namespace) -> int:
    from kerasguide import experiments as ex

    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {str(out)!r} exists and is not a directory")
    start = time.perf_counter()
    split, why = _load_reproduce_split(args)
    keras = _import_keras()
    import kerasguide

    print(f"Dataset: {split.name}: {why}.{' Quick mode.' if args.quick else ''}", flush=True)
    print("[1/7] Linear regression on houses: NumPy from scratch, then Keras ...", flush=True)
    houses = ex.run_houses(quick=args.quick, seed=args.seed)
    results = []
    for step, experiment in enumerate(ex.EXPERIMENTS, start=2):
        epochs = ex.SCHEDULES[split.name].epochs(experiment, args.quick)
        print(f"[{step}/7] {experiment.title}: {epochs} epochs ...", end=" ", flush=True)
        result = ex.run_experiment(experiment, split, epochs=epochs, seed=args.seed)
        print(f"test accuracy {result.test_accuracy:.2f} % ({result.seconds:.0f} s)", flush=True)
        results.append(result)
    checked = split.name == "mnist" and not args.quick
    notes = [
        "The talk's rows use its settings: plain SGD at a learning rate of 0.05, with a batch "
        f"size of {ex.BATCH_SIZE} (ours: the talk gives none). The last row is ours.",
        "The talk's regularisation table starts from an unregularised network at "
        f"{ex.TALK_NO_REGULARIZATION.test} % test ({ex.TALK_NO_REGULARIZATION.train} % train).",
    ]
    if not checked:
        notes.append("The goals are for full MNIST runs; this run is not checked against them.")
    command = f"kerasguide reproduce --dataset {split.name}" + " --quick" * args.quick
    report: dict[str, Any] = {
        "command": command,
        "kerasguide_version": kerasguide.__version__,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "dataset": split.name,
        "source": split.source,
        "quick": args.quick,
        "seed": args.seed,
        "n_train": len(split.y_train),
        "n_test": len(split.y_test),
        "houses": {**houses, "noise": ex.HOUSES.noise},
        "experiments": _accuracy_rows(results, checked),
        "notes": notes,
    }
    out.mkdir(parents=True, exist_ok=True)
    report["plots"] = _reproduce_plots(out, houses, results, args)
    report["wall_seconds"] = round(time.perf_counter() - start, 1)
    (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "results.md").write_text(_markdown(report))
    _print_summary(report)
    print(f"Wrote results.json, results.md and {len(report['plots'])} plots to {out}/.")
    return 0


def _print_summary(report: dict[str, Any]) -> None:
    houses = report["houses"]
    print(f"\nLinear regression on houses, test RMSE in dollars ({houses['n_test']} houses):")
    print(
        _table(
            [
                ("NumPy from scratch", f"{houses['talk_scratch_rmse']:,.2f}",
                 f"{houses['scratch_rmse']:,.2f}"),
                ("Keras", f"{houses['talk_keras_rmse']:,.2f}", f"{houses['keras_rmse']:,.2f}"),
            ],
            ("implementation", "talk", "ours"),
        )
    )  # fmt: skip
    print(f"\nClassification on {report['source']}, accuracy in % (the talk's are MNIST):")
    header = ("#", "experiment", "epochs", "talk train", "talk test", "our train", "our test")
    rows = [
        (
            r["step"],
            r["title"],
            r["epochs"],
            _percent(r["talk_train_accuracy"]),
            _percent(r["talk_test_accuracy"]),
            f"{r['train_accuracy']:.2f}",
            f"{r['test_accuracy']:.2f}",
            r["goal"],
            {None: "-", True: "yes", False: "NO"}[r["met"]],
        )
        for r in report["experiments"]
    ]
    print(_table(rows, (*header, "goal", "met")))
    print(f"Wall time: {report['wall_seconds']:.0f} s.")


def _reproduce_plots(out: Path, houses: dict, results: list, args) -> list[str]:
    from kerasguide import experiments as ex

    try:
        from kerasguide import plots

        plots.require_matplotlib()
    except ImportError as exc:
        print(f"{PROG}: note: no plots: {exc}", file=sys.stderr)
        return []
    names = ["learning_curves.png", "houses_learning_curves.png"]
    plots.plot_learning_curves(
        {r.experiment.title: r.history for r in results},
        out / names[0],
        metrics=("loss", "val_accuracy"),
        title="Training loss and test accuracy per epoch",
    )
    plots.plot_learning_curves(
        {
            "NumPy from scratch": {"loss": houses["history"]["scratch"]},
            "Keras": {"loss": houses["history"]["keras"]},
        },
        out / names[1],
        title="Houses: training mean squared error (standardised prices)",
    )
    epochs = ex.BOUNDARY_QUICK_EPOCHS if args.quick else ex.BOUNDARY_EPOCHS
    for dataset in ex.BOUNDARY_DATASETS:
        split = ex.load_split(dataset, seed=args.seed, n_samples=ex.BOUNDARY_SAMPLES)
        fitted = {
            spec.title: ex.fit_boundary_model(spec, split, epochs=epochs, seed=args.seed)
            for spec in ex.BOUNDARY_MODELS
        }
        name = f"decision_boundaries_{dataset}.png"
        plots.plot_decision_boundaries(
            fitted, split.X_test, split.y_test, out / name, title=f"{dataset}: test points"
        )
        names.append(name)
    return names


# --------------------------------------------------------------------------- entry point
_COMMANDS = {"models": _cmd_models, "train": _cmd_train, "reproduce": _cmd_reproduce}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kerasguide`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status; errors in the command line exit with status 2.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and command-line errors
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    try:
        return _COMMANDS[args.command](args)
    except (UserError, ValueError, FileNotFoundError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
