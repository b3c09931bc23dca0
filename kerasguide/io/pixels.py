"""[`MnistPixels`][kerasguide.io.pixels.MnistPixels]: MNIST digits as users have them, checked,
in the shape and scale a pretrained network takes.

The first step of every pretrained model's ``Pipeline``
([`kerasguide.load_pretrained`][kerasguide.io.pretrained.load_pretrained]).

```python
>>> import numpy as np
>>> from kerasguide.io.pixels import MnistPixels
>>> images = np.zeros((2, 28, 28), dtype=np.uint8)
>>> images[0, 0, 0] = 255
>>> X = MnistPixels(shape=(784,)).fit_transform(images)
>>> X.shape, X.dtype.name, float(X.max())
((2, 784), 'float32', 1.0)

```
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

__all__ = ["MnistPixels"]

#: What one digit may be: 784 pixels, flat or as a 28x28 image with or without a channel axis.
_PIXELS = 28 * 28
_FORMS = ((_PIXELS,), (28, 28), (28, 28, 1))


class MnistPixels(TransformerMixin, BaseEstimator):
    """MNIST digits, as integers 0-255 or floats 0-1, as float32 rows of ``shape``.

    Takes the two forms MNIST comes in: ``keras.datasets.mnist.load_data()``'s integers from 0
    to 255 (divided by 255 here), and
    [`kerasguide.datasets.load_mnist`][kerasguide.datasets.load_mnist]'s floats from 0 to 1
    (kept), each of shape ``(n, 784)``, ``(n, 28, 28)`` or ``(n, 28, 28, 1)``. Anything else
    is refused rather than mispredicted: floats outside [0, 1] (pixels of 0 to 255 as floats,
    or standardised ones), integers outside [0, 255], NaN, other shapes. It learns nothing:
    ``fit`` only checks ``X``.

    Parameters
    ----------
    shape : tuple of int, default=(784,)
        The shape of one row the network takes: ``(784,)`` or ``(28, 28, 1)``.
    """

    def __init__(self, shape: tuple[int, ...] = (_PIXELS,)):
        self.shape = shape

    def fit(self, X, y=None):
        """Check ``X``; nothing is learned."""
        self._pixels(X)
        return self

    def transform(self, X) -> np.ndarray:
        """``X`` as float32 pixels in [0, 1], of shape ``(n, *shape)``."""
        return self._pixels(X).reshape(-1, *self._shape())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        return tags

    def _shape(self) -> tuple[int, ...]:
        shape = tuple(self.shape)
        if int(np.prod(shape)) != _PIXELS:
            raise ValueError(f"shape must hold {_PIXELS} pixels. Received: shape={self.shape!r}")
        return shape

    @staticmethod
    def _pixels(X) -> np.ndarray:
        """``X`` checked, as a float32 array in [0, 1] (any of the accepted shapes)."""
        X = np.asarray(X)
        if X.ndim < 2 or X.shape[1:] not in _FORMS:
            raise ValueError(
                "Expected MNIST digits of shape (n, 784), (n, 28, 28) or (n, 28, 28, 1). "
                f"Received: an array of shape {X.shape}"
            )
        if X.dtype.kind in "iu":
            if X.size and (X.min() < 0 or X.max() > 255):
                raise ValueError(
                    "Integer pixels must be in [0, 255] (as keras.datasets.mnist gives them). "
                    f"Received: values from {X.min()} to {X.max()}"
                )
            return X.astype(np.float32) / np.float32(255)
        if X.dtype.kind != "f":
            raise ValueError(f"Expected numeric pixels. Received: dtype={X.dtype}")
        if X.size and not np.isfinite(X).all():
            raise ValueError("Float pixels must be finite. Received: NaN or infinite values")
        if X.size and (X.min() < 0 or X.max() > 1):
            raise ValueError(
                "Float pixels must be in [0, 1] (as kerasguide.datasets.load_mnist gives them); "
                "divide 0-255 pixels by 255, or pass them as uint8. Received: values from "
                f"{X.min()} to {X.max()}"
            )
        return X.astype(np.float32)
