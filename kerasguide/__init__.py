"""kerasguide: the classic neural networks as a Keras 3 model zoo with scikit-learn estimators.

Importing the package is quick and has no side effects: Keras, TensorFlow and scikit-learn are
imported when a name that needs them is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kerasguide.core.versions import package_version as _package_version

__version__ = _package_version()

__all__ = [
    "KerasClassifier",
    "KerasRegressor",
    "KerasTransformer",
    "__version__",
    "build_model",
    "clear_engine_pool",
    "datasets",
    "exceptions",
    "get_model_builder",
    "layers",
    "list_models",
    "list_pretrained",
    "load",
    "load_pretrained",
    "models",
    "pretrained_info",
    "quantile_regressors",
    "register_model",
    "scratch",
    "search_space",
    "set_compile_cache",
    "to_onnx",
    "tuning",
]

# Public names loaded on first use (PEP 562), so `import kerasguide` does not import Keras.
_LAZY = {
    "KerasClassifier": ("kerasguide.estimators", "KerasClassifier"),
    "KerasRegressor": ("kerasguide.estimators", "KerasRegressor"),
    "KerasTransformer": ("kerasguide.transformer", "KerasTransformer"),
    "build_model": ("kerasguide.zoo", "build_model"),
    "clear_engine_pool": ("kerasguide.estimators", "clear_engine_pool"),
    "datasets": ("kerasguide.datasets", None),
    "exceptions": ("kerasguide.exceptions", None),
    "get_model_builder": ("kerasguide.zoo", "get_model_builder"),
    "layers": ("kerasguide.layers", None),
    "list_models": ("kerasguide.zoo", "list_models"),
    "list_pretrained": ("kerasguide.zoo.pretrained", "list_pretrained"),
    "load": ("kerasguide.saving", "load"),
    "load_pretrained": ("kerasguide.io.pretrained", "load_pretrained"),
    "models": ("kerasguide.models", None),
    "pretrained_info": ("kerasguide.zoo.pretrained", "pretrained_info"),
    "quantile_regressors": ("kerasguide.conformal", "quantile_regressors"),
    "register_model": ("kerasguide.zoo", "register_model"),
    "scratch": ("kerasguide.scratch", None),
    "search_space": ("kerasguide.tuning", "search_space"),
    "set_compile_cache": ("kerasguide._estimator.compile_cache", "set_compile_cache"),
    "tuning": ("kerasguide.tuning", None),
    "to_onnx": ("kerasguide.export", "to_onnx"),
}

if TYPE_CHECKING:  # pragma: no cover
    from kerasguide import datasets, exceptions, layers, models, scratch, tuning
    from kerasguide._estimator.compile_cache import set_compile_cache
    from kerasguide.conformal import quantile_regressors
    from kerasguide.estimators import KerasClassifier, KerasRegressor, clear_engine_pool
    from kerasguide.io.onnx import to_onnx
    from kerasguide.io.pretrained import load_pretrained
    from kerasguide.io.saving import load
    from kerasguide.transformer import KerasTransformer
    from kerasguide.tuning import search_space
    from kerasguide.zoo import build_model, get_model_builder, list_models, register_model
    from kerasguide.zoo.pretrained import list_pretrained, pretrained_info


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'kerasguide' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
