"""Conformal intervals around kerasguide's estimators, checked with MAPIE itself (issue 24).

Coverage is tested as MAPIE's own suite tests it (``test_coverage_validity``): the estimator is
fitted once, the conformalization set is re-split many times into calibration and test rows, and
the mean coverage must not be significantly below ``confidence_level`` nor above
``confidence_level + 1 / (n_calib + 1)`` (one-sided t-tests, Bonferroni-corrected).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ttest_1samp
from sklearn.model_selection import train_test_split

from kerasguide import KerasClassifier, KerasRegressor, quantile_regressors
from kerasguide.conformal import quantile_levels

mapie = pytest.importorskip("mapie")
from mapie.classification import SplitConformalClassifier  # noqa: E402
from mapie.conformity_scores import StdConformityScore  # noqa: E402
from mapie.metrics.classification import classification_coverage_score  # noqa: E402
from mapie.metrics.regression import regression_coverage_score  # noqa: E402
from mapie.regression import ConformalizedQuantileRegressor, SplitConformalRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

LEVEL, N_CALIB, N_TEST, N_SPLITS = 0.9, 100, 500, 100
FAST = {"hidden_layers": (32,), "learning_rate": 0.01, "epochs": 40, "random_state": 0}


def _heteroscedastic(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(n, 1)).astype(np.float32)
    return X, np.sin(X[:, 0]) + (0.1 + 0.5 * np.abs(X[:, 0])) * rng.normal(size=n)


def _assert_valid_coverage(coverages):
    """MAPIE's own criterion: the mean coverage within [level, level + 1 / (n_calib + 1)]."""
    _, p_low = ttest_1samp(coverages, popmean=LEVEL, alternative="less")
    _, p_up = ttest_1samp(coverages, popmean=LEVEL + 1 / (N_CALIB + 1), alternative="greater")
    p_bonferroni = 0.01 / 4  # the four coverage tests of this file
    assert p_low > p_bonferroni, (np.mean(coverages), p_low)
    assert p_up > p_bonferroni, (np.mean(coverages), p_up)


def _coverages(make, X_conf, y_conf, score):
    coverages = []
    for split in range(N_SPLITS):
        Xc, Xt, yc, yt = train_test_split(X_conf, y_conf, train_size=N_CALIB, test_size=N_TEST,
                                          random_state=split)  # fmt: skip
        coverages.append(score(make().conformalize(Xc, yc), Xt, yt))
    return coverages


@pytest.fixture(scope="module")
def data():
    X, y = _heteroscedastic(400 + N_CALIB + N_TEST)
    return train_test_split(X, y, train_size=400, random_state=0)


def _interval_coverage(conformal, Xt, yt):
    _, intervals = conformal.predict_interval(Xt)
    return regression_coverage_score(yt, intervals)[0]


@pytest.mark.parametrize("score", ["absolute", "std"])
def test_split_conformal_around_an_ensemble_holds_its_coverage(data, score):
    X_train, X_conf, y_train, y_conf = data
    ens = KerasRegressor(uncertainty="ensemble", n_members=3, **FAST).fit(X_train, y_train)
    conformity = "absolute" if score == "absolute" else StdConformityScore()

    def make():
        return SplitConformalRegressor(ens, confidence_level=LEVEL, conformity_score=conformity,
                                       prefit=True)  # fmt: skip

    _assert_valid_coverage(_coverages(make, X_conf, y_conf, _interval_coverage))


def test_conformalized_quantile_regression_with_three_keras_quantiles(data):
    X_train, X_conf, y_train, y_conf = data
    trio = quantile_regressors(KerasRegressor(**FAST), X_train, y_train, confidence_level=LEVEL)
    assert [reg.quantile for reg in trio] == list(quantile_levels(LEVEL)) == [0.05, 0.95, 0.5]

    def make():
        return ConformalizedQuantileRegressor(trio, confidence_level=LEVEL, prefit=True)

    _assert_valid_coverage(_coverages(make, X_conf, y_conf, _interval_coverage))


def test_split_conformal_classifier_holds_its_coverage():
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=400 + N_CALIB + N_TEST,
        n_features=6,
        n_informative=4,
        n_classes=3,
        n_clusters_per_class=1,
        flip_y=0.1,
        random_state=0,
    )
    X_train, X_conf, y_train, y_conf = train_test_split(X, y, train_size=400, random_state=0)
    clf = KerasClassifier(**FAST).fit(X_train, y_train)

    def make():
        return SplitConformalClassifier(clf, confidence_level=LEVEL, prefit=True)

    def coverage(conformal, Xt, yt):
        _, sets = conformal.predict_set(Xt)
        return classification_coverage_score(yt, sets)[0]

    _assert_valid_coverage(_coverages(make, X_conf, y_conf, coverage))
