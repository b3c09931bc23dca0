"""Targets in and out of the model: labels encoded for a classifier, values scaled for a regressor.

``encode_labels`` turns a classifier's ``y`` into what its loss takes (class indices, or a
label indicator matrix) and keeps the classes the same across ``partial_fit`` calls and warm
starts, as scikit-learn's MLP does. ``standardize`` scales a regressor's targets for
training; the scaling is folded back into the output layer afterwards (``scaling.py``).
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from kerasguide._estimator.scaling import linear_head

__all__ = ["class_weight_rows", "encode_labels", "standardize"]


def _check_same_classes(known: np.ndarray, y, classes, partial: bool) -> None:
    if partial and classes is not None:
        given = np.unique(column_or_1d(classes))
        if not np.array_equal(given, known):
            raise ValueError(
                f"`classes={given.tolist()!r}` is not the same as on last call to "
                f"partial_fit, was: {known.tolist()!r}"
            )
    elif not partial and not np.array_equal(np.unique(y), known):
        raise ValueError(
            "warm_start can only be used where `y` has the same classes as in the previous "
            f"call to fit. Previous classes: {known.tolist()!r}, `y`: {np.unique(y).tolist()!r}"
        )


def _multilabel(y, known: np.ndarray | None):
    if known is not None and y.shape[1] != len(known):
        raise ValueError(f"y has {y.shape[1]} labels but the model was fitted on {len(known)}.")
    return np.arange(y.shape[1]), np.asarray(y), "multilabel", y.shape[1]


def encode_labels(y, known: np.ndarray | None, *, classes=None, partial=False, owner=""):
    """``(classes_, y_encoded, task, n_outputs)`` for classification targets ``y``.

    ``known`` is the fitted ``classes_`` (None on a first fit); ``classes`` is
    ``partial_fit``'s argument; ``partial`` tells ``partial_fit`` from a warm-started ``fit``.
    """
    check_classification_targets(y)
    kind = type_of_target(y)
    if kind == "multilabel-indicator":
        return _multilabel(y, known)
    if y.ndim != 1:
        raise ValueError(
            f"{owner} supports binary, multiclass and multilabel targets. "
            f"Received: y of type {kind!r} with shape {y.shape}"
        )
    if known is None:
        known = np.unique(y if classes is None else column_or_1d(classes))
        if len(known) < 2:
            raise ValueError(
                "Classifier can't train when only one class is present. "
                f"Received: classes={known.tolist()}"
            )
    else:
        _check_same_classes(known, y, classes, partial)
    unseen = np.setdiff1d(y, known)
    if unseen.size:
        raise ValueError(
            f"y contains labels {unseen.tolist()} outside classes_ {known.tolist()}; pass "
            "every label in `classes` on the first partial_fit, or refit."
        )
    task = "binary" if len(known) == 2 else "multiclass"
    return known, np.searchsorted(known, y), task, 1 if task == "binary" else len(known)


def standardize(model, y, sample_weight, normalize: bool) -> tuple[np.ndarray, np.ndarray]:
    """The mean and scale that standardise ``y`` (weighted), or zeros and ones.

    Only a model whose head is a linear ``Dense`` layer can take the scaling back.
    """
    mean, scale = np.zeros(y.shape[1]), np.ones(y.shape[1])
    if normalize and linear_head(model) is not None:
        mean = np.average(y, axis=0, weights=sample_weight)
        scale = np.sqrt(np.average((y - mean) ** 2, axis=0, weights=sample_weight))
        scale[~(scale > np.finfo(np.float32).tiny)] = 1.0
    return mean, scale


def class_weight_rows(class_weight, y) -> np.ndarray | None:
    """The weight ``class_weight`` gives each row of ``y`` (None without class weights)."""
    if class_weight is None:
        return None
    if y.ndim != 1:
        raise ValueError(
            "class_weight is not supported for multilabel targets. "
            f"Received: class_weight={class_weight!r}"
        )
    return compute_sample_weight(class_weight, y)
