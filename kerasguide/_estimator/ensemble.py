"""Predictive uncertainty: deep ensembles and Monte Carlo dropout.

``uncertainty="ensemble"`` trains ``n_members`` copies of the estimator, each from its own seed
(drawn from ``random_state``), one after the other. They share the pooled compiled program of
their architecture (``engine``): the seed only decides the initial values, so the second member
on trains without compiling. A seeded ensemble is exactly ``n_members`` separate fits with
``random_state=member_seeds(random_state, n_members)[k]``.

``uncertainty="mc_dropout"`` trains one network and, at prediction, runs ``n_members`` passes
with dropout on (Gal and Ghahramani, 2016). Only the dropout layers run in training mode: batch
normalization keeps its moving statistics. The passes draw their masks from a seed generator
made for the call, so the same rows give the same predictions.

``spread`` turns the members' outputs into the mean and standard deviation that
``predict(X, return_std=True)`` returns, as ``GaussianProcessRegressor`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from kerasguide._estimator.state import rollback_on_failure, set_members

__all__ = ["fit_members", "member_seeds", "spread", "stochastic_passes"]

#: Rows per Keras call of a Monte Carlo pass.
_MC_ROWS = 4096


def member_seeds(random_state: Any, n_members: int) -> list[int]:
    """The ``random_state`` of each member: ints drawn from the ensemble's ``random_state``."""
    rng = check_random_state(random_state)
    return [int(rng.randint(np.iinfo(np.int32).max)) for _ in range(n_members)]


def _members(est, params) -> list:
    """The members to train: the fitted ones for a warm start, new clones otherwise."""
    members = getattr(est, "_members_", None)
    own = {k: v for k, v in est.get_params(deep=False).items() if k != "random_state"}
    own["uncertainty"] = None
    if params["warm_start"] and members is not None and len(members) == params["n_members"]:
        for member in members:
            member.set_params(**own)  # a new learning rate or epochs apply, as for one network
        return members
    seeds = member_seeds(params["random_state"], params["n_members"])
    own["warm_start"] = False
    return [clone(est).set_params(**own, random_state=seed) for seed in seeds]


def fit_members(est, params, fit_member: Callable[[Any], Any]):
    """Train ``est``'s members with ``fit_member(member)``; ``est`` then predicts with them.

    A failed member leaves ``est`` as it was.
    """
    with rollback_on_failure(est):
        members = _members(est, params)
        for member in members:
            fit_member(member)
        set_members(est, members)
    return est


def stochastic_passes(model, X: np.ndarray, n_passes: int, seed: int) -> np.ndarray:
    """``n_passes`` outputs of ``model`` for the rows ``X``, dropout on, shape ``(n_passes,
    n_samples, n_outputs)``, in the model's dtype."""
    import keras

    generator = keras.random.SeedGenerator(seed)
    layers = getattr(model, "layers", None) if isinstance(model, keras.Sequential) else None
    dtype = np.dtype(keras.backend.standardize_dtype(model.layers[-1].compute_dtype))

    def one_pass(rows) -> np.ndarray:
        x = keras.ops.convert_to_tensor(rows, dtype=dtype.name)
        if layers is None:  # not a Sequential model: every layer in training mode
            return keras.ops.convert_to_numpy(model(x, training=True))
        for layer in layers:
            if isinstance(layer, keras.layers.Dropout):
                x = keras.random.dropout(x, layer.rate, noise_shape=layer.noise_shape,
                                         seed=generator)  # fmt: skip
            else:
                x = layer(x, training=False)
        return keras.ops.convert_to_numpy(x)

    chunks = range(0, X.shape[0], _MC_ROWS)
    passes = [
        np.concatenate([one_pass(X[start : start + _MC_ROWS]) for start in chunks])
        for _ in range(n_passes)
    ]
    return np.stack(passes).astype(dtype, copy=False)


def spread(outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the (population) standard deviation of the members' ``outputs``."""
    return outputs.mean(axis=0), outputs.std(axis=0)
