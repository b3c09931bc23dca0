"""The pretrained weights' metadata: what each bundled MNIST model is, and how it was made.

The weights are ``.kgz`` files in ``kerasguide/zoo/weights/``, installed with the package:
nothing is ever downloaded. ``weights/pretrained.json`` holds one entry per file (its sha256,
size, parameter count, test accuracy and the command that retrains it); ``benchmarks/
pretrained.py`` retrains every model with its recipe and rewrites that table, the small test
sample ``weights/mnist-sample.npz`` (the first 1,000 MNIST test images, uint8, their labels and
each model's predictions on them) and the docs' table. This module reads them and checks a
file's hash; [`kerasguide.load_pretrained`][kerasguide.io.pretrained.load_pretrained] loads a
file as a fitted estimator.

The weights were trained on MNIST (Yann LeCun, Corinna Cortes and Christopher J. C. Burges),
whose licence, Creative Commons Attribution-Share Alike 3.0 (CC BY-SA 3.0), applies to them.

```python
>>> import kerasguide
>>> "mnist-softmax" in kerasguide.list_pretrained()
True
>>> kerasguide.pretrained_info("mnist-softmax")["model"]
'softmax_regression'

```
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

__all__ = [
    "INFO_KEYS",
    "LICENSE",
    "WEIGHTS_DIR",
    "check_sha256",
    "list_pretrained",
    "markdown_table",
    "pretrained_info",
    "sample_file",
    "sha256_of",
    "weights_file",
]

#: Where the weight files, their metadata and the test sample live (package data).
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
#: The keys of every entry that ``pretrained_info`` returns.
INFO_KEYS = ("name", "model", "params", "num_params", "file", "file_size", "sha256", "dtype",
             "metrics", "recipe", "input", "license", "talk_accuracy")  # fmt: skip
#: The weights' licence: MNIST's.
LICENSE = "CC BY-SA 3.0 (the licence of MNIST, the training data)"


def _table() -> dict[str, dict[str, Any]]:
    # Read on each call (a few KiB): benchmarks/pretrained.py rewrites it in-process.
    entries = json.loads((WEIGHTS_DIR / "pretrained.json").read_text())["models"]
    return {entry["name"]: entry for entry in entries}


def list_pretrained() -> list[str]:
    """The names of the bundled pretrained models, simplest first."""
    return list(_table())


def pretrained_info(name: str) -> dict[str, Any]:
    """What the pretrained model ``name`` is: a new dict on each call.

    Its keys: ``name``; ``model`` (the registry name); ``params`` (the estimator's parameters,
    tuples as lists); ``num_params`` (the network's weights); ``file``, ``file_size`` (bytes)
    and ``sha256`` (of the bundled file); ``dtype`` (the stored weights' precision:
    ``"float16"``, rounded, or ``"float32"``); ``metrics`` (``{"mnist-test": {"accuracy":
    0.9942}}``, a fraction of the 10,000 MNIST test images); ``recipe`` (the command that
    retrains it, seed included); ``input`` (what the loaded estimator takes); ``license``;
    ``talk_accuracy`` (the talk's test accuracy for the model, a percentage, or None).

    Raises
    ------
    ValueError
        If no pretrained model has that name; the message names the closest match and the
        known names.
    """
    table = _table()
    if not isinstance(name, str) or name not in table:
        close = difflib.get_close_matches(str(name), list(table), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown pretrained model {name!r}.{hint} Known pretrained models: {', '.join(table)}."
        )
    return copy.deepcopy(table[name])


def weights_file(name: str) -> Path:
    """The bundled ``.kgz`` file of pretrained model ``name``."""
    return WEIGHTS_DIR / pretrained_info(name)["file"]


def sample_file() -> Path:
    """The bundled test sample: ``X`` (1,000 MNIST test images, uint8), ``y`` and, per model,
    its predictions on them (``predicted/<name>``)."""
    return WEIGHTS_DIR / "mnist-sample.npz"


def sha256_of(path) -> str:
    """The sha256 of the file ``path``, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(functools.partial(file.read, 1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(path, expected: str) -> None:
    """Refuse the file ``path`` unless its sha256 is ``expected``.

    Raises
    ------
    ValueError
        Naming the file and both hashes.
    """
    found = sha256_of(path)
    if found != expected:
        raise ValueError(
            f"{path}: its sha256 is {found}, but the pretrained model's is {expected}; the file "
            "is damaged or not the published one, and was not loaded."
        )


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1024:.0f} KiB" if n_bytes < 1 << 20 else f"{n_bytes / (1 << 20):.2f} MiB"


def markdown_table() -> str:
    """The docs' table of the pretrained models: name, model, parameters, stored size and
    precision, MNIST test accuracy, with the talk's figure where it has one."""
    lines = [
        "| name | model | parameters | file | MNIST test accuracy | the talk |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name in list_pretrained():
        info = pretrained_info(name)
        accuracy = 100 * info["metrics"]["mnist-test"]["accuracy"]
        talk = info.get("talk_accuracy")
        lines.append(
            f"| `{name}` | `{info['model']}` | {info['num_params']:,} | "
            f"{_size(info['file_size'])} ({info['dtype']}) | {accuracy:.2f} % | "
            f"{f'{talk:.1f} %' if talk else '-'} |"
        )
    return "\n".join(lines) + "\n"
