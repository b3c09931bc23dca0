"""Fitted estimators without pickle: ``est.save(path)`` and [`load`][kerasguide.io.saving.load].

A saved estimator is one zip file holding

* ``manifest.json``: the format version, the versions of kerasguide, Keras, NumPy and
  scikit-learn and the Keras backend that saved it, the estimator's class name, its parameters
  and its fitted attributes (``classes_`` as a list with its dtype, ``n_features_in_``,
  ``feature_names_in_``, ``task_``, ``n_outputs_``, ``history_``, ``n_iter_``, and a
  transformer's ``layer_``);
* ``model.keras``: the network, in Keras's own format (architecture, weights, optimizer state);
* ``arrays/*.npy``: the regressor's ``y_mean_`` and ``y_scale_`` (``np.save``, no pickle);
* ``README.md``: the model card (the estimator's ``model_card()``).

Loading never unpickles and never runs code from the file: the manifest is JSON, the arrays are
read with ``np.load(allow_pickle=False)``, and the network with
``keras.saving.load_model(safe_mode=True)``, which refuses a ``Lambda`` layer's Python code. A
file of a newer format, a damaged file, or one whose network does not fit its manifest is
refused with a ``ValueError`` naming the file. Parameters JSON cannot hold (an optimizer or a
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

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FORMAT_VERSION", "load", "save"]

#: The version of the file layout this module writes; ``load`` refuses newer ones.
FORMAT_VERSION = 1
_FORMAT = "kerasguide-estimator"
#: The classes ``load`` makes, by name (all exported by ``kerasguide``).
_CLASSES = ("KerasClassifier", "KerasRegressor", "KerasTransformer")
_ARRAYS = ("y_mean_", "y_scale_")
_SCALARS = ("n_features_in_", "task_", "n_outputs_", "n_iter_")
#: Fitted JSON values only some classes have (a transformer's ``layer_``).
_OPTIONAL_SCALARS = ("layer_",)


# --------------------------------------------------------------------------- JSON of params
def _to_json(value: Any, where: str) -> Any:
    """``value`` as JSON; tuples and dicts with non-string keys are tagged to come back."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, int | float):
        return value
    if isinstance(value, tuple | list):
        items = [_to_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        pairs = [
            [_to_json(k, f"{where} key"), _to_json(v, f"{where}[{k!r}]")] for k, v in value.items()
        ]
        return {"__dict__": pairs}
    raise TypeError(where, value)


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        if "__tuple__" in value:
            return tuple(_from_json(v) for v in value["__tuple__"])
        return {_hashable(_from_json(k)): _from_json(v) for k, v in value["__dict__"]}
    return value


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _params(est) -> dict[str, Any]:
    params, refused = {}, []
    for name, value in est.get_params(deep=False).items():
        try:
            params[name] = _to_json(value, name)
        except TypeError as exc:
            refused.append(f"{exc.args[0]}={exc.args[1]!r}")
    if refused:
        raise ValueError(
            f"{type(est).__name__}.save stores parameters as JSON, which cannot hold "
            f"{', '.join(refused)}. Pass a model by its registry name and an optimizer by name "
            "(optimizer='adam', learning_rate=...), drop callbacks and RandomState instances "
            "(set_params(callbacks=None, random_state=0)) before saving, or pickle the estimator."
        )
    return params


# --------------------------------------------------------------------------- saving
def _fitted(est) -> dict[str, Any]:
    fitted: dict[str, Any] = {name: _to_json(getattr(est, name), name) for name in _SCALARS}
    for name in _OPTIONAL_SCALARS:
        if hasattr(est, name):
            fitted[name] = _to_json(getattr(est, name), name)
    fitted["history_"] = {k: [float(v) for v in vs] for k, vs in est.history_.items()}
    if hasattr(est, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(n) for n in est.feature_names_in_]
    if hasattr(est, "classes_"):
        classes = est.classes_
        values = [c.item() if isinstance(c, np.generic) else c for c in classes]
        if not all(isinstance(v, bool | int | float | str) for v in values):
            raise ValueError(
                f"{type(est).__name__}.save stores classes_ as JSON: labels must be numbers or "
                f"strings. Received: classes_={classes!r}"
            )
        fitted["classes_"] = {"values": values, "dtype": classes.dtype.str}
    return fitted


def _manifest(est) -> dict[str, Any]:
    import keras
    import sklearn

    import kerasguide
    from kerasguide._estimator.inference import output_dtype

    model = est._model_
    return {
        "format": _FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": {
            "kerasguide": kerasguide.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
            "backend": keras.backend.backend(),
        },
        "estimator": type(est).__name__,
        "params": _params(est),
        "fitted": _fitted(est),
        "model": {
            "file": "model.keras",
            "input_shape": list(model.input_shape[1:]),
            "dtype": output_dtype(model).name,
        },
        "arrays": [name for name in _ARRAYS if hasattr(est, name)],
    }


def save(est, path) -> Path:
    """Write the fitted estimator ``est`` to the zip file ``path``; return the path.

    See the module documentation for what the file holds. ``est.save(path)`` calls this.

    Raises
    ------
    ValueError
        A parameter JSON cannot hold (named), or labels that are neither numbers nor strings.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est)
    path = Path(path)
    manifest = _manifest(est)  # refuses what JSON cannot hold before anything is written
    card = est.model_card()
    with tempfile.TemporaryDirectory() as tmp:
        keras_file = os.path.join(tmp, "model.keras")
        est._model_.save(keras_file)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            archive.write(keras_file, "model.keras")
            for name in manifest["arrays"]:
                buffer = io.BytesIO()
                np.save(buffer, np.asarray(getattr(est, name)), allow_pickle=False)
                archive.writestr(f"arrays/{name}.npy", buffer.getvalue())
            archive.writestr("README.md", card)
    return path


# --------------------------------------------------------------------------- loading
def _read_manifest(archive: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{path} is not a saved kerasguide estimator: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
        raise ValueError(f"{path} is not a saved kerasguide estimator (no {_FORMAT!r} manifest).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise ValueError(
            f"{path} was saved in format version {version!r}; this kerasguide reads versions "
            f"up to {FORMAT_VERSION}. Upgrade kerasguide to load it."
        )
    if manifest.get("estimator") not in _CLASSES:
        raise ValueError(f"{path} holds an unknown estimator {manifest.get('estimator')!r}.")
    return manifest


def _load_model(archive: zipfile.ZipFile, path: Path):
    import keras

    import kerasguide.zoo.layers  # noqa: F401  (kerasguide's own Keras objects)

    with tempfile.TemporaryDirectory() as tmp:
        keras_file = os.path.join(tmp, "model.keras")
        Path(keras_file).write_bytes(archive.read("model.keras"))
        try:
            return keras.saving.load_model(keras_file, safe_mode=True)
        except Exception as exc:
            message = " ".join(str(exc).split())
            raise ValueError(
                f"{path}: its model.keras could not be loaded safely: {message}"
            ) from exc


def _restore(est, manifest: dict[str, Any], archive: zipfile.ZipFile, model, path: Path) -> None:
    from kerasguide._estimator.building import plan_model
    from kerasguide._estimator.inference import ForwardCache

    fitted = manifest["fitted"]
    for name in _SCALARS:
        setattr(est, name, fitted[name])
    for name in _OPTIONAL_SCALARS:
        if name in fitted:
            setattr(est, name, fitted[name])
    est.history_ = {k: list(v) for k, v in fitted["history_"].items()}
    est.loss_curve_ = list(est.history_.get("loss", []))
    val = est.history_.get("val_loss")
    est.validation_loss_curve_ = list(val) if val is not None else None
    if "feature_names_in_" in fitted:
        est.feature_names_in_ = np.asarray(fitted["feature_names_in_"], dtype=object)
    if "classes_" in fitted:
        classes = fitted["classes_"]
        est.classes_ = np.asarray(classes["values"], dtype=np.dtype(classes["dtype"]))
    for name in manifest["arrays"]:
        if name not in _ARRAYS:
            raise ValueError(f"{path} names an unknown array {name!r}.")
        with archive.open(f"arrays/{name}.npy") as file:
            setattr(est, name, np.load(io.BytesIO(file.read()), allow_pickle=False))
    input_shape = tuple(manifest["model"]["input_shape"])
    if tuple(model.input_shape[1:]) != input_shape or model.output_shape[-1] != est.n_outputs_:
        raise ValueError(
            f"{path}: its network takes {model.input_shape[1:]} and gives "
            f"{model.output_shape[-1]} outputs, but the manifest says {input_shape} and "
            f"{est.n_outputs_}; the file was altered."
        )
    est.input_shape_ = input_shape
    est._model_ = model
    est._forward_ = ForwardCache()
    est._model_plan_ = plan_model(
        est._checked_params(), est.task_, input_shape, est.n_outputs_, 0,
        manifest["model"]["dtype"],
    )  # fmt: skip
    try:
        est._restored()
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}; the file was altered.") from exc


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
        The file is not a saved estimator, is damaged, is of a newer format, or its network
        holds code that safe loading refuses (a ``Lambda`` layer); the message names the file.
    """
    import kerasguide

    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, path)
            params = {name: _from_json(v) for name, v in manifest["params"].items()}
            est = getattr(kerasguide, manifest["estimator"])(**params)
            model = _load_model(archive, path)
            _restore(est, manifest, archive, model, path)
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{path} is not a saved kerasguide estimator (not a zip file).") from exc
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{path} is damaged: {type(exc).__name__}: {exc}") from exc
    return est
