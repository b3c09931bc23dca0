"""Keras objects of kerasguide's own, registered with Keras's serialization on import.

A model saved to a ``.keras`` file records these objects by their registered names
(``"kerasguide>L2"``), so a process that loads the file needs them registered first. Importing this
module registers them; the factories (when they build),
[`kerasguide.estimators`][kerasguide.estimators] and unpickling an estimator import it.

>>> import keras
>>> import kerasguide.layers  # registers kerasguide's Keras objects
>>> model = keras.saving.load_model("model.keras")  # doctest: +SKIP
"""

from __future__ import annotations

import keras

__all__ = ["L2"]


@keras.saving.register_keras_serializable(package="kerasguide", name="L2")
class L2(keras.regularizers.L2):
    """``keras.regularizers.L2`` whose penalty is cast to ``keras.config.floatx()``.

    Keras adds the regularisation losses to the compiled loss, which it keeps in ``floatx``
    (float32); on TensorFlow a float64 penalty then fails to add. The cast lets float64 layers
    carry an L2 penalty, and the gradients stay float64.

    Examples
    --------
    >>> import numpy as np
    >>> from kerasguide.layers import L2
    >>> float(L2(0.5)(np.ones((2, 2))))
    2.0
    """

    def __call__(self, x):
        return keras.ops.cast(super().__call__(x), keras.config.floatx())
