"""Where ``load_mnist`` finds MNIST and how it reads a file: the Keras cache, the network probe
and the checked reading of a file in the Keras ``mnist.npz`` layout.

Internal to ``kerasguide.datasets`` (its ``load_mnist`` calls these); the names carry no
underscore because that module imports them, and tests stand in for ``network_reachable``.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from kerasguide.exceptions import InvalidParameterError

__all__ = ["keras_cache_file", "locate", "network_reachable", "read"]

#: The environment variable naming a local ``mnist.npz`` (or its folder).
MNIST_ENV = "KERASGUIDE_MNIST"
MNIST_HOST = "storage.googleapis.com"
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
NETWORK_TIMEOUT_S = 2.0


def keras_cache_file() -> Path:
    # As keras.utils.get_file: $KERAS_HOME or ~/.keras (/tmp/.keras if ~ is read-only)/datasets.
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home).expanduser() / "datasets" / "mnist.npz"


def network_reachable(host: str = MNIST_HOST, port: int = 443) -> bool:
    """Whether ``host`` accepts a TCP connection within the timeout (a thread bounds the wait,
    name resolution included)."""
    answered: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=NETWORK_TIMEOUT_S):
                answered.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(NETWORK_TIMEOUT_S)
    return bool(answered)


def read(path: Path) -> tuple[np.ndarray, ...]:
    """The four arrays of a file in the Keras ``mnist.npz`` layout, checked; every refusal
    names the file. Nothing is unpickled (``allow_pickle=False``): object arrays are refused."""
    layout = "the Keras mnist.npz layout: x_train (n, 28, 28), y_train (n,), x_test, y_test"
    where, unreadable = repr(str(path)), (OSError, ValueError, EOFError, zipfile.BadZipFile)
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("a single array")
    except unreadable as exc:
        raise ValueError(f"{where} is not a NumPy .npz file in {layout}.") from exc
    with archive:
        missing = [key for key in MNIST_KEYS if key not in archive]
        if missing:
            raise ValueError(f"{where} lacks {missing}; expected {layout}.")
        try:
            arrays = {key: archive[key] for key in MNIST_KEYS}
        except unreadable as exc:
            raise ValueError(f"{where} could not be read ({exc}); expected {layout}.") from exc
    for key, array in arrays.items():
        if array.dtype.kind not in "biuf":
            msg = f"{where} holds {key} of dtype {array.dtype}; expected numbers, in {layout}."
            raise ValueError(msg)
    x_train, y_train, x_test, y_test = arrays.values()
    for x, y in ((x_train, y_train), (x_test, y_test)):
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (x.shape[0],):
            raise ValueError(f"{where} has shapes {x.shape}, {y.shape}; expected {layout}.")
    return x_train, y_train, x_test, y_test


def locate(path: Any, download: bool) -> Path | None:
    """The local file to read, or None where a download is allowed and the network answers."""
    if path is not None and not isinstance(path, str | os.PathLike):
        raise InvalidParameterError(f"`path` must be a str or os.PathLike. Received: path={path!r}")
    for given, name in ((path, "path"), (os.environ.get(MNIST_ENV), MNIST_ENV)):
        if given:
            file = Path(given).expanduser()
            file = file / "mnist.npz" if file.is_dir() else file
            if not file.is_file():
                msg = f"No MNIST file at {str(file)!r}. Received: {name}={given!r}"
                raise FileNotFoundError(msg)
            return file
    cache = keras_cache_file()
    if cache.is_file():
        return cache
    # Looked up on the module, so that a test can stand in for the network.
    if download and sys.modules[__name__].network_reachable():
        return None
    why = "download=False" if not download else f"{MNIST_HOST}:443 did not answer"
    raise FileNotFoundError(
        "MNIST not found. Looked, in order, at: the `path` argument (none given); the "
        f"{MNIST_ENV} environment variable (not set); the Keras cache {str(cache)!r} (no file); "
        f"a download by keras.datasets.mnist.load_data() (not tried: {why}). Pass path=..., set "
        f"{MNIST_ENV} to a copy of mnist.npz, put one in the cache, or allow the download online."
    )
