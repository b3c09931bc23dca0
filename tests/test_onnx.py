"""ONNX export: onnxruntime's outputs equal ``predict`` / ``predict_proba`` of the estimator."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")

from kerasguide import KerasClassifier, KerasRegressor, to_onnx  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(80, 4)).astype(np.float32)


def _run(proto, X):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": X}), strict=True))


def _targets(kind):
    return {
        "binary": (X[:, 0] > 0).astype(int) + 3,
        "multiclass": np.digitize(X[:, 0], [-0.5, 0.5]),
        "strings": np.array(["cat", "dog", "emu"])[np.digitize(X[:, 1], [-0.5, 0.5])],
        "binary_strings": np.where(X[:, 2] > 0, "yes", "no"),
        "multilabel": (X[:, :3] > 0).astype(int),
    }[kind]


@pytest.mark.parametrize("kind", ["binary", "multiclass", "strings", "binary_strings",
                                  "multilabel"])  # fmt: skip
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_classifier_outputs_match(kind, dtype):
    clf = KerasClassifier(hidden_layers=(8,), dropout=0.1, epochs=5, random_state=0)
    clf.fit(X, _targets(kind))
    Xd = X.astype(dtype)
    out = _run(to_onnx(clf, Xd[:1]), Xd)
    np.testing.assert_array_equal(out["label"], clf.predict(Xd))
    np.testing.assert_allclose(out["probabilities"], clf.predict_proba(Xd), rtol=1e-5, atol=1e-5)
    assert out["probabilities"].dtype == np.float32


@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regressor_outputs_match(n_outputs, dtype):
    y = X[:, :n_outputs] * 3.0 + 1.0
    reg = KerasRegressor(hidden_layers=(8,), activation="tanh", epochs=5, random_state=0)
    reg.fit(X, y[:, 0] if n_outputs == 1 else y)
    Xd = X.astype(dtype)
    (variable,) = _run(to_onnx(reg, Xd[:1]), Xd).values()
    assert variable.shape == (len(X), n_outputs)
    expected = reg.predict(Xd).reshape(len(X), n_outputs)
    np.testing.assert_allclose(variable, expected, rtol=1e-5, atol=1e-5)


def test_an_unknown_layer_is_named():
    import keras

    def build(n_features, n_outputs, **kwargs):
        model = keras.Sequential([keras.Input((n_features,)),
                                  keras.layers.BatchNormalization(name="my_norm"),
                                  keras.layers.Dense(n_outputs, activation="softmax")])  # fmt: skip
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model

    clf = KerasClassifier(build, epochs=1, random_state=0).fit(X, _targets("multiclass"))
    with pytest.raises(ValueError, match=r"my_norm.*BatchNormalization"):
        to_onnx(clf, X[:1])


def test_a_leading_flatten_is_exported():
    import keras

    def build(n_features, n_outputs, **kwargs):
        model = keras.Sequential([keras.Input((n_features,)), keras.layers.Flatten(),
                                  keras.layers.Dense(n_outputs)])  # fmt: skip
        model.compile(optimizer="adam", loss="mse")
        return model

    reg = KerasRegressor(build, epochs=2, random_state=0).fit(X, X[:, 0])
    (variable,) = _run(to_onnx(reg, X[:1]), X).values()
    np.testing.assert_allclose(variable.ravel(), reg.predict(X), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["strings", "binary"])
def test_inside_a_pipeline_with_skl2onnx(kind):
    skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra is not installed")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from kerasguide.export import register_skl2onnx

    register_skl2onnx()
    pipe = make_pipeline(StandardScaler(), KerasClassifier(epochs=5, random_state=0))
    pipe.fit(X * 10 + 5, _targets(kind))
    Xs = X * 10 + 5
    proto = skl2onnx.to_onnx(pipe, Xs[:1], options={id(pipe[-1]): {"zipmap": False}})
    out = _run(proto, Xs)
    assert list(out) == ["label", "probabilities"]
    np.testing.assert_array_equal(out["label"], pipe.predict(Xs))
    np.testing.assert_allclose(out["probabilities"], pipe.predict_proba(Xs), rtol=1e-5, atol=1e-5)


def test_a_regressor_inside_a_pipeline_with_skl2onnx():
    skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra is not installed")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from kerasguide.export import register_skl2onnx

    register_skl2onnx()
    pipe = make_pipeline(StandardScaler(), KerasRegressor(hidden_layers=(4,), epochs=3,
                                                          random_state=0))  # fmt: skip
    pipe.fit(X, X[:, 0] * 2)
    (variable,) = _run(skl2onnx.to_onnx(pipe, X[:1]), X).values()
    np.testing.assert_allclose(variable.ravel(), pipe.predict(X), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_transformer_exports_what_transform_returns(dtype):
    from kerasguide import KerasTransformer

    encoder = KerasTransformer(code_size=2, hidden_layers=(8,), epochs=3, random_state=0).fit(X)
    Xd = X.astype(dtype)
    (variable,) = _run(to_onnx(encoder, Xd[:1]), Xd).values()
    assert variable.shape == (len(X), 2)  # the code, not the 4-wide reconstruction
    np.testing.assert_allclose(variable, encoder.transform(Xd), rtol=1e-5, atol=1e-5)


def test_a_supervised_transformer_exports_its_hidden_layer():
    from kerasguide import KerasTransformer

    features = KerasTransformer("mlp", hidden_layers=(6, 3), epochs=3, random_state=0)
    features.fit(X, _targets("strings"))
    (variable,) = _run(to_onnx(features, X[:1]), X).values()
    assert variable.shape == (len(X), 3)
    np.testing.assert_allclose(variable, features.transform(X), rtol=1e-5, atol=1e-5)


def test_a_transformer_inside_a_pipeline_with_skl2onnx():
    skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra is not installed")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from kerasguide import KerasTransformer
    from kerasguide.export import register_skl2onnx

    register_skl2onnx()
    pipe = make_pipeline(StandardScaler(), KerasTransformer(hidden_layers=(8,), epochs=2,
                                                            random_state=0))  # fmt: skip
    pipe.fit(X)
    (variable,) = _run(skl2onnx.to_onnx(pipe, X[:1]), X).values()
    np.testing.assert_allclose(variable, pipe.transform(X), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["strings", "binary", "multiclass"])
@pytest.mark.parametrize("zipmap", [False, True])
def test_the_nocl_option_gives_class_indices(kind, zipmap):
    """As skl2onnx's converters of scikit-learn classifiers: ``nocl=True`` labels are indices."""
    skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra is not installed")
    from kerasguide.export import register_skl2onnx

    register_skl2onnx()
    clf = KerasClassifier(hidden_layers=(8,), epochs=3, random_state=0).fit(X, _targets(kind))
    options = {id(clf): {"zipmap": zipmap, "nocl": True}}
    label, proba = _run(skl2onnx.to_onnx(clf, X[:1], options=options), X).values()
    indices = np.searchsorted(clf.classes_, clf.predict(X))
    assert label.dtype == np.int64
    np.testing.assert_array_equal(label, indices)
    if zipmap:  # a list of {class index: probability}
        assert sorted(proba[0]) == list(range(len(clf.classes_)))
        proba = np.array([[row[i] for i in range(len(clf.classes_))] for row in proba])
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-5, atol=1e-5)
    options = {id(clf): {"zipmap": zipmap, "nocl": False}}
    label, _ = _run(skl2onnx.to_onnx(clf, X[:1], options=options), X).values()
    np.testing.assert_array_equal(label, clf.predict(X))


def test_a_transformer_over_convolutions_is_refused_by_name():
    from kerasguide import KerasTransformer

    images = RNG.normal(size=(20, 6, 6, 1)).astype(np.float32)
    features = KerasTransformer("cnn", model_params={"filters": (2,)}, epochs=1, random_state=0)
    features.fit(images, np.arange(20) % 2)
    with pytest.raises(ValueError, match=r"cannot export .*Conv2D"):
        to_onnx(features, images[:1].reshape(1, -1))
