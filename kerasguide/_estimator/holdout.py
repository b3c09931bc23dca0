"""The validation data of an early-stopping fit: passed explicitly, or held out of ``X``.

As scikit-learn's ``HistGradientBoosting*``: ``fit(X, y, *, X_val, y_val, sample_weight_val)``
takes a validation set, used for early stopping only (passing one with ``early_stopping=False``
is an error, as there), and then no training row is held out. Otherwise ``validation_fraction``
holds out a stratified share of the rows, or, given a scikit-learn splitter (``GroupShuffleSplit``,
``TimeSeriesSplit``, ...), the validation rows of the splitter's first split, with the ``groups``
passed to ``fit``.

``X_val`` takes exactly the row shapes ``X`` takes: a table of ``n_features_in_`` columns, or
rows of ``input_shape`` (an image or sequence model takes either), checked as ``X`` is
(``shapes.model_rows``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from kerasguide._estimator.shapes import model_rows
from kerasguide._estimator.tabular import table_rows
from kerasguide._estimator.weights import check_weights
from kerasguide.core.checks import is_splitter

__all__ = ["check_validation_data", "is_splitter", "split_with"]


def _check_pairing(params, X_val, y_val, sample_weight_val, groups) -> bool:
    """HistGradientBoosting's rules; True when validation data was passed."""
    if groups is not None and not is_splitter(params["validation_fraction"]):
        raise ValueError(
            "groups are passed to the splitter given as validation_fraction; with "
            f"validation_fraction={params['validation_fraction']!r} they would be ignored. "
            "Pass a splitter such as GroupShuffleSplit(n_splits=1), or drop groups."
        )
    if X_val is None and y_val is None:
        if sample_weight_val is not None:
            raise ValueError("sample_weight_val is provided, but X_val and y_val were not.")
        return False
    if y_val is None:
        raise ValueError("X_val is provided, but y_val was not provided.")
    if X_val is None:
        raise ValueError("y_val is provided, but X_val was not provided.")
    if not params["early_stopping"]:
        raise ValueError(
            "X_val and y_val are passed to fit while at the same time early_stopping is False. "
            "When passing X_val and y_val to fit, early_stopping should be set to True."
        )
    return True


def check_validation_data(est, params, X, X_val, y_val, sample_weight_val, groups, *, y=None):
    """``(X_val, y_val, sw_val)`` checked against the training ``X`` (and ``y``), or None.

    ``X`` is the checked training input: a table, or rows of the model's ``input_shape``,
    which ``X_val`` is shaped to. ``X_val`` takes ``X``'s dtype; ``sw_val`` is scaled to mean 1
    like the training weights. A classifier's ``y_val`` may hold only labels of ``y``.
    """
    if not _check_pairing(params, X_val, y_val, sample_weight_val, groups):
        return None
    table = getattr(est, "_table_", None)
    if table is not None:  # a table with categorical columns: encoded as X was
        X_val, y_val = table_rows(est, table, X_val, reset=False, y=y_val,
                                  y_numeric=not est._is_classifier)  # fmt: skip
    else:
        shape = tuple(X.shape[1:]) if X.ndim > 2 else None
        X_val, y_val = model_rows(
            est, X_val, shape, y=y_val, reset=False, accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32), multi_output=True, y_numeric=not est._is_classifier,
        )  # fmt: skip
    X_val = X_val.astype(X.dtype) if sp.issparse(X_val) else np.asarray(X_val, dtype=X.dtype)
    if y_val.ndim == 2 and y_val.shape[1] == 1:
        y_val = y_val.ravel()
    if est._is_classifier and y is not None:
        _check_labels_seen(y_val, y)
    sw_val = None
    if sample_weight_val is not None:
        sw_val = check_weights(sample_weight_val, X_val.shape[0], "sample_weight_val")
        sw_val = sw_val * (X_val.shape[0] / sw_val.sum())
    return X_val, y_val, sw_val


def _check_labels_seen(y_val, y) -> None:
    """A classifier's validation labels are labels it trains on (multilabel: columns)."""
    if np.ndim(y_val) != 1 or np.ndim(y) != 1:
        return  # indicator matrices: their widths are compared once encoded
    # Python values, so that a string label is never equal to a number (nor cast to one).
    known = np.unique(y).tolist()
    seen = set(known)
    unseen = [label for label in np.unique(y_val).tolist() if label not in seen]
    if unseen:
        raise ValueError(
            f"y_val contains labels {unseen} that are not in y (the classes trained on: "
            f"{known}); every validation label must be a training label."
        )


def split_with(splitter, arrays: list, y_enc, groups) -> tuple[list, list]:
    """The training and validation parts of ``arrays``: the splitter's first split."""
    try:
        train, val = next(iter(splitter.split(arrays[0], y_enc, groups)))
    except StopIteration:
        raise ValueError(
            f"validation_fraction={splitter!r} yields no split of the training data."
        ) from None
    if len(train) == 0 or len(val) == 0:
        raise ValueError(
            f"The first split of validation_fraction={splitter!r} leaves {len(train)} training "
            f"and {len(val)} validation rows; both need at least one."
        )
    return [a[train] for a in arrays], [a[val] for a in arrays]
