"""What every training path shares: its options and result, the stopping rule, the epoch plan.

Three paths train a model (``training.train`` batch by batch, ``training.train_fused`` and
``compiled.train_compiled`` several epochs per call); this module sits under all of them and
imports none. It holds the options of one training (``TrainingOptions``) and what it did
(``TrainingResult``); scikit-learn's MLP stopping rule and the best validated epoch
(``StoppingRule``); the shuffled row order of a chunk of epochs (``epoch_plan``), drawn the
same way by every path so that a seed gives the same model on each; the Keras callbacks
between chunks of epochs (``EpochHooks``, ``run_in_chunks``); and the model's input dtype.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kerasguide.exceptions import TrainingInterruptedWarning

__all__ = [
    "EpochHooks",
    "Stopper",
    "StoppingRule",
    "TrainingOptions",
    "TrainingResult",
    "epoch_plan",
    "input_dtype",
    "needs_batch_hooks",
    "run_in_chunks",
    "warn_interrupted",
]


@dataclass(frozen=True)
class TrainingOptions:
    """How one call of ``train``, ``train_fused`` or ``train_compiled`` trains.

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
    """What one training did."""

    epochs: int = 0
    history: dict[str, list[float]] = field(default_factory=dict)
    converged: bool = False
    interrupted: bool = False
    #: The monitored loss became NaN or infinite; training stopped there.
    diverged: bool = False
    #: The weights of the best epoch, where a validation loss was monitored (a snapshot).
    best: object = None
    #: The number of that epoch (1 for the first), 0 if none.
    best_epoch: int = 0


@dataclass
class Stopper:
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


class StoppingRule:
    """The end of each epoch, on every path: divergence, the best epoch, the stopping rule.

    ``snapshot()`` (given when a validation loss is monitored) returns the weights now; it is
    taken at each epoch that improves on the best by ``tol`` and kept in ``result.best``.
    A non-finite monitored loss ends training with ``result.diverged`` set: the caller
    restores ``result.best`` where there is one (and warns), or raises where no epoch gave a
    finite loss (the first finite epoch always improves on infinity, so it is a best).
    """

    def __init__(self, options: TrainingOptions, snapshot: Callable[[], object] | None = None):
        self.options, self.snapshot = options, snapshot
        self.stopper = Stopper(options.tol, options.n_iter_no_change)

    def unchecked_epochs(self) -> int:
        """How many epochs may run before the rule could stop training."""
        if not self.options.check_convergence:
            return self.options.epochs
        return self.options.n_iter_no_change - self.stopper.stale

    def after_epoch(self, current: float, result: TrainingResult, epoch: int,
                    stop: bool = False) -> bool:  # fmt: skip
        """Apply the rule to the monitored loss of ``epoch`` (1 for the first); True when
        training ends there. ``stop``: a callback asked to stop."""
        if not np.isfinite(current):
            result.diverged = True
            return True
        if self.stopper.update(current) and self.snapshot is not None:
            result.best, result.best_epoch = self.snapshot(), epoch
        if (self.options.check_convergence and self.stopper.done) or stop:
            result.converged = True
            return True
        return False


def warn_interrupted(result: TrainingResult) -> None:
    """Mark ``result`` interrupted (Ctrl-C) and say what the model keeps."""
    result.interrupted = True
    warnings.warn(
        f"Training interrupted after {result.epochs} complete epoch(s); "
        "the model keeps the weights learned so far.",
        TrainingInterruptedWarning,
        stacklevel=4,
    )


def input_dtype(model) -> str:
    """The dtype the model's inputs take (float32 for a model without a declared input)."""
    import keras

    inputs = getattr(model, "inputs", None)
    return keras.backend.standardize_dtype(inputs[0].dtype if inputs else "float32")


def epoch_plan(n_samples: int, batch_size: int, sample_weight, rng, shuffle: bool, k: int):
    """Row indices and weights for ``k`` epochs cut into equal batches, and the steps of one.

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


#: The hooks Keras calls inside an epoch; a callback that defines any of them needs ``train``.
BATCH_HOOKS = (
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
        for hook in BATCH_HOOKS
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
    rule = StoppingRule(options, snapshot)
    try:
        while result.epochs < options.epochs:
            k = min(options.epochs - result.epochs, max_chunk, rule.unchecked_epochs())
            stopped = False
            if hooks is None:
                monitored = run_chunk(k, result)
            else:
                epoch = result.epochs
                monitored, stopped = hooks.epoch(epoch, lambda: (run_chunk(1, result), result))
            first = result.epochs - len(monitored)
            for i, current in enumerate(monitored, start=1):
                last = i == len(monitored)
                if rule.after_epoch(current, result, first + i, stop=stopped and last):
                    return result
    except KeyboardInterrupt:
        warn_interrupted(result)
    return result
