"""The talk's experiments as data.

Each :class:`Experiment` is a row of the talk's results tables: a registry model, the keyword
arguments its factory gets, how long it trains, what the talk measured and what our run must
reach. ``kerasguide reproduce`` walks :data:`EXPERIMENTS` in order; the houses comparison
(:data:`HOUSES`) and the decision-boundary figures (:data:`BOUNDARY_MODELS`) are data too.
:mod:`kerasguide.app.runner` runs them; nothing here imports Keras.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# fmt: off
__all__ = ["BATCH_SIZE", "BOUNDARY_DATASETS", "BOUNDARY_MODELS", "DATASETS", "EXPERIMENTS",
           "HOUSES", "NOTES", "SCHEDULES", "BoundaryModel", "Experiment", "HousesExperiment",
           "Schedule", "TalkFigure"]
# fmt: on


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


# fmt: off
EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        "softmax", "Softmax regression", "softmax_regression", TALK_SGD, epochs=120,
        talk=TalkFigure(test=92.5, train=93.0, table="hidden layers: 0"), at_least=92.5,
        lesson="A linear model: ten weighted sums of the pixels and a softmax.",
    ),
    Experiment(
        "linear_hidden", "Hidden layer (128), no activation", "mlp",
        _frozen(hidden_layers=(128,), activation="linear", **TALK_SGD), epochs=120,
        talk=TalkFigure(test=88.8, train=89.2, table="hidden layers: 1, linear"),
        not_above="softmax",
        lesson="Stacking linear maps is still linear: depth alone buys nothing.",
    ),
    Experiment(
        "relu_hidden", "Hidden layer (128), ReLU", "mlp",
        _frozen(hidden_layers=(128,), activation="relu", **TALK_SGD), epochs=20,
        talk=TalkFigure(test=95.2, train=97.9, table="hidden layers: 1, ReLU"), at_least=95.2,
        lesson="A non-linearity between the layers lets the network bend its boundaries.",
    ),
    Experiment(
        "l2", "Hidden ReLU layer + L2", "mlp",
        _frozen(hidden_layers=(128,), activation="relu", l2=1e-4, **TALK_SGD), epochs=20,
        talk=TalkFigure(test=95.1, train=95.1, table="regularization: L2"), at_least=95.1,
        lesson="A penalty on the squared weights keeps them small.",
    ),
    Experiment(
        "dropout", "Hidden ReLU layer + dropout 0.5", "mlp",
        _frozen(hidden_layers=(128,), activation="relu", dropout=0.5, **TALK_SGD), epochs=40,
        talk=TalkFigure(test=93.1, train=93.3, table="regularization: dropout"), at_least=93.1,
        lesson="Half the hidden units dropped at each step; twice the epochs, as in the talk.",
    ),
    Experiment(
        "modern", "Modern: Adam, (512, 256) ReLU, dropout 0.2", "mlp",
        _frozen(hidden_layers=(512, 256), activation="relu", dropout=0.2, optimizer="adam",
                learning_rate=1e-3),
        epochs=15, at_least=98.0,
        lesson="The talk's closing advice (Adam, more units, dropout) applied: our row.",
    ),
)
# fmt: on

#: The test accuracy of the talk's unregularised network in its regularisation table.
TALK_NO_REGULARIZATION = TalkFigure(test=92.9, train=95.5, table="regularization: none")

#: What a reader of the results table needs to know.
NOTES = (
    "The talk's rows use its settings: plain SGD at a learning rate of 0.05; the batch size "
    f"({BATCH_SIZE}) and the epochs are ours, the talk gives neither. The last row is ours.",
    "Softmax regression and the linear hidden layer train longest: both are linear models, and "
    "plain SGD needs that long to bring them to the same plateau. Stopped earlier, the deeper "
    "one is ahead only because it converges faster, not because it can fit more.",
    f"The talk's regularisation table starts from an unregularised network at "
    f"{TALK_NO_REGULARIZATION.test} % test ({TALK_NO_REGULARIZATION.train} % train).",
)
UNCHECKED_NOTE = "The goals are for full MNIST runs; this run is not checked against them."


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
    digits=Schedule(epochs_scale=4.0, quick_epochs_scale=0.1),
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
    scratch_learning_rate: float = 0.01  # one sample per step: the talk's 0.05 overshoots
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
