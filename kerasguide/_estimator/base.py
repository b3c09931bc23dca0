"""The private base of the estimators: the public methods' plumbing around one fit.

The public classes in [`kerasguide.estimators`][kerasguide.estimators] only encode targets and
decode predictions. Data flows one way: check the parameters -> validate the data -> encode targets
-> the registry builds the model -> Keras trains it (``kerasguide._estimator.fitting``) -> fitted
attributes -> predict (NumPy fast path, or Keras) -> decode labels.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from kerasguide._estimator import compile_cache
from kerasguide._estimator.backend import distribution_scope
from kerasguide._estimator.building import check_takes_tables
from kerasguide._estimator.ensemble import fit_members, spread, stochastic_passes
from kerasguide._estimator.fitting import fit_once
from kerasguide._estimator.holdout import check_validation_data
from kerasguide._estimator.inference import ForwardCache, predict_in_chunks
from kerasguide._estimator.params import check_params
from kerasguide._estimator.shapes import model_rows, row_shape
from kerasguide._estimator.sk_callbacks import CallbackSupportMixin, with_callbacks
from kerasguide._estimator.state import (
    rollback_on_failure,
    seed_state,
    set_seed_state,
    set_table,
)
from kerasguide._estimator.tabular import (
    TableEncoding,
    categorical_mask,
    changed_spec,
    learn_encoding,
    table_rows,
)
from kerasguide._estimator.weights import effective_sample_weight
from kerasguide.exceptions import InvalidParameterError

__all__ = ["BaseKerasEstimator"]

# The most rows per call of the forward pass; fewer for wide data, so that a chunk's dense
# arrays stay within inference.CHUNK_BYTES (a sparse chunk is densified only when computed).
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


class BaseKerasEstimator(CallbackSupportMixin, BaseEstimator):
    """Shared machinery of the two estimators.

    [`KerasClassifier`][kerasguide.estimators.KerasClassifier] and
    [`KerasRegressor`][kerasguide.estimators.KerasRegressor] derive from it.
    """

    # ----------------------------------------------------------------- subclass hooks
    def _encode_targets(self, y, *, first: bool, classes=None, partial: bool = False):
        """Return ``(y_encoded, task, n_outputs)``; set the label state when ``first``.

        ``partial`` tells ``partial_fit`` (its ``classes``) from a warm-started ``fit``.
        """
        raise NotImplementedError

    def _prepare_training(self, model, y_enc, sample_weight, *, first: bool):
        """Called before training; returns the targets to train on (a subclass may rescale)."""
        return y_enc

    def _to_output_units(self, model) -> None:
        """Called after training (also after an interruption or a failure)."""

    def _class_sample_weight(self, y):
        return None

    def _checked_params(self) -> dict:
        """The checked parameters (a subclass may add its own), as ``fit`` trains with."""
        return check_params(self)

    def _restored(self) -> None:
        """Called by ``kerasguide.load`` once the fitted attributes and the model are set."""

    def _validation_targets(self, y_enc):
        """The encoded validation targets in the units training uses (a subclass may rescale)."""
        return y_enc

    # ----------------------------------------------------------------- fitting
    @with_callbacks
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None,
            groups=None):  # fmt: skip
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
        X_val : array-like or sparse matrix of shape (n_val, n_features) or (n_val, \
*input_shape), default=None
            Additional sample of features for validation used in early stopping (which
            then holds out no training row); it takes the row shapes ``X`` takes. In a
            `Pipeline`, `X_val` can be transformed the same way as `X` with
            `Pipeline(..., transform_input=["X_val"])`. As in
            scikit-learn's ``HistGradientBoosting*``, it needs ``early_stopping=True``.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Additional sample of target values for validation used in early stopping.
        sample_weight_val : array-like of shape (n_val,), default=None
            Additional weights for validation used in early stopping.
        groups : array-like of shape (n_samples,), default=None
            Group labels for the splitter given as ``validation_fraction`` (e.g.
            ``GroupShuffleSplit``); an error with a float ``validation_fraction``.

        Returns
        -------
        self
        """
        # Before anything runs on the backend (the checks make Keras objects): TensorFlow
        # reads its cache flag once, at its first op.
        compile_cache.ensure()
        params = self._checked_params()
        if params.get("uncertainty") == "ensemble":
            return fit_members(self, params, lambda member: member.fit(
                X, y, sample_weight, X_val=X_val, y_val=y_val,
                sample_weight_val=sample_weight_val, groups=groups))  # fmt: skip
        incremental = params["warm_start"] and hasattr(self, "_model_")
        validation = (X_val, y_val, sample_weight_val, groups)
        return self._fit(params, X, y, sample_weight, first=not incremental,
                         epochs=params["epochs"], check_convergence=True,
                         validation=validation)  # fmt: skip

    @with_callbacks
    def _partial_fit(self, X, y, sample_weight=None, classes=None):
        compile_cache.ensure()
        params = self._checked_params()
        if params.get("uncertainty") == "ensemble":
            # Members resume as a warm start does: the fitted ones, each one more epoch.
            return fit_members(
                self,
                params.replace(warm_start=True),
                lambda member: member._partial_fit(
                    X, y, sample_weight=sample_weight, classes=classes
                ),
            )
        first = not hasattr(self, "_model_")
        return self._fit(params, X, y, sample_weight, first=first, epochs=1,
                         check_convergence=False, classes=classes)  # fmt: skip

    def _fit(self, params, X, y, sample_weight, *, first, epochs, check_convergence,
             classes=None, validation=(None, None, None, None)):  # fmt: skip
        compile_cache.ensure()  # (fit does it earlier; here for every caller, the transformer's)
        # A failed call leaves a fitted estimator as it was.
        with rollback_on_failure(self):
            table = self._table(params, X, first)
            if table is not None:
                X, y = table_rows(self, table, X, reset=first, y=y,
                                  y_numeric=not self._is_classifier)  # fmt: skip
            else:
                # Rows of input_shape (None: of X's shape, or the fitted model's when resuming).
                shape = row_shape(
                    params["input_shape"] or (None if first else self.input_shape_), X
                )
                X, y = model_rows(
                    self, X, shape, y=y, reset=first, accept_sparse=("csr", "csc"),
                    dtype=(np.float64, np.float32), multi_output=True,
                    y_numeric=not self._is_classifier,
                )  # fmt: skip
            if first:
                self.input_shape_ = tuple(int(d) for d in X.shape[1:])
            if y.ndim == 2 and y.shape[1] == 1:
                y = column_or_1d(y, warn=True)
            *given, groups = validation
            given = check_validation_data(self, params, X, *given, groups, y=y)
            # Building and training inside the scope spreads each batch over the devices.
            with distribution_scope(params["distribution"]):
                return fit_once(self, params, X, y, sample_weight, first=first, epochs=epochs,
                                check_convergence=check_convergence, classes=classes,
                                validation=given, groups=groups)  # fmt: skip

    def _table(self, params, X, first: bool) -> TableEncoding | None:
        """The encoding of a table with categorical columns (None: numbers only), learned by a
        first fit (and set as fitted state), else the fitted one."""
        if not first:
            table = getattr(self, "_table_", None)
            spec, width = params["categorical_features"], params["embedding_dim"]
            one_hot = table is not None and check_takes_tables(params)
            changed = changed_spec(table, X, spec, width, one_hot)
            if changed:
                raise ValueError(
                    f"warm_start=True continues the fitted model, but `{changed}` encodes X "
                    "otherwise than when it was fitted; set it back or refit with "
                    f"warm_start=False. Received: {changed}={params[changed]!r}"
                )
            return table
        mask = categorical_mask(X, params["categorical_features"])
        if mask is not None:
            # A model that reconstructs its input (the autoencoder) reads every column one-hot:
            # its output must be its input, which an embedding's learned values cannot be.
            one_hot = check_takes_tables(params)
            table = learn_encoding(X, mask, params["embedding_dim"], one_hot_only=one_hot)
        else:
            table = None
        set_table(self, table)
        return table

    @property
    def _is_classifier(self) -> bool:
        return isinstance(self, ClassifierMixin)

    def _effective_sample_weight(self, sample_weight, X, y):
        return effective_sample_weight(sample_weight, X, self._class_sample_weight(y))

    # ----------------------------------------------------------------- the fitted model
    @property
    def model_(self):
        """The trained Keras model.

        It is the estimator's own: train it further, or change its weights, and the next
        ``predict`` sees the change.
        """
        try:
            model = self._model_
        except AttributeError:
            name = type(self).__name__
            raise AttributeError(f"'{name}' object has no attribute 'model_'") from None
        # The caller may change the weights through it: the next predict reads them again.
        self._forward_.stale = True
        return model

    # ----------------------------------------------------------------- saving
    def save(self, path):
        """Write the fitted estimator to one zip file, without pickle; see `kerasguide.io.saving`.

        Load it with [`kerasguide.load`][kerasguide.io.saving.load]. Returns the path.
        """
        from kerasguide.io.kgz import write

        return write(self, path)

    def model_card(self, metrics=None) -> str:
        """A Markdown model card (Hugging Face front matter) describing the fitted estimator.

        Parameters
        ----------
        metrics : dict of str to float, default=None
            Scores to report, e.g. ``{"accuracy": 0.97}``: their names go into the front
            matter's ``metrics``, their values into an evaluation table.
        """
        from kerasguide._estimator.card import model_card

        return model_card(self, metrics)

    # ----------------------------------------------------------------- predicting
    def _forward_pass(self, X, *, log: bool = False, binary: bool = False) -> np.ndarray:
        """The model's outputs for ``X``, in the model's dtype (float32 or float64).

        ``log`` gives log-probabilities, computed in log space from a sigmoid or softmax
        head's pre-activation; ``binary`` turns one sigmoid output into ``[1 - p, p]``.
        """
        outputs = self._member_outputs(X, binary=binary)
        if outputs is not None:
            mean = outputs.mean(axis=0)
            if log:
                return np.log(np.maximum(mean, np.finfo(mean.dtype).smallest_subnormal))
            return mean
        X = self._checked_rows(X)
        model = self._model_
        forward = self._forward_.forward(model)
        return predict_in_chunks(model, forward, X, max_rows=_PREDICT_CHUNK, log=log,
                                 binary=binary)  # fmt: skip

    def _checked_rows(self, X):
        """``X`` checked against the fitted estimator, as the model reads it."""
        check_is_fitted(self)
        return self._model_input(X)

    def _member_outputs(self, X, *, binary: bool = False):
        """The outputs of each ensemble member or Monte Carlo pass, shape ``(n_members,
        n_samples, n_outputs)``; None for a single network without ``uncertainty``."""
        check_is_fitted(self)
        members = getattr(self, "_members_", None)
        if members is not None:
            return np.stack([m._forward_pass(X, binary=binary) for m in members])
        if getattr(self, "uncertainty", None) != "mc_dropout":
            return None
        X = self._checked_rows(X)
        if not isinstance(X, np.ndarray):
            X = X.toarray()
        seed = self.random_state if isinstance(self.random_state, int) else 0
        outputs = stochastic_passes(self._model_, X, self.n_members, seed)
        if binary:
            outputs = np.concatenate([1.0 - outputs, outputs], axis=2)
        return outputs

    def _mean_and_std(self, X):
        """``(mean, std)`` over the members, for ``predict(X, return_std=True)``."""
        outputs = self._member_outputs(X)
        if outputs is None:
            raise InvalidParameterError(
                "predict(X, return_std=True) needs an estimator that knows its uncertainty: "
                "set `uncertainty` to 'ensemble' or 'mc_dropout' and fit it. "
                f"Received: uncertainty={getattr(self, 'uncertainty', None)!r}"
            )
        return spread(outputs)

    def _model_input(self, X):
        """``X`` checked against the fit, as the network reads it (a table's columns encoded)."""
        table = getattr(self, "_table_", None)
        if table is not None:
            return table_rows(self, table, X, reset=False)
        shape = self._row_shape()
        if len(shape) == 1 and _clean_array(X):
            # Already what check_array would return: only the feature checks remain.
            validate_data(self, X, reset=False, skip_check_array=True)
            return X
        return model_rows(self, X, shape, reset=False, accept_sparse=("csr", "csc"),
                          dtype=(np.float64, np.float32))  # fmt: skip

    def _row_shape(self) -> tuple[int, ...]:
        # Estimators fitted before input_shape_ existed read tables.
        return getattr(self, "input_shape_", (self.n_features_in_,))

    def __setstate__(self, state):
        seeds = state.pop("_seed_state", None)
        super().__setstate__(state)
        if "_model_" in state:
            self._forward_ = ForwardCache()
            if seeds is not None:  # Keras pickles a model without its dropout seed state
                set_seed_state(self._model_, seeds)

    def __getstate__(self):
        # A copy: BaseEstimator.__getstate__ may hand back the instance's own __dict__, and
        # pickling must not take the fast forward pass away from the estimator being pickled.
        state = dict(super().__getstate__())
        state.pop("_forward_", None)  # holds a lock; rebuilt from the model on unpickling
        if "_model_" in state:
            state["_seed_state"] = seed_state(state["_model_"])
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
