"""The ``.kgz`` file format: writing a fitted estimator, and reading one back with every check.

[`kerasguide.io.saving`][kerasguide.io.saving] documents the format and its bounds for users and
holds the public ``save`` and ``load``. This module knows no estimator class: ``read`` is handed
the classes it may make, so that the estimators' own ``save`` method can write a file without an
import loop (the classes import this module; this module does not import them).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from kerasguide._estimator.state import (
    ARRAYS,
    OPTIONAL_SCALARS,
    SCALARS,
    check_loaded,
    members,
    seed_state,
    set_loaded,
    set_members,
    set_seed_state,
)
from kerasguide._estimator.tabular import TableEncoding
from kerasguide.core.versions import software_versions

__all__ = [
    "FORMAT_VERSION",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "RATIO_FREE_BYTES",
    "WEIGHTS",
    "read",
    "write",
]

#: The version of the file layout this module writes; ``load`` refuses newer ones.
FORMAT_VERSION = 1
_FORMAT = "kerasguide-estimator"
#: How ``write`` may store the network's weights: "float32" (as trained, with the optimizer's
#: state) or "float16" (each weight rounded to float16, without the optimizer's state, so that
#: further training starts a fresh optimizer). Rounded weights keep the network's own dtype, so
#: any reader loads them; their zeroed low bits compress, to about 2.1 bytes a weight. Files
#: without the manifest's ``weights`` entry hold them as trained.
WEIGHTS = ("float32", "float16")
#: Bounds on the zip's members, checked on its directory before anything is inflated
#: (measured files are 1 to 8 MiB and compress 1.1:1 to 2.5:1).
MAX_RATIO = 100
#: Members up to this size may compress better than ``MAX_RATIO`` (a long ``history_``).
RATIO_FREE_BYTES = 1 << 20
#: The most bytes a member other than ``model.keras`` may declare (those are read into memory).
MAX_MEMBER_BYTES = 64 << 20


class _Refused(ValueError):
    """What is wrong with a file; ``load`` adds the file's name."""


# --------------------------------------------------------------------------- JSON of params
def _to_json(value: Any, where: str) -> Any:
    """``value`` as JSON; tuples and dicts with non-string keys are tagged to come back."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "biuU":
        return value.tolist()  # a categorical_features mask, indices or names: back as a list
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
    """The value ``_to_json`` wrote; ``ValueError`` for a tag it does not write."""
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    if list(value) == ["__tuple__"] and isinstance(value["__tuple__"], list):
        return tuple(_from_json(v) for v in value["__tuple__"])
    pairs = value.get("__dict__") if list(value) == ["__dict__"] else None
    if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise _Refused(f"holds {_short(value)}, not a tagged tuple or dict")
    return {_hashable(_from_json(k)): _from_json(v) for k, v in pairs}


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


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
    fitted: dict[str, Any] = {name: _to_json(getattr(est, name), name) for name in SCALARS}
    for name in OPTIONAL_SCALARS:
        if hasattr(est, name):
            fitted[name] = _to_json(getattr(est, name), name)
    fitted["history_"] = {k: [float(v) for v in vs] for k, vs in est.history_.items()}
    if hasattr(est, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(n) for n in est.feature_names_in_]
    table = getattr(est, "_table_", None)
    if table is not None:  # the categorical columns' encoding: checked against the network
        try:
            fitted["table"] = table.to_json()
        except ValueError as exc:
            raise ValueError(f"{type(est).__name__}.{exc}") from None
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


def _manifest(est, weights: str) -> dict[str, Any]:
    from kerasguide._estimator.inference import output_dtype

    model = est._model_
    return {
        "format": _FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": software_versions(),
        "estimator": type(est).__name__,
        "params": _params(est),
        "fitted": _fitted(est),
        "model": {
            "file": "model.keras",
            "input_shape": list(model.input_shape[1:]),
            "dtype": output_dtype(model).name,
            "seed_state": seed_state(model),
            "weights": weights,
        },
        "arrays": [name for name in ARRAYS if hasattr(est, name)],
        # An ensemble's members, each a .kgz file of its own under members/ (0: one network).
        "members": len(members(est)),
    }


def _save_half(model, keras_file: str) -> None:
    """Save ``model`` to ``keras_file``, its weights rounded to float16, with a fresh optimizer."""
    import keras

    # A copy, so the estimator keeps its weights and its optimizer's state.
    shell = keras.models.clone_model(model)
    shell.set_weights([w.astype(np.float16).astype(w.dtype) for w in model.get_weights()])
    shell.compile_from_config(model.get_compile_config())
    shell.save(keras_file)


def write(est, path, *, weights: str = "float32") -> Path:
    """Write the fitted estimator ``est`` to the zip file ``path``; return the path.

    See the module documentation for what the file holds. ``est.save(path)`` calls this.
    ``weights="float16"`` rounds the stored weights to float16 and drops the optimizer's state
    (see ``WEIGHTS``): about half the bytes.

    Raises
    ------
    ValueError
        A parameter JSON cannot hold (named), or labels that are neither numbers nor strings.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est)
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {WEIGHTS}. Received: weights={weights!r}")
    path = Path(path)
    manifest = _manifest(est, weights)  # refuses what JSON cannot hold before anything is written
    card = est.model_card()
    with tempfile.TemporaryDirectory() as tmp:
        keras_file = os.path.join(tmp, "model.keras")
        if weights == "float16":
            _save_half(est._model_, keras_file)
        else:
            est._model_.save(keras_file)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            archive.write(keras_file, "model.keras")
            for name in manifest["arrays"]:
                buffer = io.BytesIO()
                np.save(buffer, np.asarray(getattr(est, name)), allow_pickle=False)
                archive.writestr(f"arrays/{name}.npy", buffer.getvalue())
            archive.writestr("README.md", card)
            for k, member in enumerate(members(est)):
                member_file = os.path.join(tmp, f"{k}.kgz")
                write(member, member_file)
                archive.write(member_file, f"members/{k}.kgz")
    return path


# --------------------------------------------------------------------------- loading
def _check_members(archive: zipfile.ZipFile, path: Path) -> None:
    """Refuse a zip bomb from its directory alone: nothing has been inflated yet."""
    packed = 0
    for info in archive.infolist():
        packed += info.compress_size
        name, size = info.filename, info.file_size
        if name != "model.keras" and size > MAX_MEMBER_BYTES:
            raise _Refused(f"its member {name!r} declares {size} bytes, more than the "
                           f"{MAX_MEMBER_BYTES} a saved estimator's {name!r} can hold")  # fmt: skip
        if size > RATIO_FREE_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            raise _Refused(f"its member {name!r} declares {size} bytes from "
                           f"{info.compress_size} compressed (over {MAX_RATIO}:1), which no "
                           "saved estimator does")  # fmt: skip
    if packed > path.stat().st_size:
        raise _Refused(f"its members declare {packed} compressed bytes, more than the file holds")


def _field(container: dict, key: str, kind: type, where: str) -> Any:
    if key not in container:
        raise _Refused(f"its manifest has no {where}{key!r}")
    value = container[key]
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise _Refused(f"its manifest's {where}{key!r} is {_short(value)}, not a {kind.__name__}")
    return value


def _read_manifest(archive: zipfile.ZipFile, classes: dict[str, type]) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except KeyError:
        raise _Refused("it is not a saved kerasguide estimator (no manifest.json)") from None
    except RecursionError:
        raise _Refused("its manifest.json is nested too deeply") from None
    except ValueError as exc:  # JSON or UTF-8
        raise _Refused(f"its manifest.json is not JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
        raise _Refused(f"it is not a saved kerasguide estimator (no {_FORMAT!r} manifest)")
    version = manifest.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise _Refused(
            f"it was saved in format version {_short(version)}; this kerasguide reads versions "
            f"up to {FORMAT_VERSION}. Upgrade kerasguide to load it"
        )
    name = manifest.get("estimator")
    if not isinstance(name, str) or name not in classes:  # the classes ``read`` may make
        raise _Refused(f"it holds an unknown estimator {_short(name)}")
    for key in ("params", "fitted", "model"):
        _field(manifest, key, dict, "")
    _field(manifest, "arrays", list, "")
    _field(manifest["fitted"], "history_", dict, "fitted ")
    model = manifest["model"]
    shape = _field(model, "input_shape", list, "model ")
    if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
        raise _Refused(f"its manifest's model 'input_shape' is {_short(shape)}")
    if model.get("dtype") not in ("float32", "float64"):
        raise _Refused(f"its manifest's model 'dtype' is {_short(model.get('dtype'))}")
    if model.get("weights", "float32") not in WEIGHTS:
        raise _Refused(f"its manifest's model 'weights' is {_short(model.get('weights'))}")
    return manifest


def _load_model(archive: zipfile.ZipFile):
    import keras

    import kerasguide.zoo.layers  # noqa: F401  (kerasguide's own Keras objects)

    with tempfile.TemporaryDirectory() as tmp:
        keras_file = os.path.join(tmp, "model.keras")
        # Streamed: the member is never whole in memory (its size was checked already).
        with archive.open("model.keras") as source, open(keras_file, "wb") as target:
            shutil.copyfileobj(source, target)
        try:
            return keras.saving.load_model(keras_file, safe_mode=True)
        except Exception as exc:
            message = " ".join(str(exc).split())
            raise _Refused(f"its model.keras could not be loaded safely: {message}") from exc


def _classes(entry: Any) -> np.ndarray:
    if not isinstance(entry, dict) or not isinstance(entry.get("values"), list):
        raise _Refused(f"its fitted classes_ is {_short(entry)}, not values and a dtype")
    try:
        dtype = np.dtype(entry.get("dtype"))
        if dtype.kind not in "biufUO":
            raise TypeError(dtype)
        return np.asarray(entry["values"], dtype=dtype)
    except (TypeError, ValueError):
        raise _Refused(f"its fitted classes_ is {_short(entry)}: no labels of a dtype") from None


def _array(archive: zipfile.ZipFile, name: str) -> np.ndarray:
    if name not in ARRAYS:
        raise _Refused(f"its manifest names an unknown array {_short(name)}")
    member = f"arrays/{name}.npy"
    try:
        with archive.open(member) as file:
            return np.load(io.BytesIO(file.read()), allow_pickle=False)
    except KeyError:
        raise _Refused(f"it has no {member}, which its manifest names") from None
    except (ValueError, OSError, EOFError):
        # NumPy's own message may advise allow_pickle=True: wrong advice for a stranger's file.
        raise _Refused(f"its {member} is not a NumPy array of numbers (np.save format)") from None


def _fitted_values(manifest: dict[str, Any], archive: zipfile.ZipFile) -> dict[str, Any]:
    """The fitted attributes the file holds, as the estimator stores them (not yet checked)."""
    fitted = manifest["fitted"]
    for name in SCALARS:
        if name not in fitted:
            raise _Refused(f"its manifest has no fitted {name!r}")
    values = {name: fitted[name] for name in SCALARS}
    values.update({name: fitted[name] for name in OPTIONAL_SCALARS if name in fitted})
    values["history_"] = {k: list(v) if isinstance(v, list) else v
                          for k, v in fitted["history_"].items()}  # fmt: skip
    if "feature_names_in_" in fitted:
        names = _field(fitted, "feature_names_in_", list, "fitted ")
        values["feature_names_in_"] = np.asarray(names, dtype=object)
    if "classes_" in fitted:
        values["classes_"] = _classes(fitted["classes_"])
    values["_table_"] = None
    if "table" in fitted:
        entry = _field(fitted, "table", dict, "fitted ")
        try:
            values["_table_"] = TableEncoding.from_json(entry, values.get("feature_names_in_"))
        except (ValueError, TypeError, KeyError) as exc:
            raise _Refused(f"its categorical encoding does not fit: {exc}") from None
    for name in manifest["arrays"]:
        values[name] = _array(archive, name)
    return values


def _restore(est, manifest: dict[str, Any], archive: zipfile.ZipFile, model) -> None:
    from kerasguide._estimator.building import plan_model
    from kerasguide._estimator.inference import output_dtype

    values = _fitted_values(manifest, archive)
    saved = manifest["model"]
    input_shape = tuple(saved["input_shape"])
    if tuple(model.input_shape[1:]) != input_shape or output_dtype(model).name != saved["dtype"]:
        raise _Refused(
            f"its network takes {model.input_shape[1:]} in {output_dtype(model).name}, but the "
            f"manifest says {input_shape} in {saved['dtype']}; the file was altered"
        )
    try:
        check_loaded(manifest["estimator"], values, model)
    except ValueError as exc:
        raise _Refused(f"its fitted {exc}; the file was altered") from None
    try:
        if "seed_state" in saved:  # files saved before it was stored have none
            set_seed_state(model, saved["seed_state"])
    except ValueError as exc:
        raise _Refused(f"its model's seed_state does not fit: {exc}") from None
    table = values["_table_"]
    embeddings = None if table is None else table.embeddings
    plan = plan_model(est._checked_params(), values["task_"], input_shape, values["n_outputs_"],
                      0, saved["dtype"], embeddings=embeddings)  # fmt: skip
    set_loaded(est, values, model=model, plan=plan)
    try:
        est._restored()
    except ValueError as exc:
        raise _Refused(f"{exc}; the file was altered") from exc


def _estimator(cls, saved: dict[str, Any]):
    """An unfitted ``cls`` with the ``saved`` parameters."""
    unknown = sorted(set(saved) - set(cls().get_params()))
    if unknown:
        raise _Refused(f"its manifest names parameters {cls.__name__} does not take: {unknown}")
    params = {}
    for name, value in saved.items():
        try:
            params[name] = _from_json(value)
        except _Refused as exc:
            raise _Refused(f"its parameter {name!r} {exc}") from None
    return cls(**params)


def _load(path: Path, classes: dict[str, type]):
    with zipfile.ZipFile(path) as archive:
        _check_members(archive, path)
        manifest = _read_manifest(archive, classes)
        est = _estimator(classes[manifest["estimator"]], manifest["params"])
        model = _load_model(archive)
        _restore(est, manifest, archive, model)
        _restore_members(est, manifest, archive, classes)
    return est


def _restore_members(est, manifest: dict[str, Any], archive: zipfile.ZipFile, classes) -> None:
    """An ensemble's members, each read (and checked) as a file of its own."""
    count = manifest.get("members", 0)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise _Refused(f"its manifest's 'members' is {_short(count)}, not a count")
    if count == 0:
        return
    loaded = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(count):
            member_file = Path(tmp, f"{k}.kgz")
            try:
                member_file.write_bytes(archive.read(f"members/{k}.kgz"))
            except KeyError:
                raise _Refused(f"it has no members/{k}.kgz, which its manifest names") from None
            member = _load(member_file, classes)
            same = type(member) is type(est) and not members(member)
            same = same and all(getattr(member, n) == getattr(est, n) for n in SCALARS[:3])
            if not same:
                raise _Refused(f"its members/{k}.kgz does not fit the ensemble; the file was "
                               "altered")  # fmt: skip
            loaded.append(member)
    set_members(est, loaded)


def read(path, classes: dict[str, type]):
    """The estimator saved in ``path``, made of one of ``classes`` (by class name), with every
    check [`kerasguide.io.saving.load`][kerasguide.io.saving.load] documents: each refusal is a
    ``ValueError`` that names the file and what is wrong."""
    path = Path(path)
    try:
        return _load(path, classes)
    except _Refused as exc:
        raise ValueError(f"{path}: {exc}.") from exc.__cause__
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{path} is not a saved kerasguide estimator (not a zip file).") from exc
    except RecursionError:
        raise ValueError(f"{path}: its manifest is nested too deeply.") from None
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        # A parameter the estimator refuses, or a structure the checks above did not foresee.
        raise ValueError(f"{path} is damaged: {type(exc).__name__}: {exc}") from exc
