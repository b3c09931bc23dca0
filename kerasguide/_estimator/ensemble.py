"""Predictive uncertainty: deep ensembles and Monte Carlo dropout.

``uncertainty="ensemble"`` trains ``n_members`` copies of the estimator, each from its own seed
(drawn from ``random_state``), one after the other. They share the pooled compiled program of
their architecture (``engine``): the seed only decides the initial values, so the second member
on trains without compiling. A seeded ensemble is exactly ``n_members`` separate fits with
``random_state=member_seeds(random_state, n_members)[k]``.

``uncertainty="mc_dropout"`` trains one network and, at prediction, runs ``n_members`` passes
with dropout on (Gal and Ghahramani, 2016): each pass is one thinned network, its masks drawn
once and applied to every row. Only the dropout layers act: batch normalization keeps its moving
statistics. The masks come from a seed generator made for the call, so the same rows give the
same predictions, whatever rows they are predicted with.

``spread`` turns the members' outputs into the mean and standard deviation that
``predict(X, return_std=True)`` returns, as ``GaussianProcessRegressor`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from kerasguide._estimator.state import (
    members_rolled_back_on_failure,
    rollback_on_failure,
    set_members,
)

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

    A failed member leaves ``est`` as it was, and a warm start's members too.
    """
    resumed = (getattr(est, "_members_", None) or []) if params["warm_start"] else []
    with rollback_on_failure(est), members_rolled_back_on_failure(resumed):
        members = _members(est, params)
        for member in members:
            fit_member(member)
        set_members(est, members)
    return est


def stochastic_passes(model, X: np.ndarray, n_passes: int, seed: int) -> np.ndarray:
    """``n_passes`` outputs of ``model`` for the rows ``X``, dropout on, shape ``(n_passes,
    n_samples, n_outputs)``, in the model's dtype.

    Each pass draws one mask per dropout layer and applies it to every row: a pass is one
    thinned network, so a row's prediction does not depend on the rows beside it or on their
    order (scikit-learn's invariance checks), and chunks of rows share the pass's masks.
    """
    import keras

    generator = keras.random.SeedGenerator(seed)
    if not isinstance(model, keras.Sequential):
        raise ValueError(
            "uncertainty='mc_dropout' runs the layers of a keras.Sequential one by one; this "
            f"model is a {type(model).__name__}. Received: uncertainty='mc_dropout'"
        )
    dtype = np.dtype(keras.backend.standardize_dtype(model.layers[-1].compute_dtype))

    def one_pass(rows, masks: dict) -> np.ndarray:
        x = keras.ops.convert_to_tensor(rows, dtype=dtype.name)
        for i, layer in enumerate(model.layers):
            if isinstance(layer, keras.layers.Dropout):
                if i not in masks:  # the pass's mask: one row, broadcast over every row
                    ones = keras.ops.ones((1, *x.shape[1:]), dtype=x.dtype)
                    masks[i] = keras.random.dropout(ones, layer.rate, seed=generator)
                x = x * masks[i]
            else:
                x = layer(x, training=False)
        return keras.ops.convert_to_numpy(x)

    passes = []
    for _ in range(n_passes):
        masks: dict = {}
        chunks = [one_pass(X[start : start + _MC_ROWS], masks)
                  for start in range(0, X.shape[0], _MC_ROWS)]  # fmt: skip
        passes.append(np.concatenate(chunks))
    return np.stack(passes).astype(dtype, copy=False)


def spread(outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the (population) standard deviation of the members' ``outputs``."""
    return outputs.mean(axis=0), outputs.std(axis=0)
