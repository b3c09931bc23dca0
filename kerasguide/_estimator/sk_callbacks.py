"""scikit-learn's callbacks (``sklearn.callback``, scikit-learn >= 1.9) on the estimators.

A fit is one task whose subtasks are its epochs: each epoch begins and ends a subtask, and its
end hands the callbacks ``X``, ``y``, the ``sample_weight`` (as ``metadata``) and a
``fitted_estimator`` that predicts with the weights of that epoch, which is what
``ScoringMonitor`` scores; ``ProgressBar`` draws the epochs. A callback's request to stop ends
training after that epoch. The hooks run from a Keras callback, so such fits train batch by
batch on the estimator's own model, beside any Keras callbacks. With an older scikit-learn,
``CallbackSupportMixin`` is an empty class and none of this runs.
"""

from __future__ import annotations

from contextlib import contextmanager

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # scikit-learn < 1.9: no callbacks API

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stands in for scikit-learn's mixin where its callbacks API does not exist."""

    def with_callbacks(method):  # type: ignore[no-redef]
        return method


from kerasguide._estimator.state import epoch_state

__all__ = ["CallbackSupportMixin", "sklearn_reporter", "with_callbacks"]


@contextmanager
def _in_output_units(est, model):
    """The model predicting in ``y``'s units meanwhile (a regressor trains standardised)."""
    import keras

    if not hasattr(est, "y_scale_"):
        yield
        return
    layer = model.layers[-1]
    saved = [keras.ops.convert_to_numpy(v) for v in layer.weights]
    est._to_output_units(model)
    try:
        yield
    finally:
        for variable, value in zip(layer.weights, saved, strict=True):
            variable.assign(value)


def sklearn_reporter(est, X, y, sample_weight, epochs: int):
    """A Keras callback reporting each epoch to ``est``'s scikit-learn callbacks, or None
    where it has none; the fit's root task has begun when it returns."""
    if not getattr(est, "_skl_callbacks", None):
        return None
    import keras

    metadata = {"sample_weight": sample_weight} if sample_weight is not None else None
    data = {"X": X, "y": y, "metadata": metadata}
    root = est._init_callback_context(max_subtasks=epochs)
    root.call_on_fit_task_begin(estimator=est, **data)

    class EpochReporter(keras.callbacks.Callback):
        #: ``(task, n_outputs)`` of the model, set once the model is built.
        shape: tuple = ("", 0)

        def on_epoch_begin(self, epoch, logs=None):
            self.task = root.subcontext(task_name="epoch")
            self.task.call_on_fit_task_begin(estimator=est, **data)

        def on_epoch_end(self, epoch, logs=None):
            def state():
                return epoch_state(self.model, *self.shape, epoch)

            with _in_output_units(est, self.model):
                stop = self.task.call_on_fit_task_end(
                    estimator=est, reconstruction_attributes=state, **data
                )
            if stop:
                self.model.stop_training = True

        def finish(self):
            """End the fit's root task; ``est`` is fitted."""
            root.call_on_fit_task_end(estimator=est, reconstruction_attributes={}, **data)

    return EpochReporter()
