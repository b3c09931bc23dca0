"""Categorical columns (issue 25): ``categorical_features``, ``embedding_dim``, ``is_categorical_``.

The first part ports scikit-learn's own ``HistGradientBoosting`` tests of categorical features
(``sklearn/ensemble/_hist_gradient_boosting/tests/test_gradient_boosting.py``), on tiny data and
few epochs; the rest follows the columns everywhere the estimators go. Run on TensorFlow and
JAX (``KERAS_BACKEND=jax``).
"""

from __future__ import annotations

import json
import pickle
import re
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import kerasguide
from kerasguide import KerasClassifier, KerasRegressor, KerasTransformer
from kerasguide.datasets import make_shop_table
from kerasguide.exceptions import InvalidParameterError
from kerasguide.zoo.layers import CategoricalEmbedding

pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

ESTIMATORS = (KerasClassifier, KerasRegressor)
FAST = {"hidden_layers": (8,), "epochs": 3, "random_state": 0}


def _frame(n=120, levels=20, seed=0):
    """A numeric column, a 3-level and a ``levels``-level category column, and a target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "num": rng.normal(size=n),
        "few": pd.Categorical(rng.choice(["a", "b", "c"], n)),
        "many": pd.Categorical([f"L{v:02d}" for v in rng.integers(0, levels, n)]),
    })  # fmt: skip
    y = ((frame["few"] == "a") | (frame["num"] > 0.5)).to_numpy().astype(int)
    return frame, y


# --------------------------------------------------------------------------- ported from HGB
@pytest.mark.parametrize("insert_missing", [False, True])
@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("bool_categorical_parameter", [True, False])
def test_unknown_categories_nan(insert_missing, Est, bool_categorical_parameter):
    # No error at predict for a category not seen in fit; it reads as missing (NaN).
    rng = np.random.RandomState(0)
    n_samples = 200
    X = np.c_[rng.rand(n_samples), rng.randint(4, size=n_samples)]
    y = (X[:, 1] % 2 == 0).astype(float)
    categorical_features = [False, True] if bool_categorical_parameter else [1]
    if insert_missing:
        mask = rng.binomial(1, 0.05, size=n_samples).astype(bool)
        X[mask, 1] = np.nan
    est = Est(categorical_features=categorical_features, **FAST).fit(X, y)
    assert_array_equal(est.is_categorical_, [False, True])
    assert_array_equal(est.categories_[0], [0.0, 1.0, 2.0, 3.0])
    X_test = np.zeros((10, 2))
    X_test[:5, 1] = 30
    X_test[5:, 1] = np.nan
    assert len(np.unique(est.predict(X_test))) == 1


@pytest.mark.parametrize("missing", [None, np.nan, "pd.NA"])
def test_unknown_and_missing_read_alike_in_frames_without_a_warning(missing, recwarn):
    frame, y = _frame()
    est = KerasClassifier(**FAST).fit(frame, y)
    missing = pd.NA if missing == "pd.NA" else missing
    test = pd.DataFrame({"num": [0.0, 0.0, 0.0],
                         "few": pd.Series(["zzz", missing, "zzz"], dtype=object),
                         "many": ["L00", "L00", "L00"]})  # fmt: skip
    proba = est.predict_proba(test)
    assert_array_equal(proba[0], proba[1])
    assert not [w for w in recwarn if "categor" in str(w.message).lower()]


@pytest.mark.parametrize(
    ("categorical_features", "expected_msg"),
    [
        (np.array([b"hello", 1.3], dtype=object), "`categorical_features` must be"),
        (np.array([0.5, 1.0]), "`categorical_features` must be"),
        ("auto", "`categorical_features` must be"),
        ([0, -1], re.escape("categorical_features set as integer indices must be in "
                            "[0, n_features - 1]")),
        ([0, 4], re.escape("categorical_features set as integer indices must be in "
                           "[0, n_features - 1]")),
        ([True, True, False, False, True],
         re.escape("categorical_features set as a boolean mask must have shape (n_features,)")),
    ],
)  # fmt: skip
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_categorical_spec_errors(Est, categorical_features, expected_msg):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    X[:, 0] = rng.randint(0, 10, size=30)
    est = Est(categorical_features=categorical_features, **FAST)
    with pytest.raises(InvalidParameterError, match=expected_msg):
        est.fit(X, rng.randint(0, 2, size=30))
    assert not hasattr(est, "model_")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_categorical_spec_errors_with_feature_names(Est):
    n_samples = 10
    X = pd.DataFrame({"f0": range(n_samples), "f1": range(n_samples), "f2": [1.0] * n_samples})
    y = [0, 1] * (n_samples // 2)
    expected_msg = re.escape(
        "categorical_features has an item value 'f3' which is not a valid feature name of the "
        "training data."
    )
    with pytest.raises(ValueError, match=expected_msg):
        Est(categorical_features=["f0", "f1", "f3"], **FAST).fit(X, y)
    expected_msg = re.escape(
        "categorical_features should be passed as an array of integers or as a boolean mask "
        "when the model is fitted on data without feature names."
    )
    with pytest.raises(ValueError, match=expected_msg):
        Est(categorical_features=["f0", "f1"], **FAST).fit(X.to_numpy(), y)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("categorical_features", [[False, False], [], None, "from_dtype"])
@pytest.mark.parametrize("as_array", [True, False])
def test_categorical_spec_no_categories(Est, categorical_features, as_array):
    X = np.arange(10.0).reshape(5, 2)
    y = np.arange(5) % 2
    if as_array and isinstance(categorical_features, list):
        categorical_features = np.asarray(categorical_features)
    est = Est(categorical_features=categorical_features, **FAST).fit(X, y)
    assert est.is_categorical_ is None
    assert not hasattr(est, "categories_")
    assert not isinstance(est.model_.layers[0], CategoricalEmbedding)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize(("use_pandas", "feature_name"), [(False, "at index 0"), (True, "'f0'")])
def test_categorical_bad_encoding_errors(Est, use_pandas, feature_name):
    # HGB refuses more categories than bins; here every level is a category, but values that
    # cannot be sorted (numbers and strings mixed) are refused, naming the column.
    values = np.array([0, "a", 2], dtype=object)
    X = pd.DataFrame({"f0": values}) if use_pandas else values[:, None]
    msg = f"The categorical column {feature_name} holds values of types"
    with pytest.raises(ValueError, match=msg):
        Est(categorical_features=[True], **FAST).fit(X, np.arange(3) % 2)
    # NaNs are not categories.
    est = Est(categorical_features=[True], **FAST).fit(np.array([[0, 1, np.nan]]).T, [0, 1, 0])
    assert_array_equal(est.categories_[0], [0.0, 1.0])


@pytest.mark.parametrize("dataframe_lib", ["pandas", "polars"])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_dataframe_categorical_results_same_as_ndarray(dataframe_lib, Est):
    """A category column of a frame gives the model an integer column marked by a mask does."""
    pytest.importorskip(dataframe_lib)
    rng = np.random.RandomState(42)
    n_samples = 300
    f_num = rng.rand(n_samples)
    f_cat = rng.randint(50, size=n_samples)
    y = ((f_cat % 3 == 0) & (f_num > 0.2)).astype(int)
    X = np.c_[f_num, f_cat]
    names = [f"cat{c:0>3}" for c in f_cat]  # sorted as the integers are
    if dataframe_lib == "pandas":
        X_df = pd.DataFrame({"f_num": f_num, "f_cat": pd.Categorical(names)})
    else:
        import polars as pl

        X_df = pl.DataFrame({"f_num": f_num, "f_cat": pl.Series(names, dtype=pl.Categorical)})
    est_np = Est(categorical_features=[False, True], **FAST).fit(X, y)
    est_df = Est(categorical_features="from_dtype", **FAST).fit(X_df, y)
    assert_array_equal(est_df.categories_[0], np.unique(names))
    assert_array_equal(est_df.is_categorical_, [False, True])
    assert isinstance(est_df.model_.layers[0], CategoricalEmbedding)
    assert_allclose(est_np.predict(X), est_df.predict(X_df))
    assert est_np.score(X, y) == pytest.approx(est_df.score(X_df, y))


def test_dataframe_categorical_errors():
    frame, y = _frame()
    est = KerasClassifier(**FAST)
    with_nan = frame.assign(num=frame["num"].where(frame.index != 3))
    with pytest.raises(ValueError, match="Input X contains NaN in the numeric column 'num'"):
        est.fit(with_nan, y)
    est.fit(frame, y)
    with pytest.raises(ValueError, match="Input X contains NaN in the numeric column 'num'"):
        est.predict(with_nan)
    with pytest.raises(ValueError, match=r"Feature names seen at fit time, yet now missing"):
        est.predict(frame[["num", "few"]])
    import scipy.sparse as sp

    with pytest.raises(ValueError, match="categorical_features needs a dense X"):
        KerasClassifier(categorical_features=[0], **FAST).fit(sp.csr_matrix(np.eye(4)), [0, 1] * 2)


@pytest.mark.parametrize("dataframe_lib", ["pandas", "polars"])
def test_categorical_different_order_same_model(dataframe_lib):
    """The order of a dtype's levels does not change the model: the categories are sorted."""
    pytest.importorskip(dataframe_lib)
    rng = np.random.RandomState(42)
    f_ints = rng.randint(low=0, high=2, size=100)
    y = f_ints.copy()
    flipped = rng.choice([True, False], size=100, p=[0.1, 0.9])
    y[flipped] = 1 - y[flipped]
    values = np.asarray(["A", "B"])[f_ints]
    if dataframe_lib == "pandas":
        frames = [pd.DataFrame({"f_cat": pd.Categorical(values, categories=order)})
                  for order in (["A", "B"], ["B", "A"])]  # fmt: skip
    else:
        import polars as pl

        frames = [pl.DataFrame({"f_cat": pl.Series(values, dtype=pl.Enum(order))})
                  for order in (["A", "B"], ["B", "A"])]  # fmt: skip
    a_b, b_a = (KerasClassifier(**FAST).fit(f, y) for f in frames)
    assert_array_equal(a_b.categories_[0], ["A", "B"])
    assert_array_equal(b_a.categories_[0], ["A", "B"])
    assert_allclose(a_b.predict_proba(frames[0]), b_a.predict_proba(frames[1]))


def test_pandas_nullable_dtype():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({
        "a": pd.array(rng.integers(10, size=60), dtype="Int64"),
        "s": pd.array(rng.choice(["u", "v", "w"], 60), dtype="string"),
        "f": pd.array(rng.normal(size=60), dtype="Float64"),
        "b": pd.array(rng.integers(2, size=60).astype(bool), dtype="boolean"),
    })  # fmt: skip
    X.loc[[1, 2], "a"] = pd.NA
    X.loc[[3], "s"] = pd.NA
    y = rng.integers(2, size=60)
    est = KerasClassifier(categorical_features=["a", "s"], **FAST).fit(X, y)
    assert_array_equal(est.categories_[0], np.arange(10))
    assert_array_equal(est.categories_[1], ["u", "v", "w"])
    assert est.predict(X).shape == (60,)
    # A nullable numeric column with a missing value is refused, by name.
    X.loc[[5], "f"] = pd.NA
    with pytest.raises(ValueError, match="numeric column 'f'"):
        est.predict(X)


# --------------------------------------------------------------------------- the encoding
def test_a_frame_lacking_a_level_gives_its_rows_the_same_output():
    """skorch's pitfall: a batch without one level must not shift the others' codes."""
    frame, y = _frame()
    est = KerasClassifier(**FAST).fit(frame, y)
    rows = (frame["few"] != "b").to_numpy() & (frame["many"] != "L03").to_numpy()
    lacking = frame[rows].copy()
    for name in ("few", "many"):  # the frame's own codes now skip the lost levels
        lacking[name] = lacking[name].cat.remove_unused_categories()
    assert "b" not in lacking["few"].cat.categories
    assert_allclose(est.predict_proba(lacking), est.predict_proba(frame)[rows])
    as_objects = lacking.astype({"few": object, "many": object})
    assert_allclose(est.predict_proba(as_objects), est.predict_proba(frame)[rows])


def test_few_levels_are_one_hot_many_are_embedded_with_the_documented_width():
    frame, y = _frame(levels=20)
    est = KerasClassifier(**FAST).fit(frame, y)
    layer = est.model_.layers[0]
    assert isinstance(layer, CategoricalEmbedding)
    # num, then 3 one-hot columns, then the 20 codes through an embedding of 9 values.
    assert (layer.n_passed, layer.input_dims, layer.output_dims) == (4, [21], [9])
    assert est.model_.input_shape == (None, 5)
    narrow = KerasClassifier(embedding_dim=3, **FAST).fit(frame, y)
    assert narrow.model_.layers[0].output_dims == [3]
    few = KerasClassifier(**FAST).fit(frame[["num", "few"]], y)
    assert few.model_.input_shape == (None, 4)  # one-hot only: no embedding layer
    assert not isinstance(few.model_.layers[0], CategoricalEmbedding)


def test_the_network_reads_standardized_numbers_one_hot_columns_then_codes():
    """The documented encoding, built by hand, fed to ``model_`` (Keras) gives ``predict_proba``
    (kerasguide's NumPy forward pass, which reads the embedding layer too)."""
    frame, y = _frame()
    est = KerasClassifier(**FAST).fit(frame, y)
    num = frame["num"].to_numpy()
    few = frame["few"].to_numpy()
    rows = np.column_stack([
        (num - num.mean()) / num.std(),
        *[(few == level).astype(float) for level in ("a", "b", "c")],
        np.searchsorted(est.categories_[1], frame["many"].to_numpy()) + 1.0,
    ]).astype(np.float32)  # fmt: skip
    keras_out = np.asarray(est.model_.predict(rows, verbose=0))[:, 0]
    assert_allclose(est.predict_proba(frame)[:, 1], keras_out, rtol=1e-5, atol=1e-6)


def test_embedding_dim_is_checked_by_the_table():
    frame, y = _frame()
    with pytest.raises(InvalidParameterError, match=r"Received: embedding_dim=0"):
        KerasClassifier(embedding_dim=0, **FAST).fit(frame, y)


def test_numeric_columns_are_standardized_with_fit_statistics():
    frame, y = _frame()
    scaled = frame.assign(num=frame["num"] * 1000.0 + 5.0)
    a = KerasClassifier(**FAST).fit(frame, y)
    b = KerasClassifier(**FAST).fit(scaled, y)
    assert_allclose(a.predict_proba(frame), b.predict_proba(scaled), atol=1e-5)


def _rows_models():
    return kerasguide.list_models(input="rows")


@pytest.mark.parametrize("name", _rows_models())
def test_every_model_that_takes_rows_takes_categorical_columns(name):
    from kerasguide.zoo.registry import get_model_card

    card = get_model_card(name)
    frame, y = _frame()
    if card.reconstructs:
        est = KerasTransformer(model=name, epochs=2, random_state=0).fit(frame)
        assert est.transform(frame).shape[0] == len(frame)
        return
    if "binary" in card.tasks:
        est = KerasClassifier(model=name, epochs=2, random_state=0).fit(frame, y)
    elif "multiclass" in card.tasks:
        est = KerasClassifier(model=name, epochs=2, random_state=0).fit(frame, frame["few"])
    else:
        est = KerasRegressor(model=name, epochs=2, random_state=0).fit(frame, y.astype(float))
    assert isinstance(est.model_.layers[0], CategoricalEmbedding)
    assert est.predict(frame).shape == (len(frame),)


@pytest.mark.parametrize("model", ["cnn", "rnn"])
def test_image_and_sequence_models_refuse_categorical_columns(model):
    frame, y = _frame()
    with pytest.raises(ValueError, match=rf"Model '{model}' reads .*categorical columns"):
        KerasClassifier(model=model, **FAST).fit(frame, y)


def test_input_shape_is_refused_with_categorical_columns():
    frame, y = _frame()
    with pytest.raises(ValueError, match=r"input_shape cannot reshape them"):
        KerasClassifier(input_shape=(1, 3), epochs=1).fit(frame, y)


def test_a_failed_fit_leaves_the_fitted_encoding_as_it_was():
    frame, y = _frame()
    est = KerasClassifier(**FAST).fit(frame, y)
    before = est.predict_proba(frame)
    bad = frame.assign(num=np.nan)
    with pytest.raises(ValueError, match="numeric column"):
        est.fit(bad, y)
    assert_array_equal(est.categories_[0], ["a", "b", "c"])
    assert_allclose(est.predict_proba(frame), before)


def test_validation_data_warm_start_and_partial_fit_use_the_fitted_encoding():
    frame, y = _frame()
    est = KerasClassifier(early_stopping=True, **FAST)
    est.fit(frame[:100], y[:100], X_val=frame[100:], y_val=y[100:])
    assert len(est.validation_loss_curve_) == est.n_iter_
    est.set_params(warm_start=True).fit(frame[:50], y[:50])
    assert_array_equal(est.categories_[1], sorted(frame["many"].unique()))
    inc = KerasClassifier(**FAST)
    inc.partial_fit(frame, y, classes=[0, 1]).partial_fit(frame[:10], y[:10])
    assert inc.n_iter_ == 2


def test_a_sequential_callable_gets_the_embedding_layer_in_front():
    import keras

    def build(input_shape, n_outputs, seed):
        model = keras.Sequential([keras.Input(input_shape), keras.layers.Dense(n_outputs,
                                  activation="sigmoid")])  # fmt: skip
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    frame, y = _frame()
    est = KerasClassifier(model=build, epochs=2, random_state=0).fit(frame, y)
    assert isinstance(est.model_.layers[0], CategoricalEmbedding)
    assert est.predict(frame).shape == (len(frame),)


def test_the_transformer_reconstructs_a_table_and_reads_supervised_features():
    frame, y = _frame()
    encoder = KerasTransformer(code_size=2, epochs=2, random_state=0)
    codes = encoder.fit_transform(frame)
    assert codes.shape == (len(frame), 2)
    # 1 number and 3 + 20 one-hot columns, in and out; a warm start keeps the fitted encoding.
    assert encoder.model_.input_shape == encoder.model_.output_shape == (None, 24)
    encoder.set_params(warm_start=True).fit(frame[frame["many"] != "L00"])
    assert encoder.n_iter_ == 4
    features = KerasTransformer(model="mlp", **FAST).fit(frame, y).transform(frame)
    assert features.shape == (len(frame), 8)


# --------------------------------------------------------------------------- everywhere
def test_pipeline_column_transformer_grid_search_and_clone():
    frame, y = _frame()
    pre = ColumnTransformer(
        [("num", StandardScaler(), ["num"])], remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")  # fmt: skip
    pipe = make_pipeline(pre, KerasClassifier(**FAST)).fit(frame, y)
    est = pipe[-1]
    assert_array_equal(est.is_categorical_, [False, True, True])
    assert pipe.predict(frame).shape == (len(frame),)
    search = GridSearchCV(KerasClassifier(**FAST), {"embedding_dim": [2, 4]}, cv=2)
    search.fit(frame, y)
    assert search.best_params_["embedding_dim"] in (2, 4)
    cloned = clone(KerasClassifier(categorical_features=["few"], embedding_dim=5))
    assert cloned.get_params()["categorical_features"] == ["few"]
    assert cloned.get_params()["embedding_dim"] == 5


def test_pickle_and_save_load_keep_the_categories(tmp_path):
    frame, y = _frame()
    est = KerasRegressor(**FAST).fit(frame, y.astype(float))
    expected = est.predict(frame)
    copy = pickle.loads(pickle.dumps(est))
    assert_allclose(copy.predict(frame), expected)
    path = est.save(tmp_path / "shop.kgz")
    loaded = kerasguide.load(path)
    assert_allclose(loaded.predict(frame), expected)
    assert_array_equal(loaded.is_categorical_, est.is_categorical_)
    for a, b in zip(loaded.categories_, est.categories_, strict=True):
        assert_array_equal(a, b)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["fitted"]["table"]["categories"][0]["values"] == ["a", "b", "c"]
    # The file keeps working after more training.
    loaded.set_params(warm_start=True).fit(frame, y.astype(float))


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda t: t["categories"][1]["values"].pop(), "embeddings"),
        (lambda t: t["categories"][0]["values"].reverse(), "distinct and sorted"),
        (lambda t: t["is_categorical"].append(True), "is_categorical_"),
        (lambda t: t["scale"].__setitem__(0, -1.0), "scale positive"),
    ],
)
def test_load_refuses_an_altered_encoding(tmp_path, edit, match):
    frame, y = _frame()
    path = KerasClassifier(**FAST).fit(frame, y).save(tmp_path / "a.kgz")
    altered = tmp_path / "altered.kgz"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(altered, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "manifest.json":
                manifest = json.loads(content)
                edit(manifest["fitted"]["table"])
                content = json.dumps(manifest).encode()
            target.writestr(info, content)
    with pytest.raises(ValueError, match=match):
        kerasguide.load(altered)


def test_a_mask_given_as_an_array_is_saved(tmp_path):
    frame, y = _frame()
    est = KerasClassifier(categorical_features=np.array([False, True, True]), **FAST)
    loaded = kerasguide.load(est.fit(frame, y).save(tmp_path / "mask.kgz"))
    assert loaded.get_params()["categorical_features"] == [False, True, True]
    assert_allclose(loaded.predict_proba(frame), est.predict_proba(frame))


def test_save_refuses_categories_json_cannot_hold(tmp_path):
    days = pd.Series(pd.to_datetime(["2026-01-01", "2026-01-02"] * 10), dtype="category")
    X = pd.DataFrame({"day": days, "x": np.arange(20.0)})
    est = KerasClassifier(**FAST).fit(X, np.arange(20) % 2)
    with pytest.raises(ValueError, match=r"KerasClassifier\.save stores the categories as JSON"):
        est.save(tmp_path / "days.kgz")


def test_model_card_lists_the_categorical_columns():
    frame, y = _frame()
    card = KerasClassifier(**FAST).fit(frame, y).model_card()
    assert "| `few` | `a`, `b`, `c` | one-hot |" in card
    assert "| `many` | `L00`, `L01`" in card
    assert "| embedding of 9 |" in card


def test_onnx_export_is_refused_naming_the_categorical_columns():
    frame, y = _frame()
    est = KerasClassifier(**FAST).fit(frame, y)
    with pytest.raises(ValueError, match=r"categorical columns \('few', 'many'\)"):
        kerasguide.to_onnx(est)


def test_the_shop_table_trains_with_its_categories():
    X, y = make_shop_table(300, random_state=0, return_X_y=True)
    est = KerasClassifier(**FAST).fit(X, y)
    assert_array_equal(est.is_categorical_, [True] * 5 + [False] * 2)
    assert len(est.categories_[0]) == 50
    ndarray, _ = make_shop_table(300, random_state=0, as_frame=False, return_X_y=True)
    flat = KerasClassifier(categorical_features=[0, 1, 2, 3, 4], **FAST).fit(ndarray, y)
    assert_allclose(flat.predict_proba(ndarray), est.predict_proba(X))


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"categorical_features": None}, "categorical_features"),
        ({"embedding_dim": 3}, "embedding_dim"),
    ],
)
def test_a_warm_start_refuses_a_changed_encoding(change, name):
    X, y = make_shop_table(300, random_state=0, return_X_y=True)
    est = KerasClassifier(hidden_layers=(8,), epochs=2, warm_start=True, random_state=0)
    est.fit(X, y)
    before = est.predict_proba(X)
    est.set_params(**change)
    with pytest.raises(ValueError, match=f"`{name}` encodes X otherwise"):
        est.fit(X, y)
    np.testing.assert_array_equal(est.predict_proba(X), before)
