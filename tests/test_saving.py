"""Saving without pickle: ``est.save`` / ``kerasguide.load``, the model card, tampered files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import kerasguide
from kerasguide import KerasClassifier, KerasRegressor, KerasTransformer

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(80, 4)).astype(np.float32)
LABELS = np.where(X[:, 0] > 0, "yes", "no")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    clf = KerasClassifier(hidden_layers=(8,), epochs=5, random_state=0,
                          class_weight={"yes": 2.0, "no": 1.0})  # fmt: skip
    clf.fit(X, LABELS)
    path = tmp_path_factory.mktemp("saved") / "clf.kgz"
    clf.save(path)
    return clf, path


def test_round_trip_predicts_bit_for_bit(saved):
    clf, path = saved
    loaded = kerasguide.load(path)
    assert type(loaded) is KerasClassifier
    assert loaded.get_params() == clf.get_params()
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert loaded.history_ == clf.history_
    assert loaded.n_iter_ == clf.n_iter_


def test_the_file_holds_manifest_model_arrays_and_card(saved):
    _, path = saved
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert {"manifest.json", "model.keras", "README.md"} <= names
    assert manifest["format_version"] == kerasguide.saving.FORMAT_VERSION
    assert manifest["estimator"] == "KerasClassifier"
    assert manifest["fitted"]["classes_"]["values"] == ["no", "yes"]
    assert manifest["versions"]["backend"]


def test_regressor_round_trip_and_further_training(tmp_path):
    y = X[:, :2] * 3.0 + 1.0
    reg = KerasRegressor(hidden_layers=(8,), epochs=5, random_state=0).fit(X, y)
    reg.save(tmp_path / "reg.kgz")
    loaded = kerasguide.load(tmp_path / "reg.kgz")
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    np.testing.assert_array_equal(loaded.y_scale_, reg.y_scale_)
    loaded.partial_fit(X, y)
    assert loaded.n_iter_ == reg.n_iter_ + 1
    assert not np.array_equal(loaded.predict(X), reg.predict(X))


def test_loaded_classifier_trains_further(saved):
    clf, path = saved
    loaded = kerasguide.load(path)
    loaded.partial_fit(X, LABELS)
    assert loaded.n_iter_ == clf.n_iter_ + 1
    loaded.set_params(warm_start=True, epochs=3).fit(X, LABELS)
    assert loaded.n_iter_ == clf.n_iter_ + 4
    assert len(loaded.history_["loss"]) == loaded.n_iter_


_LOAD_ELSEWHERE = """
import sys, numpy as np, kerasguide, keras
est = kerasguide.load(sys.argv[1])
np.save(sys.argv[2], getattr(est, sys.argv[4])(np.load(sys.argv[3])))
print(keras.backend.backend())
"""


def _call_on_another_backend(path, method: str, tmp_path) -> np.ndarray:
    """``kerasguide.load(path).<method>(X)`` in a fresh process on the other Keras backend."""
    import keras

    other = "jax" if keras.backend.backend() != "jax" else "tensorflow"
    pytest.importorskip(other, reason=f"the {other} backend is not installed")
    np.save(tmp_path / "X.npy", X)
    env = {**os.environ, "KERAS_BACKEND": other, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_ELSEWHERE, str(path), str(tmp_path / "out.npy"),
         str(tmp_path / "X.npy"), method],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == other
    return np.load(tmp_path / "out.npy")


def test_load_in_a_fresh_process_on_another_backend(saved, tmp_path):
    clf, path = saved
    out = _call_on_another_backend(path, "predict_proba", tmp_path)
    np.testing.assert_array_equal(out, clf.predict_proba(X))


def _rewrite(source, target, **replace):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, replace.get(name.replace(".", "_"), old.read(name)))


def test_a_newer_format_version_is_refused(saved, tmp_path):
    _, path = saved
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["format_version"] = 999
    _rewrite(path, tmp_path / "new.kgz", manifest_json=json.dumps(manifest))
    with pytest.raises(ValueError, match=r"new\.kgz.*format version 999"):
        kerasguide.load(tmp_path / "new.kgz")


def test_a_corrupt_file_is_refused(tmp_path):
    (tmp_path / "bad.kgz").write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match=r"bad\.kgz"):
        kerasguide.load(tmp_path / "bad.kgz")


def test_a_lambda_layer_is_refused_and_never_runs(saved, tmp_path):
    import keras

    _, path = saved
    marker = tmp_path / "ran"
    code = f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]"
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(eval(code)),
                              keras.layers.Dense(1, activation="sigmoid")])  # fmt: skip
    model.compile(optimizer="adam", loss="binary_crossentropy")
    marker.unlink(missing_ok=True)  # building the model ran it once, here
    model.save(tmp_path / "evil.keras")
    _rewrite(path, tmp_path / "evil.kgz", model_keras=(tmp_path / "evil.keras").read_bytes())
    with pytest.raises(ValueError, match=r"evil\.kgz"):
        kerasguide.load(tmp_path / "evil.kgz")
    assert not marker.exists()


def test_params_json_cannot_hold_are_refused_at_save(tmp_path):
    import keras

    clf = KerasClassifier(
        hidden_layers=(4,),
        epochs=1,
        random_state=0,
        optimizer=keras.optimizers.SGD(),
        callbacks=[keras.callbacks.History()],
    )
    clf.fit(X, LABELS)
    with pytest.raises(ValueError, match=r"callbacks\[0\]=<.*History.*optimizer=<.*SGD"):
        clf.save(tmp_path / "x.kgz")
    assert not (tmp_path / "x.kgz").exists()


def test_model_card_front_matter_and_body(saved):
    yaml = pytest.importorskip("yaml", reason="pyyaml is not installed")
    clf, path = saved
    card = clf.model_card(metrics={"accuracy": 0.97})
    assert card.startswith("---\n")
    front, body = card[4:].split("\n---\n", 1)
    meta = yaml.safe_load(front)
    assert meta["library_name"] == "kerasguide"
    assert {"keras", "scikit-learn", "binary"} <= set(meta["tags"])
    assert meta["metrics"] == ["accuracy"]
    assert "| accuracy | 0.97 |" in body
    assert f"Total parameters: {clf.model_.count_params():,}" in body
    assert "`random_state`" in body
    assert "## Architecture" in body
    with zipfile.ZipFile(path) as archive:
        assert archive.read("README.md").decode().startswith("---\nlibrary_name: kerasguide")


# --------------------------------------------------------------------------- KerasTransformer
@pytest.fixture(scope="module")
def saved_transformer(tmp_path_factory):
    tr = KerasTransformer(code_size=2, hidden_layers=(8,), epochs=5, random_state=0).fit(X)
    path = tmp_path_factory.mktemp("saved") / "tr.kgz"
    tr.save(path)
    return tr, path


def test_transformer_round_trip_transforms_bit_for_bit(saved_transformer):
    tr, path = saved_transformer
    loaded = kerasguide.load(path)
    assert type(loaded) is KerasTransformer
    assert loaded.get_params() == tr.get_params()
    assert loaded.layer_ == "code"
    np.testing.assert_array_equal(loaded.transform(X), tr.transform(X))
    np.testing.assert_array_equal(loaded.get_feature_names_out(), tr.get_feature_names_out())
    assert loaded.history_ == tr.history_


def test_loaded_transformer_trains_further_from_the_saved_optimizer_state(saved_transformer):
    import keras

    def steps(est) -> int:
        return int(keras.ops.convert_to_numpy(est.model_.optimizer.iterations))

    tr, path = saved_transformer
    loaded = kerasguide.load(path)
    assert steps(loaded) == steps(tr)
    loaded.set_params(warm_start=True, epochs=2).fit(X)  # the same code_size: no refusal
    assert loaded.n_iter_ == tr.n_iter_ + 2
    assert steps(loaded) == steps(tr) + 2  # 80 rows: 1 batch
    assert not np.array_equal(loaded.transform(X), tr.transform(X))


def test_transformer_loads_in_a_fresh_process_on_another_backend(saved_transformer, tmp_path):
    tr, path = saved_transformer
    np.testing.assert_array_equal(_call_on_another_backend(path, "transform", tmp_path),
                                  tr.transform(X))  # fmt: skip


def test_supervised_transformer_round_trip_and_model_card(tmp_path):
    tr = KerasTransformer("mlp", hidden_layers=(8, 6), epochs=3, random_state=0).fit(X, LABELS)
    tr.save(tmp_path / "tr.kgz")
    loaded = kerasguide.load(tmp_path / "tr.kgz")
    np.testing.assert_array_equal(loaded.classes_, ["no", "yes"])
    assert (loaded.layer_, loaded.task_) == ("hidden_2", "binary")
    np.testing.assert_array_equal(loaded.transform(X), tr.transform(X))
    loaded.set_params(warm_start=True, epochs=1).fit(X, LABELS)
    assert loaded.n_iter_ == tr.n_iter_ + 1
    card = tr.model_card()
    assert card.startswith("---\nlibrary_name: kerasguide\n")
    assert '"feature-extraction"' in card.split("\n---\n", 1)[0]
    assert "activations of layer `hidden_2` (Dense, output shape `(None, 6)`): 6 features" in card
    with zipfile.ZipFile(tmp_path / "tr.kgz") as archive:
        assert archive.read("README.md").decode() == card


def test_a_transformer_file_naming_a_missing_layer_is_refused(saved_transformer, tmp_path):
    _, path = saved_transformer
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["fitted"]["layer_"] = "nope"
    _rewrite(path, tmp_path / "bad.kgz", manifest_json=json.dumps(manifest))
    with pytest.raises(ValueError, match=r"bad\.kgz: its layer_='nope' is not a layer"):
        kerasguide.load(tmp_path / "bad.kgz")
