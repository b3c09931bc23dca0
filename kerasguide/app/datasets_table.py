"""The datasets of the talk app, each described once.

``DATASETS`` maps a name to a [`DatasetSpec`][kerasguide.app.datasets_table.DatasetSpec]: its
learning task, how it is loaded, how it is split (test size, stratified or not, standardised or
not), how ``kerasguide train`` trains on it by default and how ``kerasguide reproduce`` scales the
talk's epochs on it. [`load_split`][kerasguide.app.datasets_table.load_split] turns a spec into a
[`Split`][kerasguide.app.datasets_table.Split]. A new dataset is one entry here (and a loader
function if none fits). Nothing here imports Keras.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = ["DATASETS", "DatasetSpec", "Split", "default_dataset", "get_dataset", "load_split"]

#: A loader: ``(spec, mnist=..., seed=..., n_samples=...)`` -> (arrays, source).
#: The arrays are ``(X, y)`` to split, or ``(X_train, y_train, X_test, y_test)``.
Loader = Callable[..., tuple[tuple[np.ndarray, ...], str]]


@dataclass(frozen=True)
class DatasetSpec:
    """Everything the app knows about one dataset.

    ``test_size`` is the share of rows held out (None: the dataset keeps its own test set).
    ``train_epochs`` and ``train_batch_size`` are ``kerasguide train``'s defaults;
    ``default_for`` what ``kerasguide train`` picks this dataset for when none is named: model
    tasks, model inputs (``"images"``, ``"sequences"``) or ``"reconstruction"`` (an
    autoencoder). Every dataset gives rows of features; ``shapes`` gives the row shapes of the
    other model inputs it can be read as (registry ``INPUTS``: digits as 8x8x1 images).
    ``epochs_scale`` scales the talk's MNIST epochs for ``kerasguide reproduce`` (None: not a
    dataset to reproduce on); a quick run multiplies it by ``quick_epochs_scale`` and
    keeps at most ``quick_train`` and ``quick_test`` rows.
    """

    name: str
    task: str
    load: Loader
    train_epochs: int
    train_batch_size: int
    test_size: float | None = 0.25
    stratify: bool = False
    standardize: bool = False
    n_samples: int | None = None
    noise: float | None = None
    default_for: tuple[str, ...] = ()
    epochs_scale: float | None = None
    quick_epochs_scale: float = 0.1
    quick_train: int | None = None
    quick_test: int | None = None
    timesteps: int | None = None
    shapes: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The model inputs this dataset can feed: rows, and those of ``shapes``."""
        return ("rows", *self.shapes)

    def row_shape(self, model_input: str) -> tuple[int, ...] | None:
        """The shape of one row for a model taking ``model_input`` (None: the flat row)."""
        return None if model_input == "rows" else self.shapes[model_input]

    def fits(self, card: Any) -> bool:
        """Whether the model of registry card ``card`` can train on this dataset.

        Its input must be one the dataset gives; its tasks must include the dataset's (a
        multiclass model fits binary targets too: a softmax over two classes), unless it
        reconstructs its inputs, which any dataset has.
        """
        if card.input not in self.inputs:
            return False
        if card.reconstructs:
            return True
        return self.task in card.tasks or (self.task == "binary" and "multiclass" in card.tasks)

    def epochs(self, mnist_epochs: int, quick: bool) -> int:
        """The talk's ``mnist_epochs`` scaled for this dataset (and for a quick run)."""
        if self.epochs_scale is None:
            raise ValueError(f"Dataset {self.name!r} is not one to reproduce the talk on.")
        scale = self.epochs_scale * (self.quick_epochs_scale if quick else 1.0)
        return max(1, round(mnist_epochs * scale))


@dataclass
class Split:
    """A dataset split into training and test rows, float32 inputs.

    Standardised regression targets give ``target_mean + target_std * prediction`` in the
    original unit (dollars for houses).
    """

    name: str
    task: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    source: str
    target_mean: float = 0.0
    target_std: float = 1.0


# --------------------------------------------------------------------------- loaders
def _mnist(spec: DatasetSpec, *, mnist: Any, seed: int, n_samples: int | None):
    from kerasguide import datasets

    # A Bunch from datasets.load_mnist (the command line loads it itself), or where to look.
    bunch = mnist if hasattr(mnist, "data_test") else datasets.load_mnist(mnist, download=False)
    arrays = (bunch.data, bunch.target, bunch.data_test, bunch.target_test)
    return arrays, f"MNIST ({bunch.filename.rsplit('/', 1)[-1]}, 28x28 images)"


def _houses(spec: DatasetSpec, *, mnist: Any, seed: int, n_samples: int | None):
    from kerasguide import datasets

    X, y = datasets.make_houses(n_samples, noise=spec.noise, random_state=seed, return_X_y=True)
    return (X, y), f"Synthetic houses (noise {spec.noise:g} dollars), standardised"


def _digits(spec: DatasetSpec, *, mnist: Any, seed: int, n_samples: int | None):
    from kerasguide import datasets

    X, y = datasets.load_digits(return_X_y=True)
    return (X, y), "Digits embedded in scikit-learn (1797 8x8 images)"


def _sequences(spec: DatasetSpec, *, mnist: Any, seed: int, n_samples: int | None):
    from kerasguide import datasets

    X, y = datasets.make_sequences(n_samples, spec.timesteps, random_state=seed, return_X_y=True)
    # Flattened, so that an MLP reads it as is; an rnn gets input_shape=(timesteps, 2).
    source = f"make_sequences (the adding problem, {n_samples} sequences of {spec.timesteps} steps)"
    return (X.reshape(len(X), -1), y), source


def _points(spec: DatasetSpec, *, mnist: Any, seed: int, n_samples: int | None):
    from kerasguide import datasets

    make = {"xor": datasets.make_xor, "circles": datasets.make_circles}[spec.name]
    X, y = make(n_samples, random_state=seed, return_X_y=True)
    return (X, y), f"Synthetic {spec.name} ({n_samples} points)"


# --------------------------------------------------------------------------- the table
# fmt: off
DATASETS: MappingProxyType[str, DatasetSpec] = MappingProxyType({spec.name: spec for spec in (
    DatasetSpec("digits", "multiclass", _digits, train_epochs=30, train_batch_size=100,
                stratify=True, default_for=("multiclass", "images", "reconstruction"),
                epochs_scale=4.0,
                shapes=MappingProxyType({"images": (8, 8, 1), "sequences": (8, 8)})),
    # Digits has 1347 training images (14 batches an epoch), MNIST 60000 (600): hence the scale.
    # An rnn reads MNIST as the talk does: row by row, 28 steps of 28 pixels.
    DatasetSpec("mnist", "multiclass", _mnist, train_epochs=10, train_batch_size=100,
                test_size=None, epochs_scale=1.0, quick_train=5000, quick_test=2000,
                shapes=MappingProxyType({"images": (28, 28, 1), "sequences": (28, 28)})),
    # The noise on the prices (dollars) sets the error no model can beat; near the talk's.
    DatasetSpec("houses", "regression", _houses, train_epochs=100, train_batch_size=32,
                test_size=0.2, standardize=True, n_samples=1000, noise=6000.0,
                default_for=("regression",)),
    DatasetSpec("xor", "binary", _points, train_epochs=200, train_batch_size=32,
                stratify=True, n_samples=1000, default_for=("binary",)),
    DatasetSpec("circles", "binary", _points, train_epochs=200, train_batch_size=32,
                stratify=True, n_samples=1000),
    # Flattened (n, 20 * 2); an rnn reads it as 20 steps of 2 channels.
    DatasetSpec("sequences", "binary", _sequences, train_epochs=30, train_batch_size=50,
                stratify=True, n_samples=2000, timesteps=20, default_for=("sequences",),
                shapes=MappingProxyType({"sequences": (20, 2)})),
)})
# fmt: on


def get_dataset(name: str) -> DatasetSpec:
    """The spec named ``name``; ``ValueError`` naming the known ones otherwise."""
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}. Known datasets: {', '.join(DATASETS)}.")
    return DATASETS[name]


#: The order in which ``default_dataset`` tries a model's tasks (an mlp gets digits).
_TASK_PREFERENCE = ("multiclass", "binary", "regression", "multilabel")


def default_dataset(card: Any) -> DatasetSpec | None:
    """The dataset ``kerasguide train`` uses for registry card ``card`` when none is named:
    the one ``default_for`` its input, else for reconstruction, else for its first task
    (multiclass first); None if no dataset fits it."""
    if card.input != "rows":
        keys: tuple[str, ...] = (card.input,)
    elif card.reconstructs:
        keys = ("reconstruction",)
    else:
        keys = tuple(task for task in _TASK_PREFERENCE if task in card.tasks)
    for key in keys:
        for spec in DATASETS.values():
            if key in spec.default_for and spec.fits(card):
                return spec
    return next((spec for spec in DATASETS.values() if spec.fits(card)), None)


def _take(X: np.ndarray, y: np.ndarray, n: int | None, seed: int):
    if n is None or n >= len(y):
        return X, y
    index = np.random.default_rng(seed).permutation(len(y))[:n]
    return X[index], y[index]


def load_split(
    name: str,
    *,
    mnist: Any = None,
    seed: int = 0,
    quick: bool = False,
    n_samples: int | None = None,
) -> Split:
    """Load dataset ``name`` and split it reproducibly, as its spec says.

    The spec is ``DATASETS[name]``, a [`DatasetSpec`][kerasguide.app.datasets_table.DatasetSpec].
    ``mnist`` is where to find MNIST (a path; by default ``$KERASGUIDE_MNIST`` or the Keras cache;
    it is never downloaded, ``FileNotFoundError`` when no copy is found) or the Bunch
    [`kerasguide.datasets.load_mnist`][kerasguide.datasets.load_mnist] returned. ``n_samples``
    overrides a synthetic dataset's size. ``quick`` keeps the spec's quick subsets.
    """
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    spec = get_dataset(name)
    arrays, source = spec.load(spec, mnist=mnist, seed=seed, n_samples=n_samples or spec.n_samples)
    if len(arrays) == 2:
        X, y = arrays
        stratify = y if spec.stratify else None
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=spec.test_size, random_state=seed, stratify=stratify
        )
    else:
        X_train, y_train, X_test, y_test = arrays
    if quick:
        X_train, y_train = _take(X_train, y_train, spec.quick_train, seed)
        X_test, y_test = _take(X_test, y_test, spec.quick_test, seed + 1)
    mean, std = 0.0, 1.0
    if spec.standardize:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        if spec.task == "regression":
            mean, std = float(y_train.mean()), float(y_train.std())
            y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
    if spec.task == "regression":
        y_train, y_test = y_train.astype(np.float32), y_test.astype(np.float32)
    X_train, X_test = X_train.astype(np.float32), X_test.astype(np.float32)
    return Split(spec.name, spec.task, X_train, y_train, X_test, y_test, source, mean, std)
