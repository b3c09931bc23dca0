"""The pretrained MNIST models: metadata recomputed from the files, loading with the hash
checked, the inputs users have, a fitted scikit-learn estimator, ONNX.

Runs offline on any backend; the full-test-set check needs a local MNIST (``mnist_path``).
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

import kerasguide
from kerasguide.io.pixels import MnistPixels
from kerasguide.zoo import pretrained as zoo

REPO = Path(__file__).resolve().parents[1]
NAMES = kerasguide.list_pretrained()
#: The talk's test accuracies that the first four models must meet, and the CNN's goal.
GOALS = {"mnist-softmax": 92.5, "mnist-mlp-relu": 95.2, "mnist-mlp-l2": 95.1,
         "mnist-mlp-dropout": 93.1, "mnist-cnn": 99.5}  # fmt: skip
DENSE = [name for name in NAMES if name != "mnist-cnn"]
#: Fits of a fixed number of epochs end while the loss still improves: expected here.
pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def sample():
    with np.load(zoo.sample_file(), allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


@pytest.fixture(scope="module")
def loaded():
    return {name: kerasguide.load_pretrained(name) for name in NAMES}


def test_the_zoo_lists_the_talks_models_and_the_cnn_and_meets_their_goals():
    assert set(GOALS) <= set(NAMES)
    for name, goal in GOALS.items():
        assert 100 * zoo.pretrained_info(name)["metrics"]["mnist-test"]["accuracy"] >= goal
    best_dense = max(
        DENSE, key=lambda n: zoo.pretrained_info(n)["metrics"]["mnist-test"]["accuracy"]
    )
    assert best_dense == "mnist-mlp-modern"  # the best dense model is listed


@pytest.mark.parametrize("name", NAMES)
def test_metadata_matches_the_file(name):
    info = kerasguide.pretrained_info(name)
    assert set(zoo.INFO_KEYS) <= set(info)
    assert info["name"] == name
    assert info["model"] in kerasguide.list_models()
    file = zoo.weights_file(name)
    assert info["file_size"] == file.stat().st_size
    assert info["sha256"] == zoo.sha256_of(file)
    assert info["dtype"] in ("float16", "float32")
    assert 0 < info["metrics"]["mnist-test"]["accuracy"] <= 1
    assert info["recipe"].startswith(f"kerasguide train {info['model']} ")
    assert "--seed 0" in info["recipe"]
    assert "CC BY-SA 3.0" in info["license"]
    info["metrics"].clear()  # a new dict on each call
    assert kerasguide.pretrained_info(name)["metrics"]


def test_the_weights_fit_the_budget():
    total = sum(zoo.pretrained_info(name)["file_size"] for name in NAMES)
    assert total <= 4 << 20
    assert sum(f.stat().st_size for f in zoo.WEIGHTS_DIR.iterdir()) <= 4.5 * (1 << 20)


@pytest.mark.parametrize("name", NAMES)
def test_parameter_count_and_params_match_the_network(name, loaded, sample):
    info = zoo.pretrained_info(name)
    classifier = loaded[name][-1]
    assert classifier.model_.count_params() == info["num_params"]
    assert classifier.model == info["model"]
    # The stored parameters build the same architecture: clone, and fit one epoch.
    fresh = clone(loaded[name]).set_params(classifier__epochs=1, classifier__verbose=0)
    with pytest.raises(NotFittedError):
        check_is_fitted(fresh[-1])
    rows = np.concatenate([np.flatnonzero(sample["y"] == digit)[:3] for digit in range(10)])
    fresh.fit(sample["X"][rows], sample["y"][rows])
    assert fresh[-1].model_.count_params() == info["num_params"]


@pytest.mark.parametrize("name", NAMES)
def test_predictions_on_the_bundled_sample_match_the_stored_ones(name, loaded, sample):
    predicted = loaded[name].predict(sample["X"])
    differing = int((predicted != sample[f"predicted_{name}"]).sum())
    assert differing <= len(predicted) // 1000
    # The other input form: kerasguide.datasets.load_mnist's floats, flat and as images.
    floats = sample["X"].astype(np.float32) / 255
    for X in (floats.reshape(-1, 784), floats[..., None]):
        assert (loaded[name].predict(X) != predicted).sum() <= len(predicted) // 1000


@pytest.mark.parametrize("name", NAMES)
def test_full_mnist_test_accuracy_equals_the_metadata(name, loaded, mnist_path):
    with np.load(mnist_path, allow_pickle=False) as data:
        X, y = data["x_test"], data["y_test"]
    accuracy = loaded[name].score(X, y)
    assert abs(accuracy - zoo.pretrained_info(name)["metrics"]["mnist-test"]["accuracy"]) <= 1e-4
    X_float = kerasguide.datasets.load_mnist(mnist_path, return_X_y=True)[1][0]
    assert abs(loaded[name].score(X_float, y) - accuracy) <= 1e-4


def test_a_file_changed_by_one_byte_is_refused_naming_both_hashes(tmp_path):
    name = "mnist-softmax"
    good = tmp_path / "copy.kgz"
    shutil.copyfile(zoo.weights_file(name), good)
    assert kerasguide.load_pretrained(name, path=good).predict(np.zeros((1, 28, 28), np.uint8))
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 1
    bad = tmp_path / "bad.kgz"
    bad.write_bytes(bytes(data))
    expected = zoo.pretrained_info(name)["sha256"]
    with pytest.raises(ValueError, match="sha256") as info:
        kerasguide.load_pretrained(name, path=bad)
    message = str(info.value)
    assert str(bad) in message
    assert expected in message
    assert zoo.sha256_of(bad) in message


def test_the_bundled_file_is_checked_on_every_load(tmp_path, monkeypatch):
    weights = tmp_path / "weights"
    shutil.copytree(zoo.WEIGHTS_DIR, weights)
    file = weights / zoo.pretrained_info("mnist-softmax")["file"]
    file.write_bytes(file.read_bytes() + b"\0")
    monkeypatch.setattr(zoo, "WEIGHTS_DIR", weights)
    with pytest.raises(ValueError, match=f"{file}: its sha256 is"):
        kerasguide.load_pretrained("mnist-softmax")


def test_an_unknown_name_gets_the_known_names_and_a_close_match():
    with pytest.raises(ValueError, match="Did you mean 'mnist-cnn'") as info:
        kerasguide.load_pretrained("mnist_cnn")
    assert all(name in str(info.value) for name in NAMES)
    with pytest.raises(ValueError, match="Unknown pretrained model 'resnet50'"):
        kerasguide.pretrained_info("resnet50")


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.full((2, 28, 28), 2.0, np.float32), "Float pixels must be in \\[0, 1\\]"),
        (np.full((2, 784), -0.5), "values from -0.5 to -0.5"),
        (np.full((2, 784), np.nan), "Float pixels must be finite"),
        (np.full((2, 28, 28), 300, np.int32), "Integer pixels must be in \\[0, 255\\]"),
        (np.zeros((2, 32, 32), np.uint8), "shape \\(2, 32, 32\\)"),
        (np.zeros(784, np.uint8), "shape \\(784,\\)"),
    ],
)
def test_input_outside_the_documented_range_is_a_clear_error(X, match, loaded):
    with pytest.raises(ValueError, match=match):
        loaded["mnist-softmax"].predict(X)


def test_the_loaded_model_is_a_fitted_scikit_learn_estimator(loaded, sample):
    model = loaded["mnist-cnn"]
    X, y = sample["X"][:200], sample["y"][:200]
    assert isinstance(model, Pipeline)
    assert isinstance(model[0], MnistPixels)
    assert model.classes_.tolist() == list(range(10))
    proba = model.predict_proba(X)
    assert proba.shape == (200, 10)
    assert np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert model.score(X, y) >= 0.95
    outer = Pipeline([("model", model)])  # it sits in a Pipeline
    assert (outer.predict(X) == model.predict(X)).all()
    again = pickle.loads(pickle.dumps(model))
    assert (again.predict(X) == model.predict(X)).all()
    assert kerasguide.load_pretrained("mnist-cnn") is not kerasguide.load_pretrained("mnist-cnn")


def test_fine_tuning_continues_from_the_pretrained_weights(sample):
    X, y = sample["X"][:300], sample["y"][:300]
    model = kerasguide.load_pretrained("mnist-mlp-relu")
    before = model[-1].n_iter_
    model.set_params(classifier__warm_start=True, classifier__epochs=2,
                     classifier__learning_rate=1e-3).fit(X, y)  # fmt: skip
    assert model[-1].n_iter_ == before + 2
    assert model.score(sample["X"][300:], sample["y"][300:]) >= 0.95  # not retrained from scratch
    classifier = kerasguide.load_pretrained("mnist-softmax")[-1]
    classifier.partial_fit(MnistPixels().transform(X), y)
    assert classifier.score(MnistPixels().transform(sample["X"]), sample["y"]) >= 0.85


@pytest.mark.parametrize("name", DENSE)
def test_dense_models_export_to_onnx(name, loaded, sample):
    onnxruntime = pytest.importorskip("onnxruntime")
    proto = kerasguide.to_onnx(loaded[name])
    session = onnxruntime.InferenceSession(proto.SerializeToString())
    # The graph takes what the network takes: float32 pixels in [0, 1], 784 per row.
    X = MnistPixels().transform(sample["X"][:100])
    label, proba = session.run(None, {"X": X})
    assert (label == loaded[name].predict(sample["X"][:100])).all()
    assert np.allclose(proba, loaded[name].predict_proba(sample["X"][:100]), atol=1e-4)


def test_the_cnn_is_refused_by_onnx_naming_its_layer(loaded):
    with pytest.raises(ValueError, match="conv_1"):
        kerasguide.to_onnx(loaded["mnist-cnn"])


def test_the_docs_table_is_the_generated_one():
    page = REPO / "docs" / "pretrained" / "table.md"
    assert page.read_text() == zoo.markdown_table()
    assert all(f"`{name}`" in page.read_text() for name in NAMES)
