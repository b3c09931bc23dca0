"""Whole chunks of epochs as one compiled program (a TensorFlow graph or ``jax.jit``).

Even with ``steps_per_execution``, ``model.fit`` pays per call for its data adapter, its
callbacks and the loop around the compiled step; on the small data sets scikit-learn users
train on that dominates (digits, 20 epochs: about 1 s of fit against 40 ms of arithmetic). Here
the batches, the loss, the gradients and the optimizer updates of up to ``K`` epochs run inside
one compiled loop: TensorFlow's ``tf.function`` over the model's own stateful step (with XLA
from ``XLA_MIN_STEPS``; a plain graph below, which traces in a fraction of XLA's compile
time), or JAX's ``jax.jit`` over ``model.stateless_call`` and
``optimizer.stateless_apply``.

Shuffling stays outside, drawn with NumPy from ``options.rng`` exactly as ``train_fused``
draws it (``epoch_plan``), so a seed gives the same orders on every path; the program
takes the row indices. The stopping rule is applied between chunks, in float64 on the batch
losses, and a chunk never runs past the first epoch at which training could stop, so the rule
acts exactly as in ``train``. A program has a fixed chunk length ``K`` and runs the first
``k <= K`` epochs it is given, so one compilation serves every chunk; it is kept on the pooled
engine, so that the folds of a cross-validation compile once.
"""

from __future__ import annotations

import functools
import logging

import numpy as np

from kerasguide._estimator import backend as _backend
from kerasguide._estimator import engine
from kerasguide._estimator.loop import (
    EpochHooks,
    TrainingOptions,
    TrainingResult,
    epoch_plan,
    input_dtype,
    run_in_chunks,
)

__all__ = ["CHUNK_BYTES", "supported", "train_compiled"]

#: Most bytes of row indices and weights handed to one compiled call (a chunk of epochs).
CHUNK_BYTES = 32 * 2**20
#: Most epochs one compiled call runs (a long fit without a stopping rule makes several).
MAX_CHUNK_EPOCHS = 20
#: Fewest steps of one call (chunk epochs x batches) from which TensorFlow compiles a pooled
#: program with XLA. On 2 cores XLA takes 1.5-2 s to compile and runs a digits step in 0.05 ms;
#: a plain graph traces in 0.4 s and runs one in 0.2 ms. A single cold fit of 900 steps costs
#: about the same either way, but the pooled program serves the next fits (the other folds, a
#: grid search), where XLA is 3-4 times faster (benchmarks/RESULTS.md).
#: The choice depends on the fit's parameters only, so seeded refits take the same program.
XLA_MIN_STEPS = 500
#: The same for a program that serves one fit only (on the estimator's own model, which
#: callbacks must see): XLA's compile is not shared, and repays itself only over about 10,000
#: steps (XLA saves about 0.15 ms a step on digits). Measured on 2 busy cores, digits, 20
#: epochs of 57 steps with an epoch-hook callback: step path 13.5 s, XLA 6.1-9.3 s, plain
#: graph 2.3-4.0 s.
OWN_MODEL_XLA_MIN_STEPS = 10_000


def loss_object(model):
    """The model's compiled loss as a ``keras.losses.Loss``, or None (a string, a function, a
    list or dict of losses: those train on the other paths)."""
    import keras

    loss = getattr(model, "loss", None)
    return loss if isinstance(loss, keras.losses.Loss) else None


def supported(model) -> bool:
    """Whether ``train_compiled`` can train ``model`` (TensorFlow or JAX, one Loss, a learning
    rate held in a variable: the program sets each step's rate in it)."""
    import keras

    rate = getattr(model.optimizer, "learning_rate", None)
    return (
        _backend.backend() in ("tensorflow", "jax")
        and loss_object(model) is not None
        and isinstance(rate, keras.Variable)
    )


def _draws(layer, depth: int = 2) -> bool:
    """Whether ``layer`` (or a layer inside it, ``depth`` levels down: an RNN's cell) holds a
    ``keras.random.SeedGenerator``."""
    import keras

    for value in vars(layer).values():
        if isinstance(value, keras.random.SeedGenerator):
            return True
        if depth and isinstance(value, keras.layers.Layer) and _draws(value, depth - 1):
            return True
    return False


def draws_random_numbers(model) -> bool:
    """Whether a layer of ``model`` (or a layer inside one: an RNN's cell) holds a
    ``keras.random.SeedGenerator``, as dropout does. TensorFlow's XLA draws random numbers on
    CPU slowly with its default algorithm: digits, 1,000 rows, 128 units, 40 epochs with
    ``dropout=0.2`` take 1.96 s with XLA against 0.27 s as a plain graph (0.12 s and 0.23 s
    without dropout; JAX 0.20 s). The zoo's ``Dropout`` names Philox in a program, which XLA
    draws quickly (``fed_dropout``)."""
    return any(_draws(layer) for layer in model.layers)


def fed_dropout(model) -> bool:
    """Whether the program takes every dropout rate of ``model`` as an input: each layer that
    draws random numbers is a ``kerasguide.zoo.layers.Dropout`` (``fed_rates``). Not for an
    RNN's cell dropout, Keras's own ``Dropout`` (a model read from an older file) or noise
    layers: their rates are constants of the program, and their engines are keyed by them."""
    from kerasguide.zoo.layers import Dropout

    return not any(_draws(layer) for layer in model.layers if not isinstance(layer, Dropout))


def _rate_index(optimizer) -> int:
    """Where the learning rate sits among the optimizer's variables (JAX's state)."""
    rate = optimizer.learning_rate
    return next(i for i, v in enumerate(optimizer.variables) if v is rate)


def chunk_epochs(options: TrainingOptions, n_rows: int) -> int:
    """Epochs per compiled call: never more than the stopping rule can let run unchecked, nor
    than ``MAX_CHUNK_EPOCHS``, nor than ``CHUNK_BYTES`` of indices and weights (8 bytes a row).

    It does not depend on ``epochs`` (a program runs the first ``k`` epochs it is given), so
    fits of one architecture that differ only in their length share one program: the rounds
    of a ``HalvingRandomSearchCV`` over epochs compile once."""
    k = min(options.n_iter_no_change, MAX_CHUNK_EPOCHS) if options.check_convergence else 1
    return max(1, min(k, CHUNK_BYTES // (8 * n_rows)))


class OwnProgramsRetracing(logging.Filter):
    """Drops TensorFlow's "triggered tf.function retracing" warning about our own programs.

    Each architecture gets its own compiled program by design (one per pooled engine), and
    they share one Python code object (``chunk`` below), which TensorFlow's frequent-tracing
    detector counts as one function retracing. The warning about any other function stays.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("retracing" in message and "tf_program.<locals>.chunk" in message)


@functools.cache
def _quiet_own_retracing() -> None:
    logging.getLogger("tensorflow").addFilter(OwnProgramsRetracing())


def fed_penalties(model) -> list[int] | None:
    """Where the program computes the penalties itself, from strengths fed as inputs: the
    positions (in ``model.trainable_variables``) of the variables with an L1/L2 regularizer;
    None where the model has a loss of another kind (an activity regularizer, another
    regularizer), which the program then takes from ``model.losses``, strengths and all."""
    import keras

    kinds = (keras.regularizers.L1L2, keras.regularizers.L1, keras.regularizers.L2)
    found = []
    for i, variable in enumerate(model.trainable_variables):
        regularizer = getattr(variable, "regularizer", None)
        if regularizer is None:
            continue
        if not isinstance(regularizer, kinds):
            return None
        found.append(i)
    if any(getattr(layer, "activity_regularizer", None) is not None for layer in model.layers):
        return None
    return found


def penalty_strengths(model, fed: list[int] | None, dtype) -> np.ndarray:
    """``(len(fed), 2)``: each fed variable's ``(l1, l2)`` now (the fit's own: ``copy_state``
    copies the regularizers into a pooled engine)."""
    variables = model.trainable_variables
    rows = [(getattr(r, "l1", 0.0), getattr(r, "l2", 0.0))
            for r in (variables[i].regularizer for i in fed or ())]  # fmt: skip
    return np.asarray(rows, dtype=dtype).reshape(-1, 2)


def fed_penalty(values: list, strengths, dtype):
    """The penalties of ``values`` (the fed variables' current values) at ``strengths``, as
    ``keras.regularizers.L1L2`` computes them (an unset strength adds an exact zero), each
    cast to ``floatx`` as ``kerasguide.zoo.layers.L2`` casts, then to ``dtype`` and summed in
    the layers' order (as ``_tf_penalty``)."""
    import keras
    from keras import ops

    total = ops.zeros((), dtype)
    for i, w in enumerate(values):
        term = ops.zeros((), w.dtype)
        term = term + ops.cast(strengths[i, 0], w.dtype) * ops.sum(ops.absolute(w))
        term = term + ops.cast(strengths[i, 1], w.dtype) * ops.sum(ops.square(w))
        total = total + ops.cast(ops.cast(term, keras.config.floatx()), dtype)
    return total


def _tf_penalty(model, dtype):
    """The sum of the model's penalties (``model.losses``) in ``dtype``.

    Our regularizers (``kerasguide.zoo.layers.L2``, ``L1L2``) return ``floatx`` (float32), the
    dtype of Keras's compiled loss, while the program's loss is the loss object's own (float64
    for float64 data): each penalty is cast before they are added, or TensorFlow refuses
    to add float32 to float64."""
    import tensorflow as tf

    if not model.losses:
        return tf.constant(0.0, dtype)
    return tf.add_n([tf.cast(penalty, dtype) for penalty in model.losses])


def _tf_validation(model, loss):
    """``validate(X, y, index, weight, penalty) -> (batch losses, penalty(dtype))``: the loss
    of each validation batch (weighted sum over its rows / batch size) and the penalties,
    inference mode, in one ``tf.while_loop``."""
    import tensorflow as tf

    def validate(X, y, index, weight, penalty):
        def body(t, losses):
            pred = model(tf.gather(X, index[t]), training=False)
            value = loss(tf.gather(y, index[t]), pred, sample_weight=weight[t])
            update = tf.reshape(tf.cast(value, losses.dtype), [1])
            return t + 1, tf.tensor_scatter_nd_update(losses, [[t]], update)

        losses = tf.zeros([tf.shape(index)[0]], dtype=X.dtype)
        _, losses = tf.while_loop(lambda t, _: t < tf.shape(index)[0], body,
                                  (tf.constant(0), losses))  # fmt: skip
        return losses, penalty(X.dtype)

    return validate


def tf_program(model, loss, steps: int, jit: bool, validating: bool = False):
    """``chunk(X, y, index, weight, rates, strengths, drops, n_epochs[, validation arrays]) ->
    batch losses[, validation losses and penalty]``: the model's stateful steps in one
    ``tf.while_loop`` (the variables are updated in place; step ``t`` at the learning rate
    ``rates[t]``; the penalties at ``strengths``, see ``fed_penalties``; the dropout layers at
    ``drops``, see ``dropout_inputs``), then the validation pass if ``validating``."""
    import tensorflow as tf

    from kerasguide.zoo.layers import fed_rates

    _quiet_own_retracing()

    variables = model.trainable_variables
    optimizer = model.optimizer
    validate = _tf_validation(model, loss)
    fed = fed_penalties(model)

    def chunk(X, y, index, weight, rates, strengths, drops, n_epochs, *validation):
        def penalty(dtype):
            if fed:
                return fed_penalty([variables[i].value for i in fed], strengths, dtype)
            return _tf_penalty(model, dtype)

        def body(t, losses):
            rows = index[t]
            optimizer.learning_rate.assign(rates[t])
            with tf.GradientTape() as tape:
                pred = model(tf.gather(X, rows), training=True)
                value = loss(tf.gather(y, rows), pred, sample_weight=weight[t])
                if fed or model.losses:  # the L1/L2 penalties, as Model.compute_loss adds
                    value = value + penalty(value.dtype)
            optimizer.apply(tape.gradient(value, variables), variables)
            update = tf.reshape(tf.cast(value, losses.dtype), [1])
            return t + 1, tf.tensor_scatter_nd_update(losses, [[t]], update)

        losses = tf.zeros([tf.shape(index)[0]], dtype=X.dtype)
        total = n_epochs * steps
        with fed_rates(model, drops):  # the loop's body is traced here
            _, losses = tf.while_loop(lambda t, _: t < total, body, (tf.constant(0), losses))
        if validating:
            return losses, *validate(*validation, penalty)
        return losses

    # No autograph: the loop is an explicit tf.while_loop and Keras's layers need no
    # conversion (Keras's own train step is marked do_not_convert). Converting ``chunk`` cost
    # 0.37 s of a 0.56 s trace, paid once per architecture in every process.
    return tf.function(chunk, jit_compile=jit, autograph=False)


class TFRunner:
    """A TensorFlow program, falling back to a graph without XLA if XLA cannot compile it."""

    def __init__(self, model, loss, steps: int, jit: bool, validating: bool) -> None:
        self.build = lambda jit: tf_program(model, loss, steps, jit, validating)
        self.program, self.jit, self.calls = self.build(jit), jit, 0

    def start(self, model) -> TFRunner:
        self.model = model
        return self

    def snapshot(self) -> list:
        """The model's weights now (the best so far, when validating)."""
        return self.model.get_weights()

    def restore(self, weights: list) -> None:
        self.model.set_weights(weights)

    def run(self, *arrays):
        import tensorflow as tf

        try:
            losses = self.program(*arrays)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError):
            # XLA refuses some ops; it fails while compiling, before any variable changes.
            if not self.jit or self.calls:
                raise
            self.program, self.jit = self.build(False), False
            losses = self.program(*arrays)
        self.calls += 1
        if isinstance(losses, tuple):
            return tuple(np.asarray(value) for value in losses)
        return np.asarray(losses)

    def finish(self) -> None:
        pass  # the variables were updated in place

    def close(self) -> None:
        self.model = None


def _jax_validation(model, loss, penalty):
    """``validate(trainable, non_trainable, strengths, X, y, index, weight) -> (batch losses,
    penalty)``, pure and in inference mode, as ``_tf_validation``; ``penalty(trainable,
    strengths, extra, dtype)`` adds the penalties up."""
    import jax

    def batch_loss(trainable, non_trainable, strengths, x, y, w):
        pred, _, extra = model.stateless_call(
            trainable, non_trainable, x, training=False, return_losses=True
        )
        value = loss(y, pred, sample_weight=w)
        return value, penalty(trainable, strengths, extra, value.dtype)

    def validate(trainable, non_trainable, strengths, X, y, index, weight):
        def body(_, rows_and_weight):
            rows, w = rows_and_weight
            value, penalty = batch_loss(trainable, non_trainable, strengths, X[rows], y[rows], w)
            return None, (value.astype(X.dtype), penalty.astype(X.dtype))

        _, (losses, penalties) = jax.lax.scan(body, None, (index, weight))
        return losses, penalties[0]

    return validate


def _jax_program(model, loss, steps: int, validating: bool = False):
    """``chunk(state, X, y, index, weight, rates, strengths, drops, n_epochs[, validation
    arrays]) -> (state, batch losses[, validation losses and penalty])``, pure; step ``t`` at
    the rate ``rates[t]``, the penalties at ``strengths`` (``fed_penalties``), the dropout
    layers at ``drops`` (``dropout_inputs``)."""
    import jax
    import jax.numpy as jnp

    from kerasguide.zoo.layers import fed_rates

    optimizer = model.optimizer
    fed = fed_penalties(model)

    def penalty(trainable, strengths, extra, dtype):
        if fed is not None:
            return fed_penalty([trainable[i] for i in fed], strengths, dtype)
        # Each penalty in the loss's dtype, as _tf_penalty (JAX would promote them anyway).
        return sum((p.astype(dtype) for p in extra), jnp.zeros((), dtype))

    def forward(trainable, non_trainable, strengths, drops, x, y, w):
        with fed_rates(model, drops):
            pred, non_trainable, extra = model.stateless_call(
                trainable, non_trainable, x, training=True, return_losses=True
            )
        value = loss(y, pred, sample_weight=w)
        if fed or extra:
            value = value + penalty(trainable, strengths, extra, value.dtype)
        return value, non_trainable

    gradient = jax.value_and_grad(forward, has_aux=True)
    validate = _jax_validation(model, loss, penalty)

    def chunk(state, X, y, index, weight, rates, strengths, drops, n_epochs, *validation):
        at = _rate_index(optimizer)

        def body(carry):
            t, (trainable, non_trainable, slots), losses = carry
            rows = index[t]
            slots = [*slots[:at], rates[t].astype(slots[at].dtype), *slots[at + 1 :]]
            (value, non_trainable), grads = gradient(
                trainable, non_trainable, strengths, drops, X[rows], y[rows], weight[t]
            )
            trainable, slots = optimizer.stateless_apply(slots, grads, trainable)
            losses = losses.at[t].set(value.astype(losses.dtype))
            return t + 1, (trainable, non_trainable, slots), losses

        start = (jnp.int32(0), state, jnp.zeros(index.shape[0], X.dtype))
        _, state, losses = jax.lax.while_loop(lambda c: c[0] < n_epochs * steps, body, start)
        if validating:
            return state, (losses, *validate(state[0], state[1], strengths, *validation))
        return state, losses

    return jax.jit(chunk)


class JaxRunner:
    """A JAX program and the state it threads; written back to the Keras variables at the
    end (also after an interruption: the state of the last complete chunk)."""

    def __init__(self, model, loss, steps: int, jit: bool, validating: bool) -> None:
        self.program = _jax_program(model, loss, steps, validating)  # always XLA on JAX

    def start(self, model) -> JaxRunner:
        if not model.optimizer.built:  # a model's first training builds its optimizer
            model.optimizer.build(model.trainable_variables)
        self.groups = (
            model.trainable_variables,
            model.non_trainable_variables,
            model.optimizer.variables,
        )
        self.state = tuple([v.value for v in group] for group in self.groups)
        return self

    def snapshot(self) -> tuple:
        """The model's weights now (JAX arrays are immutable: no copy)."""
        return self.state[0], self.state[1]

    def restore(self, weights: tuple) -> None:
        self.state = (*weights, self.state[2])

    def run(self, *arrays):
        state, losses = self.program(self.state, *arrays)
        # Waits for the chunk: its state is complete.
        if isinstance(losses, tuple):
            losses = tuple(np.asarray(value) for value in losses)
        else:
            losses = np.asarray(losses)
        self.state = state
        return losses

    def finish(self) -> None:
        for group, values in zip(self.groups, self.state, strict=True):
            for variable, value in zip(group, values, strict=True):
                variable.assign(value)

    def close(self) -> None:
        self.state = self.groups = None  # a pooled program keeps no fit's arrays


def _runner(model, steps: int, jit: bool, key: tuple, validating: bool, keep: bool):
    """The program for ``key``, kept on ``model`` (``keep``: a pooled engine) and built on
    first use; for another model (an estimator's own), built for this fit only."""
    if not keep:
        runner = JaxRunner if _backend.backend() == "jax" else TFRunner
        return runner(model, loss_object(model), steps, jit, validating).start(model)
    programs = engine.programs(model)
    if key not in programs:
        runner = JaxRunner if _backend.backend() == "jax" else TFRunner
        programs[key] = runner(model, loss_object(model), steps, jit, validating)
    return programs[key].start(model)


def _device_arrays(X: np.ndarray, y: np.ndarray, rows: int) -> tuple:
    """``X`` and ``y`` on the device, padded with zero rows to ``rows`` (a whole number of
    batches), so that fits whose row counts give the same batches share one compilation."""
    import keras

    def padded(a):
        return np.concatenate([a, np.zeros((rows - a.shape[0], *a.shape[1:]), a.dtype)])

    return keras.ops.convert_to_tensor(padded(X)), keras.ops.convert_to_tensor(padded(y))


def _chunk_plan(n_rows: int, sample_weight, options, k: int, chunk: int, steps: int, dtype):
    """The row indices and weights of ``k`` shuffled epochs, as ``(chunk * steps, batch)``
    arrays (the epochs past ``k`` are zeros the program never reaches)."""
    index, weight, _ = epoch_plan(
        n_rows, options.batch_size, sample_weight, options.rng, options.shuffle, k
    )
    shape = (chunk * steps, options.batch_size)
    full_index, full_weight = np.zeros(shape, np.int32), np.zeros(shape, dtype)
    full_index[: k * steps] = index.reshape(k * steps, -1)
    full_weight[: k * steps] = weight.reshape(k * steps, -1)
    return full_index, full_weight


def _step_rates(model, hooks, n_steps: int) -> np.ndarray:
    """The learning rate of each of ``n_steps`` steps: a schedule's (``hooks.step_rates``), or
    the optimizer's current rate (which a callback may have changed) for every step."""
    import keras

    rate = model.optimizer.learning_rate
    dtype = keras.backend.standardize_dtype(rate.dtype)
    scheduled = None if hooks is None else hooks.step_rates()
    if scheduled is not None:
        return np.asarray(scheduled, dtype=dtype)
    return np.full(n_steps, keras.ops.convert_to_numpy(rate), dtype=dtype)


def _validation_arrays(validation, batch_size: int, dtype) -> tuple:
    """``(X_val, y_val, sw_val)`` as the program's padded device arrays: the rows in order,
    in batches of ``batch_size``, the padding weighing 0."""
    X_val, y_val, sw_val = validation
    X_val = np.asarray(X_val, dtype=dtype)
    n_val = X_val.shape[0]
    steps = -(-n_val // batch_size)
    weight = np.zeros(steps * batch_size, dtype)
    weight[:n_val] = 1.0 if sw_val is None else sw_val
    index = np.arange(steps * batch_size, dtype=np.int32).reshape(steps, batch_size)
    return (*_device_arrays(X_val, y_val, steps * batch_size), index,
            weight.reshape(steps, batch_size))  # fmt: skip


def _validation_loss(losses: np.ndarray, penalty, batch_size: int, n_val: int) -> float:
    """The validation loss as the step path's ``_evaluate`` gives it: the weighted loss of the
    rows over their count (summed in float64), plus the penalties."""
    total = sum(float(value) for value in losses.astype(np.float64)) * batch_size
    return total / n_val + float(penalty)


def _uses_xla(model, options: TrainingOptions, chunk: int, steps: int, pooled: bool) -> bool:
    """Whether TensorFlow compiles the program with XLA (JAX always does).

    A pooled program's XLA repays itself over its calls (a long fit, the folds, a search): from
    ``XLA_MIN_STEPS`` in one call. A program of one fit: from ``OWN_MODEL_XLA_MIN_STEPS`` in
    all. On TensorFlow, never for a model that XLA runs slower than oneDNN's plain graph
    (``slower_under_xla``)."""
    if pooled:
        jit = chunk * steps >= XLA_MIN_STEPS
    else:
        jit = options.epochs * steps >= OWN_MODEL_XLA_MIN_STEPS
    return jit and not (_backend.backend() == "tensorflow" and slower_under_xla(model))


def slower_under_xla(model) -> bool:
    """Whether TensorFlow's XLA trains ``model`` slower on CPU than a plain graph does: a model
    with random layers other than the zoo's fed ``Dropout`` (``fed_dropout``; the others draw
    with TensorFlow's ``auto_select``, slow under XLA, see ``draws_random_numbers``), or with a
    convolution. ``python benchmarks/cnn_speed.py current xla`` (the reproduction's CNN, one
    MNIST epoch, 2 cores): 27.8 s as a plain graph with oneDNN's convolutions, 938 s with XLA
    (Philox dropout); 49.7 s with XLA and no dropout. Dense models with the fed ``Dropout``
    gain from XLA (784-512-256-10 on MNIST, dropout 0.2: 0.87 s against 1.44 s)."""
    import keras

    convolutions = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D,
                    keras.layers.DepthwiseConv2D, keras.layers.SeparableConv2D,
                    keras.layers.Conv2DTranspose, keras.layers.Conv3DTranspose)  # fmt: skip
    return not fed_dropout(model) or any(isinstance(layer, convolutions) for layer in model.layers)


def _epoch_means(losses: np.ndarray, k: int, steps: int) -> list[float]:
    """As the batch-by-batch path: each epoch's loss is the mean of its batch losses, summed in
    float64."""
    epochs = losses[: k * steps].reshape(k, steps).astype(np.float64)
    return [sum(float(value) for value in epoch) / steps for epoch in epochs]


def train_compiled(
    model,
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    options: TrainingOptions,
    validation: tuple | None = None,
    *,
    pooled: bool = True,
) -> TrainingResult | None:
    """Train like ``train``, up to ``chunk_epochs`` epochs per compiled call.

    ``model`` is a pooled engine (``pooled``: its compiled programs are kept on it) or the
    estimator's own model. Returns None (nothing trained) where this path does not apply (see
    ``supported``). Dense input. With ``validation`` (``(X_val, y_val, sw_val)``), callbacks
    (none with per-batch hooks) or a progress bar, each call runs one epoch: the validation
    pass follows in the same program and is monitored for stopping (the best weights are
    kept), the callbacks run between the calls.
    """
    from kerasguide.zoo.layers import dropout_inputs

    if not supported(model):
        return None
    X = np.asarray(X, dtype=input_dtype(model))
    n_rows, batch_size = X.shape[0], options.batch_size
    steps = -(-n_rows // batch_size)
    hooks = EpochHooks(model, options, steps) if options.callbacks or options.verbose else None
    # One epoch a chunk where its end matters: its weights may be the best, hooks follow it.
    one = validation is not None or hooks is not None
    chunk = 1 if one else chunk_epochs(options, steps * batch_size)
    jit = _uses_xla(model, options, chunk, steps, pooled)
    val_arrays = () if validation is None else _validation_arrays(validation, batch_size, X.dtype)
    val_key = tuple(val_arrays[2].shape) if val_arrays else None
    key = (batch_size, steps, chunk, X.dtype.name, y.dtype.name, jit, val_key)
    runner = _runner(model, steps, jit, key, validation is not None, keep=pooled)
    X_dev, y_dev = _device_arrays(X, y, steps * batch_size)
    strengths = penalty_strengths(model, fed_penalties(model), X.dtype)
    # float64, as Python computes them; each layer casts them as a Python float rate is cast.
    drops = dropout_inputs(model)

    def run_chunk(k: int, result: TrainingResult) -> list[float]:
        index, weight = _chunk_plan(n_rows, sample_weight, options, k, chunk, steps, X.dtype)
        rates = _step_rates(model, hooks, chunk * steps)
        out = runner.run(X_dev, y_dev, index, weight, rates, strengths, drops, np.int32(k),
                         *val_arrays)  # fmt: skip
        losses = out[0] if val_arrays else out
        means = _epoch_means(losses, k, steps)
        result.history.setdefault("loss", []).extend(means)
        result.epochs += len(means)
        if not val_arrays:
            return means
        val_loss = _validation_loss(out[1], out[2], batch_size, len(validation[0]))
        result.history.setdefault("val_loss", []).append(val_loss)
        return [val_loss]

    try:
        if hooks is not None:  # inside: on_train_begin may refuse (a schedule's bad rate)
            hooks.sync = lambda out: runner.finish() if out else runner.start(model)
            hooks.begin()
        snapshot = runner.snapshot if validation is not None else None
        result = run_in_chunks(options, chunk, run_chunk, snapshot, hooks)
        if result.best is not None:
            runner.restore(result.best)
    finally:
        runner.finish()
        runner.close()
    if hooks is not None:
        hooks.end()
    return result
