"""Step 10: a recurrent network for sequences, against a dense one of the same size.

``make_sequences`` builds the adding problem: two channels over 20 time steps, random values in
one, two markers in the other, and the question whether the two marked values add up to more
than 1. A recurrent network reads the sequence a step at a time and carries what it has seen, so
it learns to keep a value when the marker says so. A dense network on the flattened sequence
has to learn every pair of marked positions on its own, and with the same number of units it
stays far behind. ``input_shape=(20, 2)`` lets the GRU take the flat rows the MLP takes.

Run: ``python examples/10_rnn.py [--quick]``
"""

import argparse
import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from kerasguide import KerasClassifier
from kerasguide.datasets import make_sequences

TIMESTEPS = 20


def main(quick: bool) -> None:
    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # short runs stop on purpose
    X, y = make_sequences(800 if quick else 4000, TIMESTEPS, random_state=0, return_X_y=True)
    X = X.reshape(len(X), -1)  # flat rows: what the MLP reads, and the GRU reshapes
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    epochs = 20 if quick else 60
    models = {
        "MLP (32 units) on the flattened sequence": KerasClassifier(
            hidden_layers=(32,), l2=0.0, epochs=epochs, batch_size=50, random_state=0
        ),
        "GRU (32 units)": KerasClassifier(
            model="rnn",
            input_shape=(TIMESTEPS, 2),
            model_params={"cell": "gru", "units": (32,)},
            learning_rate=3e-3,
            epochs=epochs,
            batch_size=50,
            random_state=0,
        ),
    }
    for name, model in models.items():
        model.fit(X_train, y_train)
        print(f"{name}: test accuracy {model.score(X_test, y_test):.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    main(parser.parse_args().quick)
