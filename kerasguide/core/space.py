"""The dimensions of a search space, as the model cards hold them (no dependencies).

A space maps an estimator parameter to an ``Int``, a ``Float`` or a ``Choice``;
[`kerasguide.search_space`][kerasguide.tuning.search_space] turns it into scipy distributions,
an Optuna suggester or a Keras Tuner function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["TRAINING_SPACE", "Choice", "Float", "Int"]


@dataclass(frozen=True)
class Int:
    """Integers from ``low`` to ``high`` (both included), log-spaced if ``log``."""

    low: int
    high: int
    log: bool = False


@dataclass(frozen=True)
class Float:
    """Floats from ``low`` to ``high``, log-spaced if ``log``."""

    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class Choice:
    """One of ``options`` (any values: tuples of layer sizes, dicts of ``model_params``)."""

    options: tuple[Any, ...]


#: What every model trains with: the optimizer's rate, the batch size and the epochs.
TRAINING_SPACE = {
    "learning_rate": Float(1e-4, 1e-1, log=True),
    "batch_size": Choice((32, 64, 128, 256)),
    "epochs": Int(10, 200, log=True),
}
