"""A synthetic sequence task for recurrent networks: the adding problem.

Kept apart from [`kerasguide.datasets`][kerasguide.datasets], which re-exports
[`make_sequences`][kerasguide.datasets.make_sequences].
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils import Bunch

from kerasguide.core.checks import check_bool, check_int, check_random_state_arg, invalid

__all__ = ["make_sequences"]

_TASKS = ("classification", "regression")


def make_sequences(
    n_samples: int = 1000,
    timesteps: int = 20,
    *,
    task: str = "classification",
    random_state: Any = None,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter and Schmidhuber, 1997): sequences where order matters.

    Each sequence has two channels: channel 0 holds values drawn uniformly from [0, 1), and
    channel 1 marks two time steps with a 1, one in each half of the sequence. The target is
    the sum of the two marked values (``task="regression"``), or whether that sum exceeds 1
    (``task="classification"``, two balanced classes). A recurrent network learns to read a
    value when the marker says so and to carry it to the end; a dense network on the
    flattened sequence must learn each pair of positions on its own (the product of a value
    and its marker), and does visibly worse at the same size.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of sequences.
    timesteps : int, default=20
        Length of each sequence, at least 2.
    task : {"classification", "regression"}, default="classification"
    random_state : int, RandomState instance or None, default=None
        Seeds the values and the marked positions.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    Bunch or tuple of ndarray
        ``data`` of shape ``(n_samples, timesteps, 2)`` float32; ``target`` of shape
        ``(n_samples,)``: int64 labels 0/1 for classification, float64 sums for regression;
        ``feature_names`` (``["value", "marker"]``, the channels), ``target_names``, ``DESCR``.

    Examples
    --------
    >>> from kerasguide.datasets import make_sequences
    >>> X, y = make_sequences(4, timesteps=10, random_state=0, return_X_y=True)
    >>> X.shape, X.dtype, y.tolist()
    ((4, 10, 2), dtype('float32'), [1, 0, 1, 1])
    >>> X[0, :, 1].sum()  # two marked steps per sequence
    np.float32(2.0)
    >>> X, y = make_sequences(3, timesteps=6, task="regression", random_state=0,
    ...                       return_X_y=True)
    >>> bool(np.allclose(y, (X[:, :, 0] * X[:, :, 1]).sum(axis=1)))
    True
    """
    n_samples, timesteps = check_int("n_samples", n_samples), check_int("timesteps", timesteps, 2)
    if task not in _TASKS:
        raise invalid("task", "'classification' or 'regression'", task)
    rng = check_random_state_arg(random_state)
    return_X_y = check_bool("return_X_y", return_X_y)
    values = rng.uniform(0.0, 1.0, size=(n_samples, timesteps)).astype(np.float32)
    half = timesteps // 2
    first = rng.randint(0, half, size=n_samples)
    second = rng.randint(half, timesteps, size=n_samples)
    markers = np.zeros((n_samples, timesteps), dtype=np.float32)
    rows = np.arange(n_samples)
    markers[rows, first] = markers[rows, second] = 1.0
    total = values[rows, first].astype(np.float64) + values[rows, second]
    X = np.stack([values, markers], axis=-1)
    if task == "classification":
        y, names = (total > 1.0).astype(np.int64), np.array([0, 1])
    else:
        y, names = total, np.array(["sum"])
    if return_X_y:
        return X, y
    target = "their sum > 1" if task == "classification" else "their sum"
    descr = (f"The adding problem, {timesteps} steps: channel 0 values in [0, 1), channel 1 "
             f"marks two steps; target: {target}.")  # fmt: skip
    return Bunch(data=X, target=y, feature_names=["value", "marker"], target_names=names,
                 DESCR=descr)  # fmt: skip
