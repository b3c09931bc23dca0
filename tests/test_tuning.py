"""Search spaces of the zoo (scikit-learn, Optuna, Keras Tuner) and budgets in epochs."""

from __future__ import annotations

import inspect
import warnings

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    ParameterSampler,
    RandomizedSearchCV,
    train_test_split,
)

import kerasguide
from kerasguide import KerasClassifier
from kerasguide._estimator.params import check_params
from kerasguide.exceptions import ConvergenceWarning, InvalidParameterError

TRAINING = {"learning_rate", "batch_size", "epochs"}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:400] / 16.0).astype(np.float32), y[:400]


@pytest.mark.parametrize("name", kerasguide.list_models())
def test_every_card_has_a_space_its_model_takes(name):
    card = kerasguide.registry.get_model_card(name)
    assert set(card.search_space) >= TRAINING
    accepted = set(inspect.signature(card.builder).parameters)
    for param in ParameterSampler(kerasguide.search_space(name), n_iter=5, random_state=0):
        est = KerasClassifier(model=name).set_params(**param)
        check_params(est)  # every sampled value passes the estimator's checks
        knobs = set(param) - TRAINING - {"model_params"}
        assert knobs | set(param.get("model_params", {})) <= accepted


def test_search_space_arguments_are_checked():
    with pytest.raises(InvalidParameterError, match="kind"):
        kerasguide.search_space("mlp", kind="hyperopt")
    with pytest.raises(InvalidParameterError, match="registry name"):
        kerasguide.search_space(KerasClassifier(model=lambda **kw: None))
    with pytest.raises(ValueError, match="Unknown model name"):
        kerasguide.search_space("mpl")
    assert "epochs" in kerasguide.search_space(KerasClassifier(model="cnn"))


def test_exclude_takes_one_name_or_several():
    every = set(kerasguide.search_space("mlp"))
    assert set(kerasguide.search_space("mlp", exclude="epochs")) == every - {"epochs"}
    assert set(kerasguide.search_space("mlp", exclude=["epochs", "l2"])) == every - {"epochs", "l2"}


def test_an_unknown_excluded_name_is_named():
    with pytest.raises(InvalidParameterError, match=r"\['epoch'\].*learning_rate"):
        kerasguide.search_space("mlp", exclude="epoch")
    with pytest.raises(InvalidParameterError, match="exclude"):
        kerasguide.search_space("mlp", exclude=3)


def test_a_randomized_search_samples_the_mlp_space(digits):
    space = kerasguide.search_space("mlp", exclude=("epochs",))
    search = RandomizedSearchCV(KerasClassifier(epochs=5, random_state=0), space, n_iter=2,
                                cv=2, random_state=0, error_score="raise")  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(*digits)
    assert set(search.best_params_) == set(space)


def test_the_optuna_suggester_gives_estimator_parameters():
    optuna = pytest.importorskip("optuna", reason="kerasguide[tune] installs optuna")
    suggest = kerasguide.search_space("cnn", kind="optuna")
    seen = []

    def objective(trial):
        params = suggest(trial)
        check_params(KerasClassifier(model="cnn").set_params(**params))
        seen.append(params)
        return params["dropout"]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).optimize(
        objective, n_trials=5
    )
    assert all(p["model_params"]["filters"] in [(16, 32), (32, 64)] for p in seen)
    assert all(1e-4 <= p["learning_rate"] <= 1e-1 for p in seen)


def test_the_keras_tuner_function_gives_estimator_parameters():
    kt = pytest.importorskip("keras_tuner", reason="kerasguide[tune] installs keras-tuner")
    hp = kt.HyperParameters()
    params = kerasguide.search_space("mlp", kind="keras_tuner")(hp)
    check_params(KerasClassifier().set_params(**params))
    assert params["hidden_layers"] == (64,)  # the first choice, Keras Tuner's default
    assert set(hp.values) == set(params)


@pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")
def test_halving_over_epochs_trains_fewer_epochs_for_the_same_best(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    # 300 training rows in batches of 100: 3 steps an epoch.
    # Learning rates far apart, so that a few epochs already rank them as many do.
    space = {"learning_rate": [1e-5, 1e-4, 3e-2], "hidden_layers": [(8,), (16,), (32,)]}
    est = KerasClassifier(batch_size=100, n_iter_no_change=1000, random_state=0)
    halving = HalvingRandomSearchCV(
        est, space, resource="epochs", min_resources=3, max_resources=27, factor=3, cv=2,
        n_candidates=9, random_state=0, error_score="raise",
    ).fit(X_train, y_train)  # fmt: skip
    full = RandomizedSearchCV(est.set_params(epochs=27), space, n_iter=9, cv=2, random_state=0,
                              error_score="raise").fit(X_train, y_train)  # fmt: skip
    # Each round trains the survivors for more epochs.
    assert list(halving.n_resources_) == [3, 9, 27]
    epochs_halving = sum(halving.cv_results_["param_epochs"]) * 2
    epochs_full = 9 * 27 * 2
    assert epochs_halving == (9 * 3 + 3 * 9 + 1 * 27) * 2 < epochs_full / 2
    assert halving.best_params_["learning_rate"] == full.best_params_["learning_rate"]
    assert halving.score(X_test, y_test) >= full.score(X_test, y_test) - 0.02


EPOCHS_SEEN: list[int] = []


class _CountEpochs(keras.callbacks.Callback):
    """Records each epoch in a module-level list: the clones a search makes share it."""

    def on_epoch_end(self, epoch, logs=None):
        EPOCHS_SEEN.append(epoch)


def test_which_callbacks_reach_the_fits_inside_a_search(digits):
    """What the tuning guide says: ProgressBar propagates from a search, ScoringMonitor does
    not; set on the estimator, a ScoringMonitor (and a Keras callback) sees every inner fit."""
    callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    from sklearn.model_selection import GridSearchCV

    X, y = digits
    assert isinstance(callback.ProgressBar(), callback.AutoPropagatedCallback)
    assert not isinstance(callback.ScoringMonitor(scoring="accuracy"),
                          callback.AutoPropagatedCallback)  # fmt: skip
    grid = {"hidden_layers": [(8,)]}

    def make():
        return KerasClassifier(epochs=2, random_state=0, callbacks=[_CountEpochs()])

    on_search = callback.ScoringMonitor(scoring="accuracy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        GridSearchCV(make(), grid, cv=2).set_callbacks(on_search).fit(X[:200], y[:200])
        with pytest.raises(ValueError, match="No logs"):
            on_search.get_logs()
        EPOCHS_SEEN.clear()
        on_estimator = callback.ScoringMonitor(scoring="accuracy")
        GridSearchCV(make().set_callbacks(on_estimator), grid, cv=2).fit(X[:200], y[:200])
    logs = on_estimator.get_logs().data_as_pandas
    assert (logs["task_name"] == "epoch").sum() == 3 * 2  # 2 CV fits and the refit, 2 epochs
    assert EPOCHS_SEEN == [0, 1] * 3
