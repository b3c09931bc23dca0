"""Behaviour of kerasguide.scratch: correct gradients, gradient descent that converges, the
scikit-learn estimator."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from kerasguide import scratch
from kerasguide.datasets import load_houses, make_houses
from kerasguide.scratch import ScratchLinearRegression

# The talk's hand-picked parameters for its three houses.
TALK_WEIGHTS, TALK_INTERCEPT = np.array([300.0, -10.0, -1.0]), -26497.0


def standardised_houses(noise: float, n_samples: int = 200):
    """make_houses with X and y standardised, and the least-squares solution [coef..., b]."""
    X, y = make_houses(n_samples, noise=noise, random_state=0, return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = StandardScaler().fit_transform(y[:, None]).ravel()
    design = np.column_stack([X, np.ones(len(y))])
    return X, y, np.linalg.lstsq(design, y, rcond=None)[0]


def numeric_gradients(x, y, weights, intercept, reduction, h=1e-6):
    """Central differences of the cost in each weight and in the intercept."""

    def loss(w, b):
        return scratch.cost(scratch.model(x, w, b), y, reduction=reduction)

    steps = np.eye(len(weights)) * h
    grad_w = np.array([loss(weights + s, intercept) - loss(weights - s, intercept) for s in steps])
    grad_w /= 2 * h
    grad_b = (loss(weights, intercept + h) - loss(weights, intercept - h)) / (2 * h)
    return grad_w, grad_b


# --- model, cost, evaluate -------------------------------------------------------------------


def test_model_reproduces_the_talks_first_house():
    X, y = load_houses(return_X_y=True)
    y_hat = scratch.model(X, TALK_WEIGHTS, TALK_INTERCEPT)
    assert y_hat.shape == (3,)
    assert y_hat[0] == y[0] == 345_000
    assert scratch.model(X[0], TALK_WEIGHTS, TALK_INTERCEPT) == 345_000  # one sample


def test_cost_sums_or_averages_squared_errors():
    y_hat, y = np.array([3.0, -1.0, 2.0]), np.array([1.0, 1.0, 2.0])
    assert scratch.cost(y_hat, y) == 8.0
    assert scratch.cost(y_hat, y, reduction="mean") == pytest.approx(8.0 / 3)


def test_cost_refuses_shapes_that_would_broadcast():
    with pytest.raises(ValueError, match=r"Received: y_hat.shape=\(3,\), y.shape=\(3, 1\)$"):
        scratch.cost(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"Received: reduction='max'$"):
        scratch.cost(np.zeros(3), np.zeros(3), reduction="max")


def test_evaluate_is_the_root_mean_squared_error():
    X, y = load_houses(return_X_y=True)
    rmse = scratch.evaluate(X, y, TALK_WEIGHTS, TALK_INTERCEPT)
    errors = scratch.model(X, TALK_WEIGHTS, TALK_INTERCEPT) - y
    assert rmse == pytest.approx(np.sqrt(np.mean(errors**2)))
    # Not the root of the summed cost, which grows with the number of samples.
    assert rmse < np.sqrt(scratch.cost(X @ TALK_WEIGHTS + TALK_INTERCEPT, y))


def test_evaluate_replaces_test_which_pytest_would_collect():
    assert "evaluate" in scratch.__all__
    assert not hasattr(scratch, "test")
    assert "test" not in scratch.__all__


# --- gradients ------------------------------------------------------------------------------


def test_gradients_reproduce_the_talks_backpropagation_example():
    # delta = y - y_hat = -2; with x0 = -2 the gradient for w0 is -2 * delta * x0 = -8.
    x, weights, intercept = np.array([-2.0, 1.0, 3.0]), np.array([1.0, 1.0, 1.0]), 0.0
    y = scratch.model(x, weights, intercept) - 2.0
    grad_w, grad_b = scratch.gradients(x, y, weights, intercept)
    assert grad_w[0] == -8.0
    np.testing.assert_array_equal(grad_w, [-8.0, 4.0, 12.0])
    assert grad_b == 4.0
    # d(eps)/d(delta) = 2 * delta = -4 at delta = -2 (eps = delta ** 2).
    h = 1e-6
    slope = (scratch.cost(0.0, -2.0 + h) - scratch.cost(0.0, -2.0 - h)) / (2 * h)
    assert slope == pytest.approx(-4.0)
    # The talk's code multiplied by the weights: that is not the gradient.
    assert not np.allclose(grad_w, -2 * (y - scratch.model(x, weights, intercept)) * weights)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("n_samples", [1, 7])
def test_gradients_match_finite_differences(reduction, n_samples):
    rng = np.random.default_rng(n_samples)
    X, y = rng.normal(size=(n_samples, 3)), rng.normal(size=n_samples)
    weights, intercept = rng.normal(size=3), 0.3
    grad_w, grad_b = scratch.gradients(X, y, weights, intercept, reduction=reduction)
    num_w, num_b = numeric_gradients(X, y, weights, intercept, reduction)
    np.testing.assert_allclose(grad_w, num_w, rtol=1e-6, atol=1e-8)
    assert grad_b == pytest.approx(num_b, rel=1e-6, abs=1e-8)


def test_gradients_of_one_sample_and_of_a_batch():
    rng = np.random.default_rng(0)
    X, y, weights = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=3)
    total_w, total_b = scratch.gradients(X, y, weights, 0.5, reduction="sum")
    mean_w, mean_b = scratch.gradients(X, y, weights, 0.5, reduction="mean")
    np.testing.assert_allclose(total_w, 5 * mean_w)
    assert total_b == pytest.approx(5 * mean_b)
    per_sample = [scratch.gradients(X[i], y[i], weights, 0.5) for i in range(5)]
    np.testing.assert_allclose(total_w, np.sum([g for g, _ in per_sample], axis=0))
    assert total_b == pytest.approx(sum(b for _, b in per_sample))


def _keras_gradients(net, X, y):
    """Gradients of Keras's mean squared error for the model's kernel and bias, by autodiff."""
    import keras

    target = keras.ops.convert_to_tensor(y)  # a backend tensor: torch cannot subtract NumPy

    def loss_of(prediction):
        return keras.ops.mean(keras.ops.square(prediction[:, 0] - target))

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_of(net(X))
        grads = tape.gradient(loss, net.trainable_variables)
    elif backend == "jax":
        import jax

        frozen = [v.value for v in net.non_trainable_variables]

        def loss_fn(trainable):
            return loss_of(net.stateless_call(trainable, frozen, X)[0])

        grads = jax.grad(loss_fn)([v.value for v in net.trainable_variables])
    elif backend == "torch":
        import torch

        loss_of(net(torch.as_tensor(X))).backward()
        grads = [v.value.grad for v in net.trainable_variables]
    else:
        pytest.skip(f"no autodiff helper for the {backend!r} backend")
    pairs = zip(net.trainable_variables, grads, strict=True)
    by_shape = {tuple(v.shape): keras.ops.convert_to_numpy(g) for v, g in pairs}
    return by_shape[(X.shape[1], 1)][:, 0], float(by_shape[(1,)][0])


def test_gradients_equal_the_ones_keras_computes():
    pytest.importorskip("keras")
    from kerasguide.models import linear_regression

    rng = np.random.default_rng(42)
    X = rng.normal(size=(16, 3)).astype(np.float32)
    y = rng.normal(size=16).astype(np.float32)
    weights, intercept = rng.normal(size=3).astype(np.float32), np.float32(0.25)
    net = linear_regression(n_features=3, compile=False, dtype="float32")
    net.set_weights([weights[:, None], np.array([intercept])])
    keras_w, keras_b = _keras_gradients(net, X, y)
    ours_w, ours_b = scratch.gradients(X, y, weights, float(intercept), reduction="mean")
    np.testing.assert_allclose(ours_w, keras_w, rtol=1e-5, atol=1e-6)
    assert ours_b == pytest.approx(keras_b, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.zeros((2, 3)), np.zeros(2), np.zeros(4), 0.0), r"weights.shape=\(4,\)$"),
        ((np.zeros((2, 3)), np.zeros(3), np.zeros(3), 0.0), r"Received: y.shape=\(3,\)$"),
        ((np.zeros((2, 2, 3)), np.zeros(2), np.zeros(3), 0.0), r"x.shape=\(2, 2, 3\)"),
    ],
)
def test_gradients_reject_mismatched_shapes(args, message):
    with pytest.raises(ValueError, match=message):
        scratch.gradients(*args)


# --- update and train -----------------------------------------------------------------------


def test_update_steps_against_the_gradient_without_mutating():
    weights = np.array([1.0, 2.0])
    new_w, new_b = scratch.update(weights, 1.0, (np.array([10.0, -10.0]), 4.0), 0.1)
    np.testing.assert_allclose(new_w, [0.0, 3.0])
    assert new_b == pytest.approx(0.6)
    np.testing.assert_array_equal(weights, [1.0, 2.0])


def test_train_returns_parameters_and_one_loss_per_epoch():
    X, y, _ = standardised_houses(noise=0.0)
    result = scratch.train(X, y, epochs=20, learning_rate=0.01, random_state=0)
    weights, intercept, loss_curve = result  # unpacks like a tuple
    assert weights.shape == (3,)
    assert isinstance(intercept, float)
    assert len(loss_curve) == 20
    assert loss_curve[-1] < loss_curve[0]
    again = scratch.train(X, y, epochs=20, learning_rate=0.01, random_state=0)
    np.testing.assert_array_equal(again.weights, result.weights)


def test_train_diverges_loudly_on_raw_prices():
    # The talk's learning rate on unscaled square feet and dollars overshoots at once.
    X, y = load_houses(return_X_y=True)
    with pytest.raises(ValueError, match=r"diverged.*StandardScaler.*learning_rate=0\.05$"):
        scratch.train(X, y, epochs=100, learning_rate=0.05, random_state=0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epochs": 0}, ValueError, r"Received: epochs=0$"),
        ({"learning_rate": 0.0}, ValueError, r"Received: learning_rate=0\.0$"),
        ({"learning_rate": -1}, ValueError, r"Received: learning_rate=-1$"),
        ({"learning_rate": "fast"}, ValueError, r"Received: learning_rate='fast'$"),
        ({"batch_size": 0}, ValueError, r"Received: batch_size=0$"),
        ({"batch_size": 2.0}, ValueError, r"Received: batch_size=2\.0$"),
        ({"shuffle": "yes"}, TypeError, r"Received: shuffle='yes'$"),
        ({"random_state": "seed"}, ValueError, r"Received: random_state='seed'$"),
    ],
)
def test_train_rejects_bad_arguments(kwargs, error, message):
    X, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(error, match=message):
        scratch.train(X, y, **kwargs)


def test_train_rejects_bad_data():
    with pytest.raises(ValueError, match=r"Received: X.ndim=1$"):
        scratch.train(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"Received: y.shape=\(3,\)$"):
        scratch.train(np.zeros((4, 2)), np.zeros(3))


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        ([[0.0, np.nan], [1.0, 2.0]], [0.0, 1.0], r"^Input X contains NaN\.$"),
        ([[0.0, np.inf], [1.0, 2.0]], [0.0, 1.0], r"^Input X contains infinity"),
        ([[0.0, 1.0], [1.0, 2.0]], [np.nan, 1.0], r"^Input y contains NaN\.$"),
        ([[0.0, 1.0], [1.0, 2.0]], [-np.inf, 1.0], r"^Input y contains infinity"),
        (np.zeros((0, 2)), np.zeros(0), r"^Found array with 0 sample\(s\) \(shape=\(0, 2\)\)"),
    ],
    ids=["nan-X", "inf-X", "nan-y", "inf-y", "no-rows"],
)
def test_train_names_non_finite_or_empty_data_not_divergence(X, y, message):
    with pytest.raises(ValueError, match=message):
        scratch.train(np.asarray(X), np.asarray(y), random_state=0)


def test_the_other_functions_taking_data_refuse_non_finite_or_empty_data():
    weights, nan_batch = np.zeros(2), np.array([[0.0, np.nan]])
    with pytest.raises(ValueError, match=r"^Input x contains NaN\.$"):
        scratch.gradients(nan_batch, [0.0], weights, 0.0)
    with pytest.raises(ValueError, match=r"^Input x contains infinity"):
        scratch.gradients([np.inf, 0.0], 0.0, weights, 0.0)  # one sample
    with pytest.raises(ValueError, match=r"^Input y contains NaN\.$"):
        scratch.gradients(np.zeros((1, 2)), [np.nan], weights, 0.0)
    with pytest.raises(ValueError, match=r"^Found array with 0 sample\(s\)"):
        scratch.gradients(np.zeros((0, 2)), np.zeros(0), weights, 0.0, reduction="mean")
    with pytest.raises(ValueError, match=r"^Input X contains NaN\.$"):
        scratch.evaluate(nan_batch, [0.0], weights, 0.0)
    with pytest.raises(ValueError, match=r"^Input y contains infinity"):
        scratch.evaluate(np.zeros((1, 2)), [np.inf], weights, 0.0)
    with pytest.raises(ValueError, match=r"^Found array with 0 sample\(s\)"):
        scratch.evaluate(np.zeros((0, 2)), np.zeros(0), weights, 0.0)
    with pytest.raises(ValueError, match=r"^Input y_hat contains NaN\.$"):
        scratch.cost([np.nan, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"^Input y contains infinity"):
        scratch.cost(0.0, np.inf)  # scalars
    with pytest.raises(ValueError, match=r"^Found array with 0 sample\(s\)"):
        scratch.cost([], [], reduction="mean")


# --- convergence to least squares -----------------------------------------------------------


@pytest.mark.parametrize(
    ("batch_size", "learning_rate", "epochs"),
    [(1, 0.01, 100), (16, 0.05, 300)],
    ids=["per-sample", "mini-batch"],
)
def test_converges_to_least_squares_without_noise(batch_size, learning_rate, epochs):
    X, y, solution = standardised_houses(noise=0.0)
    reg = ScratchLinearRegression(
        learning_rate=learning_rate, epochs=epochs, batch_size=batch_size, random_state=0
    ).fit(X, y)
    np.testing.assert_allclose(reg.coef_, solution[:3], atol=1e-9)
    assert reg.intercept_ == pytest.approx(solution[3], abs=1e-9)


def test_full_batch_descent_converges_to_least_squares_with_noise():
    X, y, solution = standardised_houses(noise=10_000.0)
    reg = ScratchLinearRegression(learning_rate=0.2, epochs=600, batch_size=len(y)).fit(X, y)
    np.testing.assert_allclose(reg.coef_, solution[:3], atol=1e-9)
    reference = LinearRegression().fit(X, y)
    np.testing.assert_allclose(reg.coef_, reference.coef_, atol=1e-9)
    assert reg.intercept_ == pytest.approx(reference.intercept_, abs=1e-9)


def test_per_sample_descent_hovers_near_least_squares_with_noise():
    # A constant step never settles exactly on noisy data, but stays close.
    X, y, solution = standardised_houses(noise=10_000.0)
    reg = ScratchLinearRegression(random_state=0).fit(X, y)
    np.testing.assert_allclose(reg.coef_, solution[:3], atol=0.03)
    assert reg.score(X, y) == pytest.approx(LinearRegression().fit(X, y).score(X, y), abs=1e-3)


def test_recovers_the_house_law_in_dollars_inside_a_pipeline():
    X, y = make_houses(200, noise=0.0, random_state=1, return_X_y=True)
    inner = make_pipeline(
        StandardScaler(), ScratchLinearRegression(learning_rate=0.05, epochs=300, batch_size=16)
    )
    reg = TransformedTargetRegressor(inner, transformer=StandardScaler()).fit(X, y)
    np.testing.assert_allclose(reg.predict(X), y, rtol=1e-8)
    talk_houses = load_houses().data
    reference = LinearRegression().fit(X, y).predict(talk_houses)
    np.testing.assert_allclose(reg.predict(talk_houses), reference, rtol=1e-8)


# --- the scikit-learn estimator -------------------------------------------------------------


def _expected_failures(estimator):
    # X ~ N(100, 1), unscaled: any fixed learning rate of plain gradient descent diverges, and
    # the estimator says so instead of returning infinite weights.
    reason = "plain gradient descent diverges on unscaled X ~ N(100, 1)"
    return dict.fromkeys(
        ["check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in"], reason
    )


@parametrize_with_checks([ScratchLinearRegression()], expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_fitted_attributes_and_refit():
    X, y, _ = standardised_houses(noise=0.0, n_samples=50)
    reg = ScratchLinearRegression(epochs=7, random_state=0)
    with pytest.raises(NotFittedError):
        reg.predict(X)
    reg.fit(X, y)
    assert reg.n_iter_ == 7
    assert len(reg.loss_curve_) == 7
    assert reg.n_features_in_ == 3
    assert reg.coef_.shape == (3,)
    assert isinstance(reg.intercept_, float)
    np.testing.assert_allclose(reg.predict(X), X @ reg.coef_ + reg.intercept_)
    restored = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(restored.predict(X), reg.predict(X))
    assert clone(reg).get_params() == reg.get_params()
    with pytest.raises(ValueError, match="3 features"):
        reg.predict(X[:, :2])


def test_feature_names_are_remembered():
    pd = pytest.importorskip("pandas")
    houses = make_houses(40, random_state=0)
    frame = pd.DataFrame(StandardScaler().fit_transform(houses.data), columns=houses.feature_names)
    reg = ScratchLinearRegression(epochs=3).fit(frame, houses.target / houses.target.std())
    assert list(reg.feature_names_in_) == houses.feature_names


def test_estimator_validates_parameters_in_fit_only():
    reg = ScratchLinearRegression(learning_rate=-1.0, batch_size=0)
    assert reg.learning_rate == -1.0  # __init__ stores, nothing more
    with pytest.raises(ValueError, match=r"Received: learning_rate=-1\.0$"):
        reg.fit(np.zeros((4, 2)), np.zeros(4))
