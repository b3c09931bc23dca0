"""Step 8: what a hidden layer buys, drawn as decision boundaries.

A linear model splits the plane with one straight line, which fails on XOR and on concentric
circles. Each hidden ReLU unit contributes one fold to the boundary, so two units give a
boundary with a single bend, three can enclose a region, five fit it more closely. The script
trains those four models (the zoo's ``logistic_regression`` and ``mlp`` with 2, 3 and 5
hidden units, as listed in ``kerasguide.app.experiments.BOUNDARY_MODELS``) on both datasets, prints
their test accuracy and, with matplotlib installed, draws the boundaries to PNG files.

Run: ``python examples/08_decision_boundaries.py [--quick] [--out DIR]``
"""

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from kerasguide import plots
from kerasguide.app import experiments, runner


def main(quick: bool, out: Path) -> None:
    epochs = experiments.BOUNDARY_QUICK_EPOCHS if quick else experiments.BOUNDARY_EPOCHS
    for dataset in experiments.BOUNDARY_DATASETS:
        split = runner.load_split(dataset, n_samples=experiments.BOUNDARY_SAMPLES)
        fitted = {}
        for spec in experiments.BOUNDARY_MODELS:
            clf = runner.fit_boundary_model(spec, split, epochs=epochs)
            fitted[spec.title] = clf
            print(
                f"{dataset:>8}, {spec.title:<28}: test accuracy "
                f"{clf.score(split.X_test, split.y_test):.1%}"
            )
        try:
            path = out / f"decision_boundaries_{dataset}.png"
            plots.plot_decision_boundaries(fitted, split.X_test, split.y_test, path, title=dataset)
            print(f"wrote {path}")
        except ImportError as exc:  # matplotlib is an optional extra
            print(f"no figure: {exc}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    parser.add_argument("--out", type=Path, default=Path("."), help="where to write the PNGs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    main(args.quick, args.out)
