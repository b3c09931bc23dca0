"""The private base of the estimators: parameters, validation, building, training, forward.

The public classes in :mod:`kerasguide.estimators` only encode targets and decode predictions.
Data flows one way: validate -> encode targets -> the registry builds the model -> Keras trains
it -> fitted attributes -> predict (NumPy fast path, or Keras) -> decode labels.
"""

from __future__ import annotations

import numbers
import warnings
from contextlib import nullcontext

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from kerasguide._estimator import engine as _engine
from kerasguide._estimator.backend import (
    DATA_PARALLEL,
    check_distribution,
    distribution_scope,
    multi_step_execution,
    training_dtype,
)
from kerasguide._estimator.building import build_plan, resolve_task
from kerasguide._estimator.inference import numpy_forward
from kerasguide._estimator.training import train, train_fused

__all__ = ["BaseKerasEstimator"]

# Fewest training steps (epochs x batches per epoch) for which the fused path is used.
_FUSED_MIN_STEPS = 500
# Rows per call of the NumPy forward pass (bounds its temporary memory).
_PREDICT_CHUNK = 4096


def _clean_array(X) -> bool:
    """True for a finite 2-D float32/float64 NumPy array, which needs no conversion."""
    return (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.shape[0] > 0
        and X.shape[1] > 0
        and X.dtype in (np.float32, np.float64)
        and bool(np.isfinite(X).all())
    )


class BaseKerasEstimator(BaseEstimator):
    """Shared machinery of :class:`KerasClassifier` and :class:`KerasRegressor`."""

    _parameter_constraints: dict = {
        "model": [str, callable],
        "hidden_layers": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [str, callable],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "l2": [Interval(numbers.Real, 0, None, closed="left")],
        "optimizer": [str, object],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "kernel_initializer": [str, object],
        "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
        "distribution": [None, StrOptions({DATA_PARALLEL}), list, tuple],
        "model_params": [dict, None],
    }

    # ----------------------------------------------------------------- subclass hooks
    def _encode_targets(self, y, *, first: bool, classes=None, sample_weight=None):
        """Return ``(y_encoded, task, n_outputs)``; set the label state when ``first``."""
        raise NotImplementedError

    def _prepare_training(self, model, y_enc, sample_weight, *, first: bool):
        """Called before training; returns the targets to train on (a subclass may rescale)."""
        return y_enc

    def _to_output_units(self, model) -> None:
        """Called after training (also after an interruption or a failure)."""

    def _class_sample_weight(self, y):
        return None

    # ----------------------------------------------------------------- fitting
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``(X, y)``.

        With ``warm_start=True`` and a fitted model, training continues from the current
        weights; otherwise a new model is built.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss; scaled to mean 1, so that integer weights
            act like repeated rows.

        Returns
        -------
        self
        """
        self._validate_params()
        incremental = self.warm_start and hasattr(self, "model_")
        return self._fit(
            X, y, sample_weight, first=not incremental, epochs=self.epochs, check_convergence=True
        )

    def _partial_fit(self, X, y, sample_weight=None, classes=None):
        self._validate_params()
        first = not hasattr(self, "model_")
        return self._fit(
            X, y, sample_weight, first=first, epochs=1, check_convergence=False, classes=classes
        )

    def _fit(self, X, y, sample_weight, *, first, epochs, check_convergence, classes=None):
        previous = {
            k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("__")
        }
        devices = check_distribution(self.distribution)
        try:
            X, y = validate_data(
                self,
                X,
                y,
                reset=first,
                accept_sparse=("csr", "csc"),
                dtype=(np.float64, np.float32),
                multi_output=True,
                y_numeric=not self._is_classifier,
            )
            if y.ndim == 2 and y.shape[1] == 1:
                y = column_or_1d(y, warn=True)
            # Building and training inside the scope spreads each batch over the devices.
            with distribution_scope(devices):
                return self._train(
                    X,
                    y,
                    sample_weight,
                    first=first,
                    epochs=epochs,
                    check_convergence=check_convergence,
                    classes=classes,
                )
        except BaseException:
            # A failed call leaves a fitted estimator as it was.
            for key in [k for k in vars(self) if k.endswith("_") and k not in previous]:
                delattr(self, key)
            vars(self).update(previous)
            raise

    @property
    def _is_classifier(self) -> bool:
        return isinstance(self, ClassifierMixin)

    def _train(self, X, y, sample_weight, *, first, epochs, check_convergence, classes):
        import keras

        sample_weight = self._effective_sample_weight(sample_weight, X, y)
        y_enc, task, n_outputs = self._encode_targets(
            y, first=first, classes=classes, sample_weight=sample_weight
        )
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        shuffle_rng = np.random.default_rng(int(rng.randint(np.iinfo(np.int32).max)))
        # float64 data trains in float64 where the backend has it (not JAX without x64).
        dtype = training_dtype(X.dtype)
        if first:
            task, n_outputs = self._resolve_task(task, n_outputs)
            make_model, key = self._build_plan(task, X.shape[1], n_outputs, seed, dtype)
            model = make_model()
            history: dict[str, list[float]] = {}
            saved = None
        else:
            if task in ("regression", "multilabel") and n_outputs != self.n_outputs_:
                raise ValueError(
                    f"y has {n_outputs} columns but the fitted model predicts "
                    f"{self.n_outputs_}; refit with warm_start=False."
                )
            task, n_outputs = self.task_, self.n_outputs_
            model, history = self.model_, {k: list(v) for k, v in self.history_.items()}
            saved = [keras.ops.convert_to_numpy(v) for v in model.variables]
            make_model, key = self._build_plan(task, X.shape[1], n_outputs, seed, dtype)
            if key != getattr(self, "_engine_key", None):
                key = None  # parameters changed since the model was built: train it directly
        if task == "multiclass":
            y_enc = y_enc.astype(np.int32)
        else:
            y_enc = y_enc.astype(dtype).reshape(y_enc.shape[0], -1)
        y_enc = self._prepare_training(model, y_enc, sample_weight, first=first)

        validation = None
        X_train, y_train, sw_train = X, y_enc, sample_weight
        if self.early_stopping and check_convergence:
            stratify = y_enc if task in ("binary", "multiclass") else None
            arrays = [X, y_enc] + ([sample_weight] if sample_weight is not None else [])
            try:
                split = train_test_split(
                    *arrays,
                    test_size=self.validation_fraction,
                    random_state=seed,
                    stratify=stratify,
                )
            except ValueError:  # too few samples of a class to stratify
                split = train_test_split(
                    *arrays, test_size=self.validation_fraction, random_state=seed
                )
            X_train, X_val, y_train, y_val = split[:4]
            sw_train, sw_val = (split[4], split[5]) if sample_weight is not None else (None, None)
            validation = (X_val, y_val, sw_val)

        batch_size = self._batch_size(X_train.shape[0])
        model_key = key
        # Whole epochs in one compiled call where nothing needs a per-epoch hook, and where
        # enough steps repay compiling a step for this epoch length (the choice depends only
        # on the parameters and the data, so seeded refits stay bit-identical).
        steps = -(-X_train.shape[0] // batch_size)
        fused = (
            key is not None
            and validation is None
            and not self.callbacks
            and not self.verbose
            and not sp.issparse(X_train)
            and epochs * steps >= _FUSED_MIN_STEPS
            and multi_step_execution()
        )
        make_engine = make_model
        if fused:
            key = (key, ("steps_per_execution", steps))
            make_engine = lambda: _engine.with_steps_per_execution(make_model(), steps)  # noqa: E731
        pooled = _engine.borrow(key, make_engine) if key is not None else nullcontext(model)
        options = {
            "epochs": epochs,
            "batch_size": batch_size,
            "shuffle": self.shuffle,
            "rng": shuffle_rng,
            "tol": self.tol,
            "n_iter_no_change": self.n_iter_no_change,
            "check_convergence": check_convergence,
        }
        try:
            with pooled as engine:
                try:
                    if engine is not model:
                        _engine.copy_state(model, engine)
                    if fused:
                        result = train_fused(engine, X_train, y_train, sw_train, **options)
                    else:
                        result = train(
                            engine,
                            X_train,
                            y_train,
                            sw_train,
                            validation=validation,
                            callbacks=self.callbacks,
                            verbose=self.verbose,
                            **options,
                        )
                    if engine is not model:
                        _engine.copy_state(engine, model)
                finally:
                    self._to_output_units(model)
        except Exception:
            if saved is not None:
                for variable, value in zip(model.variables, saved, strict=True):
                    variable.assign(value)
            raise
        for name, values in result.history.items():
            history.setdefault(name, []).extend(values)
        if check_convergence and not (result.converged or result.interrupted):
            warnings.warn(
                f"{type(self).__name__}: reached epochs={self.epochs} before the loss stopped "
                "improving; raise `epochs` or `learning_rate`.",
                ConvergenceWarning,
                stacklevel=3,
            )
        self.model_ = model
        self.task_ = task
        self.history_ = history
        self.loss_curve_ = list(history.get("loss", []))
        self.n_iter_ = len(self.loss_curve_)
        self.n_outputs_ = n_outputs
        self._engine_key = model_key
        self._forward = numpy_forward(model)
        return self

    def _effective_sample_weight(self, sample_weight, X, y):
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            total = sample_weight.sum()
            if total <= 0:
                raise ValueError("Sample weights must contain at least one non-zero number.")
            sample_weight = sample_weight * (sample_weight.shape[0] / total)
        class_weight = self._class_sample_weight(y)
        if class_weight is not None:
            sample_weight = class_weight if sample_weight is None else sample_weight * class_weight
        return sample_weight

    def _batch_size(self, n_samples: int) -> int:
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(self.batch_size, n_samples)

    # ----------------------------------------------------------------- building
    def _resolve_task(self, task: str, n_outputs: int) -> tuple[str, int]:
        return resolve_task(self.model, task, n_outputs)

    def _build_plan(self, task: str, n_features: int, n_outputs: int, seed: int, dtype: str):
        """A model factory (also the engines' factory) and the engine-pool key (None: none)."""
        make_model, key = build_plan(self, task, n_features, n_outputs, seed, dtype)
        # A distributed model trains itself: pooled engines are single-device models.
        return make_model, (key if self.distribution is None else None)

    # ----------------------------------------------------------------- predicting
    def _forward_pass(self, X) -> np.ndarray:
        check_is_fitted(self)
        if _clean_array(X):
            # Already what check_array would return: only the feature checks remain.
            validate_data(self, X, reset=False, skip_check_array=True)
        else:
            X = validate_data(
                self, X, reset=False, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32)
            )
        forward = getattr(self, "_forward", None)
        if forward is not None and X.shape[0] <= _PREDICT_CHUNK and not sp.issparse(X):
            return forward(X)  # the common small case, without chunking
        chunks = []
        for start in range(0, X.shape[0], _PREDICT_CHUNK):
            rows = X[start : start + _PREDICT_CHUNK]
            if sp.issparse(rows):
                rows = rows.toarray()
            if forward is not None:
                chunks.append(forward(rows))
            else:
                chunks.append(np.asarray(self.model_.predict(rows, verbose=0), dtype=np.float64))
        return np.concatenate(chunks)

    def __setstate__(self, state):
        super().__setstate__(state)
        if "model_" in state:
            self._forward = numpy_forward(self.model_)

    def __getstate__(self):
        # A copy: BaseEstimator.__getstate__ may hand back the instance's own __dict__, and
        # pickling must not take the fast forward pass away from the estimator being pickled.
        state = dict(super().__getstate__())
        state.pop("_forward", None)  # a closure; rebuilt from model_ on unpickling
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
