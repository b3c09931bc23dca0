"""The ``kerasguide`` command: models, train, reproduce --quick; one-line user errors (status 2)
and tracebacks for bugs (status 1)."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from kerasguide.app import cli, experiments, reproduce
from kerasguide.app.datasets_table import DATASETS
from kerasguide.zoo.registry import list_models

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, env=ENV
    )


def test_models_lists_the_registry(capsys):
    assert cli.main(["models"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["name", "input", "learns", "description"]
    for name in list_models():
        assert any(line.startswith(name + " ") for line in out.splitlines())


def test_models_json_lists_the_registry_with_parameter_counts(capsys):
    import json

    assert cli.main(["models", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in rows] == list_models()
    by_name = {row["name"]: row for row in rows}
    assert by_name["softmax_regression"]["task"] == "multiclass"
    assert by_name["cnn"]["input"] == "images"
    assert by_name["rnn"]["tasks"] == ["regression", "binary", "multiclass", "multilabel"]
    assert by_name["autoencoder"]["reconstructs"] is True
    assert by_name["softmax_regression"]["parameters"] == 784 * 10 + 10
    assert by_name["logistic_regression"]["parameters"] == 784 + 1
    assert by_name["mlp"]["parameters"] == 784 * 128 + 128 + 128 * 10 + 10
    assert all(row["description"] for row in rows)


def test_python_m_kerasguide_models():
    result = _run("-m", "kerasguide", "models")
    assert result.returncode == 0, result.stderr
    assert "softmax_regression" in result.stdout
    assert "multiclass" in result.stdout
    assert result.stderr == ""


def test_models_does_not_import_keras():
    run_models = "from kerasguide.app.cli import main; main(['models'])"
    code = f"import sys; {run_models}; print(sorted(sys.modules))"
    result = _run("-c", code)
    assert result.returncode == 0, result.stderr
    assert "'keras'" not in result.stdout
    assert "'tensorflow'" not in result.stdout


def test_help_and_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("kerasguide ")
    assert cli.main(["train", "--help"]) == 0
    assert "--hidden-layers" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "required: COMMAND"),
        (["fit"], "invalid choice: 'fit'"),
        (["train", "resnet"], "Unknown model name 'resnet'"),
        (["train", "mpl"], "Did you mean 'mlp'?"),
        (["train", "mlp", "--dataset", "cifar"], "invalid choice: 'cifar'"),
        (["train", "mlp", "--epochs", "-3"], "--epochs: `epochs` must be an integer >= 1"),
        (["train", "mlp", "--epochs", "0"], "Received: epochs=0"),
        (["train", "mlp", "--batch-size", "ten"], "Received: batch_size='ten'"),
        (["train", "mlp", "--dropout", "1.0"], "--dropout: `dropout` must be a float in [0, 1)"),
        (["train", "mlp", "--dropout", "-0.1"], "Received: dropout=-0.1"),
        (["train", "mlp", "--l2", "-1"], "--l2: `l2` must be a finite float >= 0"),
        (["train", "mlp", "--learning-rate", "nan"], "Received: learning_rate=nan"),
        (["train", "mlp", "--hidden-layers", "128,abc"], "Received: hidden_layers='128,abc'"),
        (["train", "mlp", "--hidden-layers", "0"], "Received: hidden_layers=(0,)"),
        (["train", "mlp", "--seed", "-1"], "--seed: `seed` must be an integer in [0, 2**32 - 1]"),
        (["train", "mlp", "--seed", "4294967296"], "Received: seed=4294967296"),
        (["reproduce", "--seed", "4294967296"], "Received: seed=4294967296"),
        (["train", "mlp", "--mnist", "/no/such/mnist.npz"], "no such file"),
        (["train", "mlp", "--save", "model.h5"], "--save: must end in .keras"),
        (["train", "mlp", "--save", "/no/such/dir/m.keras"], "no such directory"),
        (["train", "softmax_regression", "--hidden-layers", "64"], "takes no --hidden-layers"),
        (["train", "cnn", "--hidden-layers", "8"], "flags: --dropout, --l2"),
        (["train", "rnn", "--l2", "0.1"], "takes no --l2; its architecture flags: --dropout"),
        (["train", "autoencoder", "--dropout", "0.1"], "flags: --hidden-layers, --activation"),
        (["train", "cnn", "--dataset", "houses"], "datasets it fits: digits, mnist"),
        (["train", "rnn", "--dataset", "xor"], "datasets it fits: digits, mnist, sequences"),
        (["train", "logistic_regression", "--l2", "0"], "takes no --l2"),
        (["train", "linear_regression", "--dataset", "xor"], "datasets it fits: houses"),
        (["train", "mlp", "--activation", "relux"], "`activation` must be a Keras activation"),
        (["reproduce", "--dataset", "houses"], "invalid choice: 'houses'"),
        (["reproduce", "--mnist", "/no/such/mnist.npz"], "no such file"),
        (["models", "--jsn"], "unrecognized arguments: --jsn"),
        (["datasets", "mnist"], "unrecognized arguments: mnist"),
    ],
)
def test_user_errors_are_one_line_and_status_2(capsys, argv, expected):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("kerasguide: error: ")
    assert expected in lines[0]
    assert captured.out == ""


def test_errors_found_once_keras_is_loaded_are_one_line(capsys):
    assert cli.main(["train", "linear_regression", "--dataset", "digits"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "datasets it fits: houses" in lines[0]
    assert cli.main(["train", "mlp", "--optimizer", "sgdd", "--epochs", "1"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "`optimizer` must be a Keras optimizer" in lines[0]


def test_save_to_an_existing_folder_fails_before_training(tmp_path, capsys, monkeypatch):
    from kerasguide.app import runner

    monkeypatch.setattr(runner, "fit_epochs", lambda *a: pytest.fail("trained"))
    folder = tmp_path / "model.keras"
    folder.mkdir()
    assert cli.main(["train", "mlp", "--save", str(folder)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "is a directory" in lines[0]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc, where no file can be made")
def test_save_to_an_unwritable_place_fails_before_training(capsys):
    # Even root cannot create a file in /proc; a chmod-ed folder would not stop root.
    assert cli.main(["train", "mlp", "--save", "/proc/m.keras"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "cannot write '/proc/m.keras'" in lines[0]


def test_debug_shows_the_traceback_of_a_user_error(capsys):
    for argv in (["--debug", "train", "resnet"], ["train", "resnet", "--debug"]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert "Traceback (most recent call last)" in err
        assert err.splitlines()[-1].startswith("kerasguide: error: Unknown model name 'resnet'")
    assert cli.main(["train", "resnet"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def _bug(*args, **kwargs):
    raise ValueError("an injected bug")


def test_a_bug_in_training_is_not_a_user_error(monkeypatch, capsys):
    import keras

    monkeypatch.setattr(keras.Model, "train_on_batch", _bug)
    with pytest.raises(ValueError, match="an injected bug"):
        cli.main(["train", "logistic_regression", "--epochs", "1"])
    assert "kerasguide: error" not in capsys.readouterr().err


def test_a_bug_in_a_subprocess_shows_its_traceback_and_status_1():
    code = (
        "import sys, keras\n"
        "def bug(*args, **kwargs): raise ValueError('an injected bug')\n"
        "keras.Model.train_on_batch = bug\n"
        "from kerasguide.app.cli import main\n"
        "sys.exit(main(['train', 'logistic_regression', '--epochs', '1']))\n"
    )
    result = _run("-c", code)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().endswith("ValueError: an injected bug")
    assert "kerasguide: error" not in result.stderr


def test_importing_the_command_sets_no_environment():
    env = {k: v for k, v in ENV.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    code = "import os, kerasguide.app.cli; print(os.environ.get('TF_CPP_MIN_LOG_LEVEL'))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.stdout.strip() == "None", result.stderr


def test_main_quiets_tensorflow_unless_the_user_chose(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    assert cli.main(["train", "resnet"]) == 2
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    assert cli.main(["train", "resnet"]) == 2
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1"


def test_user_error_in_a_subprocess_has_no_traceback(tmp_path):
    result = _run("-m", "kerasguide", "train", "mlp", "--dropout", "1.5")
    assert result.returncode == 2
    assert result.stderr.startswith("kerasguide: error: argument --dropout")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_train_classifier_and_save(capsys, tmp_path):
    import keras

    path = tmp_path / "digits.keras"
    argv = ["train", "mlp", "--dataset", "digits", "--hidden-layers", "32,16", "--dropout", "0.1"]
    assert cli.main([*argv, "--epochs", "2", "--save", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Training mlp on digits" in out
    assert "Test accuracy:" in out
    assert "Epoch 2/2" in out  # Keras's progress output
    model = keras.saving.load_model(path)
    assert [layer.name for layer in model.layers][:2] == ["hidden_1", "dropout_1"]


def test_train_regression_reports_dollars(capsys):
    assert cli.main(["train", "linear_regression", "--epochs", "20"]) == 0  # houses by default
    out = capsys.readouterr().out
    assert "on houses" in out
    assert "Test RMSE:" in out
    assert "R²:" in out
    rmse = float(out.split("Test RMSE: ")[1].split(" dollars")[0].replace(",", ""))
    assert rmse < 2 * DATASETS["houses"].noise


def test_train_binary_defaults_to_xor(capsys):
    assert cli.main(["train", "logistic_regression", "--epochs", "2"]) == 0
    assert "on xor" in capsys.readouterr().out


def test_ctrl_c_while_training_saves_the_model_so_far(monkeypatch, capsys, tmp_path):
    import keras

    original, calls = keras.Model.train_on_batch, []

    def interrupt_in_epoch_2(self, *args, **kwargs):  # digits: 14 batches an epoch
        calls.append(1)
        if len(calls) > 20:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "train_on_batch", interrupt_in_epoch_2)
    path = tmp_path / "m.keras"
    assert cli.main(["train", "mlp", "--epochs", "5", "--save", str(path)]) == 130
    out = capsys.readouterr().out
    assert "Training interrupted after 1 of 5 epochs." in out
    assert f"Saved the model after the interrupted training to {path}" in out
    assert keras.saving.load_model(path).output_shape == (None, 10)


@pytest.mark.parametrize("kind", ["object array", "not a zip"])
def test_a_malformed_mnist_file_is_one_line_naming_it(tmp_path, capsys, kind):
    path = tmp_path / "bad.npz"
    if kind == "object array":
        shapes = {"x_train": (4, 28, 28), "y_train": (4,), "x_test": (2, 28, 28), "y_test": (2,)}
        np.savez(path, **{k: np.empty(shape, dtype=object) for k, shape in shapes.items()})
    else:
        path.write_text("not numpy")
    for argv in (["train", "mlp", "--mnist", str(path)], ["reproduce", "--mnist", str(path)]):
        assert cli.main([*argv, "--dataset", "mnist"]) == 2
        lines = capsys.readouterr().err.splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith("kerasguide: error: cannot read MNIST from ")
        assert repr(str(path)) in lines[0]


def _namespace(**kwargs) -> argparse.Namespace:
    return argparse.Namespace(
        **{"dataset": None, "mnist": None, "seed": 0, "quick": True, **kwargs}
    )


def test_reproduce_falls_back_to_digits_and_says_so(monkeypatch, tmp_path):
    monkeypatch.delenv("KERASGUIDE_MNIST", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # an empty Keras cache
    split, why = reproduce.load_reproduce_split(_namespace())
    assert split.name == "digits"
    assert "MNIST was not found locally" in why
    assert "--mnist PATH" in why


@pytest.mark.parametrize(
    "argv",
    [["train", "mlp", "--dataset", "mnist"], ["reproduce", "--quick", "--dataset", "mnist"]],
)
def test_missing_mnist_is_one_line_and_nothing_downloads(monkeypatch, tmp_path, capsys, argv):
    monkeypatch.delenv("KERASGUIDE_MNIST", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # an empty Keras cache
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "MNIST not found locally" in lines[0]
    assert "--mnist PATH" in lines[0]


def test_reproduce_uses_a_given_mnist(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist.npz"
    arrays = {"x_train": (40, 28, 28), "y_train": (40,), "x_test": (10, 28, 28), "y_test": (10,)}
    np.savez(path, **{k: rng.integers(0, 10, shape, dtype=np.uint8) for k, shape in arrays.items()})
    split, _ = reproduce.load_reproduce_split(_namespace(mnist=path))
    assert split.name == "mnist"
    assert split.X_test.shape == (10, 784)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce")
    status = cli.main(["reproduce", "--quick", "--dataset", "digits", "--out", str(out)])
    return status, out


def test_reproduce_quick_writes_results_and_plots(quick_run, capsys):
    status, out = quick_run
    assert status == 0
    names = {p.name for p in out.iterdir()}
    assert {"results.json", "results.md", "learning_curves.png"} <= names
    assert {"decision_boundaries_xor.png", "decision_boundaries_circles.png"} <= names
    report = json.loads((out / "results.json").read_text())
    assert report["dataset"] == "digits"
    assert report["quick"] is True
    assert [row["name"] for row in report["experiments"]] == [
        e.name for e in experiments.EXPERIMENTS
    ]
    # Judged against goals made for digits: true or false, never left empty.
    assert all(isinstance(row["met"], bool) for row in report["experiments"])
    assert all(row["goal"] for row in report["experiments"])
    roadmap = report["roadmap"]
    assert [row["name"] for row in roadmap] == [e.name for e in experiments.ROADMAP]
    assert all(isinstance(row["met"], bool) for row in roadmap)
    zeros = {row["name"]: row["near_zero_weights"] for row in roadmap}
    assert zeros["reg_l1"] > zeros["reg_l2"]  # L1's lesson: sparsity
    assert "optimizer_paths.png" in report["plots"]
    assert "digit_codes.png" in report["plots"]
    # Two numbers per digit keep most of what tells the digits apart (chance is 10 %).
    assert report["digit_codes"]["knn_accuracy"] > 70.0
    assert set(report["plots"]) <= names
    assert report["houses"]["talk_scratch_rmse"] == 6052.79
    # The README's first command (seed 0): every row's lesson shows, on each backend.
    missed = [row["name"] for row in report["experiments"] + roadmap if not row["met"]]
    assert missed == []


def test_reproduce_quick_markdown_has_both_tables(quick_run):
    _, out = quick_run
    markdown = (out / "results.md").read_text()
    rules = [line for line in markdown.splitlines() if re.fullmatch(r"\|( ---:? \|)+", line)]
    assert len(rules) == 3  # houses, the talk's table and the road map
    assert "Where to from here" in markdown
    assert "| NumPy from scratch | 6,052.79 |" in markdown
    assert "| 2 | Softmax regression |" in markdown
    assert "![learning_curves](learning_curves.png)" in markdown


def test_reproduce_out_must_be_a_directory(tmp_path, capsys):
    file = tmp_path / "file"
    file.write_text("")
    assert cli.main(["reproduce", "--quick", "--out", str(file)]) == 2
    assert "is not a directory" in capsys.readouterr().err


# --------------------------------------------------------------------------- every model
@pytest.mark.parametrize("name", list_models())
def test_train_every_listed_model_for_one_epoch(name, capsys):
    # The cnn reads digits as 8x8x1 images, the rnn the sequences, the autoencoder rebuilds
    # digits: each on its default dataset.
    assert cli.main(["train", name, "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    score = "reconstruction RMSE" if name == "autoencoder" else "Test "
    assert score in out
    if name == "cnn":
        assert "on digits" in out
        assert "images of shape (8, 8, 1)" in out
    if name == "rnn":
        assert "on sequences" in out
        assert "sequences of shape (20, 2)" in out


def test_train_rnn_on_digits_reads_rows_as_steps(capsys):
    assert cli.main(["train", "rnn", "--dataset", "digits", "--epochs", "1"]) == 0
    assert "sequences of shape (8, 8)" in capsys.readouterr().out


def test_activation_maxout_is_accepted(capsys):
    args = cli.build_parser().parse_args(["train", "mlp", "--activation", "maxout"])
    assert args.activation == "maxout"
    assert cli.main(["train", "mlp", "--activation", "maxout", "--epochs", "1"]) == 0
    assert "Test accuracy" in capsys.readouterr().out


def test_largest_seed_is_accepted():
    for argv in (["train", "mlp"], ["reproduce"]):
        assert cli.build_parser().parse_args([*argv, "--seed", "4294967295"]).seed == 2**32 - 1


def test_diverging_training_is_one_line(capsys):
    assert cli.main(["train", "mlp", "--learning-rate", "1e30", "--epochs", "1"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("kerasguide: error: training diverged: ")
    assert lines[0].endswith("Try a smaller --learning-rate.")


# --------------------------------------------------------------------------- one table
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("dropout", "1.5"),
        ("l2", "-1"),
        ("learning_rate", "nan"),
        ("epochs", "0"),
        ("hidden_layers", "4,0"),
        ("batch_size", "ten"),
        ("optimizer", "sgdd"),
        ("activation", "relux"),
    ],
)
def test_the_command_line_says_what_the_estimator_says(name, text, capsys):
    from kerasguide import KerasClassifier
    from kerasguide.core.checks import parse

    X, y = np.random.default_rng(0).random((20, 4)), np.arange(20) % 2
    with pytest.raises(ValueError, match=f"Received: {name}=") as info:
        KerasClassifier(**{name: parse(name, text)}).fit(X, y)
    assert cli.main(["train", "mlp", "--" + name.replace("_", "-"), text]) == 2
    line = capsys.readouterr().err.strip()
    assert f"argument --{name.replace('_', '-')}: {info.value}" in line


def test_train_flags_take_none_where_the_estimators_do():
    import inspect

    from kerasguide import KerasClassifier
    from kerasguide.app import train

    defaults = inspect.signature(KerasClassifier).parameters
    for name, none_ok in train.FLAGS.items():
        if name != "seed":  # --seed is random_state, and a seed is never None on the line
            assert none_ok == (defaults[name].default is None), name


def test_the_app_modules_import_each_other_without_a_loop():
    import ast
    import pathlib

    import kerasguide.app

    folder = pathlib.Path(kerasguide.app.__file__).parent
    graph = {}
    for path in folder.glob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):  # lazy imports included
            if isinstance(node, ast.ImportFrom) and node.module:
                names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
        graph[path.stem] = {n.split(".")[2] for n in names if n.startswith("kerasguide.app.")}
    assert "cli" not in set().union(*graph.values())
    _seen, done = set(), set()

    def visit(module, path):
        assert module not in path, f"import loop: {' -> '.join([*path, module])}"
        if module in done:
            return
        for other in graph.get(module, ()):
            visit(other, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())


# --------------------------------------------------------------------------- no backend noise
def _quiet_run(*argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([sys.executable, "-m", "kerasguide", *argv], capture_output=True,
                          text=True, timeout=300, env=env)  # fmt: skip


def test_bad_inputs_are_one_line_with_no_backend_output_before(tmp_path):
    corrupt, wrong = tmp_path / "corrupt.npz", tmp_path / "wrong.npz"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    shapes = {"x_train": (4, 10, 10), "y_train": (4,), "x_test": (2, 28, 28), "y_test": (2,)}
    np.savez(wrong, **{k: np.zeros(shape, dtype=np.uint8) for k, shape in shapes.items()})
    runs = [
        (["train", "cnn", "--dataset", "mnist", "--mnist", str(corrupt)], "cannot read MNIST"),
        (["train", "mlp", "--dataset", "mnist", "--mnist", str(wrong)], "has shapes (4, 10, 10)"),
        (["reproduce", "--dataset", "mnist", "--mnist", str(wrong)], "cannot read MNIST"),
        (["train", "mlp", "--optimizer", "sgdd"], "`optimizer` must be a Keras optimizer"),
    ]
    for argv, expected in runs:
        result = _quiet_run(*argv)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("kerasguide: error: ")
        assert expected in lines[0]


# --------------------------------------------------------------------------- reproduce --out
@pytest.mark.parametrize("case", ["a file", "a file in the way", "unwritable"])
def test_reproduce_out_is_checked_before_anything_runs(case, tmp_path, capsys, monkeypatch):
    from kerasguide.app import runner

    monkeypatch.setattr(runner, "run_houses", lambda **kw: pytest.fail("ran"))
    file = tmp_path / "file"
    file.write_text("")
    out = {"a file": file, "a file in the way": file / "sub" / "out",
           "unwritable": "/proc/reproduce-out"}[case]  # fmt: skip
    if case == "unwritable" and not os.path.isdir("/proc"):
        pytest.skip("needs /proc, where no file can be made")
    assert cli.main(["reproduce", "--quick", "--dataset", "digits", "--out", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("kerasguide: error: argument --out: ")
    expected = {"a file": "is not a directory", "a file in the way": "is a file, not a directory",
                "unwritable": "cannot write"}[case]  # fmt: skip
    assert expected in lines[0]
