"""The model zoo: what each model is, how it is built, and the Keras pieces of our own.

What lives here:

- ``registry``: one dict from a model's name to its factory and its card (what input it takes,
  which tasks it serves, its search space); the verbs ``list_models``, ``get_model_builder``,
  ``get_model_card``, ``build_model`` and the ``register_model`` decorator.
- ``models``: one small factory per model of the talk and its road map.
- ``builders``: every ``keras.Sequential`` builder the factories share.
- ``vocabulary``: input shapes, task heads, compile options, compiling.
- ``layers``: the Keras objects of our own (``L2``, ``L1L2``, ``Maxout``).
- ``pretrained``: the bundled pretrained MNIST weights' metadata (``list_pretrained``,
  ``pretrained_info``, their sha256), read from ``weights/``; loading them as estimators is
  ``kerasguide.io.pretrained``'s.

What it may import: ``kerasguide.core`` (the table of checks, the search-space primitives),
``kerasguide.exceptions`` and Keras. Never scikit-learn, the estimators, saving or the app:
models know nothing of scikit-learn.

Importing this package registers the zoo's own models, so the registry is never seen empty.
"""

from kerasguide.zoo import models as models  # registers the built-in models
from kerasguide.zoo.registry import (
    build_model,
    get_model_builder,
    get_model_card,
    list_models,
    register_model,
)

__all__ = ["build_model", "get_model_builder", "get_model_card", "list_models", "register_model"]
