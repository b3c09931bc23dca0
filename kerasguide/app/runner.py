"""Run the experiments described in :mod:`kerasguide.app.experiments`.

:func:`load_split` loads a dataset and splits it reproducibly; :func:`build` builds a registry
model for a split; :func:`run_experiment` trains one :class:`~kerasguide.app.experiments.Experiment`
and measures it, :func:`check_goals` compares the results with their goals; :func:`run_houses`
runs the houses comparison and :func:`fit_boundary_model` fits one decision-boundary panel.
``kerasguide reproduce`` calls them in that order. Keras is imported only when a model is built.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from kerasguide.app.experiments import (
    BOUNDARY_TRAINING,
    DATASETS,
    HOUSES,
    SCHEDULES,
    BoundaryModel,
    Experiment,
)
from kerasguide.registry import get_model_card

__all__ = [
    "ExperimentResult",
    "Split",
    "build",
    "check_goals",
    "fit_boundary_model",
    "load_split",
    "run_experiment",
    "run_houses",
]


@dataclass
class Split:
    """A dataset split into training and test rows, ready for Keras (float32 inputs).

    Regression targets are standardised; ``target_mean + target_std * prediction`` is in the
    original unit (dollars for houses).
    """

    name: str
    task: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    source: str
    n_outputs: int
    target_mean: float = 0.0
    target_std: float = 1.0


def _take(X: np.ndarray, y: np.ndarray, n: int | None, seed: int):
    if n is None or n >= len(y):
        return X, y
    index = np.random.default_rng(seed).permutation(len(y))[:n]
    return X[index], y[index]


def load_split(
    dataset: str, *, mnist: Any = None, seed: int = 0, quick: bool = False, n_samples: int = 1000
) -> Split:
    """Load ``dataset`` (a key of :data:`~kerasguide.app.experiments.DATASETS`) and split it
    reproducibly.

    MNIST keeps its own test set and is never downloaded (``FileNotFoundError`` when no local
    copy is found); digits, houses, xor and circles hold out a quarter (houses a fifth),
    stratified for classes. ``quick`` trims MNIST to the subsets of
    :data:`~kerasguide.app.experiments.SCHEDULES`.
    """
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from kerasguide import datasets

    if dataset not in DATASETS:
        raise ValueError(f"Unknown dataset {dataset!r}. Known datasets: {', '.join(DATASETS)}.")
    task = DATASETS[dataset]
    if dataset == "mnist":
        bunch = datasets.load_mnist(mnist, download=False)
        schedule = SCHEDULES["mnist"]
        n_train, n_test = (schedule.quick_train, schedule.quick_test) if quick else (None, None)
        X_train, y_train = _take(bunch.data, bunch.target, n_train, seed)
        X_test, y_test = _take(bunch.data_test, bunch.target_test, n_test, seed + 1)
        source = f"MNIST ({bunch.filename.rsplit('/', 1)[-1]}, 28x28 images)"
        return Split(dataset, task, X_train, y_train, X_test, y_test, source, 10)
    if dataset == "houses":
        X, y = datasets.make_houses(
            n_samples, noise=HOUSES.noise, random_state=seed, return_X_y=True
        )
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=HOUSES.test_size, random_state=seed
        )
        x_scaler, y_mean, y_std = StandardScaler().fit(X_train), y_train.mean(), y_train.std()
        arrays = (x_scaler.transform(X_train), (y_train - y_mean) / y_std)
        arrays += (x_scaler.transform(X_test), (y_test - y_mean) / y_std)
        source = f"Synthetic houses (noise {HOUSES.noise:g} dollars), standardised"
        arrays = (a.astype(np.float32) for a in arrays)
        return Split(dataset, task, *arrays, source, 1, float(y_mean), float(y_std))
    if dataset == "digits":
        X, y = datasets.load_digits(return_X_y=True)
        source = "Digits embedded in scikit-learn (1797 8x8 images)"
    else:
        make = datasets.make_xor if dataset == "xor" else datasets.make_circles
        X, y = make(n_samples, random_state=seed, return_X_y=True)
        source = f"Synthetic {dataset} ({n_samples} points)"
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(np.float32), y, test_size=0.25, random_state=seed, stratify=y
    )
    n_outputs = 1 if task == "binary" else int(y.max()) + 1
    return Split(dataset, task, X_train, y_train, X_test, y_test, source, n_outputs)


def _fits(model_task: str, data_task: str) -> bool:
    return model_task in ("any", data_task) or (model_task, data_task) == ("multiclass", "binary")


def build(model: str, split: Split, *, seed: int, **params: Any):
    """Build registry ``model`` for ``split``, handing the factory only the shape arguments
    its signature names (``n_outputs``, ``n_classes`` or ``n_targets``; ``task``).

    A binary dataset with a multiclass model gets a softmax over two classes.
    """
    card = get_model_card(model)
    if not _fits(card.task, split.task):
        fits = [name for name, task in DATASETS.items() if _fits(card.task, task)]
        raise ValueError(
            f"Model {model!r} is made for {card.task} tasks but dataset {split.name!r} is "
            f"{split.task}; datasets it fits: {', '.join(fits) or 'none'}."
        )
    accepted = inspect.signature(card.builder).parameters
    two_classes = card.task == "multiclass" and split.task == "binary"
    n_outputs = 2 if two_classes else split.n_outputs
    task = "multiclass" if two_classes else split.task
    shape = {"n_outputs": n_outputs, "n_classes": n_outputs, "n_targets": n_outputs, "task": task}
    kwargs = {k: v for k, v in shape.items() if k in accepted}
    return card.builder(split.X_train.shape[1], **kwargs, seed=seed, **params)


@dataclass
class ExperimentResult:
    """What one run of an :class:`~kerasguide.app.experiments.Experiment` measured (accuracies in
    percent)."""

    experiment: Experiment
    epochs: int
    train_accuracy: float
    test_accuracy: float
    seconds: float
    history: dict[str, list[float]]

    def to_dict(self) -> dict[str, Any]:
        """The result and its experiment's settings, ready for JSON."""
        exp, talk = self.experiment, self.experiment.talk
        return {
            "name": exp.name,
            "title": exp.title,
            "model": exp.model,
            "params": dict(exp.params),
            "epochs": self.epochs,
            "batch_size": exp.batch_size,
            "talk_train_accuracy": talk.train if talk else None,
            "talk_test_accuracy": talk.test if talk else None,
            "train_accuracy": round(self.train_accuracy, 2),
            "test_accuracy": round(self.test_accuracy, 2),
            "goal": exp.goal,
            "seconds": round(self.seconds, 1),
            "lesson": exp.lesson,
            "history": {k: [round(v, 5) for v in vs] for k, vs in self.history.items()},
        }


def check_goals(results: list[ExperimentResult]) -> dict[str, bool]:
    """Whether each result with a goal (``at_least``, ``not_above``) reached it."""
    accuracy = {r.experiment.name: r.test_accuracy for r in results}
    met = {}
    for result in results:
        exp = result.experiment
        if exp.at_least is not None:
            met[exp.name] = result.test_accuracy >= exp.at_least
        elif exp.not_above is not None and exp.not_above in accuracy:
            met[exp.name] = result.test_accuracy <= accuracy[exp.not_above]
    return met


def run_experiment(
    experiment: Experiment, split: Split, *, epochs: int, seed: int = 0, verbose: int = 0
) -> ExperimentResult:
    """Train ``experiment`` on ``split`` with ``model.fit`` and a fixed seed; measure it."""
    import keras

    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    model = build(experiment.model, split, seed=seed, **experiment.params)
    history = model.fit(
        split.X_train,
        split.y_train,
        epochs=epochs,
        batch_size=experiment.batch_size,
        validation_data=(split.X_test, split.y_test),
        verbose=verbose,
    ).history
    train = model.evaluate(split.X_train, split.y_train, batch_size=1000, verbose=0)
    test = model.evaluate(split.X_test, split.y_test, batch_size=1000, verbose=0)
    return ExperimentResult(
        experiment,
        epochs,
        100.0 * float(train[1]),
        100.0 * float(test[1]),
        time.perf_counter() - start,
        # Keras's validation data here is the test set: say so in the curves' names.
        {name.replace("val_", "test_"): [float(v) for v in vs] for name, vs in history.items()},
    )


def run_houses(*, quick: bool = False, seed: int = 0) -> dict[str, Any]:
    """Fit :data:`~kerasguide.app.experiments.HOUSES` from scratch and with Keras; test errors in
    dollars, and loss curves."""
    import keras

    from kerasguide import scratch

    spec = HOUSES
    split = load_split("houses", seed=seed, n_samples=spec.n_samples)
    epochs = spec.quick_epochs if quick else spec.epochs
    start = time.perf_counter()
    fitted = scratch.train(
        split.X_train,
        split.y_train,
        epochs=epochs,
        learning_rate=spec.scratch_learning_rate,
        batch_size=spec.scratch_batch_size,
        random_state=seed,
    )
    error = scratch.evaluate(split.X_test, split.y_test, fitted.weights, fitted.intercept)
    scratch_rmse = split.target_std * error
    scratch_seconds = time.perf_counter() - start

    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    model = build("linear_regression", split, seed=seed, learning_rate=spec.learning_rate)
    history = model.fit(
        split.X_train, split.y_train, epochs=epochs, batch_size=spec.keras_batch_size, verbose=0
    ).history
    predicted = model.predict(split.X_test, verbose=0).ravel().astype(np.float64)
    keras_rmse = split.target_std * float(np.sqrt(np.mean((predicted - split.y_test) ** 2)))
    return {
        "noise": spec.noise,
        "n_train": len(split.y_train),
        "n_test": len(split.y_test),
        "epochs": epochs,
        "scratch_rmse": scratch_rmse,
        "keras_rmse": keras_rmse,
        "scratch_seconds": scratch_seconds,
        "keras_seconds": time.perf_counter() - start,
        "talk_scratch_rmse": spec.talk_scratch_rmse,
        "talk_keras_rmse": spec.talk_keras_rmse,
        "history": {"scratch": fitted.loss_curve, "keras": [float(v) for v in history["loss"]]},
    }


def fit_boundary_model(spec: BoundaryModel, split: Split, *, epochs: int, seed: int = 0):
    """A fitted :class:`~kerasguide.KerasClassifier` for one boundary figure's panel."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from kerasguide import KerasClassifier

    settings = {**BOUNDARY_TRAINING, **spec.params}
    clf = KerasClassifier(spec.model, epochs=epochs, random_state=seed, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(split.X_train, split.y_train)
