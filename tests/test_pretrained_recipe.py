"""The pretrained models' recipes retrain them, ``kerasguide pretrained`` shows them, and the
``.kgz`` float16 storage they use loads as before (old files too)."""

from __future__ import annotations

import json
import shlex
import zipfile

import numpy as np
import pytest
from sklearn.datasets import load_digits

import kerasguide
from kerasguide.app import cli
from kerasguide.io import kgz
from kerasguide.zoo import pretrained as zoo

#: Fits of a fixed number of epochs end while the loss still improves: expected here.
pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")


def test_the_smallest_model_retrains_with_its_recipe(tmp_path, mnist_path, capsys):
    name = min(kerasguide.list_pretrained(), key=lambda n: zoo.pretrained_info(n)["num_params"])
    info = zoo.pretrained_info(name)
    argv = shlex.split(info["recipe"])
    assert argv[:2] == ["kerasguide", "train"]
    assert argv[-2:] == ["--save", f"{name}.kgz"]
    out = tmp_path / f"{name}.kgz"
    assert cli.main([*argv[1:-1], str(out), "--mnist", str(mnist_path)]) == 0
    assert f"Saved the estimator to {out}" in capsys.readouterr().out
    with np.load(mnist_path, allow_pickle=False) as data:
        X, y = data["x_test"], data["y_test"]
    retrained = kerasguide.load(out)
    accuracy = retrained.score(X.reshape(len(X), -1) / np.float32(255), y)
    assert abs(accuracy - info["metrics"]["mnist-test"]["accuracy"]) <= 0.002
    assert retrained.get_params() == kerasguide.load_pretrained(name)[-1].get_params() | {
        "verbose": 1  # the command trains verbosely; the bundled file is stored quiet
    }


def test_train_takes_the_cnn_flags_and_saves_a_kgz(tmp_path):
    out = tmp_path / "cnn.kgz"
    argv = ["train", "cnn", "--dataset", "digits", "--epochs", "1", "--filters", "4,8",
            "--dense-layers", "16", "--normalization", "batch", "--optimizer", "adam",
            "--learning-rate-schedule", "cosine", "--save", str(out)]  # fmt: skip
    assert cli.main(argv) == 0
    clf = kerasguide.load(out)
    params = clf.get_params()
    assert params["model_params"] == {"filters": (4, 8), "dense_layers": (16,)}
    assert params["normalization"] == "batch"
    assert params["learning_rate_schedule"] == "cosine"
    assert [layer.name for layer in clf.model_.layers][:2] == ["conv_1", "norm_1"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "mlp", "--filters", "8"], "takes no --filters; its architecture flags"),
        (["train", "cnn", "--dense-layers", "0"], "Received: dense_layers=(0,)"),
        (["train", "cnn", "--normalization", "group"], "`normalization` must be 'batch'"),
        (
            ["train", "cnn", "--learning-rate-schedule", "cosin", "--epochs", "1"],
            "Received: learning_rate_schedule='cosin'",
        ),
        (["train", "mlp", "--save", "m.pkl"], "must end in .keras or .kgz"),
        (["pretrained", "mnist_cnn"], "Did you mean 'mnist-cnn'?"),
    ],
)
def test_mistakes_are_one_line_errors(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_the_pretrained_command_prints_the_table_and_one_entry(capsys):
    assert cli.main(["pretrained"]) == 0
    out = capsys.readouterr().out
    for name in kerasguide.list_pretrained():
        info = zoo.pretrained_info(name)
        accuracy = f"{100 * info['metrics']['mnist-test']['accuracy']:.2f} %"
        assert any(name in line and accuracy in line and f"{info['num_params']:,}" in line
                   for line in out.splitlines())  # fmt: skip
    assert cli.main(["pretrained", "mnist-cnn"]) == 0
    out = capsys.readouterr().out
    info = zoo.pretrained_info("mnist-cnn")
    assert info["recipe"] in out
    assert info["sha256"] in out
    assert "CC BY-SA 3.0" in out


@pytest.fixture(scope="module")
def digits_clf():
    X, y = load_digits(return_X_y=True)
    clf = kerasguide.KerasClassifier("mlp", hidden_layers=(32,), epochs=3, random_state=0)
    return clf.fit(X / 16, y), X / 16, y


def test_float16_storage_rounds_the_weights_and_drops_the_optimizer(tmp_path, digits_clf):
    clf, X, y = digits_clf
    before = clf.model_.get_weights()
    full, half = tmp_path / "full.kgz", tmp_path / "half.kgz"
    kgz.write(clf, full)
    kgz.write(clf, half, weights="float16")
    for kept, saved in zip(before, clf.model_.get_weights(), strict=True):
        assert np.array_equal(kept, saved)  # the estimator itself is not rounded
    assert half.stat().st_size < 0.6 * full.stat().st_size
    loaded = kerasguide.load(half)
    for saved, kept in zip(clf.model_.get_weights(), loaded.model_.get_weights(), strict=True):
        assert kept.dtype == saved.dtype  # stored rounded, computed in the network's dtype
        assert np.array_equal(kept, saved.astype(np.float16).astype(saved.dtype))
    assert int(loaded.model_.optimizer.iterations) == 0  # a fresh optimizer
    assert np.abs(loaded.predict_proba(X) - clf.predict_proba(X)).max() < 1e-2
    loaded.set_params(warm_start=True, epochs=1).fit(X, y)
    assert loaded.n_iter_ == clf.n_iter_ + 1
    with pytest.raises(ValueError, match="Received: weights='float64'"):
        kgz.write(clf, tmp_path / "x.kgz", weights="float64")


def test_files_without_the_weights_entry_still_load(tmp_path, digits_clf):
    clf, X, _ = digits_clf
    new = tmp_path / "new.kgz"
    kgz.write(clf, new)
    old = tmp_path / "old.kgz"
    with zipfile.ZipFile(new) as source, zipfile.ZipFile(old, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                del manifest["model"]["weights"]  # as files saved before float16 storage
                data = json.dumps(manifest).encode()
            target.writestr(item, data)
    assert (kerasguide.load(old).predict(X) == clf.predict(X)).all()
