"""Small datasets for the talk's models: houses, digits, MNIST, two playground toys, sequences.

Like scikit-learn's loaders, every function returns a ``sklearn.utils.Bunch`` (``data``,
``target``, ``feature_names``, ``target_names``, ``DESCR`` and the extras its docstring names),
or ``(X, y)`` with ``return_X_y=True``; [`load_mnist`][kerasguide.datasets.load_mnist], which
has a test split, then gives ``((X_train, y_train), (X_test, y_test))`` as
``keras.datasets.mnist.load_data()`` does. Tabular and toy data are ``float64`` (as in
scikit-learn), images ``float32``, labels ``int64``. Only
[`load_mnist`][kerasguide.datasets.load_mnist] downloads, after finding no local copy, checking
that the network answers and saying so on stderr; ``download=False`` forbids it.

This package may import ``kerasguide.core`` (for its argument checks), NumPy and
scikit-learn; ``sequences`` holds the sequence task, ``tables`` the shop table with categorical
columns (``make_shop_table``, a pandas DataFrame).
"""

from __future__ import annotations

import numbers
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn import datasets as sk_datasets
from sklearn.utils import Bunch

from kerasguide.core.checks import check_bool as _check_bool
from kerasguide.core.checks import check_int as _check_int
from kerasguide.core.checks import check_random_state_arg as _check_random_state
from kerasguide.datasets import mnist_files
from kerasguide.datasets.sequences import make_sequences
from kerasguide.datasets.tables import make_shop_table
from kerasguide.exceptions import InvalidParameterError

# fmt: off
__all__ = ["HOUSES_COEF", "HOUSES_INTERCEPT", "MNIST_ENV", "load_digits", "load_houses",
           "load_mnist", "make_circles", "make_houses", "make_sequences", "make_shop_table",
           "make_xor"]
# fmt: on

HOUSE_FEATURES = ("floor_area_sqft", "distance_to_transport_m", "rooms")
#: The law of ``make_houses``: dollars per sq ft, per metre and per room, plus a base price.
HOUSES_COEF, HOUSES_INTERCEPT = (220.0, -25.0, 15_000.0), 30_000.0
#: The environment variable ``load_mnist`` reads for the path of ``mnist.npz``.
MNIST_ENV = mnist_files.MNIST_ENV

_MNIST_URL = f"https://{mnist_files.MNIST_HOST}/tensorflow/tf-keras-datasets/mnist.npz"

Seed = int | np.random.RandomState | None
Dataset = Bunch | tuple[np.ndarray, np.ndarray]


def _bunch(return_X_y: bool, data, target, names, target_names, descr: str, **extra) -> Dataset:
    """The Bunch every function returns, or ``(data, target)`` for ``return_X_y=True``."""
    if _check_bool("return_X_y", return_X_y):
        return data, target
    fields = {
        "data": data,
        "target": target,
        "DESCR": descr,
        "feature_names": None if names is None else list(names),
    }
    return Bunch(**fields, target_names=target_names, **extra)


def load_houses(*, return_X_y: bool = False) -> Dataset:
    """The talk's three houses: floor area, distance to transport and rooms, with prices.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    Bunch or tuple of ndarray
        ``data`` (3, 3) float64 (square feet, metres, rooms), ``target`` (3,) dollars.

    Examples
    --------
    >>> from kerasguide.datasets import load_houses
    >>> X, y = load_houses(return_X_y=True)
    >>> X.shape, y.tolist()
    ((3, 3), [345000.0, 580000.0, 360000.0])
    """
    data = np.array([[1250, 350, 3], [1700, 900, 6], [1400, 600, 3]], dtype=np.float64)
    target = np.array([345_000, 580_000, 360_000], dtype=np.float64)
    descr = "The talk's houses: floor area (sq ft), distance to transport (m), rooms -> price."
    return _bunch(return_X_y, data, target, HOUSE_FEATURES, ["price"], descr)


def make_houses(
    n_samples: int = 200, *, noise: float = 1e4, random_state: Seed = None, return_X_y: bool = False
) -> Dataset:
    """Synthetic houses priced by a known linear law plus Gaussian noise.

    Floor areas are whole square feet in 600-3000, distances to public transport whole metres
    in 50-2000 (both uniform), rooms an integer in 1-8 that grows with the area (about one per
    400 square feet, give or take). The price, hundreds of thousands of dollars, is
    ``30000 + 220 * area - 25 * distance + 15000 * rooms + noise`` (``HOUSES_COEF``).

    Parameters
    ----------
    n_samples : int, default=200
        Number of houses.
    noise : float, default=10000.0
        Standard deviation of the Gaussian noise on each price, in dollars.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible draws.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    Bunch or tuple of ndarray
        ``data`` (n, 3), ``target`` (n,) float64; the law as ``coef`` (3,) and ``intercept``.

    Examples
    --------
    >>> from kerasguide.datasets import make_houses
    >>> houses = make_houses(5, noise=0.0, random_state=0)
    >>> houses.data.shape, houses.coef.tolist(), houses.intercept
    ((5, 3), [220.0, -25.0, 15000.0], 30000.0)
    """
    n_samples, noise, rng = _check_sampling(n_samples, noise, random_state)
    area = np.rint(rng.uniform(600.0, 3000.0, n_samples))
    distance = np.rint(rng.uniform(50.0, 2000.0, n_samples))
    rooms = np.clip(np.rint(area / 400.0 + rng.normal(0.0, 0.75, n_samples)), 1, 8)
    data = np.column_stack([area, distance, rooms])
    coef = np.array(HOUSES_COEF)
    target = data @ coef + HOUSES_INTERCEPT
    if noise:
        target = target + rng.normal(0.0, noise, n_samples)
    descr = (
        f"Synthetic houses: price = {HOUSES_INTERCEPT:g} + {coef[0]:g}*area {coef[1]:+g}*distance "
        f"{coef[2]:+g}*rooms + Gaussian noise (standard deviation {noise:g} dollars)."
    )
    law = {"coef": coef, "intercept": HOUSES_INTERCEPT}
    return _bunch(return_X_y, data, target, HOUSE_FEATURES, ["price"], descr, **law)


def load_digits(
    *, scale: bool = True, as_images: bool = False, return_X_y: bool = False
) -> Dataset:
    """scikit-learn's 8x8 handwritten digits: 1797 images shipped with scikit-learn.

    Parameters
    ----------
    scale : bool, default=True
        Divide the pixel values (0-16) by 16, into [0, 1].
    as_images : bool, default=False
        Give ``data`` as images with a channel axis, shape (1797, 8, 8, 1), for
        [`cnn`][kerasguide.zoo.models.cnn] (``feature_names`` is then None).
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    Bunch or tuple of ndarray
        ``data`` (1797, 64) and ``images`` (1797, 8, 8) float32, ``target`` (1797,) int64.

    Examples
    --------
    >>> from kerasguide.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> X.shape, X.dtype, float(X.max()), y.dtype
    ((1797, 64), dtype('float32'), 1.0, dtype('int64'))
    >>> load_digits(as_images=True, return_X_y=True)[0].shape
    (1797, 8, 8, 1)
    """
    divisor = np.float32(16.0 if _check_bool("scale", scale) else 1.0)
    raw = sk_datasets.load_digits()
    data, images = raw.data.astype(np.float32) / divisor, raw.images.astype(np.float32) / divisor
    target, names = raw.target.astype(np.int64), np.asarray(raw.target_names, dtype=np.int64)
    columns = raw.feature_names
    if _check_bool("as_images", as_images):
        data, columns = images[..., np.newaxis], None
    return _bunch(return_X_y, data, target, columns, names, raw.DESCR, images=images)


def load_mnist(
    path: str | os.PathLike | None = None,
    *,
    flatten: bool | None = None,
    scale: bool = True,
    as_images: bool = False,
    download: bool = True,
    return_X_y: bool = False,
) -> Bunch | tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST handwritten digits: 60000 training and 10000 test images of 28x28 pixels.

    Looks in order at ``path``, the environment variable ``KERASGUIDE_MNIST`` (either may name
    a folder holding ``mnist.npz``) and the Keras cache (``$KERAS_HOME/datasets/mnist.npz``, by
    default under ``~/.keras``); then, if ``download`` and the host answers within 2 s, says so
    on stderr and calls ``keras.datasets.mnist.load_data()`` (11 MB). Otherwise it raises
    ``FileNotFoundError`` naming every place tried; a file in another layout ``ValueError``.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A file in the Keras ``mnist.npz`` layout; when given, nothing else is tried.
    flatten : bool, default=None
        Give each image as 784 features rather than a 28x28 array; ``None`` means True unless
        ``as_images``.
    scale : bool, default=True
        Divide the pixel values (0-255) by 255, into [0, 1].
    as_images : bool, default=False
        Give each image as a (28, 28, 1) array with a channel axis, for
        [`cnn`][kerasguide.zoo.models.cnn]; ``flatten=True`` with it is an error.
    download : bool, default=True
        Allow the download when no local copy is found.
    return_X_y : bool, default=False
        Return ``((X_train, y_train), (X_test, y_test))`` instead of a Bunch.

    Returns
    -------
    Bunch or tuple of tuples
        ``data`` (60000, 784) float32, ``target`` (60000,) int64, ``data_test``, ``target_test``,
        ``feature_names`` (None unless flattened), ``target_names``, ``filename``, ``DESCR``.

    Examples
    --------
    >>> from kerasguide.datasets import load_mnist
    >>> (X_train, y_train), (X_test, y_test) = load_mnist(return_X_y=True)  # doctest: +SKIP
    >>> X_train.shape, X_test.shape  # doctest: +SKIP
    ((60000, 784), (10000, 784))
    """
    shape = _mnist_shape(flatten, as_images)
    scale, return_X_y = _check_bool("scale", scale), _check_bool("return_X_y", return_X_y)
    found = mnist_files.locate(path, _check_bool("download", download))
    if found is not None:
        x_train, y_train, x_test, y_test = mnist_files.read(found)
    else:
        import keras

        found = mnist_files.keras_cache_file()
        print(f"kerasguide: downloading MNIST from {_MNIST_URL} (about 11 MB)", file=sys.stderr)
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return _mnist_result(x_train, y_train, x_test, y_test, shape, scale, return_X_y, found)


def _mnist_shape(flatten: Any, as_images: Any) -> tuple[int, ...]:
    """The shape ``load_mnist`` gives its images, from ``flatten`` and ``as_images``."""
    as_images = _check_bool("as_images", as_images)
    if flatten is None:
        return (-1, 28, 28, 1) if as_images else (-1, 784)
    if _check_bool("flatten", flatten) and as_images:
        raise InvalidParameterError(
            "`as_images=True` gives 28x28x1 images, which `flatten=True` contradicts; "
            "pass one of them. Received: flatten=True, as_images=True"
        )
    return (-1, 28, 28, 1) if as_images else ((-1, 784) if flatten else (-1, 28, 28))


def _mnist_result(x_train, y_train, x_test, y_test, shape, scale, return_X_y, found: Path):
    """``load_mnist``'s result from the raw arrays: images reshaped and scaled, in a Bunch."""
    divisor = np.float32(255 if scale else 1)
    train = x_train.reshape(shape).astype(np.float32) / divisor, y_train.astype(np.int64)
    test = x_test.reshape(shape).astype(np.float32) / divisor, y_test.astype(np.int64)
    if return_X_y:
        return train, test
    flat = len(shape) == 2
    names = [f"pixel_{r}_{c}" for r in range(28) for c in range(28)] if flat else None
    descr = "MNIST handwritten digits (LeCun, Cortes and Burges; CC BY-SA 3.0), 28x28 pixels."
    bunch = _bunch(False, *train, [], np.arange(10, dtype=np.int64), descr, filename=str(found))
    bunch.update(data_test=test[0], target_test=test[1], feature_names=names)
    return bunch


def _check_sampling(n_samples: Any, noise: Any, random_state: Any):
    # A standard deviation of inf would make every value infinite, and nan every value nan.
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not 0 <= noise < np.inf:
        raise InvalidParameterError(
            f"`noise` must be a finite float >= 0. Received: noise={noise!r}"
        )
    return _check_int("n_samples", n_samples), float(noise), _check_random_state(random_state)


def make_xor(
    n_samples: int = 200, *, noise: float = 0.1, random_state: Seed = None, return_X_y: bool = False
) -> Dataset:
    """Exclusive or: points in the square [-1, 1]², class 1 where the signs differ.

    Parameters
    ----------
    n_samples : int, default=200
        Number of points.
    noise : float, default=0.1
        Standard deviation of Gaussian noise added to the points after labelling them.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible draws.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    Bunch or tuple of ndarray
        ``data`` (n_samples, 2) float64, ``target`` (n_samples,) int64 in {0, 1}.

    Examples
    --------
    >>> from kerasguide.datasets import make_xor
    >>> X, y = make_xor(4, noise=0.0, random_state=0, return_X_y=True)
    >>> bool(((X[:, 0] * X[:, 1] < 0) == (y == 1)).all())
    True
    """
    n_samples, noise, rng = _check_sampling(n_samples, noise, random_state)
    data = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    target = ((data[:, 0] > 0) != (data[:, 1] > 0)).astype(np.int64)
    if noise:
        data = data + rng.normal(0.0, noise, size=data.shape)
    descr = "XOR: two features in [-1, 1]; class 1 where their signs differ."
    return _bunch(return_X_y, data, target, ["x0", "x1"], np.array([0, 1]), descr)


def make_circles(
    n_samples: int = 200,
    *,
    noise: float = 0.1,
    factor: float = 0.5,
    random_state: Seed = None,
    return_X_y: bool = False,
) -> Dataset:
    """Two concentric circles (``sklearn.datasets.make_circles``): class 1 is the inner.

    Parameters
    ----------
    n_samples : int, default=200
        Number of points, half on each circle.
    noise : float, default=0.1
        Standard deviation of Gaussian noise added to the points.
    factor : float, default=0.5
        Radius of the inner circle relative to the outer one, in (0, 1).
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible draws.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    Bunch or tuple of ndarray
        ``data`` (n_samples, 2) float64, ``target`` (n_samples,) int64 in {0, 1}.

    Examples
    --------
    >>> import numpy as np
    >>> from kerasguide.datasets import make_circles
    >>> X, y = make_circles(6, noise=0.0, random_state=0, return_X_y=True)
    >>> np.linalg.norm(X, axis=1)[np.argsort(y)].round(2).tolist()
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    """
    n_samples, noise, rng = _check_sampling(n_samples, noise, random_state)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise InvalidParameterError(
            f"`factor` must be a float in (0, 1). Received: factor={factor!r}"
        )
    data, target = sk_datasets.make_circles(n_samples, noise=noise, random_state=rng, factor=factor)
    descr = f"Circles: two concentric circles, the inner of radius {factor:g} being class 1."
    return _bunch(return_X_y, data, target.astype(np.int64), ["x0", "x1"], np.array([0, 1]), descr)
