"""The shape of one input row: ``input_shape``, for 2-D and N-D ``X`` alike.

scikit-learn sees every ``X`` as a table: ``n_features_in_`` columns. An image or sequence model
sees rows of ``input_shape`` (``(8, 8, 1)``, ``(20, 1)``). The estimators accept either form:
a 2-D ``X`` of ``prod(input_shape)`` columns (what a ``Pipeline`` of scikit-learn transformers
hands on) or an N-D ``X`` of shape ``(n_samples, *input_shape)``. Both are checked with
scikit-learn's own ``validate_data`` on the flat table (which sets ``n_features_in_`` to the
product), then given to Keras as ``(n_samples, *input_shape)``: the model itself takes the
natural shape, so ``model_`` reads images or sequences directly.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import validate_data

__all__ = ["model_rows", "row_shape"]


def _nd_array(X) -> np.ndarray | None:
    """``X`` as an ndarray when it has more than two dimensions (else None: a table)."""
    if sp.issparse(X) or hasattr(X, "iloc") or hasattr(X, "__dataframe__"):
        return None
    if isinstance(X, np.ndarray):
        return X if X.ndim > 2 else None
    if isinstance(X, list | tuple):
        try:
            array = np.asarray(X)
        except ValueError:  # ragged: let check_array say so
            return None
        return array if array.ndim > 2 else None
    return None


def _shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


def row_shape(input_shape: tuple[int, ...] | None, X) -> tuple[int, ...] | None:
    """The row shape to build for: ``input_shape``, else an N-D ``X``'s rows (None: a table)."""
    if input_shape is not None:
        return tuple(input_shape)
    array = _nd_array(X)
    return None if array is None else tuple(array.shape[1:])


def _check_rows(X_nd: np.ndarray, input_shape: tuple[int, ...]) -> None:
    if tuple(X_nd.shape[1:]) != tuple(input_shape):
        raise ValueError(
            f"X has rows of shape {tuple(X_nd.shape[1:])}, but input_shape={tuple(input_shape)}. "
            "Pass X of shape (n_samples, *input_shape), or a 2-D X of "
            f"{int(np.prod(input_shape))} columns, or set input_shape to the rows' shape."
        )


def _check_width(n_columns: int, input_shape: tuple[int, ...]) -> None:
    needed = int(np.prod(input_shape))
    if n_columns != needed:
        raise ValueError(
            f"X has {n_columns} features per row, but input_shape={tuple(input_shape)} needs "
            f"{needed} ({_shape_text(input_shape)}). Pass X with {needed} columns, or set "
            f"input_shape to a shape of {n_columns} values."
        )


#: ``model_rows``'s ``y`` when only ``X`` is checked (``y=None`` is a missing target).
_NO_Y = object()


def model_rows(est, X, input_shape: tuple[int, ...] | None, *, y=_NO_Y, reset: bool, **kwargs):
    """Validate ``X`` (and ``y``) with scikit-learn's ``validate_data``; shape ``X`` for Keras.

    ``input_shape`` None (a table) hands ``X`` on as checked. Otherwise an N-D ``X`` must have
    rows of ``input_shape`` and a 2-D one ``prod(input_shape)`` columns; either comes back as
    a dense ``(n_samples, *input_shape)`` array, and ``n_features_in_`` is the product. Returns
    ``X`` or ``(X, y)``, as ``validate_data`` does.
    """
    X_nd = _nd_array(X)
    if X_nd is not None:
        input_shape = tuple(X_nd.shape[1:]) if input_shape is None else input_shape
        _check_rows(X_nd, input_shape)
        X = X_nd.reshape(X_nd.shape[0], -1)
    elif input_shape is not None and len(input_shape) > 1 and len(getattr(X, "shape", ())) == 2:
        # Before validate_data, whose message would name the columns but not the shape.
        _check_width(int(X.shape[1]), input_shape)
    out = validate_data(est, X, **({} if y is _NO_Y else {"y": y}), reset=reset, **kwargs)
    X_checked, y_checked = (out, None) if y is _NO_Y else out
    if input_shape is not None:
        _check_width(X_checked.shape[1], input_shape)
    if input_shape is not None and len(input_shape) > 1:
        if sp.issparse(X_checked):
            X_checked = X_checked.toarray()  # convolutions and recurrences read dense rows
        X_checked = X_checked.reshape(X_checked.shape[0], *input_shape)
    return X_checked if y is _NO_Y else (X_checked, y_checked)
