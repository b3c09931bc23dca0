"""The estimators' training loop: epochs of mini-batches through Keras's ``train_on_batch``.

``model.fit`` pays a fixed cost per epoch (a dataset iterator, callbacks, a progress bar) that
dominates on the small data sets scikit-learn users train on. This loop drives the same
compiled training step batch by batch, with the same callback protocol (a
``keras.callbacks.CallbackList``, ``model.stop_training``), so Keras callbacks work unchanged.
It adds what scikit-learn's MLP does: stopping when the loss stops improving by ``tol`` for
``n_iter_no_change`` epochs, early stopping on a validation split, and a clean stop on Ctrl-C.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from kerasguide._estimator import backend as _backend
from kerasguide._estimator.loop import (
    StoppingRule,
    TrainingOptions,
    TrainingResult,
    epoch_plan,
    input_dtype,
    run_in_chunks,
    warn_interrupted,
)

__all__ = ["train", "train_fused"]

#: Most bytes of input one fused call of ``model.fit`` may copy (several shuffled epochs).
FUSED_CHUNK_BYTES = 64 * 2**20


def _batch(X, index: np.ndarray, dtype) -> np.ndarray:
    rows = X[index]
    if sp.issparse(rows):
        rows = rows.toarray()  # densified one batch at a time
    return np.asarray(rows, dtype=dtype)


def _pad(x: np.ndarray, y: np.ndarray, sw: np.ndarray | None, multiple: int) -> tuple:
    """Pad a batch to a multiple of ``multiple`` rows, so that it splits into equal shards.

    The extra rows weigh 0 and the real rows ``(n + extra) / n``: Keras averages the weighted
    loss over every row of the batch, so the loss and its gradient stay those of the real rows.
    """
    n = x.shape[0]
    extra = -n % multiple
    if extra == 0:
        return x, y, sw
    weights = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    return (
        np.concatenate([x, np.zeros((extra, *x.shape[1:]), dtype=x.dtype)]),
        np.concatenate([y, np.zeros((extra, *y.shape[1:]), dtype=y.dtype)]),
        np.concatenate([weights * ((n + extra) / n), np.zeros(extra)]),
    )


def _device_batch(X, y, sample_weight, index: np.ndarray, dtype, replicas: int) -> tuple:
    """The rows ``index`` as the arrays ``train_on_batch`` takes, split among the replicas."""
    sw = None if sample_weight is None else sample_weight[index]
    batch = (_batch(X, index, dtype), y[index], sw)
    if replicas > 1:
        batch = _backend.shard(_pad(*batch, replicas))
    return batch


def _evaluate(model, X, y, sample_weight, batch_size: int, replicas: int, hooks) -> dict:
    """The validation pass: the mean of each metric over the rows, with the callbacks' test
    hooks called as ``model.fit`` calls them."""
    dtype = input_dtype(model)
    hooks.on_test_begin()
    # test_on_batch reports one batch; the mean over the rows weights each batch by its size.
    sums: dict[str, float] = {}
    for step, start in enumerate(range(0, X.shape[0], batch_size)):
        index = np.arange(start, min(start + batch_size, X.shape[0]))
        hooks.on_test_batch_begin(step)
        xb, yb, sw = _device_batch(X, y, sample_weight, index, dtype, replicas)
        logs = model.test_on_batch(xb, yb, sample_weight=sw, return_dict=True)
        hooks.on_test_batch_end(step, logs)
        for name, value in logs.items():
            sums[name] = sums.get(name, 0.0) + float(value) * len(index)
    means = {name: total / X.shape[0] for name, total in sums.items()}
    hooks.on_test_end(means)
    return means


def train(
    model,
    X,
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    options: TrainingOptions,
    validation: tuple | None = None,
) -> TrainingResult:
    """Train ``model`` in place for up to ``options.epochs`` epochs, batch by batch.

    ``X`` is an array or a scipy sparse matrix (densified a batch at a time), ``y`` the targets
    encoded for the model's loss, ``sample_weight`` the normalised weights (or None), and
    ``validation`` an optional ``(X_val, y_val, sw_val)`` that is then monitored for stopping
    (the best weights are kept).
    """
    X, replicas, callback_list = _prepare(model, X, y, options)
    result = TrainingResult()
    # The monitored loss: val_loss when validating (its best epoch's weights are kept).
    monitor = "loss" if validation is None else "val_loss"
    rule = StoppingRule(options, None if validation is None else model.get_weights)
    model.stop_training = False
    callback_list.on_train_begin()
    try:
        for epoch in range(options.epochs):
            callback_list.on_epoch_begin(epoch)
            logs = _train_epoch(model, X, y, sample_weight, options, callback_list, replicas)
            if validation is not None:
                val_logs = _evaluate(model, *validation, options.batch_size, replicas,
                                     callback_list)  # fmt: skip
                logs.update({f"val_{name}": value for name, value in val_logs.items()})
            for name, value in logs.items():
                result.history.setdefault(name, []).append(value)
            result.epochs += 1
            callback_list.on_epoch_end(epoch, logs)
            current = logs.get(monitor, np.inf)
            if rule.after_epoch(current, result, result.epochs, stop=model.stop_training):
                break
    except KeyboardInterrupt:
        warn_interrupted(result)
    if result.best is not None:
        model.set_weights(result.best)
    callback_list.on_train_end()
    return result


def _prepare(model, X, y, options: TrainingOptions):
    """The input in the model's dtype, the replicas to shard over, and the callback list."""
    import keras

    dtype = input_dtype(model)
    if not sp.issparse(X):
        X = np.asarray(X, dtype=dtype)
    steps = -(-X.shape[0] // options.batch_size)
    # Inside a distribution scope each batch is split among the devices (1: no scope).
    replicas = _backend.replicas()
    if replicas > 1:
        first = np.arange(min(replicas, X.shape[0]))
        _backend.prepare_for_shards(model, (_batch(X, first, dtype), y[first]))
    callback_list = keras.callbacks.CallbackList(
        options.callbacks, add_history=False, add_progbar=options.verbose != 0, model=model,
        verbose=options.verbose, epochs=options.epochs, steps=steps,
    )  # fmt: skip
    return X, replicas, callback_list


def _train_epoch(model, X, y, sample_weight, options, callback_list, replicas) -> dict:
    """One epoch of ``train_on_batch`` steps; the logs are the means over the batches (as the
    fused path computes them: ``train_on_batch`` reports one batch)."""
    dtype = input_dtype(model)
    n_samples, batch_size = X.shape[0], options.batch_size
    steps = -(-n_samples // batch_size)
    order = options.rng.permutation(n_samples) if options.shuffle else np.arange(n_samples)
    sums: dict[str, float] = {}
    for step in range(steps):
        index = order[step * batch_size : (step + 1) * batch_size]
        callback_list.on_train_batch_begin(step)
        xb, yb, sw = _device_batch(X, y, sample_weight, index, dtype, replicas)
        logs = model.train_on_batch(xb, yb, sample_weight=sw, return_dict=True)
        for name, value in logs.items():
            sums[name] = sums.get(name, 0.0) + float(value)
        callback_list.on_train_batch_end(step, logs)
    return {name: total / steps for name, total in sums.items()}


def _loss_recorder():
    """A Keras callback collecting the running mean loss after each execution of the step."""
    import keras

    class LossRecorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.means: list[float] = []

        def on_train_batch_end(self, batch, logs=None):
            self.means.append(float(logs["loss"]))

    return LossRecorder()


def train_fused(
    model,
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    options: TrainingOptions,
) -> TrainingResult:
    """Train like ``train``, several epochs per call of ``model.fit``.

    ``model`` must be compiled with ``steps_per_execution`` equal to the steps of one epoch, so
    that Keras runs a whole epoch in one compiled call and reports the running loss after each
    epoch; the epoch losses follow from the running means (all batches have the same size).
    A chunk of epochs never runs past the first epoch at which training could stop, so the
    stopping rule acts exactly as in ``train``. No callbacks, no validation, dense input.
    """
    X = np.asarray(X, dtype=input_dtype(model))
    steps = -(-X.shape[0] // options.batch_size)
    epoch_bytes = steps * options.batch_size * max(1, X[0].size) * X.itemsize
    max_chunk = max(1, FUSED_CHUNK_BYTES // epoch_bytes)
    return run_in_chunks(
        options, max_chunk, lambda k, result: _fused_epochs(model, X, y, sample_weight, options,
                                                            k, result)
    )  # fmt: skip


def _fused_epochs(model, X, y, sample_weight, options, k: int, result) -> list[float]:
    """Run ``k`` epochs in one ``model.fit`` call; record and return their losses (also those
    of the epochs completed before an interruption)."""
    index, weight, _ = epoch_plan(
        X.shape[0], options.batch_size, sample_weight, options.rng, options.shuffle, k
    )
    recorder = _loss_recorder()
    try:
        model.fit(X[index], y[index], sample_weight=weight.astype(X.dtype),
                  batch_size=options.batch_size, epochs=1, shuffle=False, verbose=0,
                  callbacks=[recorder])  # fmt: skip
    finally:
        means = recorder.means
        losses = [(i + 1) * m - i * (means[i - 1] if i else 0.0) for i, m in enumerate(means)]
        result.history.setdefault("loss", []).extend(losses)
        result.epochs += len(losses)
    return losses
