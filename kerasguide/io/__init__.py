"""Fitted estimators out of the process: safe ``.kgz`` files and ONNX graphs.

What lives here:

- ``saving``: ``save`` and ``load`` (one zip file, no pickle, any backend), with the checks that
  refuse an altered or damaged file;
- ``onnx``: ``to_onnx`` and the skl2onnx registration;
- ``pretrained``: ``load_pretrained``, a bundled MNIST model (its metadata and weights live in
  ``kerasguide.zoo.pretrained``) as a fitted estimator, its file's sha256 checked on every load;
- ``pixels``: ``MnistPixels``, the pretrained models' input step (MNIST digits checked and
  scaled).

What it may import: the estimators (``kerasguide.estimators``, ``kerasguide.transformer``) and
their engine (``kerasguide._estimator``), the zoo (``kerasguide.zoo``), ``kerasguide.core``,
``kerasguide.exceptions``, Keras, NumPy, scikit-learn and, lazily, onnx and skl2onnx. Nothing
imports this package but the public surface and the estimators' ``save`` method.
"""
