"""Step 1: linear regression from scratch, in plain NumPy.

Before any framework, the seven ingredients by hand: the inputs (a matrix of houses), the
parameters (one weight per feature and an intercept), the operation (a weighted sum), the cost
(squared errors), the gradients (by the chain rule), the update (a step against the gradient)
and the train/test loop. ``kerasguide.scratch`` holds one small function per ingredient; this
script walks through them on synthetic houses and reports the test error in dollars.

Run: ``python examples/01_linear_regression_numpy.py [--quick]``
"""

import argparse

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from kerasguide import scratch
from kerasguide.datasets import make_houses


def main(quick: bool) -> None:
    # Inputs: 3 features per house (floor area, distance to transport, rooms) and a price.
    X, y = make_houses(300 if quick else 1000, noise=6000.0, random_state=0, return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

    # Gradient descent needs features on a common scale, and prices in units near 1.
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    mean, std = y_train.mean(), y_train.std()
    t_train, t_test = (y_train - mean) / std, (y_test - mean) / std

    # One step by hand, on the first house: prediction, cost, gradients, update.
    weights, intercept = np.zeros(3), 0.0
    y_hat = scratch.model(X_train[:1], weights, intercept)
    grads = scratch.gradients(X_train[0], t_train[0], weights, intercept)
    new_weights, new_intercept = scratch.update(weights, intercept, grads, learning_rate=0.05)
    print(f"one step: cost {scratch.cost(y_hat, t_train[:1]):.3f}, gradient {grads[0].round(3)}")
    print(f"          new weights {new_weights.round(3)}, new intercept {new_intercept:.3f}")

    # The whole loop: epochs of one update per house, in a fresh order each epoch.
    result = scratch.train(
        X_train, t_train, epochs=20 if quick else 100, learning_rate=0.01, random_state=0
    )
    print(
        f"training MSE (standardised): first epoch {result.loss_curve[0]:.4f}, "
        f"last {result.loss_curve[-1]:.4f}"
    )

    # Test: the root mean squared error, back in dollars.
    rmse = std * scratch.evaluate(X_test, t_test, result.weights, result.intercept)
    print(f"test RMSE: {rmse:,.2f} dollars (the noise on the prices is 6,000 dollars)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    main(parser.parse_args().quick)
