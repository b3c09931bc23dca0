"""Tables with categorical columns: which columns they are, their categories, the rows Keras reads.

``categorical_features`` follows scikit-learn's ``HistGradientBoosting*``: ``"from_dtype"`` (pandas
``category`` columns, and polars ``Categorical``/``Enum`` where polars is installed), ``None``, a
boolean mask, integer indices or column names, refused with ``HistGradientBoosting``'s words.

The encoding is learned in ``fit``, with NumPy (and pandas' own lookups for pandas columns), so
it serves every Keras backend; ``keras.layers.StringLookup`` runs on TensorFlow only.

- Each categorical column's categories are the distinct values seen in ``fit``, sorted, so the
  order of the levels in the input (a pandas dtype's) does not change the model. Code 0 means
  unknown or missing: a level not seen in ``fit``, ``NaN``, ``None`` and ``pd.NA``, without an
  error or a warning. A code is a value's rank among the categories, never a frame's own code,
  so a batch that lacks a level reads every other level as ``fit`` did.
- A column of at most ``MAX_ONE_HOT`` categories becomes one-hot columns (unknown: all zeros);
  one of more becomes its code, which the network's first layer
  ([`CategoricalEmbedding`][kerasguide.zoo.layers.CategoricalEmbedding]) looks up in a learned
  ``keras.layers.Embedding`` of ``embedding_width(n)`` values (``embedding_dim`` overrides it).
- The numeric columns are standardized with the mean and standard deviation of ``fit``. A
  missing numeric value is refused, naming its column: imputing it is a modelling choice that
  scikit-learn makes explicit (``SimpleImputer(add_indicator=True)`` before the estimator), and
  an indicator learned from the columns that happened to miss values in ``fit`` would have no
  place for a value missing elsewhere at ``predict``.

The network reads one float32 array: the standardized numbers, the one-hot columns, then the
codes. With numbers only (no categorical column), ``X`` reaches the network as before: nothing
is standardized and the NumPy fast path is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from kerasguide.exceptions import InvalidParameterError

#: ``table_rows``'s ``y`` when only ``X`` is checked (``y=None`` is a missing target).
_NO_Y = object()

__all__ = [
    "MAX_ONE_HOT",
    "TableEncoding",
    "categorical_mask",
    "changed_spec",
    "embedding_width",
    "encoding_dims",
    "learn_encoding",
    "table_rows",
]

#: The most categories a column may have to be one-hot encoded; above, an embedding.
MAX_ONE_HOT = 8


def embedding_width(n_categories: int) -> int:
    """The width of a column's embedding: ``min(600, round(1.6 * (n + 1) ** 0.56))``.

    fast.ai's rule of thumb (``n + 1`` counts code 0, unknown or missing): 50 categories get
    14 values, 1,000 get 77.

    >>> from kerasguide._estimator.tabular import embedding_width
    >>> embedding_width(50), embedding_width(1000)
    (14, 77)
    """
    return int(min(600, round(1.6 * (n_categories + 1) ** 0.56)))


# --------------------------------------------------------------------------- which columns
def _is_polars(X) -> bool:
    return type(X).__module__.split(".")[0] == "polars"


def _dtype_mask(X) -> np.ndarray | None:
    """The columns of a pandas (or polars) frame with a categorical dtype; None for arrays."""
    if hasattr(X, "iloc") and hasattr(X, "dtypes"):
        return np.asarray([getattr(d, "name", "") == "category" for d in X.dtypes], dtype=bool)
    if _is_polars(X) and hasattr(X, "schema"):
        import polars as pl

        return np.asarray(
            [isinstance(d, pl.Categorical | pl.Enum) for d in X.schema.values()], dtype=bool
        )
    return None


def _names_of(X) -> list | None:
    columns = getattr(X, "columns", None)
    return None if columns is None else list(columns)


def categorical_mask(X, spec) -> np.ndarray | None:
    """Which columns of ``X`` are categorical (``spec`` checked by the parameter table), or None
    when none is, with ``HistGradientBoosting``'s errors for a spec that does not fit ``X``."""
    if spec is None:
        return None
    if isinstance(spec, str):  # "from_dtype"
        mask = _dtype_mask(X)
        return mask if mask is not None and mask.any() else None
    spec = np.asarray(spec)
    if spec.size == 0:
        return None
    n_features = X.shape[1]
    if spec.dtype.kind in "UO":
        names = _names_of(X)
        if names is None:
            raise InvalidParameterError(
                "categorical_features should be passed as an array of integers or as a boolean "
                "mask when the model is fitted on data without feature names."
            )
        mask = np.zeros(n_features, dtype=bool)
        for name in spec:
            if name not in names:
                raise InvalidParameterError(
                    f"categorical_features has an item value '{name}' which is not a valid "
                    f"feature name of the training data. Observed feature names: {names}"
                )
            mask[names.index(name)] = True
    elif spec.dtype.kind in "iu":
        if spec.max() >= n_features or spec.min() < 0:
            raise InvalidParameterError(
                "categorical_features set as integer indices must be in [0, n_features - 1]"
            )
        mask = np.zeros(n_features, dtype=bool)
        mask[spec] = True
    else:
        if spec.shape[0] != n_features:
            raise InvalidParameterError(
                "categorical_features set as a boolean mask must have shape (n_features,), "
                f"got: {spec.shape}"
            )
        mask = spec.astype(bool)
    return mask if mask.any() else None


# --------------------------------------------------------------------------- reading columns
def _column(X, j: int):
    """Column ``j`` of ``X``: a pandas Series, or a 1-D NumPy array."""
    if hasattr(X, "iloc"):
        return X.iloc[:, j]
    if _is_polars(X):
        return X.to_series(j).to_numpy()
    return X[:, j]


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN; pd.NA's comparison raises TypeError
    except TypeError:
        return True


def _learn_categories(column, name: str) -> np.ndarray:
    """The distinct values of ``column`` seen in ``fit`` (missing ones left out), sorted."""
    if getattr(column.dtype, "name", "") == "category":
        codes = column.cat.codes.to_numpy()
        values = np.asarray(column.cat.categories)[np.unique(codes[codes >= 0])]
    elif hasattr(column, "dropna"):
        values = column.dropna().unique()
        values = np.asarray(values, dtype=object if values.dtype.kind in "OUS" else None)
    else:
        column = np.asarray(column)
        if column.dtype.kind in "biuf":
            values = column[~np.isnan(column)] if column.dtype.kind == "f" else column
        else:
            values = np.asarray([v for v in set(column.tolist()) if not _is_missing(v)],
                                dtype=object)  # fmt: skip
    if values.dtype.kind in "OUS":
        try:
            return np.asarray(sorted(set(values.tolist())), dtype=object)
        except TypeError:
            kinds = sorted({type(v).__name__ for v in values.tolist()})
            raise ValueError(
                f"The categorical column {name} holds values of types {kinds}, which cannot be "
                "sorted: the values of a categorical column must be all numbers or all strings."
            ) from None
    values = np.unique(values)
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        raise ValueError(f"The categorical column {name} holds an infinite value.")
    return values


def _codes(column, categories: np.ndarray) -> np.ndarray:
    """Each value's code: 1 + its rank in ``categories``, 0 for unknown or missing."""
    n = len(column)
    if len(categories) == 0:
        return np.zeros(n, dtype=np.int64)
    if getattr(column.dtype, "name", "") == "category":
        # The frame's own codes index its dtype's levels, which map to ours once per call.
        import pandas as pd

        ours = pd.Index(categories).get_indexer(column.cat.categories) + 1
        return np.append(ours, 0)[column.cat.codes.to_numpy()]
    if hasattr(column, "iloc"):
        import pandas as pd

        return pd.Index(categories).get_indexer(column) + 1
    column = np.asarray(column)
    if column.dtype.kind in "biuf" and categories.dtype.kind in "biuf":
        at = np.minimum(np.searchsorted(categories, column), len(categories) - 1)
        return np.where(categories[at] == column, at + 1, 0)
    lookup = {value: code for code, value in enumerate(categories.tolist(), start=1)}

    def code(value) -> int:
        try:
            return lookup.get(value, 0)
        except TypeError:  # an unhashable value is no category
            return 0

    return np.fromiter((code(v) for v in column.tolist()), dtype=np.int64, count=n)


def _numbers(X, columns: np.ndarray, names: list[str]) -> np.ndarray:
    """The numeric columns as float64; a missing or infinite value is refused, by column."""
    if hasattr(X, "iloc"):
        block = X.iloc[:, columns].to_numpy(dtype=np.float64, na_value=np.nan)
    elif _is_polars(X):
        block = np.column_stack([X.to_series(j).to_numpy() for j in columns]).astype(np.float64)
    else:
        try:
            block = np.asarray(X[:, columns], dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"The numeric columns of X must hold numbers ({exc}); mark the others with "
                "categorical_features."
            ) from None
    bad = ~np.isfinite(block)
    if bad.any():
        column = names[int(columns[np.nonzero(bad.any(axis=0))[0][0]])]
        what = "NaN" if np.isnan(block).any() else "infinity"
        raise ValueError(
            f"Input X contains {what} in the numeric column {column}. Missing values are encoded "
            "in categorical columns (as unknown), not in numeric ones: impute them first, e.g. "
            "with SimpleImputer(add_indicator=True) in a ColumnTransformer, or declare the "
            "column in categorical_features."
        )
    return block.reshape(block.shape[0], len(columns))


# --------------------------------------------------------------------------- the encoding
@dataclass(frozen=True, eq=False)
class TableEncoding:
    """What ``fit`` learned of a table with categorical columns; ``encode`` applies it.

    Attributes
    ----------
    is_categorical : ndarray of bool, shape (n_features,)
    categories : tuple of ndarray
        The sorted categories of each categorical column, in column order.
    mean, scale : ndarray of float64
        The numeric columns' standardization.
    dims : tuple of int
        Per categorical column, 0 for one-hot, else the width of its embedding.
    names : tuple of str
        How messages name each column (``'color'``, or ``at index 3``).
    """

    is_categorical: np.ndarray
    categories: tuple
    mean: np.ndarray
    scale: np.ndarray
    dims: tuple
    names: tuple

    @property
    def numeric(self) -> np.ndarray:
        return np.flatnonzero(~self.is_categorical)

    @property
    def categorical(self) -> np.ndarray:
        return np.flatnonzero(self.is_categorical)

    @property
    def n_passed(self) -> int:
        """Columns the network reads as numbers: standardized values and one-hot columns."""
        one_hot = sum(len(c) for c, d in zip(self.categories, self.dims, strict=True) if d == 0)
        return len(self.numeric) + one_hot

    @property
    def width(self) -> int:
        """Columns of the encoded rows (the network's input)."""
        return self.n_passed + sum(1 for d in self.dims if d)

    @property
    def embeddings(self) -> tuple | None:
        """``(n_passed, input_dims, output_dims)`` of the network's first layer; None: no
        embedded column."""
        embedded = [(len(c) + 1, d) for c, d in zip(self.categories, self.dims, strict=True) if d]
        if not embedded:
            return None
        inputs, outputs = zip(*embedded, strict=True)
        return (self.n_passed, tuple(inputs), tuple(outputs))

    @property
    def categorical_names(self) -> list[str]:
        return [self.names[j] for j in self.categorical]

    def encode(self, X) -> np.ndarray:
        """The float32 rows the network reads for ``X`` (as many columns as in ``fit``)."""
        n = X.shape[0]
        out = np.zeros((n, self.width), dtype=np.float32)
        numeric = self.numeric
        if len(numeric):
            out[:, : len(numeric)] = (_numbers(X, numeric, list(self.names)) - self.mean) / (
                self.scale
            )
        one_hot, code_at = len(numeric), self.n_passed
        rows = np.arange(n)
        for j, categories, dim in zip(self.categorical, self.categories, self.dims, strict=True):
            codes = _codes(_column(X, j), categories)
            if dim:
                out[:, code_at] = codes
                code_at += 1
                continue
            known = codes > 0
            out[rows[known], one_hot + codes[known] - 1] = 1.0
            one_hot += len(categories)
        return out

    # ------------------------------------------------------------------- the .kgz manifest
    def to_json(self) -> dict[str, Any]:
        """The encoding as JSON; categories must be numbers or strings."""
        categories = []
        for name, values in zip(self.categorical_names, self.categories, strict=True):
            items = [v.item() if isinstance(v, np.generic) else v for v in values.tolist()]
            if not all(isinstance(v, bool | int | float | str) for v in items):
                raise ValueError(
                    "save stores the categories as JSON: they must be numbers or strings; the "
                    f"column {name} has {values[:5]!r}"
                )
            categories.append({"values": items, "dtype": values.dtype.str})
        return {"is_categorical": self.is_categorical.tolist(), "categories": categories,
                "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "dims": list(self.dims)}  # fmt: skip

    @classmethod
    def from_json(cls, entry: dict[str, Any], names) -> TableEncoding:
        """The encoding ``to_json`` wrote, checked; ``ValueError`` naming what does not fit."""
        mask = np.asarray(entry["is_categorical"])
        if mask.ndim != 1 or mask.dtype != bool or not mask.any():
            raise ValueError(f"is_categorical_={entry['is_categorical']!r} is not a boolean mask")
        n_categorical, n_numeric = int(mask.sum()), int((~mask).sum())
        categories = tuple(_loaded_categories(c) for c in entry["categories"])
        dims = tuple(entry["dims"])
        mean = np.asarray(entry["mean"], dtype=np.float64)
        scale = np.asarray(entry["scale"], dtype=np.float64)
        if len(categories) != n_categorical or len(dims) != n_categorical:
            raise ValueError(
                f"categories_ has {len(categories)} columns and dims {len(dims)}, but "
                f"is_categorical_ marks {n_categorical}"
            )
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims):
            raise ValueError(f"the embedding widths {list(dims)} are not integers >= 0")
        if mean.shape != (n_numeric,) or scale.shape != (n_numeric,):
            raise ValueError(f"the numeric columns' scaling does not have {n_numeric} values")
        if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
            raise ValueError("the numeric columns' scaling must be finite (scale positive)")
        return cls(mask, categories, mean, scale, dims, _column_names(names, len(mask)))


def _loaded_categories(entry: dict[str, Any]) -> np.ndarray:
    values, dtype = entry["values"], np.dtype(entry["dtype"])
    if dtype.kind not in "biufO" or not isinstance(values, list):
        raise ValueError(f"categories_ holds {entry!r}")
    array = np.asarray(values, dtype=dtype)
    ordered = len(set(values)) == len(values) and values == sorted(values)
    if array.ndim != 1 or not ordered:
        raise ValueError(f"categories_ {values!r} are not distinct and sorted")
    return array


def _column_names(names, n_features: int) -> tuple[str, ...]:
    if names is not None:
        return tuple(repr(str(n)) for n in names)
    return tuple(f"at index {j}" for j in range(n_features))


def changed_spec(
    table: TableEncoding | None, X, spec, embedding_dim: int | None, one_hot_only: bool
) -> str | None:
    """The parameter (``categorical_features`` or ``embedding_dim``) that would encode ``X``
    otherwise than the fitted ``table`` does, or None: a warm start continues one encoding."""
    mask = categorical_mask(X, spec)
    fitted = None if table is None else table.is_categorical
    if not (spec == "from_dtype" and mask is None and table is not None):  # no dtypes to read
        same = mask is None if fitted is None else mask is not None and np.array_equal(mask, fitted)
        if not same:
            return "categorical_features"
    dims = None if table is None else encoding_dims(table.categories, embedding_dim, one_hot_only)
    return "embedding_dim" if table is not None and dims != tuple(table.dims) else None


def encoding_dims(categories, embedding_dim: int | None, one_hot_only: bool) -> tuple:
    """Each categorical column's embedding width (0: one-hot), from its categories."""
    return tuple(
        0 if one_hot_only or len(c) <= MAX_ONE_HOT else (embedding_dim or embedding_width(len(c)))
        for c in categories
    )


def learn_encoding(X, mask: np.ndarray, embedding_dim: int | None, *,
                   one_hot_only: bool = False) -> TableEncoding:  # fmt: skip
    """The encoding of the table ``X`` whose categorical columns ``mask`` marks (every one
    one-hot with ``one_hot_only``)."""
    if sp.issparse(X):
        raise ValueError(
            "categorical_features needs a dense X (a DataFrame or an array); X is sparse. "
            "Encode the categorical columns first (OneHotEncoder) or pass a dense X."
        )
    if not hasattr(X, "iloc") and not _is_polars(X):
        X = np.asarray(X)
    names = _column_names(_names_of(X), len(mask))
    categories = tuple(_learn_categories(_column(X, j), names[j]) for j in np.flatnonzero(mask))
    dims = encoding_dims(categories, embedding_dim, one_hot_only)
    numeric = np.flatnonzero(~mask)
    block = _numbers(X, numeric, list(names)) if len(numeric) else np.zeros((X.shape[0], 0))
    mean = block.mean(axis=0)
    scale = block.std(axis=0)
    scale[~(scale > 0)] = 1.0  # a constant column stays 0, as StandardScaler leaves it
    return TableEncoding(mask, categories, mean, scale, dims, names)


def table_rows(est, table: TableEncoding, X, *, reset: bool, y=_NO_Y, y_numeric: bool = False):
    """``X`` checked (its width and column names, by scikit-learn's ``validate_data``) and
    encoded; with ``y``, ``(rows, y)`` checked together as ``validate_data`` checks them."""
    from sklearn.utils.validation import check_array, check_X_y, validate_data

    validate_data(est, X, reset=reset, skip_check_array=True)
    if sp.issparse(X):
        raise ValueError(
            f"{type(est).__name__} was fitted with categorical columns "
            f"({', '.join(table.categorical_names)}) and needs a dense X; X is sparse."
        )
    if not hasattr(X, "iloc") and not _is_polars(X):
        X = np.asarray(X)
        if X.ndim != 2:
            check_array(X, dtype=None)  # scikit-learn's words for a 1-D (or N-D) X
    rows = table.encode(X)
    if y is _NO_Y:
        return check_array(rows, dtype=None)
    return check_X_y(rows, y, dtype=None, multi_output=True, y_numeric=y_numeric)
