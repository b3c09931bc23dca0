"""Step 3: logistic regression, the step from predicting numbers to predicting classes.

The model is the linear one of steps 1-2 with a sigmoid on top: the weighted sum (the logit)
becomes the probability of the positive class, and a point is called positive above 0.5.
Trained with binary cross-entropy, it separates two digits well; on XOR, where no straight
line separates the classes, it stays near a coin toss. That failure motivates the hidden
layers of step 5.

Run: ``python examples/03_logistic_regression.py [--quick]``
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from sklearn.model_selection import train_test_split

import kerasguide
from kerasguide.datasets import load_digits, make_xor


def fit_and_score(X, y, epochs: int) -> float:
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(np.float32), y, test_size=0.25, random_state=0, stratify=y
    )
    model = kerasguide.build_model("logistic_regression", n_features=X.shape[1], seed=0)
    model.fit(X_train, y_train, epochs=epochs, batch_size=32, verbose=0)
    probability = model.predict(X_test, verbose=0).ravel()  # the sigmoid of the logit
    return float(np.mean((probability > 0.5) == y_test))


def main(quick: bool) -> None:
    epochs = 20 if quick else 100
    X, y = load_digits(return_X_y=True)
    threes_and_eights = np.isin(y, [3, 8])
    accuracy = fit_and_score(X[threes_and_eights], (y[threes_and_eights] == 8).astype(int), epochs)
    print(f"3 versus 8 (64 pixels): test accuracy {accuracy:.1%}")

    X, y = make_xor(400, random_state=0, return_X_y=True)
    accuracy = fit_and_score(X, y, epochs)
    print(f"XOR (2 features): test accuracy {accuracy:.1%}; a straight line cannot do XOR")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    main(parser.parse_args().quick)
