"""The talk's experiments as data.

Each [`Experiment`][kerasguide.app.experiments.Experiment] is a row of the talk's results tables: a
registry model, the estimator parameters it trains with, how long it trains, what the talk measured
and what our run must reach. ``kerasguide reproduce`` walks ``EXPERIMENTS`` in order; the houses
comparison (``HOUSES``) and the decision-boundary figures (``BOUNDARY_MODELS``) are data too.
[`kerasguide.app.runner`][kerasguide.app.runner] runs them; the datasets are described in
[`kerasguide.app.datasets_table`][kerasguide.app.datasets_table]. Nothing here imports Keras.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kerasguide.models import TALK_LEARNING_RATE

# fmt: off
__all__ = ["BATCH_SIZE", "BOUNDARY_DATASETS", "BOUNDARY_MODELS", "EXPERIMENTS", "HOUSES", "NOTES",
           "TALK_SGD", "BoundaryModel", "Experiment", "Goal", "HousesExperiment", "Setting",
           "TalkFigure"]
# fmt: on


def _frozen(**kwargs: Any) -> MappingProxyType:
    return MappingProxyType(kwargs)


#: The talk's optimizer settings: plain gradient descent at the talk's learning rate.
TALK_SGD = _frozen(optimizer="sgd", learning_rate=TALK_LEARNING_RATE)
#: Our batch size for MNIST and digits; the talk does not give its own.
BATCH_SIZE = 100


@dataclass(frozen=True)
class TalkFigure:
    """Accuracies (percent) the talk reports for one model on MNIST, and the table they are in."""

    test: float
    train: float | None = None
    table: str = ""


@dataclass(frozen=True)
class Goal:
    """What a row must reach on one dataset, in test accuracy (percent) unless ``metric`` says.

    ``at_least`` and ``at_most`` are absolute; ``above`` names a row whose value this one must
    beat by more than ``margin`` points, ``not_above`` one it must not beat by more than
    ``margin`` points (the noise of a small test set). ``metric`` is ``"test_accuracy"`` or
    ``"near_zero_weights"`` (the share of first-layer weights under ``1e-3`` in magnitude).
    """

    at_least: float | None = None
    at_most: float | None = None
    above: str | None = None
    not_above: str | None = None
    margin: float = 0.0
    metric: str = "test_accuracy"

    @property
    def text(self) -> str:
        """The goal as the results table shows it."""
        unit = " % zeros" if self.metric == "near_zero_weights" else " %"
        plus = f" + {self.margin:g}" if self.margin else ""
        if self.at_least is not None:
            return f">= {self.at_least:.1f}{unit}"
        if self.at_most is not None:
            return f"<= {self.at_most:.1f}{unit}"
        if self.above is not None:
            return f"> {self.above}{plus}"
        return f"<= {self.not_above}{plus}"

    def met(self, value: float, others: dict[str, float]) -> bool | None:
        """Whether ``value`` reaches the goal; ``others`` holds the other rows' values (None
        where the row it compares with did not run)."""
        if self.at_least is not None:
            return value >= self.at_least
        if self.at_most is not None:
            return value <= self.at_most
        other = others.get(self.above or self.not_above)
        if other is None:
            return None
        return value > other + self.margin if self.above else value <= other + self.margin


@dataclass(frozen=True)
class Setting:
    """How a row trains on one dataset and what it must reach there.

    ``params`` are estimator parameters that hold on this dataset only (an ``input_shape``);
    ``n_samples`` sizes a synthetic dataset.
    """

    epochs: int
    batch_size: int
    goal: Goal
    params: MappingProxyType = field(default_factory=_frozen)
    n_samples: int | None = None


@dataclass(frozen=True)
class Experiment:
    """One row of the talk's results: a registry model, built and trained one way.

    ``params`` are estimator parameters (architecture knobs and the optimizer), only those the
    row sets. ``epochs`` and ``batch_size`` are for MNIST, where the row must reach
    ``at_least`` percent test accuracy, or not beat the row named ``not_above``; a quick MNIST
    run scales the epochs down
    ([`epochs`][kerasguide.app.datasets_table.DatasetSpec.epochs]) and is not checked.
    ``settings`` hold the row's own epochs, batch size and goal on other datasets (digits,
    whose 1347 training images need other settings for the same lessons to show).
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
    settings: MappingProxyType = field(default_factory=_frozen)
    #: A dataset this row always trains on (None: the run's dataset).
    data: str | None = None

    @property
    def mnist_goal(self) -> Goal:
        return Goal(at_least=self.at_least, not_above=self.not_above)

    @property
    def goal(self) -> str:
        """The MNIST goal as text."""
        return self.mnist_goal.text

    def setting(self, dataset: str) -> Setting | None:
        """How the row trains on ``dataset`` (None: MNIST's epochs, scaled, unchecked)."""
        if dataset == "mnist":
            return Setting(self.epochs, self.batch_size, self.mnist_goal)
        return self.settings.get(dataset)


def _digits(epochs: int, batch_size: int, **goal: Any) -> MappingProxyType:
    return _frozen(digits=Setting(epochs, batch_size, Goal(**goal)))


# fmt: off
EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        "softmax", "Softmax regression", "softmax_regression", TALK_SGD, epochs=120,
        talk=TalkFigure(test=92.5, train=93.0, table="hidden layers: 0"), at_least=92.5,
        settings=_digits(100, 20, at_least=95.0),
        lesson="A linear model: ten weighted sums of the pixels and a softmax.",
    ),
    Experiment(
        "linear_hidden", "Hidden layer (128), no activation", "mlp",
        _frozen(hidden_layers=(128,), activation="linear", l2=0.0, **TALK_SGD), epochs=120,
        talk=TalkFigure(test=88.8, train=89.2, table="hidden layers: 1, linear"),
        not_above="softmax", settings=_digits(50, 20, not_above="softmax", margin=1.5),
        lesson="Stacking linear maps is still linear: depth alone buys nothing.",
    ),
    Experiment(
        "relu_hidden", "Hidden layer (128), ReLU", "mlp",
        _frozen(hidden_layers=(128,), activation="relu", l2=0.0, **TALK_SGD), epochs=20,
        talk=TalkFigure(test=95.2, train=97.9, table="hidden layers: 1, ReLU"), at_least=95.2,
        settings=_digits(100, 20, above="softmax"),
        lesson="A non-linearity between the layers lets the network bend its boundaries.",
    ),
    Experiment(
        "l2", "Hidden ReLU layer + L2", "mlp",
        _frozen(hidden_layers=(128,), activation="relu", l2=1e-4, **TALK_SGD), epochs=20,
        talk=TalkFigure(test=95.1, train=95.1, table="regularization: L2"), at_least=95.1,
        settings=_digits(100, 20, at_least=96.5),
        lesson="A penalty on the squared weights keeps them small.",
    ),
    Experiment(
        "dropout", "Hidden ReLU layer + dropout 0.5", "mlp",
        _frozen(hidden_layers=(128,), activation="relu", dropout=0.5, l2=0.0, **TALK_SGD),
        epochs=40,
        talk=TalkFigure(test=93.1, train=93.3, table="regularization: dropout"), at_least=93.1,
        settings=_digits(15, 10, at_least=95.0),
        lesson="Half the hidden units dropped at each step; twice the epochs, as in the talk.",
    ),
    Experiment(
        "modern", "Modern: Adam, (512, 256) ReLU, dropout 0.2", "mlp",
        _frozen(hidden_layers=(512, 256), activation="relu", dropout=0.2, l2=0.0,
                optimizer="adam", learning_rate=1e-3),
        epochs=15, at_least=98.0, settings=_digits(4, 20, at_least=95.0),
        lesson="The talk's closing advice (Adam, more units, dropout) applied: our row.",
    ),
)
# fmt: on

#: The test accuracy of the talk's unregularised network in its regularisation table.
TALK_NO_REGULARIZATION = TalkFigure(test=92.9, train=95.5, table="regularization: none")

#: What a reader of the results table needs to know.
NOTES = (
    f"The talk's rows use its settings: plain SGD at a learning rate of {TALK_LEARNING_RATE:g}; "
    "the batch size "
    f"({BATCH_SIZE}) and the epochs are ours, the talk gives neither. The last row is ours.",
    "Softmax regression and the linear hidden layer train longest: both are linear models, and "
    "plain SGD needs that long to bring them to the same plateau. Stopped earlier, the deeper "
    "one is ahead only because it converges faster, not because it can fit more.",
    f"The talk's regularisation table starts from an unregularised network at "
    f"{TALK_NO_REGULARIZATION.test} % test ({TALK_NO_REGULARIZATION.train} % train).",
)
UNCHECKED_NOTE = (
    "The goals are for full MNIST runs; this quick MNIST run is not checked against them."
)
#: What a reader of a digits run needs to know.
DIGITS_NOTE = (
    "On digits (1347 training and 450 test images) each row has its own epochs, batch size and "
    "goal: the talk's MNIST figures do not apply, and one test image is 0.22 points. Plain SGD "
    "takes smaller batches there (more steps per epoch) so that every model reaches its plateau; "
    "the linear hidden layer may sit up to 1.5 points (about 7 images) above softmax regression."
)


@dataclass(frozen=True)
class HousesExperiment:
    """Linear regression on synthetic houses, from scratch in NumPy and with a KerasRegressor.

    The dataset (its size, the noise on the prices, the split, the standardisation) is the
    ``houses`` entry of ``kerasguide.app.datasets_table.DATASETS``; errors are reported back in
    dollars.
    """

    epochs: int = 100
    quick_epochs: int = 20
    scratch_learning_rate: float = 0.01  # one sample per step: the talk's rate overshoots
    scratch_batch_size: int = 1
    keras_batch_size: int = 32
    keras_optimizer: str = "sgd"
    learning_rate: float = TALK_LEARNING_RATE
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
        BoundaryModel(
            f"relu_{n}", f"{n} hidden ReLU units", "mlp", _frozen(hidden_layers=(n,), l2=0.0)
        )
        for n in (2, 3, 5)
    ),
)
BOUNDARY_DATASETS = ("xor", "circles")
#: How the boundary models train (as KerasClassifier parameters); quick runs use fewer epochs.
BOUNDARY_TRAINING = _frozen(
    optimizer="adam", learning_rate=0.02, batch_size=32, n_iter_no_change=50
)
BOUNDARY_EPOCHS, BOUNDARY_QUICK_EPOCHS, BOUNDARY_SAMPLES = 300, 100, 400
