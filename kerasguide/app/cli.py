"""The ``kerasguide`` command: list the model zoo and the datasets, train, reproduce the talk.

``kerasguide models`` and ``kerasguide datasets`` import no Keras (``models --json``, which
counts parameters, does).
The error boundary: the command line is checked up front (argparse types, then the commands'
own checks, which raise [`UserError`][kerasguide.app.cli.UserError], as do the call sites of
library functions that refuse a user's input, such as a malformed MNIST file). A user's mistake
ends with one line on stderr, ``kerasguide: error: ...``, and exit status 2 (``--debug`` adds the
traceback). Anything else is a bug: its traceback is shown and the exit status is 1.

This module holds the parser, the entry point, ``models`` and ``datasets``; ``train`` and
``reproduce`` are in
[`kerasguide.app.train`][kerasguide.app.train] and
[`kerasguide.app.reproduce`][kerasguide.app.reproduce].
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from kerasguide.app.report import table

__all__ = ["UserError", "build_parser", "main"]

PROG = "kerasguide"


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
    """A path ``model.save`` can write, checked before any training."""
    path = Path(text).expanduser()
    if path.suffix != ".keras":
        raise argparse.ArgumentTypeError(f"must end in .keras. Received: {text!r}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{str(path)!r} is a directory")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {str(path.parent)!r}")
    try:  # a real test (permissions, read-only file systems), also right for root
        with tempfile.TemporaryFile(dir=path.parent):
            pass
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(f"{str(path)!r} is read-only")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise argparse.ArgumentTypeError(f"cannot write {str(path)!r}: {reason}") from None
    return path


# --------------------------------------------------------------------------- the parser
def _train_parser(commands, common: argparse.ArgumentParser) -> None:
    from kerasguide.app.datasets_table import DATASETS
    from kerasguide.zoo.models import TALK_LEARNING_RATE

    train = commands.add_parser(
        "train",
        parents=[common],
        help="train a model of the zoo on a dataset",
        description="Train a model of the zoo on a dataset and report its test score.",
    )
    train.add_argument("model", help="a name from 'kerasguide models'")
    defaults = ", ".join(f"{s.name} for {'/'.join(s.default_for)}" for s in DATASETS.values()
                         if s.default_for)  # fmt: skip
    train.add_argument("--dataset", choices=list(DATASETS), help=f"default: {defaults}")
    train.add_argument("--hidden-layers", type=_hidden_layers, metavar="UNITS", help="e.g. 128,64")
    train.add_argument("--activation", help="hidden activation, e.g. relu, tanh, linear")
    train.add_argument("--dropout", type=_fraction, help="fraction of hidden units dropped")
    train.add_argument("--l2", type=_non_negative_float, help="L2 penalty factor")
    train.add_argument("--optimizer", default="sgd", help="a Keras optimizer (default: sgd)")
    train.add_argument(
        "--learning-rate",
        type=_positive_float,
        default=TALK_LEARNING_RATE,
        help=f"default: {TALK_LEARNING_RATE:g}, the talk's",
    )
    train.add_argument("--epochs", type=_positive_int, help="default depends on the dataset")
    train.add_argument("--batch-size", type=_positive_int, help="default depends on the dataset")
    train.add_argument(
        "--seed", type=_non_negative_int, default=0, help="weights, dropout, shuffling, split"
    )
    train.add_argument("--save", type=_keras_file, metavar="PATH", help="save the model (.keras)")
    train.add_argument("--mnist", type=_mnist_file, metavar="PATH", help="a local mnist.npz")


def build_parser() -> argparse.ArgumentParser:
    """The ``kerasguide`` argument parser."""
    from kerasguide import __version__
    from kerasguide.app.datasets_table import DATASETS

    parser = _Parser(
        prog=PROG,
        description="The classic neural networks of the talk as a Keras 3 model zoo.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    debug_help = "show the traceback of an error, even of a mistake in the command line"
    parser.add_argument("--debug", action="store_true", help=debug_help)
    # The same flag after the command; SUPPRESS keeps it from overriding one given before.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    models = commands.add_parser("models", parents=[common], help="list the models of the zoo")
    models.add_argument(
        "--json",
        action="store_true",
        help="print the registry as JSON, with each model's parameter count for an example "
        "input (MNIST: 784 features, 28x28x1 images for cnn, 28 steps of 28 for rnn; 10 "
        "classes, or the model's own outputs for binary and regression models); imports Keras",
    )
    commands.add_parser(
        "datasets", parents=[common], help="list the datasets, each with its learning task"
    )
    _train_parser(commands, common)
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
        "--out", type=Path, default=Path("reproduce-out"), help="default: ./reproduce-out"
    )
    reproduce.add_argument("--seed", type=_non_negative_int, default=0, help="default: 0")
    reproduce.add_argument("--mnist", type=_mnist_file, metavar="PATH", help="a local mnist.npz")
    return parser


# --------------------------------------------------------------------------- models
#: The reference input of ``kerasguide models --json``'s parameter counts (MNIST's shape),
#: for models whose card gives no example input shape of their own.
REFERENCE_FEATURES = 784


def _reference_build(card) -> dict:
    """The reference input and ``card``'s parameter count for it: the card's example input shape
    (784 features unless it says otherwise: a cnn reads 28x28x1 images), with 10 outputs for a
    classifier (a model of any task is counted as a 10-class classifier) and the factory's own
    default otherwise (1 output, or an autoencoder's reconstruction). A model that cannot be
    built so gets ``None``."""
    shape = card.example_input_shape or (REFERENCE_FEATURES,)
    kwargs = {"task": "multiclass"} if card.task == "any" else {}
    if card.task in ("any", "multiclass"):
        kwargs["n_outputs"] = 10
    n_outputs, parameters = kwargs.get("n_outputs"), None
    try:
        model = card.builder(input_shape=shape, **kwargs)
        parameters = int(model.count_params())
        n_outputs = int(model.output_shape[-1])
    except (TypeError, ValueError):
        pass
    n_features = 1
    for dim in shape:
        n_features *= dim
    return {"input_shape": list(shape), "n_features": n_features, "n_outputs": n_outputs,
            "parameters": parameters}  # fmt: skip


def _cmd_models(args: argparse.Namespace) -> int:
    from kerasguide.zoo.registry import get_model_card, list_models

    cards = [get_model_card(name) for name in list_models()]
    if getattr(args, "json", False):
        import json

        _quiet_tensorflow()
        rows = [{"name": c.name, "task": c.task, "description": c.description,
                 **_reference_build(c)} for c in cards]  # fmt: skip
        print(json.dumps(rows, indent=2))
        return 0
    print(table(("name", "task", "description"), [(c.name, c.task, c.description) for c in cards]))
    return 0


# --------------------------------------------------------------------------- datasets
def _dataset_rows() -> list[tuple[str, ...]]:
    """One row per dataset of ``kerasguide train`` and ``reproduce``: its task and split."""
    from kerasguide.app.datasets_table import DATASETS

    rows = []
    for spec in DATASETS.values():
        split = "own test set" if spec.test_size is None else f"{spec.test_size:.0%} held out"
        used = ["train"] + (["reproduce"] if spec.epochs_scale is not None else [])
        rows.append((spec.name, spec.task, split, ", ".join(used)))
    return rows


def _cmd_datasets(args: argparse.Namespace) -> int:
    print(table(("name", "task", "test split", "commands"), _dataset_rows()))
    print("\nIn Python, kerasguide.datasets also has make_sequences (the adding problem, for rnn: "
          "classification or regression of (n, timesteps, 2) sequences).")  # fmt: skip
    return 0


class _MnistMissing(UserError):
    """No local copy of MNIST was found."""


def _load_mnist(args: argparse.Namespace):
    """[`load_mnist`][kerasguide.datasets.load_mnist], never downloading.

    Its refusals are raised as UserError.
    """
    from kerasguide import datasets

    given = args.mnist or os.environ.get(datasets.MNIST_ENV)
    try:
        return datasets.load_mnist(args.mnist, download=False)
    except FileNotFoundError as exc:
        if given:
            raise UserError(str(exc)) from exc
        raise _MnistMissing(
            f"MNIST not found locally (no --mnist, no {datasets.MNIST_ENV}, nothing in the Keras "
            "cache); pass --mnist PATH to a copy of mnist.npz. kerasguide never downloads it here."
        ) from exc
    except ValueError as exc:  # the file is not in the mnist.npz layout
        file = str(given) if given else "the MNIST file in the Keras cache"
        message = " ".join(str(exc).split())
        if file not in message:
            message = f"{file!r}: {message}" if given else f"{file}: {message}"
        raise UserError(f"cannot read MNIST from {message}") from exc


def _load_split(dataset: str, args: argparse.Namespace, *, quick: bool = False):
    """[`load_split`][kerasguide.app.datasets_table.load_split], MNIST loaded at this boundary."""
    from kerasguide.app.datasets_table import load_split

    mnist = _load_mnist(args) if dataset == "mnist" else None
    return load_split(dataset, mnist=mnist, seed=args.seed, quick=quick)


# --------------------------------------------------------------------------- entry point
def _quiet_tensorflow() -> None:
    """Keep TensorFlow's start-up logging out of the user's output, by supported means.

    ``TF_CPP_MIN_LOG_LEVEL`` must be set before TensorFlow is first imported, so here, at the
    program's entry point (a user's own value wins); absl's Python logging is set to errors.
    What remains: on a machine without CUDA, TensorFlow's C++ code logs "All log messages before
    absl::InitializeLog() is called are written to STDERR" and "Could not find cuda drivers"
    before it reads any setting; only redirecting the stderr file descriptor would hide them.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        from absl import logging as absl_logging
    except ImportError:  # absl comes with TensorFlow; other backends may lack it
        return
    absl_logging.set_verbosity(absl_logging.ERROR)


def _commands():
    from kerasguide.app.reproduce import cmd_reproduce
    from kerasguide.app.train import cmd_train

    return {"models": _cmd_models, "datasets": _cmd_datasets, "train": cmd_train,
            "reproduce": cmd_reproduce}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kerasguide`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0, 2 for a mistake in the command line, 130 when interrupted.
    A bug raises (its traceback shown; ``python -m kerasguide`` then exits with status 1).
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and command-line errors
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    if args.command not in ("models", "datasets"):
        _quiet_tensorflow()
    try:
        return _commands()[args.command](args)
    except UserError as exc:
        if getattr(args, "debug", False):
            traceback.print_exc()
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
