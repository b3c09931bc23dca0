"""Draw the pretrained CNN's mistakes on the MNIST test set: ``docs/pretrained/mistakes.png``.

Usage::

    python benchmarks/pretrained_figure.py [OUT.png]

Loads ``mnist-cnn`` with ``kerasguide.load_pretrained``, predicts the 10,000 MNIST test images
(``$KERASGUIDE_MNIST`` or the Keras cache; without them, the 1,000 images bundled with the
weights) and draws the first 32 it gets wrong, each titled with its label, the prediction and
the probability the model gave it. The tutorial ``docs/tutorials/pretrained.md`` shows it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHOWN = 32


def _test_images() -> tuple[np.ndarray, np.ndarray, str]:
    from kerasguide.datasets import load_mnist
    from kerasguide.zoo.pretrained import sample_file

    try:
        (_, _), (X, y) = load_mnist(download=False, flatten=False, scale=False, return_X_y=True)
        return X.astype(np.uint8), y, "the 10,000 MNIST test images"
    except FileNotFoundError:
        with np.load(sample_file(), allow_pickle=False) as data:
            return data["X"], data["y"], "the 1,000 bundled MNIST test images"


def main(out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import kerasguide

    X, y, source = _test_images()
    clf = kerasguide.load_pretrained("mnist-cnn")
    proba = clf.predict_proba(X)
    predicted = clf.classes_[proba.argmax(axis=1)]
    wrong = np.flatnonzero(predicted != y)
    fig, axes = plt.subplots(4, 8, figsize=(8, 4.9))
    for ax, i in zip(axes.flat, wrong[:SHOWN], strict=False):
        ax.imshow(X[i], cmap="gray_r")
        ax.set_title(f"{y[i]} as {predicted[i]} ({proba[i].max():.0%})", fontsize=8)
    for ax in axes.flat:
        ax.set_axis_off()
    fig.suptitle(f"mnist-cnn: {len(wrong)} mistakes on {source}; the first {SHOWN} "
                 "(label as prediction, its probability)", fontsize=9)  # fmt: skip
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"{len(wrong)} mistakes of {len(y)}; wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "pretrained" / "mistakes.png")
