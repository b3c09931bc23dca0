"""Retrain the pretrained MNIST models with their recipes and rewrite their metadata.

Usage::

    python benchmarks/pretrained.py [--work DIR] [NAME ...]    # default: every model

Each model is trained by its recipe, a ``kerasguide train ... --save NAME.kgz`` command run as
it is written (``$KERASGUIDE_MNIST`` or the Keras cache must hold ``mnist.npz``; nothing is
downloaded), in ``--work DIR`` (default: a temporary folder); a ``DIR/NAME.kgz`` already there
(made by the recipe) is taken as it is. Each fitted estimator is then stored with
``verbose=0``, its weights rounded to float16 where the MNIST test accuracy moves by at most
0.05 points (float32 otherwise), in ``kerasguide/zoo/weights/NAME.kgz``, and measured on the
10,000 MNIST test images as users give them (uint8, through ``kerasguide.load_pretrained``).
The script rewrites ``kerasguide/zoo/weights/pretrained.json`` (the other models' entries are
kept), ``kerasguide/zoo/weights/mnist-sample.npz`` (the first 1,000 test images, their labels and
each model's predictions on them) and ``docs/pretrained/table.md``. Measured on 2 CPU cores
(TensorFlow 2.21): the five dense models take about 3 minutes together, the CNN 20 to 25.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
_TALK_SGD = "--optimizer sgd --learning-rate 0.05"
_MLP = "mlp --hidden-layers 128 --activation relu"
#: name -> (the talk's test accuracy or None, the recipe's ``kerasguide train`` arguments)
MODELS = {
    "mnist-softmax": (92.5, f"softmax_regression --epochs 120 --batch-size 100 {_TALK_SGD}"),
    "mnist-mlp-relu": (95.2, f"{_MLP} --l2 0 --epochs 20 --batch-size 100 {_TALK_SGD}"),
    "mnist-mlp-l2": (95.1, f"{_MLP} --l2 0.0001 --epochs 20 --batch-size 100 {_TALK_SGD}"),
    "mnist-mlp-dropout": (93.1, f"{_MLP} --dropout 0.5 --l2 0 --epochs 40 --batch-size 100 "
                                f"{_TALK_SGD}"),
    "mnist-mlp-modern": (None, "mlp --hidden-layers 512,256 --activation relu --dropout 0.2 "
                               "--l2 0 --epochs 15 --batch-size 100 --optimizer adam "
                               "--learning-rate 0.001"),
    "mnist-cnn": (None, "cnn --filters 32,64,128 --dense-layers 256 --normalization batch "
                        "--dropout 0.5 --epochs 20 --batch-size 128 --optimizer adam "
                        "--learning-rate 0.002 --learning-rate-schedule cosine"),
}  # fmt: skip
INPUT = (
    "MNIST digits: uint8 pixels 0-255 of shape (n, 28, 28), as keras.datasets.mnist gives them, "
    "or float pixels 0-1 of shape (n, 784), (n, 28, 28) or (n, 28, 28, 1), as "
    "kerasguide.datasets.load_mnist gives them"
)
SAMPLE = 1000
#: The most the test accuracy may move, in points, for the weights to be stored in float16.
FLOAT16_TOLERANCE = 0.05


def recipe(name: str) -> str:
    """The command that retrains ``name``, seed included."""
    return f"kerasguide train {MODELS[name][1]} --dataset mnist --seed 0 --save {name}.kgz"


def _train(name: str, folder: Path) -> Path:
    if (folder / f"{name}.kgz").exists():
        return folder / f"{name}.kgz"
    argv = shlex.split(recipe(name))[1:]
    print(f"$ {recipe(name)}", flush=True)
    subprocess.run([sys.executable, "-m", "kerasguide", *argv], cwd=folder, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return folder / f"{name}.kgz"


def _json(value):
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def _store(name: str, trained: Path, weights_dir: Path, test) -> dict:
    """Store ``trained`` in the package (float16 if it keeps the accuracy); its entry."""
    from kerasguide.io import kgz
    from kerasguide.io.pixels import MnistPixels
    from kerasguide.io.saving import load
    from kerasguide.zoo.pretrained import LICENSE, sha256_of

    X, y = test
    clf = load(trained).set_params(verbose=0)
    pixels = MnistPixels(shape=tuple(clf.model_.input_shape[1:])).transform(X)
    exact = clf.score(pixels, y)
    target = weights_dir / f"{name}.kgz"
    kgz.write(clf, target, weights="float16")
    half = load(target).score(pixels, y)
    dtype = "float16"
    if abs(half - exact) * 100 > FLOAT16_TOLERANCE:
        kgz.write(clf, target)
        dtype, half = "float32", exact
    print(f"{name}: {100 * exact:.2f} % (float32), {100 * half:.2f} % stored as {dtype}, "
          f"{target.stat().st_size} bytes", flush=True)  # fmt: skip
    return {
        "name": name, "model": clf.model, "params": _json(clf.get_params()),
        "num_params": int(clf.model_.count_params()), "file": target.name,
        "file_size": target.stat().st_size, "sha256": sha256_of(target), "dtype": dtype,
        "metrics": {"mnist-test": {"accuracy": round(float(half), 6)}},
        "recipe": recipe(name), "input": INPUT, "license": LICENSE,
        "talk_accuracy": MODELS[name][0],
    }  # fmt: skip


def _write_sample(weights_dir: Path, test, names: list[str]) -> None:
    from kerasguide.io.pretrained import load_pretrained

    X, y = test[0][:SAMPLE], test[1][:SAMPLE]
    arrays = {"X": X, "y": y}
    for name in names:
        arrays[f"predicted_{name}"] = load_pretrained(name).predict(X).astype(np.uint8)
    np.savez_compressed(weights_dir / "mnist-sample.npz", **arrays)


def main(names: list[str], work: Path | None) -> None:
    import kerasguide.zoo.pretrained as zoo
    from kerasguide.datasets import load_mnist

    (_, _), (X, y) = load_mnist(download=False, flatten=False, scale=False, return_X_y=True)
    test = X.astype(np.uint8), y  # keras.datasets.mnist's form: the pixels are whole numbers
    table_file = zoo.WEIGHTS_DIR / "pretrained.json"
    old = {e["name"]: e for e in json.loads(table_file.read_text())["models"]} \
        if table_file.exists() else {}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            old[name] = _store(name, _train(name, work or Path(tmp)), zoo.WEIGHTS_DIR, test)
    entries = [old[name] for name in MODELS if name in old]
    table_file.write_text(json.dumps({"models": entries}, indent=2) + "\n")
    _write_sample(zoo.WEIGHTS_DIR, test, [e["name"] for e in entries])
    (ROOT / "docs" / "pretrained" / "table.md").write_text(zoo.markdown_table())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(MODELS))
    parser.add_argument("--work", type=Path, metavar="DIR")
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(MODELS))
    if unknown:
        parser.error(f"unknown models {unknown}; choose from {list(MODELS)}")
    main(args.names or list(MODELS), args.work.resolve() if args.work else None)
