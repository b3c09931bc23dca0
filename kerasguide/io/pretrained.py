"""[`load_pretrained`][kerasguide.io.pretrained.load_pretrained]: a bundled MNIST model as a
fitted scikit-learn estimator, its file's sha256 checked on every load.

The metadata (names, hashes, accuracies, recipes) lives beside the weights in the zoo
([`kerasguide.zoo.pretrained`][kerasguide.zoo.pretrained]); loading needs the estimators and the
``.kgz`` reader, which the zoo may not import, so it lives here.

```python
>>> import kerasguide
>>> clf = kerasguide.load_pretrained("mnist-softmax")
>>> clf.steps[0][0], clf.steps[1][0]
('pixels', 'classifier')
>>> clf.classes_.tolist()
[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]

```
"""

from __future__ import annotations

from pathlib import Path

from kerasguide.io.pixels import MnistPixels
from kerasguide.io.saving import load
from kerasguide.zoo.pretrained import check_sha256, pretrained_info, weights_file

__all__ = ["load_pretrained"]


def load_pretrained(name: str, path=None):
    """The pretrained MNIST model ``name``, fitted: a new ``Pipeline`` on each call.

    Its steps: ``"pixels"``, a [`MnistPixels`][kerasguide.io.pixels.MnistPixels] that takes
    MNIST digits as ``keras.datasets.mnist.load_data()`` gives them (uint8, 0-255, shape
    ``(n, 28, 28)``) or as [`kerasguide.datasets.load_mnist`][kerasguide.datasets.load_mnist]
    gives them (float, 0-1, flat or as images) and refuses anything else (float pixels above 1,
    for example); then ``"classifier"``, the fitted
    [`KerasClassifier`][kerasguide.estimators.KerasClassifier]. ``predict``, ``predict_proba``,
    ``score`` and ``classes_`` work on the pipeline; ``clone`` gives the unfitted
    architecture; ``set_params(classifier__warm_start=True).fit(X, y)`` fine-tunes it, and so
    does ``partial_fit`` on ``clf[-1]`` (with ``clf[0].transform(X)``). A model stored in float16
    (``pretrained_info(name)["dtype"]``) keeps no optimizer state: fine-tuning starts a fresh
    optimizer.

    Parameters
    ----------
    name : str
        One of [`list_pretrained()`][kerasguide.zoo.pretrained.list_pretrained].
    path : str or os.PathLike, optional
        A local copy of the file to load instead of the bundled one; it must have the same
        sha256.

    Raises
    ------
    ValueError
        An unknown name (the message gives the known names and the closest one), or a file
        whose sha256 differs from the published one (the message names the file and both
        hashes); nothing is loaded then.
    """
    from sklearn.pipeline import Pipeline

    info = pretrained_info(name)
    file = weights_file(name) if path is None else Path(path)
    check_sha256(file, info["sha256"])
    classifier = load(file)
    shape = tuple(classifier.model_.input_shape[1:])  # what the network takes
    return Pipeline([("pixels", MnistPixels(shape=shape)), ("classifier", classifier)])
