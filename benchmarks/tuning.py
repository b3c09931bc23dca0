"""Budgets in epochs: HalvingRandomSearchCV(resource="epochs") against RandomizedSearchCV.

Usage::

    python benchmarks/tuning.py            # digits, the mlp's default search space
    python benchmarks/tuning.py --quick    # fewer candidates and epochs
    python benchmarks/run.py --only tuning # the same, as a section of RESULTS.md

Both searches sample the same candidates from ``kerasguide.search_space("mlp")`` (epochs
excluded: they are the budget) with 2-fold cross-validation on 75% of the rows: of the digits,
where compiling each candidate's architecture costs more than training it, and of 12,000
MNIST images (when ``$KERASGUIDE_MNIST`` or ``../shared/data/mnist.npz`` is there), where
training costs more. The
randomized search trains every candidate for ``max_epochs``; the halving search trains all of
them for ``min_epochs``, then the best third for three times as many, up to ``max_epochs``.
Each search runs twice, in turn (randomized, halving, randomized, halving), and the faster run
of each is reported, so that neither pays alone for compiling the architectures both share
(the engine pool). Printed: wall time, epochs trained over the folds, the best
cross-validated accuracy and the refitted best model's accuracy on the held-out 25%. Not
part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")  # short budgets stop while the loss still improves

from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401
from sklearn.model_selection import (  # noqa: E402
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    train_test_split,
)

import kerasguide  # noqa: E402
from kerasguide import KerasClassifier  # noqa: E402
from kerasguide.datasets import load_digits  # noqa: E402


def _searches(n_candidates: int, min_epochs: int, max_epochs: int):
    space = kerasguide.search_space("mlp", exclude=("epochs",))
    est = KerasClassifier(n_iter_no_change=10**6, random_state=0)
    randomized = RandomizedSearchCV(
        est.set_params(epochs=max_epochs), space, n_iter=n_candidates, cv=2, random_state=0
    )
    halving = HalvingRandomSearchCV(
        est,
        space,
        resource="epochs",
        min_resources=min_epochs,
        max_resources=max_epochs,
        factor=3,
        cv=2,
        n_candidates=n_candidates,
        random_state=0,
    )
    return {"randomized": randomized, "halving": halving}


def _epochs_trained(name: str, search, max_epochs: int) -> int:
    if name == "halving":
        return 2 * int(sum(search.cv_results_["param_epochs"]))
    return 2 * len(search.cv_results_["params"]) * max_epochs


def _mnist_subset(rows: int):
    """The first ``rows`` MNIST training images, flattened and scaled (None without the file)."""
    path = os.environ.get("KERASGUIDE_MNIST", "../shared/data/mnist.npz")
    if not os.path.isfile(path):
        return None
    from kerasguide.datasets import load_mnist

    data = load_mnist(path, download=False)
    return data.data[:rows], data.target[:rows]


def _race(X, y, n_candidates: int, min_epochs: int, max_epochs: int) -> dict:
    """Each search twice, in turn; the faster run of each, with its epochs and scores."""
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    best: dict[str, tuple] = {}
    for _ in range(2):
        for name, search in _searches(n_candidates, min_epochs, max_epochs).items():
            start = time.perf_counter()
            search.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, search)
    return {name: {"seconds": seconds, "epochs": _epochs_trained(name, search, max_epochs),
                   "best_cv": float(search.best_score_),
                   "test": float(search.score(X_test, y_test))}
            for name, (seconds, search) in best.items()}  # fmt: skip


def bench_tuning(quick: bool) -> dict:
    """The section of ``run.py``: on the digits, where compiling each architecture costs more
    than training it, and on 12,000 MNIST images, where training costs more."""
    import keras

    n_candidates, min_epochs, max_epochs = (9, 3, 27) if quick else (27, 3, 81)
    races = {"digits": _race(*load_digits(return_X_y=True), n_candidates, min_epochs,
                             max_epochs)}  # fmt: skip
    mnist = _mnist_subset(12000)
    if mnist is not None:
        races["MNIST, 12,000 images"] = _race(*mnist, 9, 3, 27)
    return {
        "races": races,
        "setting": f"digits: {n_candidates} candidates, {min_epochs} to "
        f"{max_epochs} epochs; MNIST: 9 candidates, 3 to 27 epochs; 2-fold CV on 75% of "
        f"the rows, Keras backend {keras.backend.backend()}",
    }


def markdown(section: dict) -> list[str]:
    """The section as Markdown lines."""
    title = "## Budgets in epochs: halving against randomized search"
    if "races" not in section:
        return [title, "", section.get("note", "not run"), ""]
    lines = [title, "", f"Command: `{section.get('command', 'python benchmarks/run.py')}`; "
             f"{section['setting']}.", "",
             "| data | search | time (s) | epochs trained | best CV accuracy | test accuracy |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for data, rows in section["races"].items():
        for name, r in rows.items():
            lines.append(f"| {data} | {name} | {r['seconds']:.1f} | {r['epochs']} | "
                         f"{r['best_cv']:.3f} | {r['test']:.3f} |")  # fmt: skip
    return [*lines, ""]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer candidates and epochs")
    print("\n".join(markdown(bench_tuning(parser.parse_args().quick))))
