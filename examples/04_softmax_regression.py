"""Step 4: softmax regression, logistic regression for ten classes.

Ten output units, one per digit, each a weighted sum of the pixels; the softmax turns the ten
logits into probabilities that sum to one, and the prediction is the most probable digit.
The labels stay integers (``SparseCategoricalCrossentropy``), so no one-hot encoding is needed.
This is still a linear model, and its accuracy is the baseline the hidden layers must beat.

Run: ``python examples/04_softmax_regression.py [--quick]``
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from sklearn.model_selection import train_test_split

import kerasguide
from kerasguide.datasets import load_digits


def main(quick: bool) -> None:
    X, y = load_digits(return_X_y=True)  # 8x8 images as 64 features in [0, 1]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    model = kerasguide.build_model("softmax_regression", n_features=64, n_classes=10, seed=0)
    print(f"{model.count_params()} parameters: a 64x10 weight matrix and 10 biases")
    model.fit(X_train, y_train, epochs=30 if quick else 150, batch_size=32, verbose=0)

    probabilities = model.predict(X_test, verbose=0)
    first = probabilities[0]
    print(
        f"first test image: probabilities sum to {first.sum():.3f}; most probable digit "
        f"{first.argmax()} ({first.max():.1%}), true digit {y_test[0]}"
    )
    accuracy = np.mean(probabilities.argmax(axis=1) == y_test)
    print(f"test accuracy: {accuracy:.1%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    main(parser.parse_args().quick)
