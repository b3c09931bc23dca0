"""Learning-rate schedules as an estimator parameter, applied by a Keras callback.

``learning_rate_schedule`` is ``None``, ``"cosine"`` (Keras's ``CosineDecay`` from the
learning rate to 0 over the fit's total steps, ``epochs`` times the batches of an epoch),
``"step"`` (``ExponentialDecay`` with ``staircase=True``: the rate divided by 10 after each
third of the total steps), ``"plateau"`` (Keras's ``ReduceLROnPlateau`` on the loss that stopping
monitors: ``val_loss`` with early stopping, else ``loss``; factor 0.1, patience
``max(1, n_iter_no_change // 2)``, ``min_delta=tol``) or a
``keras.optimizers.schedules.LearningRateSchedule`` (called with the step; its own initial rate).

The rates of each epoch's steps are computed at the epoch's start. On the batch-by-batch path
the callback sets each batch's rate on the host; the compiled program takes them as an array and
sets them inside (``kerasguide_step_rates``); ``"plateau"`` changes the rate after an epoch.
``history_["learning_rate"]`` records the rate of each epoch (of its first batch). Each
``fit`` runs the schedule from its start (a warm start too); ``partial_fit`` calls continue it,
counting the optimizer's steps, as if they were the epochs of one fit of ``epochs``. After
training the optimizer's rate is the base rate again.
"""

from __future__ import annotations

import numpy as np

from kerasguide.exceptions import InvalidParameterError

__all__ = ["SCHEDULE_NAMES", "check_rates", "record_rates", "schedule_hooks"]

SCHEDULE_NAMES = ("cosine", "step", "plateau")


def _keras_schedule(spec, base: float, total_steps: int):
    import keras

    schedules = keras.optimizers.schedules
    if spec == "cosine":
        return schedules.CosineDecay(base, decay_steps=max(1, total_steps))
    if spec == "step":
        return schedules.ExponentialDecay(base, decay_steps=max(1, total_steps // 3),
                                          decay_rate=0.1, staircase=True)  # fmt: skip
    return spec  # a LearningRateSchedule instance


def _rates(schedule, first_step: int, n_steps: int) -> np.ndarray:
    """The schedule's rates for ``n_steps`` steps from ``first_step`` (vectorised if it can)."""
    import keras

    steps = np.arange(first_step, first_step + n_steps)
    try:
        rates = keras.ops.convert_to_numpy(schedule(keras.ops.convert_to_tensor(steps)))
        if np.shape(rates) == (n_steps,):
            return np.asarray(rates, dtype=np.float64)
    except Exception:  # a user's schedule may take scalar steps only
        pass
    return np.array([float(keras.ops.convert_to_numpy(schedule(int(s)))) for s in steps])


def check_rates(spec, rates: np.ndarray, first_step: int) -> None:
    """Refuse a user's schedule whose rate at some step is not a finite number > 0 (as
    ``learning_rate`` must be): a negative rate trains by gradient ascent, zero not at all."""
    bad = np.flatnonzero(~(np.isfinite(rates) & (rates > 0)))
    if bad.size:
        raise InvalidParameterError(
            "`learning_rate_schedule` must give a finite learning rate > 0 at every step, as "
            f"`learning_rate` must be; at step {first_step + int(bad[0])} it gives "
            f"{float(rates[bad[0]]):.6g}. Received: learning_rate_schedule={spec!r}"
        )


def _rate_keeper(spec, epochs: int, partial: bool):
    import keras

    class RateKeeper(keras.callbacks.Callback):
        """Sets each batch's rate from the schedule; restores the base rate at the end."""

        #: Its per-batch hook only sets ``epoch_rates``, which the compiled program takes.
        kerasguide_step_rates = True

        def on_train_begin(self, logs=None):
            self.rates: list[float] = []
            optimizer = self.model.optimizer
            self.base = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            self.step = int(keras.ops.convert_to_numpy(optimizer.iterations)) if partial else 0
            steps = self.params["steps"]
            total = epochs * steps
            self.schedule = None if spec == "plateau" else _keras_schedule(spec, self.base, total)
            # Every rate of this call, before its first step: a bad one is refused up front.
            self.call_rates = None
            if self.schedule is not None:
                self.call_rates = _rates(self.schedule, self.step, self.params["epochs"] * steps)
                if not isinstance(spec, str):
                    check_rates(spec, self.call_rates, self.step)
            self.first = self.step

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_rates = None
            steps = self.params["steps"]
            if self.call_rates is not None:
                start = self.step - self.first
                self.epoch_rates = self.call_rates[start : start + steps]
                self.model.optimizer.learning_rate = float(self.epoch_rates[0])
            self.step += steps
            # The rate this epoch starts with (after ReduceLROnPlateau's last change).
            rate = keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)
            self.rates.append(float(rate))

        def on_train_batch_begin(self, batch, logs=None):
            if self.epoch_rates is not None:
                self.model.optimizer.learning_rate = float(self.epoch_rates[batch])

        def on_train_end(self, logs=None):
            self.model.optimizer.learning_rate = self.base

    return RateKeeper()


def schedule_hooks(params, *, partial: bool, validating: bool) -> list:
    """The Keras callbacks that apply ``params["learning_rate_schedule"]`` (none for None)."""
    spec = params.get("learning_rate_schedule")
    if spec is None:
        return []
    hooks = [_rate_keeper(spec, params["epochs"], partial)]
    if spec == "plateau":
        import keras

        hooks.append(keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss" if validating else "loss", factor=0.1,
            patience=max(1, params["n_iter_no_change"] // 2), min_delta=params["tol"],
        ))  # fmt: skip
    return hooks


def record_rates(hooks: list, result) -> None:
    """Put the rate of each trained epoch into ``result.history["learning_rate"]``."""
    if hooks:
        result.history["learning_rate"] = hooks[0].rates[: result.epochs]
