"""The whole-program path (chunks of epochs in one compiled call) against the step path."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

from kerasguide import KerasClassifier, KerasRegressor
from kerasguide._estimator import compiled, fitting
from kerasguide.exceptions import ConvergenceWarning, TrainingInterruptedWarning

pytestmark = pytest.mark.skipif(
    keras.backend.backend() not in ("tensorflow", "jax"), reason="TensorFlow and JAX only"
)

# 500 rows in batches of 32 leave a partial last batch (padded with weight-0 rows).
PARAMS = {
    "hidden_layers": (32,),
    "epochs": 20,
    "batch_size": 32,
    "optimizer": "adam",
    "learning_rate": 1e-3,
    "shuffle": True,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:500] / 16.0).astype(np.float32), y[:500]


@pytest.fixture
def whole(monkeypatch):
    """Every eligible fit takes the compiled path; the calls of ``train_compiled`` are counted."""
    calls = []
    original = compiled.train_compiled

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(fitting, "COMPILED_MIN_STEPS", 0)
    monkeypatch.setattr(compiled, "train_compiled", counted)
    return calls


def _fit(estimator, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **kwargs)


class _PerBatch(keras.callbacks.Callback):
    """A callback with a per-batch hook: its fits take the batch-by-batch path."""

    def on_train_batch_end(self, batch, logs=None):
        pass


def _stepped(cls=KerasClassifier, **params):
    return cls(callbacks=[_PerBatch()], **params)


def _assert_same_model(a, b):
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-4)
    for wa, wb in zip(a.model_.get_weights(), b.model_.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("xla", [False, True], ids=["graph", "xla"])
def test_compiled_and_step_paths_give_the_same_model(digits, whole, monkeypatch, xla):
    X, y = digits
    if xla:  # TensorFlow compiles with XLA from XLA_MIN_STEPS (JAX always does)
        monkeypatch.setattr(compiled, "XLA_MIN_STEPS", 0)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    fast = _fit(KerasClassifier(**PARAMS), X, y, sample_weight=weights)
    assert whole, "the compiled path was not taken"
    _assert_same_model(fast, _fit(_stepped(**PARAMS), X, y, sample_weight=weights))


def test_regressor_with_l2_penalty_agrees(digits, whole):
    X, _ = digits
    target = X @ np.linspace(-1.0, 1.0, X.shape[1])
    params = {**PARAMS, "l2": 1e-3, "epochs": 12}
    fast = _fit(KerasRegressor(**params), X, target)
    assert whole
    _assert_same_model(fast, _fit(_stepped(KerasRegressor, **params), X, target))


def test_compiled_path_stops_where_the_step_path_stops(digits, whole):
    X, y = digits
    params = {**PARAMS, "epochs": 60, "tol": 5e-2, "n_iter_no_change": 3}
    fast = _fit(KerasClassifier(**params), X, y)
    stepped = _fit(_stepped(**params), X, y)
    assert fast.n_iter_ == stepped.n_iter_ < 60


def test_warm_start_and_partial_fit_continue_on_the_compiled_path(digits, whole):
    X, y = digits
    params = {**PARAMS, "epochs": 5, "warm_start": True}
    fast, stepped = KerasClassifier(**params), _stepped(**params)
    for estimator in (fast, stepped):
        _fit(estimator, X, y)
        _fit(estimator, X, y)
        estimator.partial_fit(X, y)
        estimator.partial_fit(X, y)
    assert len(whole) == 4
    assert fast.n_iter_ == 12
    _assert_same_model(fast, stepped)


def test_interrupt_keeps_the_weights_of_the_complete_chunks(digits, whole, monkeypatch):
    X, y = digits
    runs = []
    for runner in (compiled.TFRunner, compiled.JaxRunner):
        original = runner.run

        def run(self, *arrays, _original=original):
            if runs:
                raise KeyboardInterrupt
            runs.append(1)
            return _original(self, *arrays)

        monkeypatch.setattr(runner, "run", run)
    params = {**PARAMS, "n_iter_no_change": 10}  # the first chunk holds 10 epochs
    with pytest.warns(TrainingInterruptedWarning, match="interrupted after 10"):
        interrupted = _fit(KerasClassifier(**params), X, y)
    monkeypatch.undo()
    monkeypatch.setattr(fitting, "COMPILED_MIN_STEPS", 0)
    ten = _fit(KerasClassifier(**{**params, "epochs": 10}), X, y)
    assert interrupted.n_iter_ == 10
    for a, b in zip(interrupted.model_.get_weights(), ten.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_seeded_refits_are_bit_identical(digits, whole):
    X, y = digits
    params = {**PARAMS, "dropout": 0.2}
    first = _fit(KerasClassifier(**params), X, y).predict_proba(X)
    second = _fit(KerasClassifier(**params), X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)


def test_folds_of_different_sizes_compile_once(digits, whole, monkeypatch):
    X, y = digits
    traces = []
    original = compiled.loss_object

    def counting(model):
        loss = original(model)
        if loss is None:
            return None

        class Counted(type(loss)):
            def __call__(self, *args, **kwargs):
                traces.append(1)  # the loss is called once per trace of the program
                return loss(*args, **kwargs)

        return Counted.from_config(loss.get_config())

    monkeypatch.setattr(compiled, "loss_object", counting)
    params = {**PARAMS, "hidden_layers": (17,), "epochs": 3}  # an architecture of its own
    for rows in (500, 490, 481):  # 16 batches of 32 each
        _fit(KerasClassifier(**params), X[:rows], y[:rows])
    assert len(whole) == 3
    assert len(traces) == 1


def _record_tf_programs(monkeypatch, xla_refuses: bool = False) -> list[bool]:
    """From any number of steps, TensorFlow's programs are built with XLA where the rule allows
    it; returns the list of their ``jit`` flags, in build order. ``xla_refuses``: an XLA program
    fails when called, as one XLA cannot compile does."""
    import tensorflow as tf

    built = []
    original = compiled.tf_program

    def recording(model, loss, steps, jit, validating=False):
        built.append(jit)
        if not (jit and xla_refuses):
            return original(model, loss, steps, jit, validating)

        def fails(*arrays):
            raise tf.errors.InvalidArgumentError(None, None, "XLA cannot compile this")

        return fails

    monkeypatch.setattr(compiled, "XLA_MIN_STEPS", 0)
    monkeypatch.setattr(compiled, "tf_program", recording)
    return built


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's XLA fallback")
def test_a_program_xla_refuses_runs_as_a_plain_graph(digits, whole, monkeypatch):
    X, y = digits
    built = _record_tf_programs(monkeypatch, xla_refuses=True)
    params = {**PARAMS, "hidden_layers": (19,), "epochs": 4}  # an architecture of its own
    fast = _fit(KerasClassifier(**params), X, y)
    assert built == [True, False]
    _assert_same_model(fast, _fit(_stepped(**params), X, y))


def test_float64_data_agrees_with_the_step_path(digits, whole):
    X, _ = digits
    X = X.astype(np.float64)
    target = X @ np.linspace(-1.0, 1.0, X.shape[1])
    params = {**PARAMS, "epochs": 6}
    fast = _fit(KerasRegressor(**params), X, target)
    assert whole
    _assert_same_model(fast, _fit(_stepped(KerasRegressor, **params), X, target))


def test_a_diverging_fit_raises_and_leaves_the_estimator_unfitted(digits, whole):
    X, _ = digits
    target = 1e30 * X[:, 10]
    with pytest.raises(ValueError, match="non-finite loss"):
        _fit(KerasRegressor(**{**PARAMS, "learning_rate": 1e3, "normalize_y": False}), X, target)
    assert whole


def test_only_tensorflows_retracing_warning_about_our_own_programs_is_dropped():
    import logging

    from kerasguide._estimator.compiled import OwnProgramsRetracing

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("tensorflow", logging.WARNING, __file__, 1, message, None, None)

    keep = OwnProgramsRetracing().filter
    ours = "5 out of the last 6 calls to <function tf_program.<locals>.chunk at 0x1> triggered"
    assert not keep(record(ours + " tf.function retracing."))
    assert keep(record("5 out of the last 6 calls to <function f at 0x1> triggered tf.function "
                       "retracing."))  # fmt: skip
    assert keep(record("tf_program.<locals>.chunk: some other warning"))


@pytest.mark.parametrize("l2", [0.0, 1e-3], ids=["plain", "l2"])
def test_early_stopping_runs_inside_the_program_and_agrees(digits, whole, l2):
    X, y = digits
    params = {**PARAMS, "epochs": 60, "early_stopping": True, "tol": 2e-2, "n_iter_no_change": 4,
              "l2": l2}  # fmt: skip
    fast = _fit(KerasClassifier(**params), X, y)
    assert whole, "the compiled path was not taken"
    stepped = _fit(_stepped(**params), X, y)
    assert fast.n_iter_ < 60  # it did stop early
    np.testing.assert_allclose(fast.history_["val_loss"], stepped.history_["val_loss"], rtol=1e-4)
    _assert_same_model(fast, stepped)  # the best epoch's weights, on both paths


class _EpochLog(keras.callbacks.Callback):
    """Epoch hooks only; stops training after ``stop_after`` epochs."""

    def __init__(self, stop_after=None):
        super().__init__()
        self.stop_after, self.events, self.weights = stop_after, [], []

    def on_train_begin(self, logs=None):
        self.events.append("begin")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append((epoch, sorted(logs)))
        self.weights.append(self.model.get_weights()[0].copy())
        if self.stop_after is not None and epoch + 1 >= self.stop_after:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.events.append("end")


def test_callbacks_with_epoch_hooks_only_run_between_chunks_of_the_program(digits, whole):
    X, y = digits
    log, stepped_log = _EpochLog(stop_after=3), _EpochLog(stop_after=3)
    fast = _fit(KerasClassifier(**{**PARAMS, "callbacks": [log]}), X, y)
    assert whole, "the compiled path was not taken"
    stepped = _fit(KerasClassifier(**{**PARAMS, "callbacks": [stepped_log, _PerBatch()]}), X, y)
    assert log.events == ["begin", (0, ["loss"]), (1, ["loss"]), (2, ["loss"]), "end"]
    assert log.events == stepped_log.events
    assert fast.n_iter_ == 3
    # The callback saw the trained weights of each epoch, as on the step path.
    for a, b in zip(log.weights, stepped_log.weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert log.model is fast.model_  # the estimator's own model, not a pooled engine
    _assert_same_model(fast, stepped)


def test_a_callback_that_lowers_the_learning_rate_reaches_the_program(digits, whole):
    X, y = digits
    lower = keras.callbacks.LearningRateScheduler(lambda epoch, rate: 1e-3 / (1 + epoch))
    fast = _fit(KerasClassifier(**{**PARAMS, "epochs": 4, "callbacks": [lower]}), X, y)
    assert whole
    again = keras.callbacks.LearningRateScheduler(lambda epoch, rate: 1e-3 / (1 + epoch))
    stepped = _fit(KerasClassifier(**{**PARAMS, "epochs": 4, "callbacks": [again, _PerBatch()]}),
                   X, y)  # fmt: skip
    np.testing.assert_allclose(float(fast.model_.optimizer.learning_rate), 1e-3 / 4, rtol=1e-6)
    _assert_same_model(fast, stepped)


def test_verbose_prints_a_line_per_epoch_on_the_compiled_path(digits, whole, capsys):
    X, y = digits
    _fit(KerasClassifier(**{**PARAMS, "epochs": 3, "verbose": 2}), X, y)
    assert whole
    out = capsys.readouterr().out
    assert [line.startswith("Epoch") for line in out.splitlines() if "Epoch" in line] == [True] * 3
    assert "loss:" in out


def test_which_callbacks_need_the_batch_by_batch_path():
    from kerasguide._estimator.loop import needs_batch_hooks

    assert not needs_batch_hooks(None)
    assert not needs_batch_hooks([keras.callbacks.EarlyStopping(), _EpochLog()])
    assert needs_batch_hooks([_PerBatch()])
    assert needs_batch_hooks([keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: None)])
    assert not needs_batch_hooks([keras.callbacks.LambdaCallback(on_epoch_end=print)])


@pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")  # every thread
def test_fits_in_parallel_threads_match_the_same_fits_one_by_one(digits, whole):
    import threading

    X, y = digits
    params = {**PARAMS, "hidden_layers": (21,), "epochs": 4}  # an architecture of its own
    alone = [_fit(KerasClassifier(**{**params, "random_state": s}), X, y) for s in range(3)]
    together = [None] * 3

    def work(seed):
        # Not _fit: warnings.catch_warnings is not thread-safe.
        together[seed] = KerasClassifier(**{**params, "random_state": seed}).fit(X, y)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(whole) == 6
    for a, b in zip(alone, together, strict=True):
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


@pytest.mark.parametrize("schedule", ["cosine", "step", "plateau"])
def test_learning_rate_schedules_run_inside_the_program_and_agree(digits, whole, schedule):
    X, y = digits
    params = {**PARAMS, "epochs": 6, "learning_rate_schedule": schedule, "learning_rate": 1e-2,
              "n_iter_no_change": 2, "tol": 0.05}  # fmt: skip
    fast = _fit(KerasClassifier(**params), X, y)
    assert whole, "the compiled path was not taken"
    stepped = _fit(_stepped(**params), X, y)
    np.testing.assert_allclose(
        fast.history_["learning_rate"], stepped.history_["learning_rate"], rtol=1e-6
    )
    _assert_same_model(fast, stepped)


def test_models_that_draw_random_numbers_are_told_apart():
    from kerasguide import build_model

    assert compiled.draws_random_numbers(build_model("mlp", n_features=4, n_outputs=3, dropout=0.2))
    assert not compiled.draws_random_numbers(build_model("mlp", n_features=4, n_outputs=3))
    rnn = build_model("rnn", input_shape=(5, 2), n_outputs=2, bidirectional=True)
    assert compiled.draws_random_numbers(rnn)  # the cells hold a seed generator


def test_xla_is_kept_off_the_models_it_slows():
    from kerasguide import build_model

    dropout_mlp = build_model("mlp", n_features=4, n_outputs=3, dropout=0.2)
    assert not compiled.slower_under_xla(dropout_mlp)  # the fed Dropout draws with Philox
    assert compiled.slower_under_xla(build_model("cnn", input_shape=(8, 8, 1), n_outputs=3))
    rnn = build_model("rnn", input_shape=(5, 2), n_outputs=2, dropout=0.2)
    assert compiled.slower_under_xla(rnn)  # the cells draw their own masks


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's XLA rule")
def test_dropout_trains_under_xla_with_its_rate_fed(digits, whole, monkeypatch):
    X, y = digits
    built = _record_tf_programs(monkeypatch)
    params = {**PARAMS, "hidden_layers": (23,), "epochs": 3, "random_state": 5}
    fits = [_fit(KerasClassifier(**params, dropout=rate), X, y) for rate in (0.3, 0.3, 0.6)]
    assert built == [True]  # one XLA program serves both rates
    for wa, wb in zip(fits[0].model_.get_weights(), fits[1].model_.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)  # a seeded refit, bit for bit
    assert fits[0].loss_curve_ != fits[2].loss_curve_  # the rate fed is the rate used


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("penalty", [{"l2": 1e-3}, {"l1": 1e-4}, {"l1": 1e-4, "l2": 1e-3}],
                         ids=["l2", "l1", "l1l2"])  # fmt: skip
def test_penalties_train_on_both_paths_in_either_dtype(digits, whole, penalty, dtype):
    # The compiled program added float32 penalties to a float64 loss: TensorFlow refused
    # ("Input 'y' of 'AddV2' Op has type float32 that does not match type float64").
    X, y = digits
    X = X[:200].astype(dtype)
    params = {**PARAMS, **penalty, "epochs": 4, "early_stopping": False}
    fast = _fit(KerasClassifier(**params), X, y[:200])
    assert whole, "the compiled path was not taken"
    stepped = _fit(_stepped(**params), X, y[:200])
    assert np.all(np.isfinite(fast.loss_curve_))
    _assert_same_model(fast, stepped)
    # The validation pass inside the program adds the penalties too.
    checked = _fit(KerasClassifier(**{**params, "early_stopping": True}), X, y[:200])
    assert np.all(np.isfinite(checked.validation_loss_curve_))


@pytest.mark.parametrize("path", ["compiled", "step"])
def test_a_diverging_fit_with_early_stopping_keeps_its_best_validated_weights(digits, whole, path):
    # scikit-learn's MLP restores its best validated weights (scikit-learn #29504).
    X, _ = digits
    target = X @ np.linspace(-1.0, 1.0, X.shape[1])
    # A huge learning rate from the fourth epoch on: three finite validation losses, then NaN.
    params = {**PARAMS, "optimizer": "sgd", "early_stopping": True, "normalize_y": False}

    def make(**extra):
        jump = keras.callbacks.LearningRateScheduler(lambda e, rate: 1e-2 if e < 3 else 1e12)
        callbacks = [jump] if path == "compiled" else [jump, _PerBatch()]
        return KerasRegressor(**{**params, **extra, "callbacks": callbacks})

    with pytest.warns(ConvergenceWarning, match="non-finite .* at epoch 4; .* weights of epoch 3"):
        reg = make().fit(X, target)
    assert bool(whole) == (path == "compiled")
    assert reg.n_iter_ == 4
    assert not np.isfinite(reg.validation_loss_curve_[-1])
    assert np.isfinite(reg.predict(X)).all()
    # The weights are those of epoch 3: a fit of 3 epochs ends with the same.
    three = _fit(make(epochs=3), X, target)
    np.testing.assert_allclose(reg.predict(X), three.predict(X), rtol=1e-5)


def test_a_fit_without_a_finite_validation_loss_raises(digits, whole):
    X, _ = digits
    params = {**PARAMS, "learning_rate": 1e3, "normalize_y": False, "early_stopping": True}
    with pytest.raises(ValueError, match="non-finite loss"):
        _fit(KerasRegressor(**params), X, 1e30 * X[:, 10])
    assert whole


def test_an_evicted_engine_lets_go_of_its_functions_and_programs(monkeypatch):
    # An evicted engine used to wait for a full gc.collect() (0.2-0.35 s with TensorFlow
    # loaded) at each eviction; now what it holds beyond its variables is dropped at once.
    import weakref

    from kerasguide._estimator import engine

    monkeypatch.setattr(engine, "MAX_ARCHITECTURES", 1)
    X, y = np.ones((8, 3), np.float32), np.ones((8, 1), np.float32)

    class Program:
        closed = False

        def close(self):
            self.closed = True

    def build(units):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units),
                                  keras.layers.Dense(1)])  # fmt: skip
        model.compile("adam", keras.losses.MeanSquaredError())
        return model

    program = Program()
    with engine.borrow(("eviction test", 1), lambda: build(2)) as first:
        first.train_on_batch(X, y)
        engine.programs(first)["key"] = program
        function = weakref.ref(first.train_function)
    assert function() is not None  # kept while pooled
    with engine.borrow(("eviction test", 2), lambda: build(3)):
        pass  # evicts the first
    assert function() is None
    assert first.train_function is None
    assert program.closed
    assert engine.programs(first) == {}
    engine.clear()
