"""Step 11: knowing what the network does not know.

On a heteroscedastic toy problem (the noise grows with |x|), three ways to put a band around a
regressor's prediction, each measured on held-out rows (coverage, mean width, and the Spearman
correlation of the width with the true noise scale):

1. a 5-95 % quantile pair, ``KerasRegressor(loss="quantile", quantile=q)`` (the pinball loss),
   fitted with ``kerasguide.quantile_regressors``;
2. a deep ensemble, ``KerasRegressor(uncertainty="ensemble")``, its mean +/- 2 std from
   ``predict(X, return_std=True)``;
3. MAPIE's conformalized quantile regression around the quantile pair (and its median), which
   holds its coverage whatever the networks learnt.

The ensemble's std measures what the networks disagree on, not the noise: on data with a gap,
the report gives its mean std inside the gap over its mean std where the data are.

Then the classifiers' probabilities: a reliability diagram of an MLP, a 5-member ensemble and
``CalibratedClassifierCV`` around the MLP, with the expected calibration error of each, computed
from scikit-learn's ``calibration_curve``. The figures ``uncertainty.png`` and ``calibration.png``
are written to ``--out`` (the docs' figures come from this script). MAPIE is the ``test`` extra.
Run: ``python examples/12_uncertainty.py [--quick] [--out DIR]``
"""

import argparse
import json
import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from scipy.stats import spearmanr
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from kerasguide import KerasClassifier, KerasRegressor, quantile_regressors


def toy(n, seed):
    """y = sin(x) + noise whose scale grows with |x|; returns X, y and the noise scale."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(n, 1)).astype(np.float32)
    scale = 0.1 + 0.5 * np.abs(X[:, 0])
    return X, np.sin(X[:, 0]) + scale * rng.normal(size=n), scale


def band_report(name, low, high, y, scale):
    width = high - low
    return {
        "band": name,
        "coverage": round(float(np.mean((y >= low) & (y <= high))), 3),
        "mean_width": round(float(np.mean(width)), 3),
        "spearman_width_noise": round(float(spearmanr(width, scale).statistic), 3),
    }


def regression_bands(quick):
    n = 500 if quick else 3000
    X, y, _ = toy(n, 0)
    X_cal, y_cal, _ = toy(n // 2, 1)
    X_test, y_test, scale = toy(n, 2)
    kw = {"hidden_layers": (32,) if quick else (64, 64), "learning_rate": 0.01,
          "epochs": 20 if quick else 150, "random_state": 0}  # fmt: skip
    trio = quantile_regressors(KerasRegressor(**kw), X, y, confidence_level=0.9)
    low, high, _ = trio
    ens = KerasRegressor(uncertainty="ensemble", n_members=2 if quick else 5, **kw).fit(X, y)
    bands = {"quantile 5-95 %": (low.predict(X_test), high.predict(X_test))}
    mean, std = ens.predict(X_test, return_std=True)
    bands["ensemble ±2σ"] = (mean - 2 * std, mean + 2 * std)
    try:
        from mapie.regression import ConformalizedQuantileRegressor
    except ImportError:
        print("MAPIE is not installed (pip install mapie): its band is skipped.")
    else:
        conformal = ConformalizedQuantileRegressor(trio, confidence_level=0.9, prefit=True)
        _, intervals = conformal.conformalize(X_cal, y_cal).predict_interval(X_test)
        bands["MAPIE CQR (90 %)"] = (intervals[:, 0, 0], intervals[:, 1, 0])
    report = [band_report(name, lo, hi, y_test, scale) for name, (lo, hi) in bands.items()]
    return report, (X_test[:, 0], y_test, mean, bands)


def gap_ratio(quick):
    """The ensemble's mean std inside a gap of the training data over its mean std elsewhere."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.uniform(-4, -1.5, 300), rng.uniform(1.5, 4, 300)])[:, None]
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=600)
    ens = KerasRegressor(uncertainty="ensemble", n_members=2 if quick else 5,
                         hidden_layers=(32, 32), learning_rate=0.01,
                         epochs=20 if quick else 60, random_state=0).fit(X, y)  # fmt: skip
    grid = np.linspace(-4, 4, 401)[:, None]
    _, std = ens.predict(grid, return_std=True)
    gap, data = np.abs(grid[:, 0]) < 1.0, np.abs(grid[:, 0]) > 1.5
    return round(float(std[gap].mean() / std[data].mean()), 2)


def expected_calibration_error(y, proba, n_bins=10):
    """ECE: the bins' |observed frequency - mean probability|, weighted by their rows."""
    observed, predicted = calibration_curve(y, proba, n_bins=n_bins, strategy="uniform")
    counts = np.histogram(proba, bins=np.linspace(0, 1, n_bins + 1))[0]
    counts = counts[counts > 0]  # calibration_curve leaves the empty bins out
    return float(np.sum(np.abs(observed - predicted) * counts) / counts.sum())


def calibration(quick):
    X, y = make_classification(n_samples=1000 if quick else 6000, n_features=20, n_informative=6,
                               flip_y=0.05, class_sep=0.8, random_state=0)  # fmt: skip
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
    kw = {"hidden_layers": (64, 64), "learning_rate": 0.01, "epochs": 10 if quick else 100,
          "random_state": 0}  # fmt: skip
    models = {
        "MLP": KerasClassifier(**kw),
        "ensemble (5)": KerasClassifier(uncertainty="ensemble", n_members=2 if quick else 5, **kw),
        "CalibratedClassifierCV(MLP)": CalibratedClassifierCV(KerasClassifier(**kw), cv=3),
    }
    curves, report = {}, []
    for name, model in models.items():
        proba = model.fit(X_train, y_train).predict_proba(X_test)[:, 1]
        curves[name] = calibration_curve(y_test, proba, n_bins=10)
        report.append({"model": name, "ece": round(expected_calibration_error(y_test, proba), 4),
                       "accuracy": round(float(np.mean((proba > 0.5) == y_test)), 3)})  # fmt: skip
    return report, curves


def draw(regression, curves, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, y, mean, bands = regression
    order = np.argsort(x)
    fig, axes = plt.subplots(1, len(bands), figsize=(5 * len(bands), 4), sharey=True)
    for ax, (name, (lo, hi)) in zip(np.atleast_1d(axes), bands.items(), strict=True):
        ax.scatter(x, y, s=2, color="0.6", label="held-out rows")
        ax.fill_between(x[order], lo[order], hi[order], alpha=0.35, label=name)
        ax.plot(x[order], mean[order], color="k", lw=1, label="ensemble mean")
        ax.plot(x[order], np.sin(x[order]), "k--", lw=1, label="sin(x), the truth")
        ax.set_title(name)
        ax.set_xlabel("x")
        ax.legend(loc="upper center", fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "uncertainty.png"), dpi=90)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "k:", label="perfectly calibrated")
    for name, (observed, predicted) in curves.items():
        ax.plot(predicted, observed, "o-", label=name)
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed frequency of the positive class")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "calibration.png"), dpi=90)


def main():
    parser = argparse.ArgumentParser(description="Quantile bands, ensembles, conformal bands.")
    parser.add_argument("--quick", action="store_true", help="small data, few epochs")
    parser.add_argument("--out", default=".", help="folder for the two figures")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    bands, regression = regression_bands(args.quick)
    scores, curves = calibration(args.quick)
    report = {"bands": bands, "gap_std_ratio": gap_ratio(args.quick), "calibration": scores}
    print(json.dumps(report, indent=1, ensure_ascii=False))
    try:
        draw(regression, curves, args.out)
    except ImportError:
        print("matplotlib is not installed: no figures.")


if __name__ == "__main__":
    main()
