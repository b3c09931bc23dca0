"""Step 9: a convolutional network for images, from the talk's road map.

A dense network sees a digit as a list of unrelated pixels; a convolutional one slides small
shared filters over the image, so a stroke is recognised wherever it lies, and pooling keeps
the strongest answer of each neighbourhood. ``KerasClassifier(model="cnn", input_shape=...)``
takes the flat rows scikit-learn works with and reshapes each into an image inside the model, so
the CNN drops into a ``Pipeline`` after a ``StandardScaler`` like any other estimator. On the
8x8 digits one convolution and one pooling are enough; on MNIST (``--mnist``, 28x28) the default
two of each, with batch normalization, dropout and a cosine learning-rate schedule, reach 99.4 %
test accuracy in 15 epochs (about 10 minutes on two CPU cores).

Run: ``python examples/09_cnn.py [--quick] [--mnist]``
"""

import argparse
import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from kerasguide import KerasClassifier
from kerasguide.datasets import load_digits, load_mnist


def digits_cnn(quick: bool) -> tuple:
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:600], y[:600]
    split = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    cnn = KerasClassifier(
        model="cnn", input_shape=(8, 8, 1), model_params={"filters": (32,), "dense_layers": (64,)},
        learning_rate=3e-3, batch_size=32, epochs=5 if quick else 20, random_state=0,
    )  # fmt: skip
    return make_pipeline(StandardScaler(), cnn), split


def mnist_cnn(quick: bool) -> tuple:
    data = load_mnist(download=False)
    n = 5000 if quick else len(data.target)
    split = (data.data[:n], data.data_test[: n // 5], data.target[:n], data.target_test[: n // 5])
    # The reproduction's CNN row: batch normalization, dropout 0.5 and Adam's rate decayed to 0.
    cnn = KerasClassifier(model="cnn", input_shape=(28, 28, 1), normalization="batch",
                          dropout=0.5, learning_rate=2e-3, learning_rate_schedule="cosine",
                          batch_size=128, epochs=2 if quick else 15, random_state=0)  # fmt: skip
    return cnn, split


def main(quick: bool, mnist: bool) -> None:
    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # short runs stop on purpose
    model, (X_train, X_test, y_train, y_test) = (mnist_cnn if mnist else digits_cnn)(quick)
    model.fit(X_train, y_train)
    cnn = model[-1] if hasattr(model, "steps") else model
    print("Layers:", ", ".join(layer.name for layer in cnn.model_.layers))
    print(f"Test accuracy: {model.score(X_test, y_test):.3f} on {len(y_test)} held-out images")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    parser.add_argument("--mnist", action="store_true", help="MNIST (a local copy) for digits")
    args = parser.parse_args()
    main(args.quick, args.mnist)
