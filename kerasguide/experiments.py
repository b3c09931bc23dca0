"""The talk's experiments as data, and the few functions that run one of them.

Each :class:`Experiment` is a row of the talk's results tables: a registry model, the keyword
arguments its factory gets, how long it trains, what the talk measured and what our run must
reach. ``kerasguide reproduce`` walks :data:`EXPERIMENTS` in order; the houses comparison
(:data:`HOUSES`) and the decision-boundary figures (:data:`BOUNDARY_MODELS`) are data too.
Nothing here imports Keras until an experiment runs.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from kerasguide.registry import get_model_card

__all__ = [
    "BATCH_SIZE",
    "BOUNDARY_DATASETS",
    "BOUNDARY_MODELS",
    "DATASETS",
    "EXPERIMENTS",
    "HOUSES",
    "SCHEDULES",
    "BoundaryModel",
    "Experiment",
    "ExperimentResult",
    "HousesExperiment",
    "Schedule",
    "Split",
    "TalkFigure",
    "build",
    "load_split",
    "run_experiment",
    "run_houses",
]


def _frozen(**kwargs: Any) -> MappingProxyType:
    return MappingProxyType(kwargs)


#: The talk's optimizer settings: plain gradient descent with a learning rate of 0.05.
TALK_SGD = _frozen(optimizer="sgd", learning_rate=0.05)
#: Our batch size for MNIST and digits; the talk does not give its own.
BATCH_SIZE = 100
#: The learning task of each dataset the command line knows.
DATASETS = _frozen(
    digits="multiclass", mnist="multiclass", houses="regression", xor="binary", circles="binary"
)


@dataclass(frozen=True)
class TalkFigure:
    """Accuracies (percent) the talk reports for one model on MNIST, and the table they are in."""

    test: float
    train: float | None = None
    table: str = ""


@dataclass(frozen=True)
class Experiment:
    """One row of the talk's results: a registry model, built and trained one way.

    ``epochs`` are for MNIST; :data:`SCHEDULES` scales them for other datasets and quick runs.
    ``at_least`` is the test accuracy (percent) a full MNIST run must reach; ``not_above`` names
    an experiment whose test accuracy this one must not beat.
    """

    name: str
    title: str
    model: str
    params: MappingProxyType
    epochs: int
    batch_size: int = BATCH_SIZE
    talk: TalkFigure | None = None
    at_least: float | None = None
    not_above: str | None = None
    lesson: str = ""

    @property
    def goal(self) -> str:
        if self.at_least is not None:
            return f">= {self.at_least:.1f} %"
        if self.not_above is not None:
            return f"<= {self.not_above}"
        return ""


EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        name="softmax",
        title="Softmax regression",
        model="softmax_regression",
        params=TALK_SGD,
        epochs=40,
        talk=TalkFigure(test=92.5, train=93.0, table="hidden layers: 0"),
        at_least=92.5,
        lesson="A linear model: ten weighted sums of the pixels and a softmax.",
    ),
    Experiment(
        name="linear_hidden",
        title="Hidden layer (128), no activation",
        model="mlp",
        params=_frozen(hidden_layers=(128,), activation="linear", **TALK_SGD),
        epochs=40,
        talk=TalkFigure(test=88.8, train=89.2, table="hidden layers: 1, linear"),
        not_above="softmax",
        lesson="Stacking linear maps is still linear: depth alone buys nothing.",
    ),
    Experiment(
        name="relu_hidden",
        title="Hidden layer (128), ReLU",
        model="mlp",
        params=_frozen(hidden_layers=(128,), activation="relu", **TALK_SGD),
        epochs=30,
        talk=TalkFigure(test=95.2, train=97.9, table="hidden layers: 1, ReLU"),
        at_least=95.2,
        lesson="A non-linearity between the layers lets the network bend its boundaries.",
    ),
    Experiment(
        name="l2",
        title="Hidden ReLU layer + L2",
        model="mlp",
        params=_frozen(hidden_layers=(128,), activation="relu", l2=1e-4, **TALK_SGD),
        epochs=30,
        talk=TalkFigure(test=95.1, train=95.1, table="regularization: L2"),
        at_least=95.1,
        lesson="A penalty on the squared weights keeps them small.",
    ),
    Experiment(
        name="dropout",
        title="Hidden ReLU layer + dropout 0.5",
        model="mlp",
        params=_frozen(hidden_layers=(128,), activation="relu", dropout=0.5, **TALK_SGD),
        epochs=60,
        talk=TalkFigure(test=93.1, train=93.3, table="regularization: dropout"),
        at_least=93.1,
        lesson="Dropping half the hidden units at each step; twice the epochs, as in the talk.",
    ),
    Experiment(
        name="modern",
        title="Modern: Adam, (512, 256) ReLU, dropout 0.2",
        model="mlp",
        params=_frozen(
            hidden_layers=(512, 256), activation="relu", dropout=0.2, optimizer="adam",
            learning_rate=1e-3,
        ),
        epochs=15,
        batch_size=128,
        at_least=98.0,
        lesson=(
            "The talk's closing advice (Adam, more units, dropout), applied; ours, not the talk's."
        ),
    ),
)  # fmt: skip

#: The test accuracy of the talk's unregularised network in its regularisation table.
TALK_NO_REGULARIZATION = TalkFigure(test=92.9, train=95.5, table="regularization: none")


@dataclass(frozen=True)
class Schedule:
    """How a dataset scales the experiments: epochs, and the subset a quick run trains on."""

    epochs_scale: float
    quick_epochs_scale: float
    quick_train: int | None = None
    quick_test: int | None = None

    def epochs(self, experiment: Experiment, quick: bool) -> int:
        scale = self.epochs_scale * (self.quick_epochs_scale if quick else 1.0)
        return max(1, round(experiment.epochs * scale))


#: Digits has 1347 training images (14 batches an epoch), MNIST 60000 (600): more epochs there.
SCHEDULES = _frozen(
    mnist=Schedule(epochs_scale=1.0, quick_epochs_scale=0.1, quick_train=5000, quick_test=2000),
    digits=Schedule(epochs_scale=4.0, quick_epochs_scale=0.15),
)


@dataclass(frozen=True)
class HousesExperiment:
    """Linear regression on synthetic houses, from scratch in NumPy and in Keras.

    The noise on the prices (in dollars) sets the error no model can beat; we choose it near
    the talk's figures, whose dataset is not given. Features and prices are standardised with
    the training split's statistics; errors are reported back in dollars.
    """

    n_samples: int = 1000
    noise: float = 6000.0
    test_size: float = 0.2
    epochs: int = 100
    quick_epochs: int = 20
    scratch_learning_rate: float = 0.01
    scratch_batch_size: int = 1
    keras_batch_size: int = 32
    learning_rate: float = 0.05
    talk_scratch_rmse: float = 6052.79
    talk_keras_rmse: float = 5967.39


HOUSES = HousesExperiment()


@dataclass(frozen=True)
class BoundaryModel:
    """A small classifier whose decision boundary on XOR and circles the talk draws."""

    name: str
    title: str
    model: str
    params: MappingProxyType = field(default_factory=_frozen)


BOUNDARY_MODELS: tuple[BoundaryModel, ...] = (
    BoundaryModel("linear", "Linear (logistic regression)", "logistic_regression"),
    *(
        BoundaryModel(f"relu_{n}", f"{n} hidden ReLU units", "mlp", _frozen(hidden_layers=(n,)))
        for n in (2, 3, 5)
    ),
)
BOUNDARY_DATASETS = ("xor", "circles")
#: How the boundary models train (as KerasClassifier parameters); quick runs use fewer epochs.
BOUNDARY_TRAINING = _frozen(
    optimizer="adam", learning_rate=0.05, l2=0.0, batch_size=64, n_iter_no_change=50
)
BOUNDARY_EPOCHS, BOUNDARY_QUICK_EPOCHS, BOUNDARY_SAMPLES = 300, 100, 400


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
    """Load ``dataset`` (a key of :data:`DATASETS`) and split it reproducibly.

    MNIST keeps its own test set and is never downloaded (``FileNotFoundError`` when no local
    copy is found); digits, houses, xor and circles hold out a quarter (houses a fifth),
    stratified for classes. ``quick`` trims MNIST to the subsets of :data:`SCHEDULES`.
    """
    from sklearn.model_selection import train_test_split

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
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        y_mean, y_std = float(y_train.mean()), float(y_train.std())
        return Split(
            dataset,
            task,
            ((X_train - mean) / std).astype(np.float32),
            ((y_train - y_mean) / y_std).astype(np.float32),
            ((X_test - mean) / std).astype(np.float32),
            ((y_test - y_mean) / y_std).astype(np.float32),
            f"synthetic houses (noise {HOUSES.noise:g} dollars), standardised",
            1,
            y_mean,
            y_std,
        )
    if dataset == "digits":
        X, y = datasets.load_digits(return_X_y=True)
        source = "the digits embedded in scikit-learn (1797 8x8 images)"
    else:
        make = datasets.make_xor if dataset == "xor" else datasets.make_circles
        X, y = make(n_samples, random_state=seed, return_X_y=True)
        source = f"synthetic {dataset} ({n_samples} points)"
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
    """What one run of an :class:`Experiment` measured (accuracies in percent)."""

    experiment: Experiment
    epochs: int
    train_accuracy: float
    test_accuracy: float
    seconds: float
    history: dict[str, list[float]]


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
        {name: [float(v) for v in values] for name, values in history.items()},
    )


def run_houses(*, quick: bool = False, seed: int = 0) -> dict[str, Any]:
    """Fit :data:`HOUSES` from scratch and with Keras; test errors in dollars, and loss curves."""
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
    error = scratch.test(split.X_test, split.y_test, fitted.weights, fitted.intercept)
    scratch_rmse = split.target_std * error
    scratch_seconds = time.perf_counter() - start

    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    model = build("linear_regression", split, seed=seed, learning_rate=spec.learning_rate)
    history = model.fit(
        split.X_train,
        split.y_train,
        epochs=epochs,
        batch_size=spec.keras_batch_size,
        verbose=0,
    ).history
    predicted = model.predict(split.X_test, verbose=0).ravel().astype(np.float64)
    keras_rmse = split.target_std * float(np.sqrt(np.mean((predicted - split.y_test) ** 2)))
    return {
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

    settings = dict(BOUNDARY_TRAINING)
    if "hidden_layers" not in spec.params:  # the linear model takes no hidden-layer knobs
        settings.pop("l2")
    clf = KerasClassifier(spec.model, epochs=epochs, random_state=seed, **settings, **spec.params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(split.X_train, split.y_train)
