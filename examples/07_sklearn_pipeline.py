"""Step 7: the networks as scikit-learn estimators.

``KerasClassifier`` wraps any model of the zoo in the scikit-learn interface, so the usual
tools apply unchanged: a ``Pipeline`` scales the pixels before the network sees them,
``cross_val_score`` estimates its accuracy on folds it did not train on, and ``GridSearchCV``
picks the hidden layers and the dropout rate by cross-validation. The flat constructor
parameters (``hidden_layers``, ``dropout``, ...) are what make the grid read naturally.

Run: ``python examples/07_sklearn_pipeline.py [--quick]``
"""

import argparse
import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from kerasguide import KerasClassifier
from kerasguide.datasets import load_digits


def main(quick: bool) -> None:
    # Like scikit-learn's MLP, the estimator warns when `epochs` run out while the loss still
    # improves; these short runs stop there on purpose.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:600], y[:600]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    epochs = 20 if quick else 100
    pipeline = make_pipeline(
        StandardScaler(),
        KerasClassifier(
            hidden_layers=(64,), learning_rate=0.01, batch_size=32, epochs=epochs, random_state=0
        ),
    )

    scores = cross_val_score(pipeline, X_train, y_train, cv=3)
    print(f"3-fold cross-validated accuracy: {scores.mean():.1%} (+/- {scores.std():.1%})")

    grid = {
        "kerasclassifier__hidden_layers": [(32,), (128, 64)],
        "kerasclassifier__dropout": [0.0, 0.3],
    }
    search = GridSearchCV(pipeline, grid, cv=2 if quick else 3).fit(X_train, y_train)
    print(
        f"best parameters: {search.best_params_} "
        f"(cross-validated accuracy {search.best_score_:.1%})"
    )
    print(f"test accuracy of the refitted best pipeline: {search.score(X_test, y_test):.1%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    main(parser.parse_args().quick)
