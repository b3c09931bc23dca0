"""Curves, boundaries, paths and codes: files written, inputs accepted, matplotlib optional.

matplotlib is in the ``test`` extra; one test hides it to check the message users get.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest

from kerasguide import plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _is_png(path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == PNG_MAGIC


@pytest.fixture
def blobs():
    from sklearn.datasets import make_blobs

    return make_blobs(n_samples=60, centers=2, n_features=2, random_state=0)


def test_learning_curves_from_dicts_histories_and_estimators(tmp_path):
    history = SimpleNamespace(history={"loss": [1.0, 0.5], "val_accuracy": [0.5, 0.8]})
    estimator = SimpleNamespace(history_={"loss": [0.9, 0.4, 0.2]})
    path = tmp_path / "curves.png"
    fig = plots.plot_learning_curves(
        {"a dict": {"loss": [2.0, 1.0, 0.5]}, "a History": history, "an estimator": estimator},
        path,
        title="curves",
    )
    assert _is_png(path)
    assert [ax.get_title() for ax in fig.axes] == ["training loss", "validation accuracy"]
    assert len(fig.axes[0].lines) == 3
    assert len(fig.axes[1].lines) == 1


def test_learning_curves_have_one_title():
    # One panel: the figure's title replaces the panel's (the results page's loss figure had
    # "Training loss per epoch" over "training loss"). Several panels: a title over named panels.
    runs = {"run": {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8]}}
    one = plots.plot_learning_curves(runs, metrics=("loss",), title="Training loss per epoch")
    assert one.get_suptitle() == ""
    assert [ax.get_title() for ax in one.axes] == ["Training loss per epoch"]
    two = plots.plot_learning_curves(runs, title="two metrics")
    assert two.get_suptitle() == "two metrics"
    assert [ax.get_title() for ax in two.axes] == ["training loss", "training accuracy"]


def test_learning_curves_metrics_filter_and_errors():
    fig = plots.plot_learning_curves({"run": {"loss": [1.0], "accuracy": [0.5]}}, metrics=("loss",))
    assert len(fig.axes) == 1
    with pytest.raises(ValueError, match="empty"):
        plots.plot_learning_curves({})
    with pytest.raises(ValueError, match="metrics"):
        plots.plot_learning_curves({"run": {"loss": [1.0]}}, metrics=("auc",))
    with pytest.raises(TypeError, match="dict of metric lists"):
        plots.plot_learning_curves({"run": [1.0, 0.5]})


def test_decision_boundary_of_a_binary_estimator(tmp_path, blobs):
    from sklearn.linear_model import LogisticRegression

    X, y = blobs
    path = tmp_path / "boundary.png"
    ax = plots.plot_decision_boundary(
        LogisticRegression().fit(X, y), X, y, title="blobs", path=path, resolution=30
    )
    assert _is_png(path)
    assert ax.get_title() == "blobs"


def test_decision_boundary_of_a_keras_like_model_with_one_sigmoid(blobs):
    class SigmoidModel:  # what the function needs of a Keras model: layers and predict
        layers = ()

        def predict(self, points, verbose=0):
            assert points.dtype == np.float32
            return 1 / (1 + np.exp(-points[:, :1]))

    X, y = blobs
    ax = plots.plot_decision_boundary(SigmoidModel(), X, y, resolution=20)
    assert ax.collections  # the filled contours and the points


def test_decision_boundary_multiclass_and_given_axes():
    from sklearn.datasets import make_blobs
    from sklearn.linear_model import LogisticRegression

    X, y = make_blobs(n_samples=90, centers=3, n_features=2, random_state=0)
    fig = plots.plot_decision_boundaries(
        {"one": LogisticRegression().fit(X, y), "two": LogisticRegression(C=0.01).fit(X, y)},
        X,
        y,
    )
    assert [ax.get_title() for ax in fig.axes] == ["one", "two"]
    with pytest.raises(ValueError, match="two columns"):
        plots.plot_decision_boundary(LogisticRegression().fit(X, y), np.c_[X, X[:, 0]], y)
    with pytest.raises(ValueError, match="empty"):
        plots.plot_decision_boundaries({}, X, y)


def test_drawing_into_given_axes_keeps_their_figure(tmp_path, blobs):
    from matplotlib.figure import Figure
    from sklearn.linear_model import LogisticRegression

    X, y = blobs
    fig = Figure()
    canvas, ax = fig.canvas, fig.add_subplot()
    path = tmp_path / "mine.png"
    drawn = plots.plot_decision_boundary(
        LogisticRegression().fit(X, y), X, y, ax=ax, path=path, resolution=20
    )
    assert drawn is ax
    assert fig.canvas is canvas
    assert _is_png(path)


def test_the_global_backend_is_left_alone(tmp_path):
    import matplotlib

    before = matplotlib.get_backend()
    plots.plot_learning_curves({"run": {"loss": [1.0, 0.5]}}, tmp_path / "c.png")
    assert matplotlib.get_backend() == before


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install kerasguide\[plots\]"):
        plots.plot_learning_curves({"run": {"loss": [1.0]}})
    with pytest.raises(ImportError, match=r"pip install kerasguide\[plots\]"):
        plots.plot_decision_boundary(None, np.zeros((2, 2)), [0, 1])


def test_optimizer_paths_over_a_cost_surface(tmp_path):
    path = tmp_path / "paths.png"
    steps = {"one": [[-2.0, 1.0], [-1.0, 0.5], [0.0, 0.0]], "two": np.zeros((4, 2))}
    fig = plots.plot_optimizer_paths(steps, lambda x, y: x**2 + y**2, path, title="bowl")
    assert path.stat().st_size > 0
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["one", "two"]
    with pytest.raises(ValueError, match=r"shape \(n_steps, 2\). Received: 'bad'"):
        plots.plot_optimizer_paths({"bad": np.zeros((3, 3))}, lambda x, y: x)
    with pytest.raises(ValueError, match="`paths` is empty"):
        plots.plot_optimizer_paths({}, lambda x, y: x)


def test_codes_one_colour_and_label_per_class(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.repeat([3, 7, 9], 20)
    codes = rng.normal(size=(60, 2)) + labels[:, None]
    path = tmp_path / "codes.png"
    fig = plots.plot_codes(codes, labels, path, title="codes")
    assert _is_png(path)
    ax = fig.axes[0]
    assert len(ax.collections) == 3
    texts = {text.get_text(): text.get_position() for text in ax.texts}
    assert set(texts) == {"3", "7", "9"}
    # Each label sits at its class's median.
    np.testing.assert_allclose(texts["7"], np.median(codes[labels == 7], axis=0))


def test_codes_errors_name_the_shape():
    with pytest.raises(ValueError, match=r"shape \(n_samples, 2\). Received: shape \(4, 3\)"):
        plots.plot_codes(np.zeros((4, 3)), [0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"one per code. Received: shape \(3,\)"):
        plots.plot_codes(np.zeros((4, 2)), [0, 0, 1])
