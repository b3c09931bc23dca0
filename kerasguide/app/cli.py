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

from kerasguide.app.report import markdown, table, tables

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


def _positive_int(text: str) -> int:
    return _number(int, text, lambda v: v >= 1, "an integer >= 1")


def _non_negative_int(text: str) -> int:
    return _number(int, text, lambda v: v >= 0, "an integer >= 0")


def _positive_float(text: str) -> float:
    return _number(float, text, lambda v: 0 < v < float("inf"), "a number > 0")


def _fraction(text: str) -> float:
    return _number(float, text, lambda v: 0 <= v < 1, "a number in [0, 1)")


def _non_negative_float(text: str) -> float:
    return _number(float, text, lambda v: 0 <= v < float("inf"), "a number >= 0")


def _hidden_layers(text: str) -> tuple[int, ...]:
    """``"128,64"`` -> ``(128, 64)``."""
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise argparse.ArgumentTypeError(
            f"must be positive integers separated by commas, e.g. 128,64. Received: {text!r}"
        )
    return tuple(int(part) for part in parts)


def _mnist_file(text: str) -> Path:
    path = Path(text).expanduser()
    file = path / "mnist.npz" if path.is_dir() else path
    if not file.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {str(file)!r}")
    return file


def _keras_file(text: str) -> Path:
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
    from kerasguide.app.experiments import DATASETS

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
    train.add_argument("--hidden-layers", type=_hidden_layers, metavar="UNITS", help="e.g. 128,64")
    train.add_argument("--activation", help="hidden activation, e.g. relu, tanh, linear")
    train.add_argument("--dropout", type=_fraction, help="fraction of hidden units dropped")
    train.add_argument("--l2", type=_non_negative_float, help="L2 penalty factor")
    train.add_argument("--optimizer", default="sgd", help="a Keras optimizer (default: sgd)")
    train.add_argument(
        "--learning-rate", type=_positive_float, default=0.05, help="default: 0.05, the talk's"
    )
    train.add_argument("--epochs", type=_positive_int, help="default depends on the dataset")
    train.add_argument("--batch-size", type=_positive_int, help="default depends on the dataset")
    train.add_argument(
        "--seed", type=_non_negative_int, default=0, help="weights, dropout, shuffling, split"
    )
    train.add_argument("--save", type=_keras_file, metavar="PATH", help="save the model (.keras)")
    train.add_argument("--mnist", type=_mnist_file, metavar="PATH", help="a local mnist.npz")

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
    reproduce.add_argument("--seed", type=_non_negative_int, default=0, help="default: 0")
    reproduce.add_argument("--mnist", type=_mnist_file, metavar="PATH", help="a local mnist.npz")
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


# --------------------------------------------------------------------------- models
def _cmd_models(args: argparse.Namespace) -> int:
    from kerasguide.registry import get_model_card, list_models

    cards = [get_model_card(name) for name in list_models()]
    print(table(("name", "task", "description"), [(c.name, c.task, c.description) for c in cards]))
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

    split = _load_split(dataset, args)
    keras = _import_keras()
    from kerasguide.app.runner import build

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
def _load_split(dataset: str, args: argparse.Namespace, *, quick: bool = False):
    """``runner.load_split`` with the command line's words for a missing MNIST."""
    from kerasguide.app.runner import load_split
    from kerasguide.datasets import MNIST_ENV

    try:
        return load_split(dataset, mnist=args.mnist, seed=args.seed, quick=quick)
    except FileNotFoundError:
        if dataset != "mnist" or args.mnist is not None or os.environ.get(MNIST_ENV):
            raise
        raise UserError(
            f"MNIST not found locally (no --mnist, no {MNIST_ENV}, nothing in the Keras cache); "
            "pass --mnist PATH to a copy of mnist.npz. kerasguide never downloads it here."
        ) from None


def _load_reproduce_split(args: argparse.Namespace):
    """The split to reproduce on, and a line saying which dataset and why."""
    from kerasguide.datasets import MNIST_ENV

    def load(dataset: str):
        return _load_split(dataset, args, quick=args.quick)

    if args.dataset is not None:
        return load(args.dataset), f"as asked (--dataset {args.dataset})"
    if args.mnist is not None:
        return load("mnist"), f"MNIST from --mnist {args.mnist}"
    if os.environ.get(MNIST_ENV):
        return load("mnist"), f"MNIST from ${MNIST_ENV}"
    try:
        return load("mnist"), "MNIST, found in the Keras cache"
    except UserError:
        return load("digits"), (
            f"MNIST was not found locally (no --mnist, no {MNIST_ENV}, nothing in the Keras "
            "cache), so the embedded digits stand in; pass --mnist PATH to use MNIST"
        )


def _cmd_reproduce(args: argparse.Namespace) -> int:
    from kerasguide.app import experiments as ex
    from kerasguide.app import runner

    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {str(out)!r} exists and is not a directory")
    start = time.perf_counter()
    split, why = _load_reproduce_split(args)
    keras = _import_keras()
    import kerasguide

    print(f"Dataset: {split.name}: {why}.{' Quick mode.' if args.quick else ''}", flush=True)
    print("[1/7] Linear regression on houses: NumPy from scratch, then Keras ...", flush=True)
    houses = runner.run_houses(quick=args.quick, seed=args.seed)
    results = []
    for step, experiment in enumerate(ex.EXPERIMENTS, start=2):
        epochs = ex.SCHEDULES[split.name].epochs(experiment, args.quick)
        print(f"[{step}/7] {experiment.title}: {epochs} epochs ...", end=" ", flush=True)
        result = runner.run_experiment(experiment, split, epochs=epochs, seed=args.seed)
        print(f"test accuracy {result.test_accuracy:.2f} % ({result.seconds:.0f} s)", flush=True)
        results.append(result)
    checked = split.name == "mnist" and not args.quick
    met = runner.check_goals(results) if checked else {}
    report: dict[str, Any] = {
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
        "experiments": [
            {"step": step, **r.to_dict(), "met": met.get(r.experiment.name)}
            for step, r in enumerate(results, start=2)
        ],
        "notes": [*ex.NOTES, *([] if checked else [ex.UNCHECKED_NOTE])],
    }
    out.mkdir(parents=True, exist_ok=True)
    report["plots"] = _reproduce_plots(out, houses, results, args)
    report["wall_seconds"] = round(time.perf_counter() - start, 1)
    (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "results.md").write_text(markdown(report))
    for heading, caption, header, rows in tables(report):
        print(f"\n{heading}. {caption}\n{table(header, rows)}")
    print(f"\nWall time {report['wall_seconds']:.0f} s. Wrote results.json, results.md and "
          f"{len(report['plots'])} plots to {out}{os.sep}")  # fmt: skip
    return 0


def _reproduce_plots(out: Path, houses: dict, results: list, args) -> list[str]:
    from kerasguide.app import experiments as ex
    from kerasguide.app import runner

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
        metrics=("loss", "test_accuracy"),
        title="Training loss and test accuracy per epoch",
    )
    curves = {"NumPy from scratch": "scratch", "Keras": "keras"}
    plots.plot_learning_curves(
        {label: {"loss": houses["history"][key]} for label, key in curves.items()},
        out / names[1],
        title="Houses: training mean squared error (standardised prices)",
    )
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
