"""``kerasguide train``: train one model of the zoo on one dataset, through the estimators.

Its flags are built from the parameter table (``kerasguide.core.checks``),
so a value is accepted or refused with the words the estimators use. The command then checks,
before it imports the backend, that the model and the dataset go together (the registry card
says what the model eats and which tasks it serves; the dataset's spec what it gives) and that
the model takes each architecture flag, and it loads the data (NumPy checks an MNIST file). A
mistake raises [`UserError`][kerasguide.app.inputs.UserError]. It trains a
[`KerasClassifier`][kerasguide.estimators.KerasClassifier],
[`KerasRegressor`][kerasguide.estimators.KerasRegressor] or, for a model that reconstructs its
inputs (the autoencoder), a [`KerasTransformer`][kerasguide.transformer.KerasTransformer] for
exactly the epochs asked, reports the test score (``sklearn.metrics``; the reconstruction error
for an autoencoder) and, with ``--save``, saves the Keras model (``.keras``) or the fitted
estimator (``.kgz``, for ``kerasguide.load``), also after Ctrl-C: then with the weights learned
so far. ``--filters`` and ``--dense-layers`` go to the model through ``model_params``.
"""

from __future__ import annotations

import argparse
import functools
import inspect
from typing import Any

from kerasguide.app.datasets_table import DATASETS, default_dataset
from kerasguide.app.inputs import UserError, keras_file, load_split, mnist_file
from kerasguide.core.checks import PARAMETERS, check, cli_type, parse
from kerasguide.exceptions import InvalidParameterError

__all__ = ["ARCHITECTURE", "FLAGS", "MODEL_PARAMS", "add_parser", "cmd_train"]

#: The estimator parameters ``train`` sets, each with whether the estimators take None for it
#: (their "the model's own default"; the check's message then says so, as theirs does).
FLAGS = {
    "hidden_layers": True,
    "activation": True,
    "dropout": True,
    "l2": True,
    "normalization": True,
    "optimizer": False,
    "learning_rate": True,
    "learning_rate_schedule": True,
    "epochs": False,
    "batch_size": False,
    "seed": False,
}
#: The flags that shape the network: a model takes one if its factory has that argument.
ARCHITECTURE = ("hidden_layers", "activation", "dropout", "l2", "normalization", "filters",
                "dense_layers")  # fmt: skip
#: The architecture flags that are no estimator parameter (the factory's own arguments, never
#: None when given): they go in ``model_params``.
MODEL_PARAMS = ("filters", "dense_layers")
#: Names that only Keras can check: checked once the data is loaded and Keras imported.
_KERAS_NAMES = ("activation", "optimizer", "learning_rate_schedule")
_HELP = {
    "hidden_layers": "units of each hidden layer, e.g. 128,64",
    "activation": "a Keras activation name (relu, tanh, leaky_relu, linear, ...) or maxout",
    "epochs": "default depends on the dataset",
    "batch_size": "default depends on the dataset",
    "seed": "weights, dropout, shuffling, split (default: 0)",
    "filters": "filters of each convolution, e.g. 32,64",
    "dense_layers": "units of each dense layer after the convolutions, e.g. 128",
    "learning_rate_schedule": "cosine, step or plateau (default: a constant rate)",
}


def flag(name: str) -> str:
    """The command-line flag of estimator parameter ``name``."""
    return "--" + name.replace("_", "-")


def add_parser(commands, common: argparse.ArgumentParser) -> None:
    """Add ``train`` and its flags, one per ``FLAGS`` entry, typed by the parameter table."""
    from kerasguide.zoo.models import TALK_LEARNING_RATE

    train = commands.add_parser(
        "train",
        parents=[common],
        help="train a model of the zoo on a dataset",
        description="Train a model of the zoo on a dataset and report its test score.",
    )
    train.add_argument("model", help="a name from 'kerasguide models'")
    defaults = "; ".join(f"{s.name} for {'/'.join(s.default_for)}" for s in DATASETS.values()
                         if s.default_for)  # fmt: skip
    train.add_argument("--dataset", choices=list(DATASETS), help=f"default: {defaults}")
    defaults = {"optimizer": "sgd", "learning_rate": TALK_LEARNING_RATE, "seed": 0}
    helps = {**_HELP, "optimizer": "a Keras optimizer name, e.g. sgd, adam, rmsprop (default: sgd)",
             "learning_rate": f"a finite float > 0 (default: {TALK_LEARNING_RATE:g}, the "
             "talk's)"}  # fmt: skip
    for name, none_ok in [*FLAGS.items(), *((name, False) for name in MODEL_PARAMS)]:
        # A Keras name is read now and checked once the data is loaded (Keras imported).
        kind = functools.partial(parse, name) if name in _KERAS_NAMES else cli_type(
            name, none_ok=none_ok)  # fmt: skip
        train.add_argument(flag(name), type=kind, default=defaults.get(name),
                           help=helps.get(name, PARAMETERS[name].allowed),
                           metavar=name.upper())  # fmt: skip
    train.add_argument(
        "--save",
        type=keras_file,
        metavar="PATH",
        help="save the Keras model (.keras) or the fitted estimator (.kgz)",
    )
    train.add_argument("--mnist", type=mnist_file, metavar="PATH", help="a local mnist.npz")


def _check_with_keras(args: argparse.Namespace) -> None:
    """The flags only Keras can check (names it knows), with the table's words."""
    for name in _KERAS_NAMES:
        value = getattr(args, name)
        if value is not None:
            try:
                check(name, value, none_ok=FLAGS[name])
            except InvalidParameterError as exc:
                raise UserError(f"argument {flag(name)}: {exc}") from None


def _model_card(name: str):
    from kerasguide.zoo.registry import get_model_card

    try:
        return get_model_card(name)
    except ValueError as exc:  # an unknown name; the message suggests the closest
        raise UserError(str(exc)) from exc


def _architecture(args: argparse.Namespace, card) -> dict[str, Any]:
    """The architecture flags given (only those), each one the model's factory takes."""
    knobs = {name: getattr(args, name) for name in ARCHITECTURE}
    knobs = {name: value for name, value in knobs.items() if value is not None}
    takes = [name for name in ARCHITECTURE if name in inspect.signature(card.builder).parameters]
    refused = [name for name in knobs if name not in takes]
    if refused:
        flags = ", ".join(map(flag, takes)) if takes else "none: its architecture is fixed"
        raise UserError(
            f"model {card.name!r} takes no {flag(refused[0])}; its architecture flags: {flags}"
        )
    return knobs


def _dataset(args: argparse.Namespace, card):
    spec = DATASETS[args.dataset] if args.dataset else default_dataset(card)
    if spec is None or not spec.fits(card):
        fits = [name for name, other in DATASETS.items() if other.fits(card)]
        what = "its inputs" if card.reconstructs else f"{'/'.join(card.tasks)} targets"
        gives = ""
        if spec is not None:
            gives = f"; dataset {spec.name!r} gives {'/'.join(spec.inputs)}, {spec.task} targets"
        raise UserError(
            f"model {card.name!r} takes {card.input} and learns {what}{gives}; datasets it "
            f"fits: {', '.join(fits) or 'none'}"
        )
    return spec


def _shaped(split, shape: tuple[int, ...] | None):
    """``split`` with its rows reshaped to ``shape`` (images, sequences); None: as loaded."""
    if shape is not None:
        split.X_train = split.X_train.reshape(len(split.X_train), *shape)
        split.X_test = split.X_test.reshape(len(split.X_test), *shape)
    return split


def _estimator(args: argparse.Namespace, card, split, epochs: int, knobs: dict[str, Any]):
    from kerasguide.app.runner import make_estimator

    model_params = {name: knobs.pop(name) for name in MODEL_PARAMS if name in knobs}
    settings = {"epochs": epochs, "batch_size": args.batch_size, "optimizer": args.optimizer,
                "learning_rate": args.learning_rate, "verbose": 1, **knobs}  # fmt: skip
    if args.learning_rate_schedule is not None:
        settings["learning_rate_schedule"] = args.learning_rate_schedule
    if model_params:
        settings["model_params"] = model_params
    if card.reconstructs:
        from kerasguide import KerasTransformer

        return KerasTransformer(card.name, n_iter_no_change=epochs, random_state=args.seed,
                                **settings)  # fmt: skip
    return make_estimator(split.task, card.name, seed=args.seed, **settings)


def _report(estimator, split, card) -> None:
    import numpy as np
    from sklearn.metrics import accuracy_score, r2_score

    from kerasguide.app.runner import rmse

    if card.reconstructs:
        rebuilt = estimator.model_.predict(split.X_test, verbose=0)
        flat = split.X_test.reshape(len(split.X_test), -1)
        baseline = rmse(flat, np.broadcast_to(split.X_train.mean(axis=0), flat.shape))
        width = estimator.transform(split.X_test[:1]).shape[1]
        print(f"Test reconstruction RMSE: {rmse(flat, rebuilt.reshape(flat.shape)):.4f} from "
              f"{width} code values per row (the training mean gives {baseline:.4f})")  # fmt: skip
        return
    predicted = estimator.predict(split.X_test)
    if split.task == "regression":
        dollars = split.target_std * rmse(split.y_test, predicted)
        print(f"Test RMSE: {dollars:,.2f} dollars; R²: {r2_score(split.y_test, predicted):.4f}")
    else:
        print(f"Test accuracy: {100 * accuracy_score(split.y_test, predicted):.2f} %")


def _fit(estimator, split, card) -> bool:
    """Train; True if interrupted. A diverging fit (non-finite loss) is the user's to fix."""
    from kerasguide.app.runner import fit_epochs

    try:
        return fit_epochs(estimator, split.X_train, None if card.reconstructs else split.y_train)
    except ValueError as exc:
        if "non-finite" not in str(exc):  # anything else is a bug: its traceback is shown
            raise
        raise UserError(f"training diverged: {exc} Try a smaller --learning-rate.") from exc


def cmd_train(args: argparse.Namespace) -> int:
    """Run ``kerasguide train``; the exit status (130 after Ctrl-C, the model saved if asked)."""
    from kerasguide.app.backend import import_keras

    card = _model_card(args.model)
    spec = _dataset(args, card)
    knobs = _architecture(args, card)
    epochs = args.epochs or spec.train_epochs
    args.batch_size = args.batch_size or spec.train_batch_size
    split = _shaped(load_split(spec.name, args), spec.row_shape(card.input))
    import_keras()  # only now: every check before this one needs no backend
    _check_with_keras(args)
    rows = "features" if card.input == "rows" else f"{card.input} of shape"
    print(
        f"Training {args.model} on {spec.name}: {split.source}; {len(split.X_train)} training "
        f"and {len(split.X_test)} test rows, {rows} {split.X_train.shape[1:]}; {epochs} epochs, "
        f"batch size {args.batch_size}, {args.optimizer} at {args.learning_rate:g}."
    )
    estimator = _estimator(args, card, split, epochs, knobs)
    interrupted = _fit(estimator, split, card)
    if interrupted:
        print(f"Training interrupted after {estimator.n_iter_} of {epochs} epochs.")
    _report(estimator, split, card)
    if args.save is not None:
        # A .kgz holds the whole fitted estimator (kerasguide.load), a .keras the network.
        what = "estimator" if args.save.suffix == ".kgz" else "model"
        (estimator if what == "estimator" else estimator.model_).save(args.save)
        scaled = " (it takes standardised features)" if spec.standardize else ""
        when = " after the interrupted training" if interrupted else ""
        print(f"Saved the {what}{when} to {args.save}{scaled}")
    return 130 if interrupted else 0
