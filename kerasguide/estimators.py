"""scikit-learn estimators over the model zoo: ``KerasClassifier`` and ``KerasRegressor``.

Both share ``kerasguide._estimator.base.BaseKerasEstimator``; each class here only encodes its
targets and decodes its predictions.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

import kerasguide.zoo.layers  # noqa: F401  (registers kerasguide's Keras objects for loading)
from kerasguide._estimator import engine
from kerasguide._estimator.base import BaseKerasEstimator
from kerasguide._estimator.scaling import rescale_head
from kerasguide._estimator.targets import class_weight_rows, encode_labels, standardize

__all__ = ["KerasClassifier", "KerasRegressor", "clear_engine_pool"]


def clear_engine_pool() -> None:
    """Drop the compiled training engines that fits share.

    Fits of the same architecture (the folds of a cross-validation, the candidates of a grid
    search) train on a pooled compiled model, so that its training step is traced once; the
    pool keeps the 16 most recently used architectures. Clearing it frees their memory; the
    next fit of each architecture compiles again. Fitted estimators are not affected.

    Examples
    --------
    >>> import kerasguide
    >>> kerasguide.clear_engine_pool()
    """
    engine.clear()


class KerasClassifier(ClassifierMixin, BaseKerasEstimator):
    """A neural-network classifier: a model of the zoo, trained by Keras, used like scikit-learn.

    Binary, multiclass and multilabel targets; labels can be strings or any sortable values.

    Parameters
    ----------
    model : str or callable, default="mlp"
        A name from [`kerasguide.list_models`][kerasguide.zoo.registry.list_models], or a callable
        that builds and compiles a new Keras model. It receives, of ``input_shape``,
        ``n_features``, ``n_outputs``, ``task``, ``seed`` and ``dtype``, those its signature
        names (all with ``**kwargs``), plus every knob below that is set and ``model_params``.
    hidden_layers : tuple of int, default=None
        Units of each hidden layer (``[100]`` means ``(100,)``). ``None``, like every knob
        below that defaults to ``None``, means the model's own default (``mlp``: ``(128,)``);
        a knob set on a model that does not have it is an error naming it.
    activation : str or callable, default=None
        Activation of the hidden layers (``mlp``: ``"relu"``); ``"leaky_relu"`` and
        ``"maxout"`` too.
    dropout : float, default=None
        Fraction of hidden units dropped while training, in [0, 1) (``mlp``: 0.0).
    l2 : float, default=None
        L2 penalty factor on every kernel, Keras's ``l2 * sum(w ** 2)`` added to the loss
        (``mlp``: 0.0).
    l1 : float, default=None
        L1 penalty factor on every kernel, ``l1 * sum(|w|)``; with ``l2``, an elastic penalty
        (``mlp``: 0.0).
    normalization : {"batch", "layer"}, default=None
        A BatchNormalization or LayerNormalization layer after each hidden layer (``mlp``:
        none).
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        A Keras optimizer name or instance (copied, never mutated).
    learning_rate : float, default=None
        The optimizer's learning rate. ``None`` keeps an optimizer instance's own rate, and
        gives a named optimizer Keras's default rate (Adam: 0.001), or the talk's 0.05 for
        ``"sgd"``. Set it and it wins over an instance's own rate. With ``warm_start``, a new
        value applies to the training that follows, as in scikit-learn's MLP.
    learning_rate_schedule : str, LearningRateSchedule or None, default=None
        How the rate changes while training: ``"cosine"`` decays it to 0 over the fit's
        steps (Keras's ``CosineDecay``), ``"step"`` divides it by 10 after each third of them,
        ``"plateau"`` divides it by 10 when the monitored loss (``val_loss`` with early
        stopping) has not improved by ``tol`` for ``n_iter_no_change // 2`` epochs (Keras's
        ``ReduceLROnPlateau``); a ``keras.optimizers.schedules.LearningRateSchedule`` is
        called with the step. The rate of each epoch is recorded in
        ``history_["learning_rate"]``. Each ``fit`` (a warm start too) runs the schedule
        from its start; ``partial_fit`` calls continue it as the epochs of one fit. The
        compiled training program sets each step's rate.
    kernel_initializer : str or keras.initializers.Initializer, default=None
        How the weights start (the zoo's default: ``"glorot_uniform"``).
    batch_size : int or "auto", default="auto"
        Rows per gradient step; ``"auto"`` is ``min(200, n_samples)``.
    epochs : int, default=200
        The most passes over the data one ``fit`` makes.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified) and stop when the
        validation loss stops improving; the best weights are kept.
    validation_fraction : float or splitter, default=0.1
        Share of the data held out when ``early_stopping`` is on, or a scikit-learn
        splitter (``GroupShuffleSplit(n_splits=1)``, ``TimeSeriesSplit``, ...) whose first
        split's test rows are held out (``fit``'s ``groups`` are passed to it), so that
        grouped or time-ordered rows do not leak. Unused when ``fit`` gets ``X_val``.
    n_iter_no_change : int, default=20
        Epochs without an improvement of at least ``tol`` before training stops.
    tol : float, default=1e-4
        The smallest improvement of the monitored loss that counts.
    shuffle : bool, default=True
        Shuffle the rows before each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the dropout masks, the shuffling and the validation split;
        an int makes refits bit-identical. Nothing global is seeded.
    verbose : int, default=0
        0 silent, 1 a progress bar, 2 one line per epoch.
    warm_start : bool, default=False
        When fitted, ``fit`` continues training the current model.
    callbacks : list of keras.callbacks.Callback, default=None
        Called as by ``model.fit``; they may stop training via ``model.stop_training``.
    distribution : None, "data_parallel" or list of str, default=None
        Train one model over several devices, each batch split among them (data
        parallelism): ``"data_parallel"`` uses every local device
        (``keras.distribution.list_devices()``), a list names them (``["gpu:0", "gpu:1"]``).
        JAX and TensorFlow backends only; see the scaling-out guide.
    model_params : dict, default=None
        Extra keyword arguments for the model factory.
    input_shape : tuple of int, default=None
        The shape of one row as the model reads it, e.g. ``(8, 8, 1)`` for ``model="cnn"`` or
        ``(timesteps, channels)`` for ``model="rnn"``. ``X`` may then be 2-D, with
        ``prod(input_shape)`` columns (each row is reshaped, so the estimator works after
        scikit-learn transformers in a ``Pipeline``), or of shape ``(n_samples, *input_shape)``;
        ``n_features_in_`` is the product. A wrong size is an error naming both shapes.
        ``None`` means ``(n_features,)`` for a 2-D ``X`` and ``X.shape[1:]`` for an N-D one.
    categorical_features : "from_dtype", None, or array-like of bool, int or str, \
default="from_dtype"
        Which columns of ``X`` are categorical, as in scikit-learn's
        ``HistGradientBoosting*``: ``"from_dtype"``, the pandas ``category`` columns (and
        polars ``Categorical``/``Enum`` ones); ``None``, none; a boolean mask, integer indices
        or column names. Their categories are learned in ``fit`` (sorted; a level never seen
        there, ``NaN``, ``None`` or ``pd.NA`` reads as unknown, without an error); a column of
        at most 8 categories is one-hot encoded, one of more goes through a learned embedding;
        the numeric columns are then standardized with ``fit``'s statistics (a missing numeric
        value is an error naming its column). Image and sequence models refuse categorical
        columns. See the categorical-features how-to.
    embedding_dim : int, default=None
        Width of each embedded column's embedding. ``None``: ``min(600, round(1.6 * (n + 1) **
        0.56))`` for a column of ``n`` categories (14 for 50).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, multiplied into ``sample_weight``.
    uncertainty : {"ensemble", "mc_dropout"} or None, default=None
        Predictive uncertainty. ``"ensemble"`` trains ``n_members`` networks from different
        seeds (drawn from ``random_state``; they share one compiled training program) and
        averages their probabilities; ``"mc_dropout"`` trains one network and averages
        ``n_members`` passes with dropout on (it needs ``dropout > 0``).
    n_members : int, default=5
        Networks of the ensemble, or Monte Carlo passes; at least 2.

    Attributes
    ----------
    model_ : keras.Sequential
        The trained Keras model.
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel targets, ``arange(n_labels)``).
    task_ : str
        ``"binary"``, ``"multiclass"`` or ``"multilabel"``.
    history_ : dict of str to list of float
        Per-epoch logs (``loss``, and ``val_loss`` with early stopping), over every fit that
        continued the same model.
    loss_curve_ : list of float
        The training loss at the end of each epoch.
    validation_loss_curve_ : list of float or None
        The validation loss at the end of each epoch (``history_["val_loss"]``), on ``X_val``
        or the held-out rows; None without early stopping.
    n_iter_ : int
        Epochs trained.
    n_outputs_ : int
        Output units of the model.
    n_features_in_ : int
        Number of features seen during ``fit`` (for N-D rows, the values per row).
    input_shape_ : tuple of int
        The shape of one row as the model reads it (``model_.input_shape[1:]``).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` had string column names.
    is_categorical_ : ndarray of shape (n_features_in_,) or None
        Boolean mask of the categorical columns; None if there are none.
    categories_ : list of ndarray
        The sorted categories of each categorical column, in column order (only when
        ``is_categorical_`` is not None).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from kerasguide import KerasClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = KerasClassifier(hidden_layers=(16,), learning_rate=0.01, tol=1e-3, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    >>> clf.score(X, y) > 0.9
    True
    """

    def __init__(
        self,
        model="mlp",
        *,
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
        class_weight=None,
        uncertainty=None,
        n_members=5,
    ):
        self.model = model
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
        self.class_weight = class_weight
        self.uncertainty = uncertainty
        self.n_members = n_members

    def _encode_targets(self, y, *, first, classes=None, partial=False):
        known = None if first else self.classes_
        classes_, y_enc, task, n_outputs = encode_labels(
            y, known, classes=classes, partial=partial, owner=type(self).__name__
        )
        self.classes_ = classes_
        return y_enc, task, n_outputs

    def _class_sample_weight(self, y):
        return class_weight_rows(self.class_weight, y)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train the model for one epoch on ``(X, y)``, building it on the first call.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        classes : array-like of shape (n_classes,), default=None
            Every label the data will ever hold. Required on the first call for
            single-label targets (as in scikit-learn); a later call that passes it must pass
            the same classes.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        if not hasattr(self, "_model_") and classes is None and np.ndim(y) == 1:
            raise ValueError(
                "classes must be passed on the first call to partial_fit. Received: classes=None"
            )
        return self._partial_fit(X, y, sample_weight=sample_weight, classes=classes)

    def predict_proba(self, X):
        """Class probabilities, shape ``(n_samples, n_classes)`` (one row included).

        For multilabel targets, the probability of each label, shape ``(n_samples, n_labels)``.
        In the model's dtype: float32 for a model trained on float32 data.
        """
        check_is_fitted(self)
        return self._forward_pass(X, binary=self.task_ == "binary")

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Computed in log space from the output layer's pre-activation (log-softmax, or
        ``log sigmoid``), so it stays finite where
        [`predict_proba`][kerasguide.estimators.KerasClassifier.predict_proba] underflows to 0.
        Models the NumPy forward pass does not cover clip the probabilities to the smallest positive
        float before taking the log.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log`` of [`predict_proba`][kerasguide.estimators.KerasClassifier.predict_proba], in
            the same dtype. For multilabel targets, the log-probability of each label, shape
            ``(n_samples, n_labels)``.
        """
        check_is_fitted(self)
        return self._forward_pass(X, log=True, binary=self.task_ == "binary")

    def predict(self, X):
        """Predicted labels, from ``classes_``."""
        proba = self.predict_proba(X)
        if self.task_ == "multilabel":
            return (proba > 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class KerasRegressor(RegressorMixin, BaseKerasEstimator):
    """A neural-network regressor: a model of the zoo, trained by Keras, used like scikit-learn.

    Single- and multi-output regression with a squared-error, absolute-error or quantile loss,
    and optionally its predictive uncertainty (``predict(X, return_std=True)``).

    Parameters
    ----------
    model : str or callable, default="mlp"
        A name from [`kerasguide.list_models`][kerasguide.zoo.registry.list_models], or a callable
        that builds and compiles a new Keras model. It receives, of ``input_shape``,
        ``n_features``, ``n_outputs``, ``task``, ``seed`` and ``dtype``, those its signature
        names (all with ``**kwargs``), plus every knob below that is set and ``model_params``.
    hidden_layers : tuple of int, default=None
        Units of each hidden layer (``[100]`` means ``(100,)``). ``None``, like every knob
        below that defaults to ``None``, means the model's own default (``mlp``: ``(128,)``);
        a knob set on a model that does not have it is an error naming it.
    activation : str or callable, default=None
        Activation of the hidden layers (``mlp``: ``"relu"``); ``"leaky_relu"`` and
        ``"maxout"`` too.
    dropout : float, default=None
        Fraction of hidden units dropped while training, in [0, 1) (``mlp``: 0.0).
    l2 : float, default=None
        L2 penalty factor on every kernel, Keras's ``l2 * sum(w ** 2)`` added to the loss
        (``mlp``: 0.0).
    l1 : float, default=None
        L1 penalty factor on every kernel, ``l1 * sum(|w|)``; with ``l2``, an elastic penalty
        (``mlp``: 0.0).
    normalization : {"batch", "layer"}, default=None
        A BatchNormalization or LayerNormalization layer after each hidden layer (``mlp``:
        none).
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        A Keras optimizer name or instance (copied, never mutated).
    learning_rate : float, default=None
        The optimizer's learning rate. ``None`` keeps an optimizer instance's own rate, and
        gives a named optimizer Keras's default rate (Adam: 0.001), or the talk's 0.05 for
        ``"sgd"``. Set it and it wins over an instance's own rate. With ``warm_start``, a new
        value applies to the training that follows, as in scikit-learn's MLP.
    learning_rate_schedule : str, LearningRateSchedule or None, default=None
        How the rate changes while training: ``"cosine"`` decays it to 0 over the fit's
        steps (Keras's ``CosineDecay``), ``"step"`` divides it by 10 after each third of them,
        ``"plateau"`` divides it by 10 when the monitored loss (``val_loss`` with early
        stopping) has not improved by ``tol`` for ``n_iter_no_change // 2`` epochs (Keras's
        ``ReduceLROnPlateau``); a ``keras.optimizers.schedules.LearningRateSchedule`` is
        called with the step. The rate of each epoch is recorded in
        ``history_["learning_rate"]``. Each ``fit`` (a warm start too) runs the schedule
        from its start; ``partial_fit`` calls continue it as the epochs of one fit. The
        compiled training program sets each step's rate.
    kernel_initializer : str or keras.initializers.Initializer, default=None
        How the weights start (the zoo's default: ``"glorot_uniform"``).
    batch_size : int or "auto", default="auto"
        Rows per gradient step; ``"auto"`` is ``min(200, n_samples)``.
    epochs : int, default=200
        The most passes over the data one ``fit`` makes.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when the validation loss stops
        improving; the best weights are kept.
    validation_fraction : float or splitter, default=0.1
        Share of the data held out when ``early_stopping`` is on, or a scikit-learn
        splitter (``GroupShuffleSplit(n_splits=1)``, ``TimeSeriesSplit``, ...) whose first
        split's test rows are held out (``fit``'s ``groups`` are passed to it), so that
        grouped or time-ordered rows do not leak. Unused when ``fit`` gets ``X_val``.
    n_iter_no_change : int, default=20
        Epochs without an improvement of at least ``tol`` before training stops.
    tol : float, default=1e-4
        The smallest improvement of the monitored loss that counts.
    shuffle : bool, default=True
        Shuffle the rows before each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the dropout masks, the shuffling and the validation split;
        an int makes refits bit-identical. Nothing global is seeded.
    verbose : int, default=0
        0 silent, 1 a progress bar, 2 one line per epoch.
    warm_start : bool, default=False
        When fitted, ``fit`` continues training the current model.
    callbacks : list of keras.callbacks.Callback, default=None
        Called as by ``model.fit``; they may stop training via ``model.stop_training``.
    distribution : None, "data_parallel" or list of str, default=None
        Train one model over several devices, each batch split among them (data
        parallelism): ``"data_parallel"`` uses every local device
        (``keras.distribution.list_devices()``), a list names them (``["gpu:0", "gpu:1"]``).
        JAX and TensorFlow backends only; see the scaling-out guide.
    model_params : dict, default=None
        Extra keyword arguments for the model factory.
    input_shape : tuple of int, default=None
        The shape of one row as the model reads it, e.g. ``(8, 8, 1)`` for ``model="cnn"`` or
        ``(timesteps, channels)`` for ``model="rnn"``. ``X`` may then be 2-D, with
        ``prod(input_shape)`` columns (each row is reshaped, so the estimator works after
        scikit-learn transformers in a ``Pipeline``), or of shape ``(n_samples, *input_shape)``;
        ``n_features_in_`` is the product. A wrong size is an error naming both shapes.
        ``None`` means ``(n_features,)`` for a 2-D ``X`` and ``X.shape[1:]`` for an N-D one.
    categorical_features : "from_dtype", None, or array-like of bool, int or str, \
default="from_dtype"
        Which columns of ``X`` are categorical, as in scikit-learn's
        ``HistGradientBoosting*``: ``"from_dtype"``, the pandas ``category`` columns (and
        polars ``Categorical``/``Enum`` ones); ``None``, none; a boolean mask, integer indices
        or column names. Their categories are learned in ``fit`` (sorted; a level never seen
        there, ``NaN``, ``None`` or ``pd.NA`` reads as unknown, without an error); a column of
        at most 8 categories is one-hot encoded, one of more goes through a learned embedding;
        the numeric columns are then standardized with ``fit``'s statistics (a missing numeric
        value is an error naming its column). Image and sequence models refuse categorical
        columns. See the categorical-features how-to.
    embedding_dim : int, default=None
        Width of each embedded column's embedding. ``None``: ``min(600, round(1.6 * (n + 1) **
        0.56))`` for a column of ``n`` categories (14 for 50).
    normalize_y : bool, default=True
        Train on targets standardised to zero mean and unit variance (weighted by
        ``sample_weight``), then fold the scaling into the output layer, so that ``model_``
        predicts in the units of ``y``. The losses in ``history_`` are in standardised units.
        Applies to models whose last layer is a linear ``Dense`` layer (all of the zoo).
    loss : {"squared_error", "absolute_error", "quantile"}, default="squared_error"
        The training loss, named as in ``HistGradientBoostingRegressor``: ``"absolute_error"``
        predicts the conditional median, ``"quantile"`` (the pinball loss) the conditional
        ``quantile``. ``score`` stays R², as for every scikit-learn regressor.
    quantile : float, default=None
        The quantile in (0, 1) that ``loss="quantile"`` predicts; ignored by the other
        losses.
    uncertainty : {"ensemble", "mc_dropout"} or None, default=None
        Predictive uncertainty. ``"ensemble"`` trains ``n_members`` networks from different
        seeds (drawn from ``random_state``; they share one compiled training program);
        ``"mc_dropout"`` trains one network and runs ``n_members`` passes with dropout on
        (it needs ``dropout > 0``). ``predict(X)`` returns the members' mean and
        ``predict(X, return_std=True)`` also their standard deviation.
    n_members : int, default=5
        Networks of the ensemble, or Monte Carlo passes; at least 2.

    Attributes
    ----------
    model_ : keras.Sequential
        The trained Keras model.
    task_ : str
        ``"regression"``.
    y_mean_, y_scale_ : ndarray of shape (n_outputs_,)
        The target standardisation (zeros and ones when ``normalize_y=False``).
    history_ : dict of str to list of float
        Per-epoch logs (``loss``, and ``val_loss`` with early stopping).
    loss_curve_ : list of float
        The training loss at the end of each epoch.
    validation_loss_curve_ : list of float or None
        The validation loss at the end of each epoch (``history_["val_loss"]``), on ``X_val``
        or the held-out rows; None without early stopping.
    n_iter_ : int
        Epochs trained.
    n_outputs_ : int
        Number of targets.
    n_features_in_ : int
        Number of features seen during ``fit`` (for N-D rows, the values per row).
    input_shape_ : tuple of int
        The shape of one row as the model reads it (``model_.input_shape[1:]``).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` had string column names.
    is_categorical_ : ndarray of shape (n_features_in_,) or None
        Boolean mask of the categorical columns; None if there are none.
    categories_ : list of ndarray
        The sorted categories of each categorical column, in column order (only when
        ``is_categorical_`` is not None).

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from kerasguide import KerasRegressor
    >>> X, y = make_regression(n_samples=200, n_features=4, noise=1.0, random_state=0)
    >>> reg = KerasRegressor(model="linear_regression", optimizer="sgd", random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.99
    True
    """

    def __init__(
        self,
        model="mlp",
        *,
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
        normalize_y=True,
        loss="squared_error",
        quantile=None,
        uncertainty=None,
        n_members=5,
    ):
        self.model = model
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
        self.normalize_y = normalize_y
        self.loss = loss
        self.quantile = quantile
        self.uncertainty = uncertainty
        self.n_members = n_members

    def _encode_targets(self, y, *, first, classes=None, partial=False):
        return y, "regression", 1 if y.ndim == 1 else y.shape[1]

    def _validation_targets(self, y_enc):
        return (y_enc - self.y_mean_) / self.y_scale_

    def _prepare_training(self, model, y_enc, sample_weight, *, first):
        if first:
            self.y_mean_, self.y_scale_ = standardize(model, y_enc, sample_weight, self.normalize_y)
        else:
            rescale_head(model, 1.0 / self.y_scale_, -self.y_mean_ / self.y_scale_)
        return ((y_enc - self.y_mean_) / self.y_scale_).astype(y_enc.dtype)

    def _to_output_units(self, model):
        # Fold the target scaling into the output layer, so that model_ predicts in y's units.
        rescale_head(model, self.y_scale_, self.y_mean_)

    def partial_fit(self, X, y, sample_weight=None):
        """Train the model for one epoch on ``(X, y)``, building it on the first call."""
        return self._partial_fit(X, y, sample_weight=sample_weight)

    def predict(self, X, return_std=False):
        """Predicted targets, shape ``(n_samples,)`` or ``(n_samples, n_targets)``.

        In the model's dtype: float32 for a model trained on float32 data, as in scikit-learn's
        MLP. With ``loss="quantile"``, the conditional ``quantile``; with ``uncertainty``, the
        mean over the members (or Monte Carlo passes).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the standard deviation over the members, as
            ``GaussianProcessRegressor`` does; needs ``uncertainty``.

        Returns
        -------
        y_mean : ndarray of shape (n_samples,) or (n_samples, n_targets)
        y_std : ndarray of the same shape, only when ``return_std`` is True
        """
        if return_std:
            mean, std = self._mean_and_std(X)
            return (mean.ravel(), std.ravel()) if self.n_outputs_ == 1 else (mean, std)
        out = self._forward_pass(X)  # checks that the estimator is fitted
        return out.ravel() if self.n_outputs_ == 1 else out
