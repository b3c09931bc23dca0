"""``kerasguide train``: train one model of the zoo on one dataset, through the estimators.

The command checks what it was given before it trains (the model's name, whether it fits the
dataset, the flags the model takes, the optimizer and the activation) and raises
[`UserError`][kerasguide.app.cli.UserError] for a mistake. It trains a
[`KerasClassifier`][kerasguide.estimators.KerasClassifier] or
[`KerasRegressor`][kerasguide.estimators.KerasRegressor] for exactly the epochs asked, reports the
test score (``sklearn.metrics``) and, with ``--save``, saves the Keras model, also after Ctrl-C:
then with the weights learned so far.
"""

from __future__ import annotations

import argparse
from typing import Any

from kerasguide.app.cli import UserError, _load_split

__all__ = ["cmd_train"]

#: The flags of the architecture knobs, by estimator parameter.
ARCHITECTURE_FLAGS = {
    "hidden_layers": "--hidden-layers",
    "activation": "--activation",
    "dropout": "--dropout",
    "l2": "--l2",
}
#: The models that take architecture knobs are those declared for any task (``mlp``); the
#: zoo's fixed-architecture models are each declared for one task. Should a model break this
#: rule, the estimator refuses a knob it cannot take when it builds the model.
TUNABLE_TASK = "any"


def _model_card(name: str):
    from kerasguide.zoo.registry import get_model_card

    try:
        return get_model_card(name)
    except ValueError as exc:  # an unknown name; the message suggests the closest
        raise UserError(str(exc)) from exc


def _architecture(args: argparse.Namespace, card) -> dict[str, Any]:
    """The architecture knobs the command line sets (only those), checked against the model."""
    knobs = {name: getattr(args, name) for name in ARCHITECTURE_FLAGS}
    knobs = {name: value for name, value in knobs.items() if value is not None}
    if knobs and card.task != TUNABLE_TASK:
        flag = ARCHITECTURE_FLAGS[next(iter(knobs))]
        raise UserError(
            f"model {card.name!r} has a fixed architecture and takes no {flag}; "
            "see 'kerasguide models'"
        )
    return knobs


def _check_keras_names(args: argparse.Namespace) -> None:
    """The optimizer and activation must be names Keras knows."""
    import keras

    try:
        keras.optimizers.get(args.optimizer)
    except ValueError:
        raise UserError(
            "--optimizer: `optimizer` must be a Keras optimizer name, e.g. sgd, adam, rmsprop. "
            f"Received: {args.optimizer!r}"
        ) from None
    if args.activation is not None:
        try:
            keras.activations.get(args.activation)
        except ValueError:
            raise UserError(
                "--activation: must be a Keras activation name, e.g. relu, tanh, linear. "
                f"Received: {args.activation!r}"
            ) from None


def _dataset(args: argparse.Namespace, card):
    from kerasguide.app.datasets_table import DATASETS, default_dataset

    spec = DATASETS[args.dataset] if args.dataset else default_dataset(card.task)
    if not spec.fits(card.task):
        fits = [name for name, other in DATASETS.items() if other.fits(card.task)]
        raise UserError(
            f"model {card.name!r} is made for {card.task} tasks but dataset {spec.name!r} is "
            f"{spec.task}; datasets it fits: {', '.join(fits) or 'none'}"
        )
    return spec


def _report(estimator, split) -> None:
    from sklearn.metrics import accuracy_score, r2_score

    from kerasguide.app.runner import rmse

    predicted = estimator.predict(split.X_test)
    if split.task == "regression":
        dollars = split.target_std * rmse(split.y_test, predicted)
        print(f"Test RMSE: {dollars:,.2f} dollars; R²: {r2_score(split.y_test, predicted):.4f}")
    else:
        print(f"Test accuracy: {100 * accuracy_score(split.y_test, predicted):.2f} %")


def cmd_train(args: argparse.Namespace) -> int:
    """Run ``kerasguide train``; the exit status (130 after Ctrl-C, the model saved if asked)."""
    from kerasguide.app.runner import fit_epochs, make_estimator

    card = _model_card(args.model)
    spec = _dataset(args, card)
    knobs = _architecture(args, card)
    _check_keras_names(args)
    epochs = args.epochs or spec.train_epochs
    batch_size = args.batch_size or spec.train_batch_size
    split = _load_split(spec.name, args)
    print(
        f"Training {args.model} on {spec.name}: {split.source}; {len(split.y_train)} training "
        f"and {len(split.y_test)} test rows, {split.X_train.shape[1]} features; "
        f"{epochs} epochs, batch size {batch_size}, {args.optimizer} at {args.learning_rate:g}."
    )
    estimator = make_estimator(
        split.task,
        args.model,
        epochs=epochs,
        seed=args.seed,
        batch_size=batch_size,
        optimizer=args.optimizer,
        learning_rate=args.learning_rate,
        verbose=1,
        **knobs,
    )
    interrupted = fit_epochs(estimator, split.X_train, split.y_train)
    if interrupted:
        print(f"Training interrupted after {estimator.n_iter_} of {epochs} epochs.")
    _report(estimator, split)
    if args.save is not None:
        estimator.model_.save(args.save)
        scaled = " (it takes standardised features)" if spec.standardize else ""
        when = " after the interrupted training" if interrupted else ""
        print(f"Saved the model{when} to {args.save}{scaled}")
    return 130 if interrupted else 0
