"""Fitted estimators without pickle: ``est.save(path)`` and [`load`][kerasguide.io.saving.load].

A saved estimator is one zip file holding

* ``manifest.json``: the format version, the versions of kerasguide, Keras, NumPy and
  scikit-learn and the Keras backend that saved it, the estimator's class name, its parameters
  and its fitted attributes (``classes_`` as a list with its dtype, ``n_features_in_``,
  ``feature_names_in_``, ``task_``, ``n_outputs_``, ``history_``, ``n_iter_``, and a
  transformer's ``layer_``);
* ``model.keras``: the network, in Keras's own format (architecture, weights, optimizer state),
  and in the manifest the state of its dropout seed generators, so that a loaded copy trains
  on exactly as the saved estimator would (pickling keeps it too);
* ``arrays/*.npy``: the regressor's ``y_mean_`` and ``y_scale_`` (``np.save``, no pickle);
* ``README.md``: the model card (the estimator's ``model_card()``).

Loading never unpickles and never runs code from the file: the manifest is JSON, the arrays are
read with ``np.load(allow_pickle=False)``, and the network with
``keras.saving.load_model(safe_mode=True)``, which refuses a ``Lambda`` layer's Python code. A
file of a newer format, a damaged or malformed file, or an altered one is refused with a
``ValueError`` that names the file and what is wrong. Every fitted attribute is checked against
the network and against the others (``task_`` against the output layer, ``classes_`` against
``task_`` and the output width, ``n_features_in_`` and ``feature_names_in_`` against the
network's input, a regressor's ``y_mean_`` and ``y_scale_``: finite floats, one per output).

Before anything is inflated, the zip's directory is checked against bombs: a member may not
declare more than ``kgz.MAX_RATIO`` (100) times its compressed size once it is over
``kgz.RATIO_FREE_BYTES`` (1 MiB), every member but ``model.keras`` is at most
``kgz.MAX_MEMBER_BYTES`` (64 MiB; they are read into memory, while ``model.keras`` is streamed
to a temporary file that is always removed), and the members together may not claim more
compressed bytes than the file holds. Saved estimators are far inside these bounds: a CNN on
MNIST's 28x28 images saves to 4.4 MiB, a 512x512 MLP on MNIST to 6.3 MiB, and their members
compress at 1.1:1 to 2.5:1.

Parameters JSON cannot hold (an optimizer or a
callback instance, a ``model`` callable, a ``RandomState``) are refused when saving, naming
them: pass the optimizer by name (``optimizer="adam", learning_rate=...``).

The loaded estimator predicts (a [`KerasTransformer`][kerasguide.transformer.KerasTransformer]
transforms) bit for bit as the saved one (the NumPy forward pass reads the same float32
weights), also in another process on another Keras backend, and trains further with
``partial_fit`` (the estimators) or ``warm_start=True``, from the saved optimizer state.

```python
>>> clf.save("digits.kgz")  # doctest: +SKIP
>>> clf = kerasguide.load("digits.kgz")  # doctest: +SKIP
```
"""

from __future__ import annotations

from pathlib import Path

from kerasguide.io.kgz import FORMAT_VERSION, read, write

__all__ = ["FORMAT_VERSION", "load", "save"]


def save(est, path) -> Path:
    """Write the fitted estimator ``est`` to the zip file ``path``; return the path.

    See the module documentation for what the file holds. ``est.save(path)`` calls this.

    Raises
    ------
    ValueError
        A parameter JSON cannot hold (named), or labels that are neither numbers nor strings.
    """
    return write(est, path)


def load(path):
    """The estimator saved in ``path`` by ``est.save(path)``, ready to predict and train.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by [`save`][kerasguide.io.saving.save].

    Returns
    -------
    KerasClassifier, KerasRegressor or KerasTransformer

    Raises
    ------
    ValueError
        The file is not a saved estimator, is damaged or altered (a fitted attribute that
        does not fit the network or the others), is of a newer format, declares members too
        large for a saved estimator, or its network holds code that safe loading refuses (a
        ``Lambda`` layer); the message names the file and what is wrong.
    """
    from kerasguide.estimators import KerasClassifier, KerasRegressor
    from kerasguide.transformer import KerasTransformer

    classes = {cls.__name__: cls for cls in (KerasClassifier, KerasRegressor, KerasTransformer)}
    return read(path, classes)
