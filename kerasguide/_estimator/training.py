"""The estimators' training loop: epochs of mini-batches through Keras's ``train_on_batch``.

``model.fit`` pays a fixed cost per epoch (a dataset iterator, callbacks, a progress bar) that
dominates on the small data sets scikit-learn users train on. This loop drives the same
compiled training step batch by batch, with the same callback protocol (a
``keras.callbacks.CallbackList``, ``model.stop_training``), so Keras callbacks work unchanged.
It adds what scikit-learn's MLP does: stopping when the loss stops improving by ``tol`` for
``n_iter_no_change`` epochs, early stopping on a validation split, and a clean stop on Ctrl-C.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from kerasguide._estimator import backend as _backend
from kerasguide.exceptions import TrainingInterruptedWarning

__all__ = ["TrainingOptions", "TrainingResult", "run_in_chunks", "train", "train_fused"]

#: Most bytes of input one fused call of ``model.fit`` may copy (several shuffled epochs).
FUSED_CHUNK_BYTES = 64 * 2**20


@dataclass(frozen=True)
class TrainingOptions:
    """How one call of ``train`` or ``train_fused`` trains.

    Attributes
    ----------
    epochs, batch_size, shuffle
        As for ``model.fit``.
    rng : numpy.random.Generator
        Draws the shuffling order.
    tol, n_iter_no_change
        Stop when the monitored loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs. The monitored loss is ``val_loss`` when there is validation data (and the best
        weights are restored at the end), the training loss otherwise.
    check_convergence : bool
        ``False`` runs all the epochs (used by ``partial_fit``).
    callbacks : list of keras.callbacks.Callback, optional
    verbose : int
        0 silent, 1 a progress bar, 2 a line per epoch (Keras's conventions).
    """

    epochs: int
    batch_size: int
    shuffle: bool
    rng: np.random.Generator
    tol: float
    n_iter_no_change: int
    check_convergence: bool = True
    callbacks: list | None = None
    verbose: int = 0


@dataclass
class TrainingResult:
    """What one call of ``train`` did."""

    epochs: int = 0
    history: dict[str, list[float]] = field(default_factory=dict)
    converged: bool = False
    interrupted: bool = False
    #: The monitored loss became NaN or infinite; training stopped there.
    diverged: bool = False
    #: The weights of the best epoch, where a validation loss was monitored (``run_in_chunks``).
    best: object = None


@dataclass
class _Stopper:
    """scikit-learn's MLP rule: stop after ``patience`` epochs without a ``tol`` improvement."""

    tol: float
    patience: int
    best: float = np.inf
    stale: int = 0

    def update(self, value: float) -> bool:
        """Record an epoch's monitored value; True when it improved on the best by ``tol``."""
        improved = value < self.best - self.tol
        self.stale = 0 if improved else self.stale + 1
        self.best = min(self.best, value)
        return improved

    @property
    def done(self) -> bool:
        return self.stale >= self.patience


def _warn_interrupted(result: TrainingResult) -> None:
    result.interrupted = True
    warnings.warn(
        f"Training interrupted after {result.epochs} complete epoch(s); "
        "the model keeps the weights learned so far.",
        TrainingInterruptedWarning,
        stacklevel=4,
    )


def _input_dtype(model) -> str:
    """The dtype the model's inputs take (float32 for a model without a declared input)."""
    import keras

    inputs = getattr(model, "inputs", None)
    return keras.backend.standardize_dtype(inputs[0].dtype if inputs else "float32")


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
    dtype = _input_dtype(model)
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
    watch = _Watch(options, validation is not None)
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
            if watch.should_stop(model, logs, result):
                break
    except KeyboardInterrupt:
        _warn_interrupted(result)
    if watch.best_weights is not None:
        model.set_weights(watch.best_weights)
    callback_list.on_train_end()
    return result


def _prepare(model, X, y, options: TrainingOptions):
    """The input in the model's dtype, the replicas to shard over, and the callback list."""
    import keras

    dtype = _input_dtype(model)
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


class _Watch:
    """The stopping rule at each epoch's end, and the best weights when validating."""

    def __init__(self, options: TrainingOptions, validating: bool) -> None:
        self.options = options
        self.validating = validating
        self.monitor = "val_loss" if validating else "loss"
        self.stopper = _Stopper(options.tol, options.n_iter_no_change)
        self.best_weights = None

    def should_stop(self, model, logs: dict, result: TrainingResult) -> bool:
        current = logs.get(self.monitor, np.inf)
        if not np.isfinite(current):
            result.diverged = True  # the caller raises: the weights are not usable
            return True
        if self.stopper.update(current) and self.validating:
            self.best_weights = model.get_weights()
        if (self.options.check_convergence and self.stopper.done) or model.stop_training:
            result.converged = True
            return True
        return False


def _train_epoch(model, X, y, sample_weight, options, callback_list, replicas) -> dict:
    """One epoch of ``train_on_batch`` steps; the logs are the means over the batches (as the
    fused path computes them: ``train_on_batch`` reports one batch)."""
    dtype = _input_dtype(model)
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


def _epoch_plan(n_samples: int, batch_size: int, sample_weight, rng, shuffle: bool, k: int):
    """Row indices and weights for ``k`` epochs cut into equal batches.

    Each epoch's last, partial batch is padded to a full batch with rows of weight 0, and its
    real rows are weighted ``batch_size / rows``: the padded batch then has the same loss and
    gradient as the partial batch (Keras divides a weighted loss by the batch size).
    """
    steps = -(-n_samples // batch_size)
    pad = steps * batch_size - n_samples
    rest = n_samples - (steps - 1) * batch_size
    base = np.ones(n_samples) if sample_weight is None else np.asarray(sample_weight, float)
    indices, weights = [], []
    for _ in range(k):
        order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
        w = base[order]
        if pad:
            w[-rest:] *= batch_size / rest
            order = np.concatenate([order, order[:pad]])
            w = np.concatenate([w, np.zeros(pad)])
        indices.append(order)
        weights.append(w)
    return np.concatenate(indices), np.concatenate(weights), steps


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
    X = np.asarray(X, dtype=_input_dtype(model))
    steps = -(-X.shape[0] // options.batch_size)
    epoch_bytes = steps * options.batch_size * max(1, X[0].size) * X.itemsize
    max_chunk = max(1, FUSED_CHUNK_BYTES // epoch_bytes)
    return run_in_chunks(
        options, max_chunk, lambda k, result: _fused_epochs(model, X, y, sample_weight, options,
                                                            k, result)
    )  # fmt: skip


#: The hooks Keras calls inside an epoch; a callback that defines any of them needs ``train``.
_BATCH_HOOKS = (
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
)


def needs_batch_hooks(callbacks: list | None) -> bool:
    """Whether a callback defines a hook called inside an epoch (its class overrides one of
    Keras's, or it was given one, as ``LambdaCallback`` is). A callback of ours whose per-batch
    hook only sets the rates of ``epoch_rates`` (``kerasguide_step_rates``) does not count."""
    import keras

    base = keras.callbacks.Callback
    return any(
        getattr(type(callback), hook) is not getattr(base, hook) or hook in vars(callback)
        for callback in callbacks or ()
        if not getattr(callback, "kerasguide_step_rates", False)
        for hook in _BATCH_HOOKS
    )


class EpochHooks:
    """The callbacks (and the progress bar) between chunks of one epoch, as ``train`` calls
    them, for the paths that train many steps per call. ``sync`` (optional) writes the
    trained state into the model's variables before the callbacks look at it, and reads it
    back after (a callback may set the weights or the learning rate)."""

    def __init__(self, model, options: TrainingOptions, steps: int) -> None:
        import keras

        self.model, self.steps, self.sync = model, steps, None
        self.list = keras.callbacks.CallbackList(
            options.callbacks, add_history=False, add_progbar=options.verbose != 0,
            model=model, verbose=options.verbose, epochs=options.epochs, steps=steps,
        )  # fmt: skip

    def begin(self) -> None:
        self.model.stop_training = False
        self.list.on_train_begin()

    def step_rates(self):
        """The rates of this epoch's steps, set by ``on_epoch_begin`` (None: unchanged)."""
        for callback in self.list.callbacks:
            rates = getattr(callback, "epoch_rates", None)
            if getattr(callback, "kerasguide_step_rates", False) and rates is not None:
                return rates
        return None

    def epoch(self, epoch: int, run):
        """``run()`` between the epoch's begin and end hooks; True when a callback stops."""
        self.list.on_epoch_begin(epoch)
        if self.sync is not None:
            self.sync(out=False)  # on_epoch_begin may have set a variable (a learning rate)
        out = run()
        if self.sync is not None:
            self.sync(out=True)
        logs = {name: values[-1] for name, values in out[1].history.items()}
        # The progress bar (the only per-batch listener here) sees the epoch's last step.
        self.list.on_train_batch_end(self.steps - 1, logs)
        self.list.on_epoch_end(epoch, logs)
        return out[0], bool(self.model.stop_training)

    def end(self) -> None:
        self.list.on_train_end()


def run_in_chunks(
    options: TrainingOptions, max_chunk: int, run_chunk, snapshot=None, hooks=None
) -> TrainingResult:
    """The stopping rule around chunks of epochs, for the paths that train many per call.

    ``run_chunk(k, result)`` trains ``k`` epochs, records them in ``result`` (``history_``'s
    ``"loss"`` and ``epochs``, those completed before an interruption included) and returns
    their monitored losses. A chunk never runs past the first epoch at which training could
    stop, so the rule acts exactly as in ``train``. With ``snapshot`` (chunks of one epoch,
    monitoring a validation loss), ``result.best`` is ``snapshot()`` taken at the best epoch.
    With ``hooks`` (an ``EpochHooks``), each chunk is one epoch between its hooks.
    """
    result = TrainingResult()
    stopper = _Stopper(options.tol, options.n_iter_no_change)
    try:
        while result.epochs < options.epochs:
            k = min(options.epochs - result.epochs, max_chunk)
            if options.check_convergence:
                k = min(k, options.n_iter_no_change - stopper.stale)
            stopped = False
            if hooks is None:
                monitored = run_chunk(k, result)
            else:
                epoch = result.epochs
                monitored, stopped = hooks.epoch(epoch, lambda: (run_chunk(1, result), result))
            for current in monitored:
                if not np.isfinite(current):
                    result.diverged = True  # the caller raises: the weights are not usable
                    return result
                if stopper.update(current) and snapshot is not None:
                    result.best = snapshot()
            if (options.check_convergence and stopper.done) or stopped:
                result.converged = True
                break
    except KeyboardInterrupt:
        _warn_interrupted(result)
    return result


def _fused_epochs(model, X, y, sample_weight, options, k: int, result) -> list[float]:
    """Run ``k`` epochs in one ``model.fit`` call; record and return their losses (also those
    of the epochs completed before an interruption)."""
    index, weight, _ = _epoch_plan(
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
