"""Images and sequences as data: ``as_images``, ``make_sequences``, ``kerasguide datasets``."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from kerasguide import KerasClassifier, KerasRegressor, datasets
from kerasguide.app import cli
from kerasguide.exceptions import InvalidParameterError


def test_digits_as_images_have_a_channel_axis():
    X, _y = datasets.load_digits(as_images=True, return_X_y=True)
    flat = datasets.load_digits()
    assert X.shape == (1797, 8, 8, 1)
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X.reshape(1797, 64), flat.data)
    bunch = datasets.load_digits(as_images=True)
    assert bunch.data.shape == (1797, 8, 8, 1)
    assert bunch.feature_names is None
    with pytest.raises(InvalidParameterError, match="as_images"):
        datasets.load_digits(as_images="yes")


def test_mnist_as_images(mnist_path):
    (X_train, _), (X_test, _) = datasets.load_mnist(mnist_path, as_images=True, return_X_y=True)
    assert X_train.shape == (60000, 28, 28, 1)
    assert X_test.shape == (10000, 28, 28, 1)
    bunch = datasets.load_mnist(mnist_path, as_images=True)
    assert bunch.data_test.shape == (10000, 28, 28, 1)
    assert bunch.feature_names is None
    with pytest.raises(InvalidParameterError, match="flatten=True, as_images=True"):
        datasets.load_mnist(mnist_path, flatten=True, as_images=True)
    assert datasets.load_mnist(mnist_path, flatten=False, return_X_y=True)[0][0].ndim == 3


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_make_sequences_is_the_adding_problem(task):
    bunch = datasets.make_sequences(500, 12, task=task, random_state=0)
    X, y = bunch.data, bunch.target
    assert X.shape == (500, 12, 2)
    assert X.dtype == np.float32
    markers = X[:, :, 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    np.testing.assert_array_equal(markers.sum(axis=1), 2.0)
    # One marker in each half of the sequence.
    np.testing.assert_array_equal(markers[:, :6].sum(axis=1), 1.0)
    total = (X[:, :, 0] * markers).sum(axis=1)
    if task == "regression":
        np.testing.assert_allclose(y, total, rtol=1e-6)
    else:
        np.testing.assert_array_equal(y, (total > 1.0).astype(int))
        assert 0.4 < y.mean() < 0.6  # balanced classes
    again = datasets.make_sequences(500, 12, task=task, random_state=0, return_X_y=True)
    np.testing.assert_array_equal(again[0], X)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"task": "ranking"}, "task"), ({"timesteps": 1}, "timesteps"),
     ({"n_samples": 0}, "n_samples"), ({"random_state": "x"}, "random_state")],
)  # fmt: skip
def test_make_sequences_checks_its_arguments(kwargs, name):
    with pytest.raises(InvalidParameterError, match=f"`{name}` must be"):
        datasets.make_sequences(**{"n_samples": 10, **kwargs})


@pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_an_rnn_beats_an_mlp_of_similar_size_on_sequences(task):
    X, y = datasets.make_sequences(1000, 10, task=task, random_state=0, return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    estimator = KerasClassifier if task == "classification" else KerasRegressor
    common = dict(learning_rate=0.01, epochs=30, batch_size=64, tol=0.0, random_state=0)
    rnn = estimator(model="rnn", model_params={"cell": "gru", "units": (16,)}, **common)
    mlp = estimator(hidden_layers=(48,), **common)  # on the flattened sequence (20 values)
    rnn.fit(X_train, y_train)
    mlp.fit(X_train.reshape(len(X_train), -1), y_train)
    sizes = rnn.model_.count_params(), mlp.model_.count_params()
    assert 0.75 < sizes[0] / sizes[1] < 1.25
    rnn_score = rnn.score(X_test, y_test)
    mlp_score = mlp.score(X_test.reshape(len(X_test), -1), y_test)
    if task == "classification":
        assert rnn_score > mlp_score + 0.05, (rnn_score, mlp_score)
    else:  # R^2 near 1 for both: the RNN leaves at most half the MLP's unexplained variance
        assert 1 - rnn_score < (1 - mlp_score) / 2, (rnn_score, mlp_score)


def test_the_command_line_lists_each_dataset_with_its_task(capsys):
    from kerasguide.app.datasets_table import DATASETS

    assert cli.main(["datasets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["name", "task"]
    listed = {line.split()[0]: line.split()[1] for line in lines[2:] if line.strip()}
    for name, spec in DATASETS.items():
        assert listed[name] == spec.task
