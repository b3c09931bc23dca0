"""Step 6: regularisation, holding the network back from the training data.

An unconstrained network can bend itself around every quirk of its training set; the gap
between training and test accuracy shows it. Two brakes: an L2 penalty adds the squared
weights to the loss, so large weights must pay for themselves; dropout silences a random half
of the hidden units at every step, so no unit can rely on another, and the network at test time
acts like an average of many thinned ones. Dropout learns more slowly, so it gets twice the
epochs. The script prints train and test accuracy for each, on the digits.

Run: ``python examples/06_regularization.py [--quick]``
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
from sklearn.model_selection import train_test_split

import kerasguide
from kerasguide.datasets import load_digits

VARIANTS = {  # name -> the mlp factory's regularisation arguments, and an epochs factor
    "no regularisation": ({}, 1),
    "L2 (1e-3)": ({"l2": 1e-3}, 1),
    "dropout (0.5)": ({"dropout": 0.5}, 2),
}


def main(quick: bool) -> None:
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    epochs = 10 if quick else 100
    for name, (regularisation, factor) in VARIANTS.items():
        keras.utils.set_random_seed(0)
        model = kerasguide.build_model(
            "mlp", n_features=64, n_outputs=10, hidden_layers=(128,), seed=0, **regularisation
        )
        model.fit(X_train, y_train, epochs=epochs * factor, batch_size=32, verbose=0)
        _, train = model.evaluate(X_train, y_train, verbose=0)  # dropout is off when evaluating
        _, test = model.evaluate(X_test, y_test, verbose=0)
        print(
            f"{name:>18}: {epochs * factor:3d} epochs, train {train:.1%}, test {test:.1%}, "
            f"gap {train - test:+.1%}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    main(parser.parse_args().quick)
