"""The ``kerasguide`` command: list the model zoo, the datasets and the pretrained models, train,
reproduce the talk.

``kerasguide models``, ``kerasguide datasets`` and ``kerasguide pretrained`` import no Keras
(``models --json``, which counts parameters, does).
The error boundary: the command line is checked up front (argparse types, built for ``train``'s
parameters from the parameter table, so that the flags and the estimators say the same; then the
commands' own checks, which raise [`UserError`][kerasguide.app.inputs.UserError], as do the call
sites of library functions that refuse a user's input, such as a malformed MNIST file). Inputs
and files are checked before the backend is imported. A user's mistake ends with one line on
stderr, ``kerasguide: error: ...``, and exit status 2 (``--debug`` adds the traceback). Anything
else is a bug: its traceback is shown and the exit status is 1.

This module holds the parser, the entry point, ``models`` and ``datasets``; ``train``,
``reproduce`` and ``pretrained`` are in [`kerasguide.app.train`][kerasguide.app.train],
[`kerasguide.app.reproduce`][kerasguide.app.reproduce] and
[`kerasguide.app.pretrained`][kerasguide.app.pretrained], which add their own flags and import
nothing from here; the input boundary is [`kerasguide.app.inputs`][kerasguide.app.inputs].
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from kerasguide.app import pretrained, reproduce, train
from kerasguide.app.backend import quiet_tensorflow
from kerasguide.app.datasets_table import DATASETS
from kerasguide.app.inputs import UserError
from kerasguide.app.report import table

__all__ = ["UserError", "build_parser", "main"]

PROG = "kerasguide"


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


# --------------------------------------------------------------------------- the parser
def build_parser() -> argparse.ArgumentParser:
    """The ``kerasguide`` argument parser."""
    from kerasguide import __version__

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
    train.add_parser(commands, common)
    reproduce.add_parser(commands, common)
    pretrained.add_parser(commands, common)
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
    kwargs = {"task": "multiclass"} if len(card.tasks) > 1 else {}
    if "multiclass" in card.tasks:
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


def _learns(card) -> str:
    """What ``card``'s model learns, for the table: its tasks, or reconstruction."""
    return "reconstruction" if card.reconstructs else "/".join(card.tasks)


def _cmd_models(args: argparse.Namespace) -> int:
    from kerasguide.zoo.registry import get_model_card, list_models

    cards = [get_model_card(name) for name in list_models()]
    if getattr(args, "json", False):
        import json

        from kerasguide.app.backend import import_keras

        quiet_tensorflow()
        import_keras()
        rows = [{"name": c.name, "input": c.input, "tasks": list(c.tasks),
                 "reconstructs": c.reconstructs, "task": c.task, "description": c.description,
                 **_reference_build(c)} for c in cards]  # fmt: skip
        print(json.dumps(rows, indent=2))
        return 0
    rows = [(c.name, c.input, _learns(c), c.description) for c in cards]
    print(table(("name", "input", "learns", "description"), rows))
    return 0


# --------------------------------------------------------------------------- datasets
def _dataset_rows() -> list[tuple[str, ...]]:
    """One row per dataset of ``kerasguide train`` and ``reproduce``: its task, the model
    inputs it feeds and its split."""
    rows = []
    for spec in DATASETS.values():
        split = "own test set" if spec.test_size is None else f"{spec.test_size:.0%} held out"
        used = ["train"] + (["reproduce"] if spec.epochs_scale is not None else [])
        inputs = ", ".join(spec.inputs)
        rows.append((spec.name, spec.task, inputs, split, ", ".join(used)))
    return rows


def _cmd_datasets(args: argparse.Namespace) -> int:
    print(table(("name", "task", "inputs", "test split", "commands"), _dataset_rows()))
    print("\nIn Python, kerasguide.datasets also has make_sequences (the adding problem, for rnn: "
          "classification or regression of (n, timesteps, 2) sequences).")  # fmt: skip
    return 0


# --------------------------------------------------------------------------- entry point
def _commands():
    return {"models": _cmd_models, "datasets": _cmd_datasets, "train": train.cmd_train,
            "reproduce": reproduce.cmd_reproduce,
            "pretrained": pretrained.cmd_pretrained}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kerasguide`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0, 2 for a mistake in the command line, 130 when interrupted.
    A bug raises (its traceback shown; ``python -m kerasguide`` then exits with status 1).
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and command-line errors
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    if args.command not in ("models", "datasets", "pretrained"):
        quiet_tensorflow()
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
