"""Step 10: tuning a network without fooling yourself.

Every model of the zoo ships a default search space (sizes, dropout, L2, learning rate, batch
size, epochs), and ``kerasguide.search_space`` hands it to three tuners on the digits:

1. scikit-learn: ``HalvingRandomSearchCV`` with ``resource="epochs"`` trains many candidates
   for a few epochs and only the best for many, against a ``RandomizedSearchCV`` that trains
   every candidate for the full budget.
2. Optuna: an objective that cross-validates, with each fold's rows as explicit validation
   data (``X_val``, ``y_val``: nothing leaks from the training rows), and pruning reported
   once per epoch on the first fold (optuna-integration's ``KerasPruningCallback``).
3. Keras Tuner: a tuner whose trials cross-validate an estimator, which Keras Tuner does not
   do on its own.

Optuna and Keras Tuner come with ``pip install "kerasguide[tune]"``; without them their
parts are skipped. Run: ``python examples/11_tuning.py [--quick]``
"""

import argparse
import os
import tempfile
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)

import kerasguide
from kerasguide import KerasClassifier
from kerasguide.datasets import load_digits


def halving_against_randomized(X, y, quick: bool) -> None:
    space = kerasguide.search_space("mlp", exclude=("epochs",))
    estimator = KerasClassifier(n_iter_no_change=1000, random_state=0)
    n, epochs = (9, 9) if quick else (27, 81)
    start = time.perf_counter()
    halving = HalvingRandomSearchCV(estimator, space, resource="epochs",
                                    min_resources=1 if quick else 3,
                                    max_resources=epochs, factor=3, n_candidates=n, cv=2,
                                    random_state=0).fit(X, y)
    t_halving = time.perf_counter() - start
    start = time.perf_counter()
    randomized = RandomizedSearchCV(estimator.set_params(epochs=epochs), space, n_iter=n, cv=2,
                                    random_state=0).fit(X, y)
    t_randomized = time.perf_counter() - start
    # Epochs trained over the folds: the budget halving saves.
    trained = 2 * sum(halving.cv_results_["param_epochs"])
    print(f"halving over epochs {list(halving.n_resources_)}: {trained} epochs trained in "
          f"{t_halving:.1f} s, best cross-validated accuracy {halving.best_score_:.1%}")
    print(f"randomized search, {epochs} epochs each: {2 * n * epochs} epochs trained in "
          f"{t_randomized:.1f} s, best cross-validated accuracy "
          f"{randomized.best_score_:.1%}")


def optuna_with_pruning(X, y, quick: bool) -> None:
    try:
        import optuna
        from optuna_integration import KerasPruningCallback
    except ImportError:
        print("optuna: skipped (pip install 'kerasguide[tune]')")
        return
    suggest = kerasguide.search_space("mlp", kind="optuna", exclude=("epochs",))
    folds = list(StratifiedKFold(n_splits=2 if quick else 3, shuffle=True,
                                 random_state=0).split(X, y))

    def objective(trial):
        params = suggest(trial)
        scores = []
        for i, (train, val) in enumerate(folds):
            # The first fold reports its validation loss after each epoch, for pruning.
            pruning = [KerasPruningCallback(trial, "val_loss")] if i == 0 else None
            clf = KerasClassifier(epochs=8 if quick else 60, early_stopping=True,
                                  callbacks=pruning, random_state=0, **params)
            clf.fit(X[train], y[train], X_val=X[val], y_val=y[val])
            scores.append(clf.score(X[val], y[val]))
        return float(np.mean(scores))

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=0),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=2))
    study.optimize(objective, n_trials=3 if quick else 20)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    best = suggest(optuna.trial.FixedTrial(study.best_params))  # the labels mapped back
    print(f"optuna: best cross-validated accuracy {study.best_value:.1%} with {best} "
          f"({pruned} of {len(study.trials)} trials pruned)")


def keras_tuner_with_cross_validation(X, y, quick: bool) -> None:
    try:
        import keras_tuner
    except ImportError:
        print("keras_tuner: skipped (pip install 'kerasguide[tune]')")
        return
    params_of = kerasguide.search_space("mlp", kind="keras_tuner", exclude=("epochs",))
    epochs = 8 if quick else 60

    class CrossValidatedTuner(keras_tuner.RandomSearch):
        def run_trial(self, trial, X, y, **fit_kwargs):  # search() passes verbose=...
            clf = KerasClassifier(epochs=epochs, random_state=0,
                                  **params_of(trial.hyperparameters))
            return {"accuracy": float(cross_val_score(clf, X, y, cv=2).mean())}

    with tempfile.TemporaryDirectory() as directory:
        tuner = CrossValidatedTuner(objective=keras_tuner.Objective("accuracy", "max"),
                                    max_trials=2 if quick else 20, seed=0,
                                    directory=directory, project_name="digits")
        tuner.search(X, y, verbose=0)
        best = tuner.oracle.get_best_trials(1)[0]
    print(f"keras_tuner: best cross-validated accuracy {best.score:.1%} with "
          f"{params_of(best.hyperparameters)}")


def main(quick: bool) -> None:
    # Short budgets stop while the loss still improves, on purpose.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:400], y[:400]
    X, _, y, _ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    halving_against_randomized(X, y, quick)
    optuna_with_pruning(X, y, quick)
    keras_tuner_with_cross_validation(X, y, quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    main(parser.parse_args().quick)
