"""What ``kerasguide.load`` refuses: altered fitted attributes, zip bombs, malformed manifests
and members; and what a loaded or unpickled copy keeps (the dropout seed state)."""

from __future__ import annotations

import io
import json
import pickle
import re
import struct
import tempfile
import tracemalloc
import zipfile

import numpy as np
import pandas as pd
import pytest

import kerasguide
from kerasguide import KerasClassifier, KerasRegressor, KerasTransformer
from kerasguide.io.kgz import MAX_MEMBER_BYTES, MAX_RATIO

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4)).astype(np.float32)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """One saved file of each kind: binary and multiclass classifiers (with feature
    names), a two-output regressor and an autoencoder."""
    folder = tmp_path_factory.mktemp("files")
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    estimators = {
        "binary": KerasClassifier(hidden_layers=(4,), epochs=2, random_state=0).fit(
            frame, X[:, 0] > 0
        ),
        "multiclass": KerasClassifier(hidden_layers=(4,), epochs=2, random_state=0).fit(
            X, np.digitize(X[:, 0], [-0.5, 0.5])
        ),
        "regressor": KerasRegressor(hidden_layers=(4,), epochs=2, random_state=0).fit(
            X, X[:, :2] * 3.0 + 1.0
        ),
        "transformer": KerasTransformer(epochs=2, random_state=0).fit(X),
    }
    paths = {}
    for name, est in estimators.items():
        paths[name] = est.save(folder / f"{name}.kgz")
    return paths


def _rewrite(source, target, *, manifest=None, members=None):
    """Copy the zip ``source`` to ``target``, with ``manifest(dict)`` editing the manifest
    and ``members`` replacing (bytes) or removing (None) members."""
    members = dict(members or {})
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "manifest.json" and manifest is not None:
                content = json.loads(data)
                manifest(content)
                data = json.dumps(content).encode()
            if info.filename in members:
                data = members.pop(info.filename)
                if data is None:
                    continue
            new.writestr(info.filename, data)
        for name, data in members.items():
            new.writestr(name, data)
    return target


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=array.dtype == object)
    return buffer.getvalue()


def _refused(path, *words):
    with pytest.raises(ValueError, match=re.escape(str(path))) as info:
        kerasguide.load(path)
    message = str(info.value)
    for word in words:
        assert word in message, message
    return message


def _set(section, name, value):
    def edit(manifest):
        manifest[section][name] = value

    return edit


# --------------------------------------------------------------------------- issue 20, item 2
ALTERED_FIELDS = [
    ("binary", _set("fitted", "task_", "regression"), "task_"),
    ("binary", _set("fitted", "classes_", {"values": [0, 1, 2], "dtype": "<i8"}), "classes_"),
    ("binary", _set("fitted", "n_outputs_", 2), "n_outputs_"),
    ("binary", _set("fitted", "n_features_in_", 5), "n_features_in_"),
    ("binary", _set("fitted", "feature_names_in_", ["a", "b", "c"]), "feature_names_in_"),
    ("binary", _set("fitted", "feature_names_in_", ["a", "a", "c", "d"]), "feature_names_in_"),
    ("binary", _set("fitted", "n_iter_", -1), "n_iter_"),
    ("binary", _set("fitted", "history_", {"loss": 1.0}), "history_"),
    ("multiclass", _set("fitted", "task_", "binary"), "task_"),
    ("multiclass", _set("fitted", "task_", "multilabel"), "softmax"),
    ("multiclass", _set("fitted", "classes_", {"values": [2, 1, 0], "dtype": "<i8"}), "classes_"),
    ("multiclass", _set("fitted", "classes_", {"values": [0, 1], "dtype": "<i8"}), "classes_"),
    ("regressor", _set("fitted", "task_", "binary"), "task_"),
    ("regressor", _set("fitted", "classes_", {"values": [0, 1], "dtype": "<i8"}), "classes_"),
    ("regressor", _set("fitted", "n_features_in_", 3), "n_features_in_"),
    ("transformer", _set("fitted", "task_", "multiclass"), "classes_"),
    ("transformer", _set("fitted", "layer_", 3), "layer_"),
]


@pytest.mark.parametrize(("kind", "edit", "field"), ALTERED_FIELDS)
def test_a_fitted_attribute_that_does_not_fit_is_refused(files, tmp_path, kind, edit, field):
    path = _rewrite(files[kind], tmp_path / "altered.kgz", manifest=edit)
    _refused(path, field)


@pytest.mark.parametrize(
    ("name", "array"),
    [
        ("y_scale_", np.ones(3)),  # not one per output
        ("y_scale_", np.ones((2, 1))),
        ("y_mean_", np.zeros(2, dtype=np.int64)),  # not floats
        ("y_scale_", np.array([1.0, 0.0])),  # a zero scale
        ("y_mean_", np.array([np.nan, 0.0])),
    ],
)
def test_a_regressor_scaling_that_does_not_fit_is_refused(files, tmp_path, name, array):
    members = {f"arrays/{name}.npy": _npy(array)}
    path = _rewrite(files["regressor"], tmp_path / "altered.kgz", members=members)
    _refused(path, name)


def test_a_regressor_without_its_scaling_is_refused(files, tmp_path):
    def drop(manifest):
        manifest["arrays"] = ["y_mean_"]

    path = _rewrite(files["regressor"], tmp_path / "altered.kgz", manifest=drop)
    _refused(path, "y_scale_")


def test_a_classifier_with_a_regressors_scaling_is_refused(files, tmp_path):
    def add(manifest):
        manifest["arrays"] = ["y_mean_"]

    members = {"arrays/y_mean_.npy": _npy(np.zeros(1))}
    path = _rewrite(files["binary"], tmp_path / "a.kgz", manifest=add, members=members)
    _refused(path, "y_mean_")


def test_the_unaltered_files_load(files):
    for kind, path in files.items():
        loaded = kerasguide.load(path)
        expected = kind if kind in ("binary", "multiclass") else "regression"
        assert loaded.task_ == expected


# --------------------------------------------------------------------------- issue 20, item 14
def _nested(depth):
    return '{"hidden_layers": ' + "[" * depth + "]" * depth + "}"


MALFORMED = [
    (_set("fitted", "n_iter_", True), "n_iter_"),
    (lambda m: m.update(fitted=[1, 2]), "'fitted'"),
    (lambda m: m.update(params=[]), "'params'"),
    (lambda m: m.update(arrays={"y_mean_": 1}), "'arrays'"),
    (lambda m: m.update(arrays=["weights_"]), 'unknown array "weights_"'),
    (lambda m: m["fitted"].pop("task_"), "'task_'"),
    (_set("model", "input_shape", ["4"]), "input_shape"),
    (_set("model", "dtype", "int8"), "dtype"),
    (_set("params", "hidden_layers", {"__set__": [4]}), "tagged"),
    (_set("params", "hidden_layers", {"__dict__": [[1, 2, 3]]}), "tagged"),
    (_set("params", "hidden_layers", {"__tuple__": 4}), "tagged"),
    (_set("params", "no_such_parameter", 1), "no_such_parameter"),
    (_set("fitted", "classes_", [0, 1]), "classes_"),
    (_set("fitted", "classes_", {"values": [0, 1], "dtype": "not a dtype"}), "classes_"),
    (_set("fitted", "classes_", {"values": ["x", "y"], "dtype": "<i8"}), "classes_"),
    (_set("fitted", "classes_", {"values": [0, 1], "dtype": "<M8[s]"}), "classes_"),
    (_set("model", "seed_state", [[1, 2, 3]]), "seed"),
    (lambda m: m.update(format_version=2), "format version 2"),
]


@pytest.mark.parametrize(("edit", "words"), MALFORMED)
def test_a_malformed_manifest_is_refused_naming_the_file(files, tmp_path, edit, words):
    path = _rewrite(files["binary"], tmp_path / "malformed.kgz", manifest=edit)
    _refused(path, words)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (_nested(100_000), "nested too deeply"),
        ("[1, 2]", "not a saved kerasguide estimator"),
        ("{not json", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
    ],
)
def test_a_manifest_that_is_not_an_object_is_refused(files, tmp_path, text, words):
    data = text if isinstance(text, bytes) else text.encode()
    path = _rewrite(files["binary"], tmp_path / "m.kgz", members={"manifest.json": data})
    _refused(path, words)


@pytest.mark.parametrize("depth", [900, 990, 5_000])
def test_deep_nesting_inside_a_parameter_is_refused(files, tmp_path, depth):
    # Near the interpreter's recursion limit: the JSON reader or the tag decoder gives up.
    with zipfile.ZipFile(files["binary"]) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["params"]["hidden_layers"] = "DEEP"
    text = json.dumps(manifest).replace('"DEEP"', "[" * depth + "4" + "]" * depth)
    members = {"manifest.json": text.encode()}
    path = _rewrite(files["binary"], tmp_path / "deep.kgz", members=members)
    _refused(path)


@pytest.mark.parametrize(
    "data",
    [
        b"garbage, not an array",
        _npy(np.array([{"a": 1}], dtype=object)),  # a pickled object array
        _npy(np.ones(2))[:-4],  # truncated
    ],
)
def test_a_bad_npy_member_is_refused_without_numpys_advice(files, tmp_path, data):
    members = {"arrays/y_mean_.npy": data}
    path = _rewrite(files["regressor"], tmp_path / "npy.kgz", members=members)
    message = _refused(path, "arrays/y_mean_.npy")
    assert "allow_pickle" not in message


def test_a_missing_npy_member_is_refused(files, tmp_path):
    members = {"arrays/y_mean_.npy": None}
    path = _rewrite(files["regressor"], tmp_path / "npy.kgz", members=members)
    _refused(path, "arrays/y_mean_.npy")


# --------------------------------------------------------------------------- issue 20, item 3
def _declare(path, member: str, size: int):
    """Patch the zip's headers so that ``member`` declares ``size`` uncompressed bytes."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at : start + name_at + len(name)] == name:
                struct.pack_into("<I", data, start + offset, size)
            start += 4
    path.write_bytes(bytes(data))
    return path


def _allocated_by_load(path) -> int:
    """The peak of Python's allocations while ``load(path)`` refuses the file."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="bytes"):
            kerasguide.load(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """A folder that receives every temporary file made meanwhile."""
    folder = tmp_path / "temporary"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_member_declaring_a_huge_size_is_refused_before_inflating(files, tmp_path, own_tmp):
    # The bomb: a small file whose model.keras declares 320 MiB.
    path = _rewrite(files["binary"], tmp_path / "bomb.kgz")
    path = _declare(path, "model.keras", 320 << 20)
    kerasguide.load(files["binary"])  # imports done, caches warm
    _refused(path, "model.keras", "335544320 bytes", f"{MAX_RATIO}:1")
    assert _allocated_by_load(path) < 2 << 20
    assert list(own_tmp.iterdir()) == []


def test_a_member_compressing_too_well_is_refused(files, tmp_path, own_tmp):
    zeros = bytes(8 << 20)  # 8 MiB deflate to 8 KiB: 1000:1
    path = _rewrite(files["binary"], tmp_path / "ratio.kgz", members={"model.keras": zeros})
    _refused(path, "model.keras", f"{MAX_RATIO}:1")
    assert _allocated_by_load(path) < 2 << 20
    assert list(own_tmp.iterdir()) == []


def test_a_large_manifest_is_refused_before_reading(files, tmp_path):
    path = _declare(_rewrite(files["binary"], tmp_path / "big.kgz"), "manifest.json",
                    MAX_MEMBER_BYTES + 1)  # fmt: skip
    _refused(path, "manifest.json", str(MAX_MEMBER_BYTES))
    assert _allocated_by_load(path) < 2 << 20


def test_a_failed_load_leaves_no_temporary_file(files, tmp_path, own_tmp):
    members = {"model.keras": b"PK\x03\x04 not a keras file"}
    path = _rewrite(files["binary"], tmp_path / "broken.kgz", members=members)
    _refused(path, "model.keras")
    path = _rewrite(files["binary"], tmp_path / "altered.kgz",
                    manifest=_set("fitted", "task_", "regression"))  # fmt: skip
    _refused(path, "task_")
    assert list(own_tmp.iterdir()) == []


# --------------------------------------------------------------------------- issue 20, item 8
def test_loaded_and_unpickled_copies_resume_dropout_exactly(tmp_path):
    y = X[:, 0] > 0
    clf = KerasClassifier(hidden_layers=(16,), dropout=0.3, epochs=3, random_state=0).fit(X, y)
    loaded = kerasguide.load(clf.save(tmp_path / "dropout.kgz"))
    unpickled = pickle.loads(pickle.dumps(clf))
    for est in (clf, loaded, unpickled):
        est.partial_fit(X, y)
        est.partial_fit(X, y)
    expected = clf.predict_proba(X)
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    np.testing.assert_array_equal(unpickled.predict_proba(X), expected)
    for copy in (loaded, unpickled):
        for mine, theirs in zip(copy.model_.weights, clf.model_.weights, strict=True):
            np.testing.assert_array_equal(np.asarray(mine), np.asarray(theirs))
