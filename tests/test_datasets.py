"""Behaviour of kerasguide.datasets: the Bunch contract, the generators' laws, MNIST lookup."""

from __future__ import annotations

import socket
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from kerasguide import datasets
from kerasguide.datasets import mnist_files

MNIST_COPY = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"

SMALL_SETS = {
    "load_houses": lambda **kw: datasets.load_houses(**kw),
    "make_houses": lambda **kw: datasets.make_houses(50, random_state=0, **kw),
    "load_digits": lambda **kw: datasets.load_digits(**kw),
    "make_xor": lambda **kw: datasets.make_xor(50, random_state=0, **kw),
    "make_circles": lambda **kw: datasets.make_circles(50, random_state=0, **kw),
}


@pytest.fixture
def mnist_copy() -> Path:
    if not MNIST_COPY.is_file():
        pytest.skip(f"no local MNIST copy at {MNIST_COPY} (see shared/data/README.md)")
    return MNIST_COPY


@pytest.fixture
def no_mnist_anywhere(monkeypatch, tmp_path):
    """An empty Keras cache, no KERASGUIDE_MNIST and a network that never answers."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(datasets.MNIST_ENV, raising=False)
    monkeypatch.setattr(mnist_files, "network_reachable", lambda *args, **kwargs: False)
    return tmp_path


def write_tiny_mnist(path: Path, n_train: int = 6, n_test: int = 4, **overrides) -> Path:
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": np.arange(n_train, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": np.arange(n_test, dtype=np.uint8) % 10,
    }
    arrays.update(overrides)
    arrays = {key: value for key, value in arrays.items() if value is not None}
    np.savez(path, **arrays)
    return path


# --- the Bunch contract, shared by every small dataset --------------------------------------


@pytest.mark.parametrize("name", sorted(SMALL_SETS))
def test_bunch_and_return_X_y_agree(name):
    bunch = SMALL_SETS[name]()
    for key in ("data", "target", "feature_names", "target_names", "DESCR"):
        assert key in bunch
    assert bunch.data.ndim == 2
    assert len(bunch.feature_names) == bunch.data.shape[1]
    assert bunch.target.shape == (bunch.data.shape[0],)
    assert isinstance(bunch.DESCR, str)
    assert bunch.DESCR
    X, y = SMALL_SETS[name](return_X_y=True)
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


@pytest.mark.parametrize("name", sorted(SMALL_SETS))
def test_return_X_y_must_be_bool(name):
    with pytest.raises(TypeError, match=r"Received: return_X_y='yes'$"):
        SMALL_SETS[name](return_X_y="yes")


# --- houses ----------------------------------------------------------------------------------


def test_load_houses_is_the_talks_table():
    houses = datasets.load_houses()
    np.testing.assert_array_equal(houses.data, [[1250, 350, 3], [1700, 900, 6], [1400, 600, 3]])
    np.testing.assert_array_equal(houses.target, [345_000, 580_000, 360_000])
    assert houses.data.dtype == houses.target.dtype == np.float64
    assert houses.feature_names == ["floor_area_sqft", "distance_to_transport_m", "rooms"]


def test_make_houses_has_realistic_magnitudes():
    X, y = datasets.make_houses(2000, random_state=1, return_X_y=True)
    assert X.shape == (2000, 3)
    assert X.dtype == y.dtype == np.float64
    area, distance, rooms = X.T
    assert area.min() >= 600
    assert area.max() <= 3000
    assert distance.min() >= 50
    assert distance.max() <= 2000
    assert rooms.min() >= 1
    assert rooms.max() <= 8
    np.testing.assert_array_equal(X, np.rint(X))  # whole square feet, metres and rooms
    assert np.corrcoef(area, rooms)[0, 1] > 0.5  # bigger houses have more rooms
    assert y.min() > 50_000
    assert y.max() < 1_200_000


def test_make_houses_without_noise_is_exactly_its_law():
    houses = datasets.make_houses(30, noise=0.0, random_state=3)
    np.testing.assert_array_equal(houses.coef, datasets.HOUSES_COEF)
    assert houses.intercept == datasets.HOUSES_INTERCEPT
    np.testing.assert_allclose(houses.data @ houses.coef + houses.intercept, houses.target)


def test_make_houses_law_is_recovered_by_least_squares():
    houses = datasets.make_houses(4000, random_state=0)
    fit = LinearRegression().fit(houses.data, houses.target)
    np.testing.assert_allclose(fit.coef_, houses.coef, rtol=0.05)
    np.testing.assert_allclose(fit.intercept_, houses.intercept, rtol=0.1)
    residual_std = np.std(houses.target - fit.predict(houses.data))
    assert residual_std == pytest.approx(10_000, rel=0.05)  # the default noise


@pytest.mark.parametrize("maker", [datasets.make_houses, datasets.make_xor, datasets.make_circles])
def test_generators_are_reproducible(maker):
    a, b, c = maker(40, random_state=7), maker(40, random_state=7), maker(40, random_state=8)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.target, b.target)
    assert not np.array_equal(a.data, c.data)
    rng = np.random.RandomState(7)
    np.testing.assert_array_equal(maker(40, random_state=rng).data, a.data)


@pytest.mark.parametrize("maker", [datasets.make_houses, datasets.make_xor, datasets.make_circles])
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_samples": 0}, r"`n_samples`.*Received: n_samples=0$"),
        ({"n_samples": 2.5}, r"Received: n_samples=2\.5$"),
        ({"n_samples": True}, r"Received: n_samples=True$"),
        ({"noise": -1.0}, r"`noise`.*Received: noise=-1\.0$"),
        ({"noise": "high"}, r"Received: noise='high'$"),
        ({"noise": float("inf")}, r"`noise` must be a finite float >= 0\. Received: noise=inf$"),
        ({"noise": np.inf}, r"`noise`.*Received: noise=inf$"),
        ({"noise": float("nan")}, r"`noise` must be a finite float >= 0\. Received: noise=nan$"),
        ({"random_state": "seed"}, r"`random_state`.*Received: random_state='seed'$"),
    ],
)
def test_generators_reject_bad_arguments(maker, kwargs, message):
    with pytest.raises(ValueError, match=message):
        maker(**kwargs)


# --- digits and the playground toys ----------------------------------------------------------


def test_load_digits_scaled_and_raw():
    digits = datasets.load_digits()
    assert digits.data.shape == (1797, 64)
    assert digits.images.shape == (1797, 8, 8)
    assert digits.data.dtype == np.float32
    assert digits.target.dtype == np.int64
    assert digits.data.min() == 0.0
    assert digits.data.max() == 1.0
    np.testing.assert_array_equal(digits.images.reshape(1797, 64), digits.data)
    assert sorted(set(digits.target.tolist())) == list(range(10))
    raw, _ = datasets.load_digits(scale=False, return_X_y=True)
    assert raw.dtype == np.float32
    assert raw.max() == 16.0
    np.testing.assert_allclose(raw / 16, digits.data)


def test_make_xor_labels_follow_the_signs():
    X, y = datasets.make_xor(500, noise=0.0, random_state=0, return_X_y=True)
    assert X.shape == (500, 2)
    assert y.dtype == np.int64
    assert np.abs(X).max() <= 1.0
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    assert 0.4 < y.mean() < 0.6
    noisy, same_labels = datasets.make_xor(500, noise=0.3, random_state=0, return_X_y=True)
    np.testing.assert_array_equal(same_labels, y)  # noise moves the points, not the labels
    assert not np.allclose(noisy, X)


def test_make_xor_is_not_linearly_separable():
    from sklearn.linear_model import LogisticRegression

    X, y = datasets.make_xor(400, noise=0.0, random_state=0, return_X_y=True)
    assert LogisticRegression().fit(X, y).score(X, y) < 0.7


def test_make_circles_radii_and_labels():
    X, y = datasets.make_circles(100, noise=0.0, factor=0.3, random_state=0, return_X_y=True)
    assert X.shape == (100, 2)
    assert y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 50]
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)


@pytest.mark.parametrize("factor", [0.0, 1.0, 1.5, -0.2, "half", True])
def test_make_circles_rejects_bad_factor(factor):
    with pytest.raises(ValueError, match=rf"Received: factor={factor!r}$"):
        datasets.make_circles(factor=factor)


# --- MNIST: the real copy --------------------------------------------------------------------


def test_load_mnist_from_explicit_path(mnist_copy, no_mnist_anywhere):
    mnist = datasets.load_mnist(mnist_copy, download=False)
    assert mnist.data.shape == (60000, 784)
    assert mnist.data.dtype == np.float32
    assert mnist.data_test.shape == (10000, 784)
    assert mnist.data_test.dtype == np.float32
    assert mnist.target.shape == (60000,)
    assert mnist.target.dtype == np.int64
    assert mnist.target_test.shape == (10000,)
    assert mnist.data.min() == 0.0
    assert mnist.data.max() == 1.0
    assert sorted(set(mnist.target.tolist())) == list(range(10))
    assert len(mnist.feature_names) == 784
    assert mnist.filename == str(mnist_copy)


def test_load_mnist_from_environment_variable(mnist_copy, no_mnist_anywhere, monkeypatch):
    monkeypatch.setenv(datasets.MNIST_ENV, str(mnist_copy))
    (X_train, y_train), (X_test, y_test) = datasets.load_mnist(
        flatten=False, scale=False, download=False, return_X_y=True
    )
    assert X_train.shape == (60000, 28, 28)
    assert X_test.shape == (10000, 28, 28)
    assert X_train.dtype == np.float32
    assert X_train.max() == 255.0
    assert y_train.dtype == y_test.dtype == np.int64


# --- MNIST: the lookup order, with tiny files -----------------------------------------------


def test_load_mnist_path_may_name_a_folder(tmp_path, no_mnist_anywhere):
    write_tiny_mnist(tmp_path / "mnist.npz")
    mnist = datasets.load_mnist(tmp_path, download=False)
    assert mnist.data.shape == (6, 784)
    assert mnist.data_test.shape == (4, 784)
    assert mnist.filename == str(tmp_path / "mnist.npz")


def test_load_mnist_path_wins_over_environment(tmp_path, no_mnist_anywhere, monkeypatch):
    monkeypatch.setenv(datasets.MNIST_ENV, str(tmp_path / "missing.npz"))
    given = write_tiny_mnist(tmp_path / "given.npz")
    assert datasets.load_mnist(given, download=False).filename == str(given)


def test_load_mnist_finds_the_keras_cache(no_mnist_anywhere):
    cache = no_mnist_anywhere / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    write_tiny_mnist(cache / "mnist.npz")
    mnist = datasets.load_mnist(download=False)
    assert mnist.filename == str(cache / "mnist.npz")
    assert mnist.target.tolist() == [0, 1, 2, 3, 4, 5]


def test_load_mnist_offline_without_download_fails_at_once(no_mnist_anywhere):
    start = time.perf_counter()
    with pytest.raises(FileNotFoundError) as excinfo:
        datasets.load_mnist(download=False)
    assert time.perf_counter() - start < 1.0
    message = str(excinfo.value)
    for expected in ("`path`", "KERASGUIDE_MNIST", "keras_home", "download=False"):
        assert expected in message


def test_load_mnist_offline_with_download_names_the_network(no_mnist_anywhere):
    with pytest.raises(FileNotFoundError, match=r"did not answer") as excinfo:
        datasets.load_mnist()
    assert "KERASGUIDE_MNIST" in str(excinfo.value)


def test_load_mnist_download_says_so_on_stderr(no_mnist_anywhere, monkeypatch, capsys):
    # The download branch, with a stand-in for Keras: no network is touched.
    x, y = np.zeros((3, 28, 28), np.uint8), np.array([1, 2, 3], np.uint8)
    fake_mnist = types.SimpleNamespace(load_data=lambda: ((x, y), (x[:2], y[:2])))
    fake_keras = types.SimpleNamespace(datasets=types.SimpleNamespace(mnist=fake_mnist))
    monkeypatch.setitem(sys.modules, "keras", fake_keras)
    monkeypatch.setattr(mnist_files, "network_reachable", lambda *args, **kwargs: True)
    mnist = datasets.load_mnist()
    assert mnist.data.shape == (3, 784)
    assert mnist.target_test.tolist() == [1, 2]
    assert "downloading MNIST" in capsys.readouterr().err


def test_network_probe_answers_quickly_on_localhost():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert mnist_files.network_reachable("127.0.0.1", port)
    start = time.perf_counter()
    assert not mnist_files.network_reachable("127.0.0.1", port)  # closed now: refused
    assert time.perf_counter() - start < 2.5


# --- MNIST: bad paths and files ---------------------------------------------------------------


def test_load_mnist_missing_path_names_it(tmp_path, no_mnist_anywhere):
    missing = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(FileNotFoundError, match=r"nowhere.*Received: path="):
        datasets.load_mnist(missing)


def test_load_mnist_missing_environment_file_names_the_variable(
    tmp_path, no_mnist_anywhere, monkeypatch
):
    monkeypatch.setenv(datasets.MNIST_ENV, str(tmp_path / "gone.npz"))
    with pytest.raises(FileNotFoundError, match=r"Received: KERASGUIDE_MNIST=.*gone\.npz"):
        datasets.load_mnist(download=False)


def test_load_mnist_rejects_a_file_that_is_not_npz(tmp_path, no_mnist_anywhere):
    bogus = tmp_path / "mnist.txt"
    bogus.write_text("not an archive")
    with pytest.raises(ValueError, match=r"mnist\.txt.*not a NumPy \.npz file"):
        datasets.load_mnist(bogus)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"y_test": None}, r"lacks \['y_test'\]"),
        ({"x_train": np.zeros((6, 8, 8), np.uint8)}, r"has shapes \(6, 8, 8\)"),
        ({"y_train": np.zeros(5, np.uint8)}, r"has shapes \(6, 28, 28\), \(5,\)"),
    ],
)
def test_load_mnist_rejects_another_layout(tmp_path, no_mnist_anywhere, overrides, message):
    path = write_tiny_mnist(tmp_path / "odd.npz", **overrides)
    with pytest.raises(ValueError, match=message):
        datasets.load_mnist(path)


def _object_labels(n: int) -> np.ndarray:
    return np.array([str(i % 10) for i in range(n)], dtype=object)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # Object arrays load only through pickle, which could run code: refused, file named.
        ({"y_train": _object_labels(6)}, r"Object arrays cannot be loaded when allow_pickle"),
        ({"x_test": np.zeros((4, 28, 28), dtype=object)}, r"Object arrays cannot be loaded"),
        ({"y_test": np.array(list("0123"))}, r"y_test of dtype <U1; expected numbers"),
        ({"x_train": np.zeros((6, 28, 28), np.complex64)}, r"x_train of dtype complex64"),
    ],
    ids=["object-labels", "object-images", "string-labels", "complex-images"],
)
def test_load_mnist_refusals_name_the_file(tmp_path, no_mnist_anywhere, overrides, message):
    path = write_tiny_mnist(tmp_path / "mine.npz", **overrides)
    with pytest.raises(ValueError, match=message) as caught:
        datasets.load_mnist(path)
    assert repr(str(path)) in str(caught.value)


def test_load_mnist_names_a_file_whose_member_is_corrupt(tmp_path, no_mnist_anywhere):
    path = write_tiny_mnist(tmp_path / "corrupt.npz")
    raw = bytearray(path.read_bytes())
    raw[2000] ^= 0xFF  # inside x_train's pixels (np.savez stores them uncompressed)
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="could not be read") as caught:
        datasets.load_mnist(path)
    assert repr(str(path)) in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"path": 42}, TypeError),
        ({"flatten": "no"}, TypeError),
        ({"scale": None}, TypeError),
        ({"download": 0}, TypeError),
    ],
)
def test_load_mnist_rejects_bad_arguments(kwargs, error, no_mnist_anywhere):
    name, value = next(iter(kwargs.items()))
    with pytest.raises(error, match=rf"Received: {name}={value!r}$"):
        datasets.load_mnist(**kwargs)
