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
           "TALK_SGD", "BoundaryModel", "Experiment", "HousesExperiment", "TalkFigure"]
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
class Experiment:
    """One row of the talk's results: a registry model, built and trained one way.

    ``params`` are estimator parameters (architecture knobs and the optimizer), only those the
    row sets. ``epochs`` are for MNIST; each dataset's
    [`epochs`][kerasguide.app.datasets_table.DatasetSpec.epochs] scales them (and for quick runs).
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
        _frozen(hidden_layers=(128,), activation="linear", l2=0.0, **TALK_SGD), epochs=120,
        talk=TalkFigure(test=88.8, train=89.2, table="hidden layers: 1, linear"),
        not_above="softmax",
        lesson="Stacking linear maps is still linear: depth alone buys nothing.",
    ),
    Experiment(
        "relu_hidden", "Hidden layer (128), ReLU", "mlp",
        _frozen(hidden_layers=(128,), activation="relu", l2=0.0, **TALK_SGD), epochs=20,
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
        _frozen(hidden_layers=(128,), activation="relu", dropout=0.5, l2=0.0, **TALK_SGD),
        epochs=40,
        talk=TalkFigure(test=93.1, train=93.3, table="regularization: dropout"), at_least=93.1,
        lesson="Half the hidden units dropped at each step; twice the epochs, as in the talk.",
    ),
    Experiment(
        "modern", "Modern: Adam, (512, 256) ReLU, dropout 0.2", "mlp",
        _frozen(hidden_layers=(512, 256), activation="relu", dropout=0.2, l2=0.0,
                optimizer="adam", learning_rate=1e-3),
        epochs=15, at_least=98.0,
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
UNCHECKED_NOTE = "The goals are for full MNIST runs; this run is not checked against them."


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
