"""The command line's input boundary: user errors, the files a command reads or writes, the data.

[`UserError`][kerasguide.app.inputs.UserError] is a mistake in the command line; the entry point
([`kerasguide.app.cli.main`][kerasguide.app.cli.main]) reports it as one line, exit status 2.
The ``argparse`` types here check paths before anything runs (an MNIST file to read, a ``.keras``
file or an output folder to write), and
[`load_split`][kerasguide.app.inputs.load_split] loads a dataset with MNIST read and checked by
NumPy, so a bad file is refused before the backend is imported (TensorFlow prints its start-up
lines on import). The subcommands import this module; it imports none of them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

__all__ = [
    "MnistMissing",
    "UserError",
    "keras_file",
    "load_mnist",
    "load_split",
    "mnist_file",
    "out_dir",
]


class UserError(Exception):
    """A mistake in the command line; reported as one line, exit status 2."""


class MnistMissing(UserError):
    """No local copy of MNIST was found."""


# --------------------------------------------------------------------------- paths
def mnist_file(text: str) -> Path:
    """An ``argparse`` type: an existing ``mnist.npz`` (or a folder holding one)."""
    path = Path(text).expanduser()
    file = path / "mnist.npz" if path.is_dir() else path
    if not file.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {str(file)!r}")
    return file


def _writable(folder: Path, what: Path) -> None:
    """Raise ``ArgumentTypeError`` unless a file can be created in ``folder``."""
    try:  # a real test (permissions, read-only file systems), also right for root
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise argparse.ArgumentTypeError(f"cannot write {str(what)!r}: {reason}") from None


def keras_file(text: str) -> Path:
    """An ``argparse`` type: a path ``model.save`` (``.keras``) or an estimator's ``save``
    (``.kgz``) can write, checked before any training."""
    path = Path(text).expanduser()
    if path.suffix not in (".keras", ".kgz"):
        raise argparse.ArgumentTypeError(f"must end in .keras or .kgz. Received: {text!r}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{str(path)!r} is a directory")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {str(path.parent)!r}")
    _writable(path.parent, path)
    if path.exists() and not os.access(path, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write {str(path)!r}: it is read-only")
    return path


def out_dir(text: str) -> Path:
    """An ``argparse`` type: a folder to write results into, existing or creatable.

    Checked before anything runs (``reproduce`` takes minutes): not a file, no file in the way
    of the folders to create, and writable (tested by creating a temporary file).
    """
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{str(path)!r} exists and is not a directory")
    existing = path
    while not existing.exists():  # the nearest folder that exists: where mkdir starts
        existing = existing.parent
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(
            f"cannot create {str(path)!r}: {str(existing)!r} is a file, not a directory"
        )
    _writable(existing, path)
    return path


# --------------------------------------------------------------------------- data
def load_mnist(args: argparse.Namespace):
    """[`kerasguide.datasets.load_mnist`][kerasguide.datasets.load_mnist] from ``args.mnist``,
    never downloading; NumPy reads and checks the file (no backend is imported).

    Its refusals are raised as ``UserError`` naming the file.
    """
    from kerasguide import datasets

    given = args.mnist or os.environ.get(datasets.MNIST_ENV)
    try:
        return datasets.load_mnist(args.mnist, download=False)
    except FileNotFoundError as exc:
        if given:
            raise UserError(str(exc)) from exc
        raise MnistMissing(
            f"MNIST not found locally (no --mnist, no {datasets.MNIST_ENV}, nothing in the Keras "
            "cache); pass --mnist PATH to a copy of mnist.npz. kerasguide never downloads it here."
        ) from exc
    except ValueError as exc:  # the file is not in the mnist.npz layout
        file = str(given) if given else "the MNIST file in the Keras cache"
        message = " ".join(str(exc).split())
        if file not in message:
            message = f"{file!r}: {message}" if given else f"{file}: {message}"
        raise UserError(f"cannot read MNIST from {message}") from exc


def load_split(dataset: str, args: argparse.Namespace, *, quick: bool = False):
    """[`load_split`][kerasguide.app.datasets_table.load_split], MNIST loaded at this boundary;
    ``args`` gives ``mnist`` and ``seed``."""
    from kerasguide.app.datasets_table import load_split as split

    mnist = load_mnist(args) if dataset == "mnist" else None
    return split(dataset, mnist=mnist, seed=args.seed, quick=quick)
