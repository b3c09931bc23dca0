"""Step 2: the same linear regression in Keras.

Linear regression is already a neural network: three input units, one output unit, a weight
on each edge and no activation. Here Keras builds it (``build_model("linear_regression")``),
derives the gradients itself and runs mini-batch gradient descent; the hand-written NumPy
loop of step 1 shrinks to ``model.fit``. The test error comes back in dollars, to compare
with step 1.

Run: ``python examples/02_linear_regression_keras.py [--quick]``
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import kerasguide
from kerasguide.datasets import make_houses


def main(quick: bool) -> None:
    X, y = make_houses(300 if quick else 1000, noise=6000.0, random_state=0, return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    mean, std = y_train.mean(), y_train.std()

    # Inputs, parameters, operation, cost and optimizer, in one call: a Dense layer of one
    # unit, mean squared error, plain SGD at the talk's learning rate of 0.05.
    model = kerasguide.build_model("linear_regression", n_features=3, seed=0)
    model.summary()
    model.fit(X_train, (y_train - mean) / std, epochs=100, batch_size=16, verbose=0)

    predicted = mean + std * model.predict(X_test, verbose=0).ravel()
    rmse = np.sqrt(np.mean((predicted - y_test) ** 2))
    weights, intercept = model.get_layer("output").get_weights()
    print(
        f"learned weights (standardised units): {weights.ravel().round(3)}, "
        f"intercept {intercept[0]:.3f}"
    )
    print(f"test RMSE: {rmse:,.2f} dollars")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    main(parser.parse_args().quick)
