"""One call of ``fit`` or ``partial_fit``, in named steps.

``fit_once`` runs them in order: ``start_or_resume`` (a new model, or the fitted one with
its state saved for a rollback), ``training_arrays`` (the targets in the model's dtype and the
validation split), ``plan_engine`` (which compiled model trains, and how), ``run_training``
and ``record`` (the fitted attributes). The estimator classes supply the target encoding.
"""

from __future__ import annotations

import warnings
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from kerasguide._estimator import compiled, engine
from kerasguide._estimator.backend import multi_step_execution, training_dtype
from kerasguide._estimator.building import ModelPlan, plan_model, resolve_task
from kerasguide._estimator.holdout import is_splitter, split_with
from kerasguide._estimator.loop import TrainingOptions, TrainingResult, needs_batch_hooks
from kerasguide._estimator.schedules import record_rates, schedule_hooks
from kerasguide._estimator.sk_callbacks import sklearn_reporter
from kerasguide._estimator.state import network_variables, set_trained, table_embeddings
from kerasguide._estimator.training import train, train_fused
from kerasguide.exceptions import ConvergenceWarning

__all__ = ["EnginePlan", "Start", "fit_once"]

#: Fewest training steps (epochs x batches per epoch) for which the fused path is used.
FUSED_MIN_STEPS = 500
#: Fewest training steps for which the whole-program path is used. Measured on 2 cores
#: (digits, 500 rows, first and second fit of an architecture), the program beats
#: ``train_on_batch`` steps from 80 steps on: TensorFlow (a plain graph there) 0.53 s / 0.08 s
#: against 0.68 s / 0.17 s, JAX 4.5 s / 0.03 s against 5.9 s / 0.13 s. The program records
#: the loss only, but so does the step path for the pooled zoo models (compiled without
#: metrics); a ``model`` callable, with its own metrics, is never pooled.
COMPILED_MIN_STEPS = 80
#: Parameters that a warm start may change: the seed is drawn anew, the rate is applied.
_RESUMABLE = {"seed", "dtype", "learning_rate", "metrics"}


@dataclass
class Start:
    """The model a fit trains, and what it needs to resume or roll back."""

    model: Any
    plan: ModelPlan
    task: str
    n_outputs: int
    history: dict[str, list[float]]
    #: Every variable's value before training (model and optimizer), for a rollback; None
    #: for a new model.
    saved: list | None = None


@dataclass(frozen=True)
class EnginePlan:
    """Which compiled model trains, and whether whole epochs run per compiled call."""

    key: Any = None
    fused: bool = False
    steps: int = 1
    #: Chunks of epochs as one compiled program (``compiled``), on the plain engine.
    whole: bool = False


def _seeds(random_state) -> tuple[int, np.random.Generator]:
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    return seed, np.random.default_rng(int(rng.randint(np.iinfo(np.int32).max)))


def _changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    def same(a, b) -> bool:
        try:
            return bool(a == b)
        except (TypeError, ValueError):
            return a is b

    names = (set(old) | set(new)) - _RESUMABLE
    return sorted(n for n in names if not same(old.get(n), new.get(n)))


def _build_seeded(plan: ModelPlan, dtype: str):
    """Build the plan's model. The zoo draws its initial weights in float32 and casts them
    (``kerasguide.zoo.initializers``), so one build serves float64 too; a ``model`` callable
    may use Keras's own initializers, which draw other numbers in float64 for the same seed,
    so its float64 model starts from a float32 twin's weights."""
    model = plan.build()
    if plan.key is not None or dtype != "float64" or "dtype" not in plan.kwargs:
        return model
    twin = ModelPlan(plan.builder, {**plan.kwargs, "dtype": "float32"}).build()
    weights = twin.get_weights()
    if [w.shape for w in weights] == [tuple(v.shape) for v in model.weights]:
        model.set_weights([w.astype(np.float64) for w in weights])
    return model


def start_or_resume(est, params, X, task, n_outputs, seed, dtype, first) -> Start:
    """A new model (``first``), or the fitted one, checked against the current parameters."""
    import keras

    if first:
        task, n_outputs = resolve_task(params["model"], task, n_outputs)
        # A distributed model trains itself (pooled engines are single-device models), and
        # callbacks must see the estimator's own model.
        pooled = params["distribution"] is None and not params["callbacks"]
        plan = plan_model(params, task, X.shape[1:], n_outputs, seed, dtype, pooled=pooled,
                          embeddings=table_embeddings(est))  # fmt: skip
        return Start(_build_seeded(plan, dtype), plan, task, n_outputs, {})
    if task in ("regression", "multilabel") and n_outputs != est.n_outputs_:
        raise ValueError(
            f"y has {n_outputs} columns but the fitted model predicts "
            f"{est.n_outputs_}; refit with warm_start=False."
        )
    old = est._model_plan_
    plan = plan_model(params, est.task_, X.shape[1:], est.n_outputs_, seed, dtype,
                      embeddings=table_embeddings(est))  # fmt: skip
    changed = (["model"] if plan.builder is not old.builder else []) + _changed(
        old.kwargs, plan.kwargs
    )
    if changed:
        name = changed[0]
        value = params["model"] if name == "model" else plan.kwargs.get(name)
        raise ValueError(
            f"warm_start=True continues the fitted model, but `{name}` changed since it was "
            f"built; set it back or refit with warm_start=False. Received: {name}={value!r}"
        )
    model = est._model_
    saved = [keras.ops.convert_to_numpy(v) for v in network_variables(model)]
    if params.get("learning_rate") is not None:  # as scikit-learn's MLP: the new rate applies
        model.optimizer.learning_rate.assign(params["learning_rate"])
    pooled = params["distribution"] is None and not params["callbacks"]
    plan = ModelPlan(plan.builder, plan.kwargs, plan.where, old.key if pooled else None,
                     program_key=old.program_key if pooled else None)  # fmt: skip
    history = {k: list(v) for k, v in est.history_.items()}
    return Start(model, plan, est.task_, est.n_outputs_, history, saved)


def training_arrays(params, X, y_enc, sample_weight, task, seed, *, validate: bool,
                    given=None, groups=None):  # fmt: skip
    """The training rows, and the validation ``(X_val, y_val, sw_val)`` (None without one):
    ``given`` (the encoded ``X_val``, ...: then every row trains), the first split of a
    splitter given as ``validation_fraction``, or a stratified share of the rows."""
    if not (params["early_stopping"] and validate):
        return (X, y_enc, sample_weight), None
    if given is not None:
        return (X, y_enc, sample_weight), given
    arrays = [X, y_enc] + ([sample_weight] if sample_weight is not None else [])
    if is_splitter(params["validation_fraction"]):
        train, val = split_with(params["validation_fraction"], arrays, y_enc, groups)
        pad = [None] * (3 - len(arrays))
        return (*train, *pad), (*val, *pad)
    stratify = y_enc if task in ("binary", "multiclass") else None
    n_val = int(np.ceil(params["validation_fraction"] * X.shape[0]))
    if n_val < 2:
        raise ValueError(
            f"early_stopping holds out validation_fraction={params['validation_fraction']} of "
            f"{X.shape[0]} rows, which is {n_val} row(s); the validation set needs at least 2. "
            "Raise validation_fraction, pass more data, or set early_stopping=False."
        )
    # As scikit-learn's MLP: a class too small to stratify is an error, not an unstratified
    # split that could leave a class's only rows in the validation set.
    split = train_test_split(*arrays, test_size=params["validation_fraction"],
                             random_state=seed, stratify=stratify)  # fmt: skip
    X_train, X_val, y_train, y_val = split[:4]
    sw_train, sw_val = (split[4], split[5]) if sample_weight is not None else (None, None)
    return (X_train, y_train, sw_train), (X_val, y_val, sw_val)


def batch_size_for(params, n_samples: int) -> int:
    if params["batch_size"] == "auto":
        return min(200, n_samples)
    return min(params["batch_size"], n_samples)


def plan_engine(
    key,
    params,
    X_train,
    epochs: int,
    batch_size: int,
    validation,
    model=None,
    epoch_hooks=(),
    program_key=None,
) -> EnginePlan:
    """Whole epochs in one compiled call where nothing needs a per-batch hook and enough steps
    repay compiling: chunks of epochs as one program where the backend and the model's loss
    allow (``compiled.supported``: a zoo model, trained on the pooled engine, or on its own
    when callbacks must see it; the validation pass runs inside the program, callbacks and the
    progress bar between chunks of one epoch), otherwise ``model.fit`` with
    ``steps_per_execution`` (no validation, callbacks or progress bar). ``epoch_hooks`` are
    this call's callbacks of our own (schedules, scikit-learn's callbacks), which, unlike a
    user's, may act on a pooled engine. The choice depends only on the parameters, the model
    and the data's shape, so seeded refits stay bit-identical."""
    steps = -(-X_train.shape[0] // batch_size)
    dense = not sp.issparse(X_train) and multi_step_execution()
    zoo = isinstance(params["model"], str) and params["distribution"] is None
    hooks = [*(params["callbacks"] or []), *epoch_hooks]
    if (
        zoo and dense and model is not None and compiled.supported(model)
        and not needs_batch_hooks(hooks)
        and (validation is None or not sp.issparse(validation[0]))
    ):  # fmt: skip
        # The program runs on the plain engine; below the threshold its steps are cheaper.
        whole = epochs * steps >= COMPILED_MIN_STEPS
        # The program takes the penalties' strengths and the dropout rates as inputs
        # (compiled.fed_penalties, fed_dropout): its engines are keyed without them, so a grid
        # over l1, l2 or dropout compiles once.
        if (whole and program_key is not None and compiled.fed_penalties(model) is not None
                and compiled.fed_dropout(model)):  # fmt: skip
            key = program_key
        return EnginePlan(key, steps=steps, whole=whole)
    quiet = not hooks and not params["verbose"] and validation is None
    if key is not None and dense and quiet and epochs * steps >= FUSED_MIN_STEPS:
        return EnginePlan((key, ("steps_per_execution", steps)), True, steps)
    return EnginePlan(key, False, steps)


def run_training(start: Start, plan: EnginePlan, arrays, options, validation) -> TrainingResult:
    """Train ``start.model``: on a pooled engine loaded with its state (copied back after), or
    directly (callbacks then see the estimator's own model)."""
    model = start.model
    if plan.key is None:
        pooled = nullcontext(model)
    else:
        build = start.plan.build
        if plan.fused:
            build = lambda: engine.with_steps_per_execution(start.plan.build(), plan.steps)  # noqa: E731
        pooled = engine.borrow(plan.key, build)
    with pooled as trainer:
        if trainer is not model:
            engine.copy_state(model, trainer)
        try:
            if plan.whole:
                return compiled.train_compiled(trainer, *arrays, options, validation,
                                               pooled=plan.key is not None)  # fmt: skip
            if plan.fused:
                return train_fused(trainer, *arrays, options)
            return train(trainer, *arrays, options, validation=validation)
        finally:
            if trainer is not model:
                engine.copy_state(trainer, model)


def record(est, start: Start, result: TrainingResult) -> None:
    """Set the fitted attributes from a finished training."""
    history = start.history
    for name, values in result.history.items():
        history.setdefault(name, []).extend(values)
    set_trained(est, model=start.model, plan=start.plan, task=start.task,
                n_outputs=start.n_outputs, history=history)  # fmt: skip


def _clear_non_finite_slots(model) -> None:
    """Zero the optimizer's variables that hold NaN or infinity after a divergence, as a new
    optimizer's moments start: the restored best weights would otherwise meet them again at
    the next warm start or ``partial_fit``."""
    import keras

    for variable in model.optimizer.variables:
        value = keras.ops.convert_to_numpy(variable)
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            variable.assign(np.zeros_like(value))


def _check_outcome(est, options: TrainingOptions, result: TrainingResult) -> None:
    if result.diverged and result.best_epoch:
        # As scikit-learn's MLP (#29504): the best validated weights are kept (the training
        # path restored them), so the fit is usable, though it ended early.
        warnings.warn(
            f"{type(est).__name__}: the validation loss became non-finite (NaN or infinity) "
            f"at epoch {result.epochs}; the model keeps the weights of epoch "
            f"{result.best_epoch}, the best validated. The learning rate may be too high, or "
            "the inputs may hold very large values (scale them, e.g. with StandardScaler).",
            ConvergenceWarning,
            stacklevel=5,
        )
        return
    if result.diverged:
        raise ValueError(
            f"{type(est).__name__}: training produced a non-finite loss (NaN or infinity) after "
            f"{result.epochs} epoch(s), so the weights are not usable; the estimator is left as "
            "it was. The inputs may hold very large values (scale them, e.g. with "
            "StandardScaler) or the learning_rate may be too high."
        )
    if options.check_convergence and not (result.converged or result.interrupted):
        warnings.warn(
            f"{type(est).__name__}: stopped at epochs={options.epochs} while the loss was "
            f"still improving by more than tol={options.tol}; raise `epochs` to train longer.",
            ConvergenceWarning,
            stacklevel=5,
        )


def _encode_given(est, given, y_enc):
    """The checked ``(X_val, y_val, sw_val)`` with ``y_val`` encoded as ``y_enc`` was."""
    if given is None:
        return None
    X_val, y_val, sw_val = given
    y_val, _, _ = est._encode_targets(y_val, first=False, partial=True)
    y_val = np.asarray(y_val).astype(y_enc.dtype)
    if y_enc.ndim == 2:
        y_val = y_val.reshape(y_val.shape[0], -1)
    if y_val.shape[1:] != y_enc.shape[1:]:
        raise ValueError(
            f"y_val has {y_val.shape[1:] or 1} column(s) but y has {y_enc.shape[1:] or 1}; "
            "pass validation targets of the same kind as y."
        )
    return X_val, est._validation_targets(y_val).astype(y_enc.dtype), sw_val


def fit_once(est, params, X, y, sample_weight, *, first, epochs, check_convergence, classes,
             validation=None, groups=None):  # fmt: skip
    """Train ``est`` on checked data; the caller restores the estimator if this raises.

    ``params`` (the checked parameters) is read, never changed; what belongs to this call
    comes as arguments: ``epochs`` (this call's: ``params["epochs"]`` for ``fit``, 1 for
    ``partial_fit``; the setting itself only sets a schedule's horizon), ``validation`` (the
    checked ``(X_val, y_val, sw_val)`` passed to ``fit``, or None)."""
    y_enc, task, n_outputs = est._encode_targets(
        y, first=first, classes=classes, partial=not check_convergence
    )
    reporter = sklearn_reporter(est, X, y, sample_weight, epochs)
    sample_weight = est._effective_sample_weight(sample_weight, X, y)
    seed, shuffle_rng = _seeds(params["random_state"])
    # Per-epoch hooks (Keras callbacks of our own) run between one-epoch calls of the compiled
    # program (plan_engine); unlike a user's callbacks they may act on a pooled engine.
    validating = params["early_stopping"] and check_convergence
    rate_hooks = schedule_hooks(params, partial=not check_convergence, validating=validating)
    hooks = rate_hooks + ([reporter] if reporter is not None else [])
    # float64 data trains in float64 where the backend has it (not JAX without x64).
    dtype = training_dtype(X.dtype)
    start = start_or_resume(est, params, X, task, n_outputs, seed, dtype, first)
    if reporter is not None:
        reporter.shape = (start.task, start.n_outputs)
    if start.task == "multiclass":
        y_enc = y_enc.astype(np.int32)
    else:
        y_enc = y_enc.astype(dtype).reshape(y_enc.shape[0], -1)
    y_enc = est._prepare_training(start.model, y_enc, sample_weight, first=first)
    given = _encode_given(est, validation, y_enc)
    arrays, validation = training_arrays(
        params,
        X,
        y_enc,
        sample_weight,
        start.task,
        seed,
        validate=check_convergence,
        given=given,
        groups=groups,
    )
    batch_size = batch_size_for(params, arrays[0].shape[0])
    plan = plan_engine(start.plan.key, params, arrays[0], epochs, batch_size, validation,
                       start.model, hooks, program_key=start.plan.program_key)  # fmt: skip
    options = TrainingOptions(
        epochs=epochs, batch_size=batch_size, shuffle=params["shuffle"], rng=shuffle_rng,
        tol=params["tol"], n_iter_no_change=params["n_iter_no_change"],
        check_convergence=check_convergence,
        callbacks=[*(params["callbacks"] or []), *hooks] or None,
        verbose=params["verbose"],
    )  # fmt: skip
    try:
        try:
            result = run_training(start, plan, arrays, options, validation)
            record_rates(rate_hooks, result)
        finally:
            est._to_output_units(start.model)
        if result.diverged:
            _clear_non_finite_slots(start.model)
        _check_outcome(est, options, result)
    except BaseException:
        if start.saved is not None:
            for variable, value in zip(network_variables(start.model), start.saved, strict=True):
                variable.assign(value)
        raise
    record(est, start, result)
    if reporter is not None:
        reporter.finish()
    return est
