"""Step 5: a hidden layer, first without and then with a non-linearity.

A hidden layer between the inputs and the output adds parameters, but with no activation the
two layers multiply out to a single matrix: the model is still linear. On concentric circles,
which no straight line separates, it stays near a coin toss. Put a ReLU on the hidden units
and the network can bend its decision boundary around the inner circle. On the digits, the
same swap lifts the accuracy of a 128-unit hidden layer.

Run: ``python examples/05_hidden_layer.py [--quick]``
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
from sklearn.model_selection import train_test_split

import kerasguide
from kerasguide.datasets import load_digits, make_circles


def accuracy(model, X, y) -> float:
    return float(model.evaluate(X, y, verbose=0)[1])


def compare(name, X, y, *, units, epochs, task, learning_rate):
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(np.float32), y, test_size=0.25, random_state=0, stratify=y
    )
    n_outputs = 1 if task == "binary" else 10
    for activation in ("linear", "relu"):
        keras.utils.set_random_seed(0)
        model = kerasguide.build_model(
            "mlp",
            n_features=X.shape[1],
            n_outputs=n_outputs,
            task=task,
            hidden_layers=(units,),
            activation=activation,
            learning_rate=learning_rate,
            seed=0,
        )
        model.fit(X_train, y_train, epochs=epochs, batch_size=32, verbose=0)
        print(
            f"{name}, hidden layer of {units} {activation:>6} units: "
            f"train {accuracy(model, X_train, y_train):.1%}, "
            f"test {accuracy(model, X_test, y_test):.1%}"
        )
    return model


def main(quick: bool) -> None:
    X, y = make_circles(400, random_state=0, return_X_y=True)
    compare("circles", X, y, units=8, epochs=60 if quick else 200, task="binary", learning_rate=0.2)
    X, y = load_digits(return_X_y=True)
    model = compare(
        "digits",
        X,
        y,
        units=128,
        epochs=10 if quick else 150,
        task="multiclass",
        learning_rate=0.05,
    )

    # Without an activation, the two weight matrices collapse into one linear map.
    hidden, output = model.get_layer("hidden_1").kernel, model.get_layer("output").kernel
    print(
        f"the linear network's weights {tuple(hidden.shape)} and {tuple(output.shape)} "
        f"multiply out to one {(hidden.shape[0], output.shape[1])} matrix, as in softmax "
        "regression"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    main(parser.parse_args().quick)
