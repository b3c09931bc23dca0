"""Run the experiments described in [`kerasguide.app.experiments`][kerasguide.app.experiments].

Everything trains through [`KerasClassifier`][kerasguide.estimators.KerasClassifier] and
[`KerasRegressor`][kerasguide.estimators.KerasRegressor]:
[`make_estimator`][kerasguide.app.runner.make_estimator] sets one up for a split,
[`fit_epochs`][kerasguide.app.runner.fit_epochs] trains it for exactly its ``epochs``.
[`run_experiment`][kerasguide.app.runner.run_experiment] trains one
[`Experiment`][kerasguide.app.experiments.Experiment] and measures it with ``sklearn.metrics``,
[`check_goals`][kerasguide.app.runner.check_goals] compares the results with their goals;
[`run_houses`][kerasguide.app.runner.run_houses] runs the houses comparison,
[`fit_boundary_model`][kerasguide.app.runner.fit_boundary_model] fits one decision-boundary
panel, [`optimizer_paths`][kerasguide.app.runner.optimizer_paths] runs Keras optimizers on a 2-D
cost surface and [`digit_codes`][kerasguide.app.runner.digit_codes] fits the autoencoder of the
2-D code figure.
``kerasguide reproduce`` calls them in that order. The datasets and
[`load_split`][kerasguide.app.datasets_table.load_split] live in
[`kerasguide.app.datasets_table`][kerasguide.app.datasets_table]. Keras is imported only when an
estimator trains.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kerasguide.app.datasets_table import Split, get_dataset, load_split
from kerasguide.app.experiments import (
    BOUNDARY_TRAINING,
    DIGIT_CODES,
    DIGIT_CODES_NEIGHBOURS,
    HOUSES,
    BoundaryModel,
    Experiment,
    Goal,
)

__all__ = [
    "ExperimentResult",
    "Split",
    "check_goals",
    "digit_codes",
    "fit_boundary_model",
    "fit_epochs",
    "load_split",
    "make_estimator",
    "near_zero_weights",
    "optimizer_paths",
    "rmse",
    "run_experiment",
    "run_houses",
]


def make_estimator(task: str, model: str, *, epochs: int, seed: int = 0, **params: Any):
    """An estimator that trains registry ``model`` for exactly ``epochs``.

    A [`KerasClassifier`][kerasguide.estimators.KerasClassifier] or, for regression, a
    [`KerasRegressor`][kerasguide.estimators.KerasRegressor]. ``n_iter_no_change=epochs``: the
    ``tol`` rule cannot stop training earlier. ``params`` are further estimator parameters; pass
    only those you set, the others keep the model's defaults. A regressor gets
    ``normalize_y=False``: the app's regression splits are already standardised.
    """
    from kerasguide import KerasClassifier, KerasRegressor

    settings = {"epochs": epochs, "n_iter_no_change": epochs, "random_state": seed, **params}
    if task == "regression":
        return KerasRegressor(model, normalize_y=False, **settings)
    return KerasClassifier(model, **settings)


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """The root mean squared error (``sklearn.metrics.root_mean_squared_error``)."""
    from sklearn.metrics import root_mean_squared_error

    return float(root_mean_squared_error(y_true, y_pred))


def _is_interruption(warning: warnings.WarningMessage) -> bool:
    # The estimators catch Ctrl-C inside fit, keep the weights and warn.
    from kerasguide.exceptions import TrainingInterruptedWarning

    return issubclass(warning.category, TrainingInterruptedWarning)


def fit_epochs(estimator, X: np.ndarray, y: np.ndarray) -> bool:
    """Fit ``estimator`` for all its epochs; True if interrupted.

    ``estimator`` comes from [`make_estimator`][kerasguide.app.runner.make_estimator]. The
    ``ConvergenceWarning`` that running every epoch brings is silenced; the estimator's warning
    about an interruption (Ctrl-C; it keeps the weights learned so far) becomes the return value;
    other warnings are shown as usual.
    """
    from kerasguide.exceptions import ConvergenceWarning, TrainingInterruptedWarning

    # The warnings filters still apply while recording: what is recorded is what would show.
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        # Recorded whatever the filters say (an "error" filter would raise it instead).
        warnings.simplefilter("always", TrainingInterruptedWarning)
        estimator.fit(X, y)
    interrupted = False
    for warning in caught:
        if _is_interruption(warning):
            interrupted = True
        else:
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return interrupted


@dataclass
class ExperimentResult:
    """What one run of an [`Experiment`][kerasguide.app.experiments.Experiment] measured.

    Accuracies and ``near_zero_weights`` are in percent; ``goal`` is what the run was judged
    against (None: not checked); ``params`` the estimator parameters it set beyond the
    experiment's own (those of its setting for the dataset).
    """

    experiment: Experiment
    epochs: int
    train_accuracy: float
    test_accuracy: float
    seconds: float
    history: dict[str, list[float]]
    batch_size: int = 0
    goal: Goal | None = None
    near_zero_weights: float | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def value(self, metric: str) -> float | None:
        """The measure a goal's ``metric`` names."""
        return self.near_zero_weights if metric == "near_zero_weights" else self.test_accuracy

    def to_dict(self) -> dict[str, Any]:
        """The result and its experiment's settings, ready for JSON."""
        exp, talk = self.experiment, self.experiment.talk
        return {
            "name": exp.name,
            "title": exp.title,
            "model": exp.model,
            "params": _plain({**exp.params, **self.params}),  # as trained
            "epochs": self.epochs,
            "batch_size": self.batch_size or exp.batch_size,
            "talk_train_accuracy": talk.train if talk else None,
            "talk_test_accuracy": talk.test if talk else None,
            "train_accuracy": round(self.train_accuracy, 2),
            "test_accuracy": round(self.test_accuracy, 2),
            "near_zero_weights": None
            if self.near_zero_weights is None
            else round(self.near_zero_weights, 1),
            "goal": self.goal.text if self.goal else "",
            "seconds": round(self.seconds, 1),
            "lesson": exp.lesson,
            "history": {k: [round(v, 5) for v in vs] for k, vs in self.history.items()},
        }


def _plain(value: Any) -> Any:
    """``value`` with its mappings as dicts and tuples as lists, for JSON."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def check_goals(results: list[ExperimentResult]) -> dict[str, bool | None]:
    """Whether each result reached its ``goal`` (None for a result without one)."""
    # Each row's value in every measure a goal uses: a comparison is in the goal's own
    # measure, zeros against zeros.
    metrics = {r.goal.metric for r in results if r.goal is not None}
    values = {m: {r.experiment.name: r.value(m) for r in results} for m in metrics}
    met: dict[str, bool | None] = {}
    for result in results:
        goal, name = result.goal, result.experiment.name
        value = None if goal is None else values[goal.metric][name]
        met[name] = None if value is None else goal.met(value, values[goal.metric])
    return met


#: Below this magnitude a weight counts as zero (L1 drives weights there; L2 only shrinks them).
ZERO_TOLERANCE = 1e-3


def near_zero_weights(estimator) -> float:
    """The share (percent) of the first hidden layer's kernel under ``ZERO_TOLERANCE``."""
    kernel = next(np.asarray(w) for w in estimator.model_.weights if w.path.endswith("kernel"))
    return 100.0 * float(np.mean(np.abs(kernel) < ZERO_TOLERANCE))


def run_experiment(
    experiment: Experiment,
    split: Split,
    *,
    epochs: int,
    seed: int = 0,
    verbose: int = 0,
    batch_size: int | None = None,
    goal: Goal | None = None,
    params: dict[str, Any] | None = None,
) -> ExperimentResult:
    """Train ``experiment`` on ``split`` for ``epochs`` with a fixed seed; measure it.

    ``batch_size`` overrides the experiment's (its MNIST one), ``params`` add estimator
    parameters for this split (an ``input_shape``); ``goal`` is recorded on the result.
    Ctrl-C stops the run (``KeyboardInterrupt``), not just the experiment.
    """
    from sklearn.metrics import accuracy_score

    start = time.perf_counter()
    batch_size = batch_size or experiment.batch_size
    clf = make_estimator(
        split.task,
        experiment.model,
        epochs=epochs,
        seed=seed,
        batch_size=batch_size,
        verbose=verbose,
        **resolve_params({**experiment.params, **(params or {})}),
    )
    if fit_epochs(clf, split.X_train, split.y_train):
        raise KeyboardInterrupt
    train = accuracy_score(split.y_train, clf.predict(split.X_train))
    test = accuracy_score(split.y_test, clf.predict(split.X_test))
    sparsity = None
    if goal is not None and goal.metric == "near_zero_weights":
        sparsity = near_zero_weights(clf)
    return ExperimentResult(
        experiment,
        epochs,
        100.0 * float(train),
        100.0 * float(test),
        time.perf_counter() - start,
        {"loss": [float(v) for v in clf.history_["loss"]]},
        batch_size=batch_size,
        goal=goal,
        near_zero_weights=sparsity,
        params=dict(params or {}),
    )


def resolve_params(params: dict[str, Any]) -> dict[str, Any]:
    """Estimator parameters with an optimizer given as ``(name, options)`` made a Keras
    optimizer (SGD with momentum: experiments stay plain data, without Keras)."""
    optimizer = params.get("optimizer")
    if isinstance(optimizer, tuple):
        import keras

        name, options = optimizer
        rate = params.pop("learning_rate", None)
        extra = {} if rate is None else {"learning_rate": rate}
        params = {**params, "optimizer": keras.optimizers.get(
            {"class_name": name, "config": {**dict(options), **extra}})}  # fmt: skip
    return params


def optimizer_paths() -> dict[str, np.ndarray]:
    """The points each optimizer of ``OPTIMIZER_PATHS`` visits on ``valley``: real Keras
    optimizers updating a ``keras.Variable`` of two values with the valley's gradient."""
    import keras

    from kerasguide.app import experiments as ex

    paths = {}
    for label, (name, config) in ex.OPTIMIZER_PATHS.items():
        optimizer = keras.optimizers.get({"class_name": name, "config": dict(config)})
        point = keras.Variable(np.asarray(ex.OPTIMIZER_START, dtype="float32"))
        visited = [np.asarray(point)]
        for _ in range(ex.OPTIMIZER_STEPS):
            gradient = np.asarray(ex.valley_gradient(*visited[-1]), dtype="float32")
            optimizer.apply([keras.ops.convert_to_tensor(gradient)], [point])
            visited.append(np.asarray(point))
        paths[label] = np.stack(visited)
    return paths


def run_houses(*, quick: bool = False, seed: int = 0) -> dict[str, Any]:
    """Fit ``HOUSES`` from scratch and with a KerasRegressor; test errors in dollars, and loss
    curves."""
    from kerasguide import scratch

    spec = HOUSES
    split = load_split("houses", seed=seed)
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
    predicted = scratch.model(split.X_test, fitted.weights, fitted.intercept)
    scratch_rmse = split.target_std * rmse(split.y_test, predicted)
    scratch_seconds = time.perf_counter() - start

    start = time.perf_counter()
    reg = make_estimator(
        "regression",
        "linear_regression",
        epochs=epochs,
        seed=seed,
        optimizer=spec.keras_optimizer,
        learning_rate=spec.learning_rate,
        batch_size=spec.keras_batch_size,
    )
    if fit_epochs(reg, split.X_train, split.y_train):
        raise KeyboardInterrupt
    keras_rmse = split.target_std * rmse(split.y_test, reg.predict(split.X_test))
    return {
        "noise": get_dataset("houses").noise,
        "n_train": len(split.y_train),
        "n_test": len(split.y_test),
        "epochs": epochs,
        "scratch_rmse": scratch_rmse,
        "keras_rmse": keras_rmse,
        "scratch_seconds": scratch_seconds,
        "keras_seconds": time.perf_counter() - start,
        "talk_scratch_rmse": spec.talk_scratch_rmse,
        "talk_keras_rmse": spec.talk_keras_rmse,
        "history": {
            "scratch": fitted.loss_curve,
            "keras": [float(v) for v in reg.history_["loss"]],
        },
    }


def fit_boundary_model(spec: BoundaryModel, split: Split, *, epochs: int, seed: int = 0):
    """A fitted [`KerasClassifier`][kerasguide.estimators.KerasClassifier] for one boundary panel.

    Unlike the experiments, it may stop before ``epochs`` once the loss stops improving
    (``BOUNDARY_TRAINING``).
    """
    from kerasguide import KerasClassifier

    settings = {**BOUNDARY_TRAINING, **spec.params}
    clf = KerasClassifier(spec.model, epochs=epochs, random_state=seed, **settings)
    if fit_epochs(clf, split.X_train, split.y_train):
        raise KeyboardInterrupt
    return clf


def digit_codes(*, seed: int = 0) -> dict[str, Any]:
    """A 2-D code of digits: ``DIGIT_CODES``' KerasTransformer (the autoencoder) fitted on the
    digits training images, its codes of the test images, and how well 5 nearest neighbours
    classify the test digits from those two values alone (percent)."""
    from sklearn.neighbors import KNeighborsClassifier

    from kerasguide import KerasTransformer

    start = time.perf_counter()
    split = load_split("digits", seed=seed)
    encoder = KerasTransformer(random_state=seed, **DIGIT_CODES)
    if fit_epochs(encoder, split.X_train, None):
        raise KeyboardInterrupt
    train_codes = encoder.transform(split.X_train)
    test_codes = encoder.transform(split.X_test)
    neighbours = KNeighborsClassifier(DIGIT_CODES_NEIGHBOURS).fit(train_codes, split.y_train)
    return {
        "codes": test_codes,
        "labels": split.y_test,
        "epochs": int(encoder.n_iter_),
        "neighbours": DIGIT_CODES_NEIGHBOURS,
        "knn_accuracy": 100.0 * float(neighbours.score(test_codes, split.y_test)),
        "seconds": time.perf_counter() - start,
    }
