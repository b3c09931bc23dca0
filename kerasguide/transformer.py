"""``KerasTransformer``: a model of the zoo as a scikit-learn transformer (learned features).

As ``keras.wrappers.SKLearnTransformer`` offers, ``fit`` trains a model and ``transform``
returns the activations of one of its layers. By default the model is the
[`autoencoder`][kerasguide.zoo.models.autoencoder], trained to reconstruct ``X``, and the features
are its ``code``; a supervised model (``model="mlp"`` with ``y``) gives its last hidden layer.
Training is the estimators' own (``kerasguide._estimator``): the same parameters, checks,
engines and fitted attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

import kerasguide.zoo.layers  # noqa: F401  (registers kerasguide's Keras objects for loading)
from kerasguide._estimator.backend import float64_available
from kerasguide._estimator.base import BaseKerasEstimator
from kerasguide._estimator.inference import ForwardCache, predict_in_chunks
from kerasguide._estimator.params import check_params
from kerasguide._estimator.state import rollback_on_failure
from kerasguide._estimator.tabular import categorical_mask, learn_encoding
from kerasguide._estimator.targets import encode_labels
from kerasguide.core.checks import check
from kerasguide.exceptions import InvalidParameterError

__all__ = ["KerasTransformer"]

_CLASSIFICATION = ("binary", "multiclass", "multilabel-indicator")
#: Layers that do not make features of their own (the default layer is before them).
_PASS_THROUGH = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise")
_PREDICT_CHUNK = 4096


def _reconstruction_target(X, source):
    """``X`` itself as the targets of a reconstruction: a 2-D float array (checked later).

    A table with categorical columns is reconstructed as its numeric columns standardized and
    every categorical column one-hot (however many its categories): with the encoding a
    warm start continues (``source`` a ``TableEncoding`` or None), or one learned now
    (``source`` the checked parameters)."""
    if isinstance(source, Mapping):
        mask = categorical_mask(X, source["categorical_features"])
        source = None if mask is None else learn_encoding(X, mask, None, one_hot_only=True)
    if source is not None:
        return replace(source, dims=(0,) * len(source.dims)).encode(X)
    if sp.issparse(X):
        return X.toarray()
    array = np.asarray(X)
    if array.ndim > 2:
        array = array.reshape(array.shape[0], -1)
    return array.astype(np.float64) if array.dtype.kind in "biu" else array


class _Features:
    """A model from the inputs to one layer, sharing the trained layers (and their weights),
    with the NumPy forward pass of its weights (rebuilt when marked stale)."""

    def __init__(self, model, layer: str) -> None:
        import keras

        index = [each.name for each in model.layers].index(layer)
        if isinstance(model, keras.Sequential):
            # A Sequential keeps the exact NumPy forward pass of a Dense stack.
            inputs = keras.Input(model.input_shape[1:], dtype=model.inputs[0].dtype)
            self.model = keras.Sequential([inputs, *model.layers[: index + 1]])
        else:
            self.model = keras.Model(model.inputs, model.layers[index].output)
        self.cache = ForwardCache()


class KerasTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseKerasEstimator):
    """Learned features: train a model of the zoo, then transform ``X`` into a layer's output.

    With the default ``model="autoencoder"``, ``fit`` trains a dense encoder-decoder to
    reconstruct ``X`` (``y``, which a ``Pipeline`` always passes, is not used) and
    ``transform`` returns the ``code_size`` values of its ``code`` layer. Any other model is
    trained on ``y`` when given (classification for label targets, as by
    [`KerasClassifier`][kerasguide.estimators.KerasClassifier], else regression), or to
    reconstruct ``X`` without ``y``; ``transform`` returns its last hidden layer, or
    ``layer``. A layer of several dimensions (a convolution's maps) is flattened.

    Parameters
    ----------
    model : str or callable, default="autoencoder"
        A name from [`kerasguide.list_models`][kerasguide.zoo.registry.list_models], or a callable
        that builds and compiles a new Keras model, as for the estimators.
    layer : str, default=None
        The name of the layer whose activations ``transform`` returns. ``None``: the layer
        named ``code`` if the model has one, else the last layer before the output (Dropout
        layers skipped).
    code_size : int, default=None
        Units of the autoencoder's ``code``: the number of features (``autoencoder``: 2).
    hidden_layers, activation, dropout, l2, l1, normalization : default=None
        The model's knobs, as for [`KerasRegressor`][kerasguide.estimators.KerasRegressor]
        (``autoencoder``: ``hidden_layers=(64,)``, mirrored by its decoder).
    optimizer, learning_rate, learning_rate_schedule, kernel_initializer, batch_size, epochs, \
early_stopping, validation_fraction, n_iter_no_change, tol, shuffle, random_state, verbose, \
warm_start, callbacks, distribution, model_params, input_shape, categorical_features, \
embedding_dim
        Training, categorical columns and the rest, as for
        [`KerasRegressor`][kerasguide.estimators.KerasRegressor] (``kernel_initializer``
        default None: the model's own).

    Attributes
    ----------
    model_ : keras.Model
        The trained Keras model.
    layer_ : str
        The name of the layer ``transform`` reads.
    task_ : str
        What the model was trained for: ``"regression"`` (a reconstruction, or numeric ``y``),
        ``"binary"``, ``"multiclass"`` or ``"multilabel"``.
    classes_ : ndarray
        The class labels, when trained on label targets.
    history_, loss_curve_, n_iter_, n_outputs_, n_features_in_, feature_names_in_, \
input_shape_, is_categorical_, categories_
        As for the estimators. Reconstructing a table with categorical columns (the default
        model) reconstructs its numeric columns standardized and each categorical column
        one-hot.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from kerasguide import KerasTransformer
    >>> X, y = load_digits(return_X_y=True)
    >>> encoder = KerasTransformer(code_size=2, tol=1e-2, n_iter_no_change=2, random_state=0)
    >>> codes = encoder.fit_transform(X[:500] / 16)
    >>> codes.shape, encoder.n_iter_ < 200
    ((500, 2), True)
    >>> encoder.get_feature_names_out()
    array(['kerastransformer0', 'kerastransformer1'], dtype=object)
    """

    def __init__(
        self,
        model="autoencoder",
        layer=None,
        *,
        code_size=None,
        hidden_layers=None,
        activation=None,
        dropout=None,
        l2=None,
        l1=None,
        normalization=None,
        optimizer="adam",
        learning_rate=None,
        learning_rate_schedule=None,
        kernel_initializer=None,
        batch_size="auto",
        epochs=200,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=20,
        tol=1e-4,
        shuffle=True,
        random_state=None,
        verbose=0,
        warm_start=False,
        callbacks=None,
        distribution=None,
        model_params=None,
        input_shape=None,
        categorical_features="from_dtype",
        embedding_dim=None,
    ):
        self.model = model
        self.layer = layer
        self.code_size = code_size
        self.hidden_layers = hidden_layers
        self.activation = activation
        self.dropout = dropout
        self.l2 = l2
        self.l1 = l1
        self.normalization = normalization
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.kernel_initializer = kernel_initializer
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.distribution = distribution
        self.model_params = model_params
        self.input_shape = input_shape
        self.categorical_features = categorical_features
        self.embedding_dim = embedding_dim

    # ----------------------------------------------------------------- fitting
    @property
    def _is_classifier(self) -> bool:
        return getattr(self, "_classifying", False)

    def _checked_params(self) -> dict:
        params = check_params(self)
        check("layer", self.layer, none_ok=True)
        code_size = check("code_size", self.code_size, none_ok=True)
        if code_size is not None:
            extra = dict(params["model_params"] or {})
            if "code_size" in extra:
                raise InvalidParameterError(
                    "`code_size` is set both as a parameter and in `model_params`; set it once. "
                    f"Received: code_size={code_size!r}, model_params={extra!r}"
                )
            params = params.replace(model_params={**extra, "code_size": code_size})
        return params

    def _encode_targets(self, y, *, first, classes=None, partial=False):
        if not self._classifying:
            return y, "regression", 1 if y.ndim == 1 else y.shape[1]
        known = None if first else getattr(self, "classes_", None)
        classes_, y_enc, task, n_outputs = encode_labels(
            y, known, classes=classes, partial=partial, owner=type(self).__name__
        )
        self.classes_ = classes_
        return y_enc, task, n_outputs

    def fit(self, X, y=None, sample_weight=None):
        """Train the model: to reconstruct ``X``, or on ``y`` (see the class documentation).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features) or (n_samples, \
*input_shape)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Not used by ``model="autoencoder"``.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        params = self._checked_params()
        reconstruct = y is None or params["model"] == "autoencoder"
        incremental = params["warm_start"] and hasattr(self, "_model_")
        if reconstruct:
            y = _reconstruction_target(X, getattr(self, "_table_", None) if incremental else params)
        self._classifying = not reconstruct and type_of_target(y) in _CLASSIFICATION
        # A layer_ that cannot be read (after a successful training) undoes the training too.
        with rollback_on_failure(self):
            self._fit(params, X, y, sample_weight, first=not incremental,
                      epochs=params["epochs"], check_convergence=True)  # fmt: skip
            self.layer_ = self._feature_layer(self._model_)
        self._features_ = _Features(self._model_, self.layer_)
        return self

    # ----------------------------------------------------------------- the features
    def _feature_layer(self, model) -> str:
        names = [layer.name for layer in model.layers]
        if self.layer is not None:
            if self.layer not in names:
                raise InvalidParameterError(
                    f"`layer` must name a layer of the model: one of {names}. "
                    f"Received: layer={self.layer!r}"
                )
            return self.layer
        if "code" in names:
            return "code"
        hidden = [layer.name for layer in model.layers[:-1]
                  if type(layer).__name__ not in _PASS_THROUGH]  # fmt: skip
        if not hidden:
            raise InvalidParameterError(
                f"The model has no hidden layer to take features from (its layers: {names}); "
                "use a model with hidden layers, or name one with `layer`."
            )
        return hidden[-1]

    def transform(self, X):
        """The activations of ``layer_`` for ``X``, shape ``(n_samples, n_features_out)``.

        In the model's dtype (float64 for float64 data where the backend has it).
        """
        check_is_fitted(self)
        X = self._model_input(X)
        features = self._features_
        if self._forward_.stale:  # the caller may have changed the weights through model_
            features.cache.stale = True
            self._forward_.stale = False
        forward = features.cache.forward(features.model)
        out = predict_in_chunks(features.model, forward, X, max_rows=_PREDICT_CHUNK)
        return out.reshape(out.shape[0], -1)

    @property
    def _n_features_out(self) -> int:
        check_is_fitted(self)
        shape = self._model_.get_layer(self.layer_).output.shape[1:]
        return int(np.prod(shape))

    def get_feature_names_out(self, input_features=None):
        """Names of the features ``transform`` returns: ``kerastransformer0``, ... .

        Parameters
        ----------
        input_features : array-like of str, default=None
            Checked against ``feature_names_in_`` when given; the output names do not use them.

        Returns
        -------
        ndarray of str objects
        """
        return super().get_feature_names_out(input_features)

    # ----------------------------------------------------------------- pickling and tags
    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_features_", None)  # shares the model's layers: rebuilt on unpickling
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "_model_" in state and "layer_" in state:
            self._features_ = _Features(self._model_, self.layer_)

    def _restored(self) -> None:
        # kerasguide.load sets the fitted attributes; the features model is derived from them.
        names = [layer.name for layer in self._model_.layers]
        layer = getattr(self, "layer_", None)
        if layer not in names:
            raise ValueError(f"its layer_={layer!r} is not a layer of its network {names}")
        self._classifying = hasattr(self, "classes_")
        self._features_ = _Features(self._model_, self.layer_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = (
            ["float64", "float32"] if float64_available() else ["float32"]
        )
        return tags
