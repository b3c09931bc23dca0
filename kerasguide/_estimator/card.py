"""The model card of a fitted estimator: Markdown with Hugging Face's YAML front matter.

The front matter is written as YAML's JSON-compatible subset (every string quoted by
``json.dumps``), so it needs no YAML library to write and any YAML parser reads it.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from kerasguide.core.versions import software_versions

__all__ = ["model_card"]


def _front_matter(est, metrics: dict[str, float]) -> list[str]:
    task = est.task_
    kind = "regression" if task == "regression" else "classification"
    tags = ["keras", "scikit-learn", "kerasguide", kind, *([task] if task != kind else [])]
    if hasattr(est, "layer_"):  # a transformer: its output is features, not predictions
        tags.append("feature-extraction")
    lines = ["---", "library_name: kerasguide", f"tags: {json.dumps(tags)}"]
    if metrics:
        lines.append(f"metrics: {json.dumps(list(metrics))}")
    return [*lines, "---", ""]


def _architecture(model) -> list[str]:
    rows = ["| layer | type | output shape | parameters |", "|---|---|---|---|"]
    for layer in model.layers:
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            shape = "?"
        rows.append(f"| `{layer.name}` | {type(layer).__name__} | `{shape}` | "
                    f"{layer.count_params():,} |")  # fmt: skip
    total = model.count_params()
    return ["## Architecture", "", f"Input shape `{tuple(model.input_shape)}`.", "", *rows, "",
            f"Total parameters: {total:,}.", ""]  # fmt: skip


def _settings(est) -> list[str]:
    rows = ["| parameter | value |", "|---|---|"]
    for name, value in est.get_params(deep=False).items():
        text = repr(value).replace("|", "\\|")
        rows.append(f"| `{name}` | `{text}` |")
    seed = est.get_params()["random_state"]
    return ["## Training settings", "", *rows, "", f"Seed (`random_state`): `{seed!r}`.", ""]


def _data(est) -> list[str]:
    lines = ["## Data", "", f"- Features: {est.n_features_in_}"]
    if hasattr(est, "feature_names_in_"):
        lines.append(f"- Feature names: {', '.join(f'`{n}`' for n in est.feature_names_in_)}")
    table = getattr(est, "_table_", None)
    if table is not None:
        lines += ["- Categorical columns (code 0: unknown or missing; then the sorted "
                  "categories):", ""]  # fmt: skip
        lines += _categorical_rows(table)
    lines.append(f"- Task: {est.task_}, {est.n_outputs_} output(s)")
    if hasattr(est, "classes_") and est.task_ != "multilabel":
        lines.append(f"- Classes: {', '.join(f'`{c}`' for c in est.classes_)}")
    return [*lines, ""]


def _categorical_rows(table) -> list[str]:
    rows = ["| column | categories | encoding |", "|---|---|---|"]
    for name, values, dim in zip(table.categorical_names, table.categories, table.dims,
                                 strict=True):  # fmt: skip
        shown = ", ".join(f"`{v}`" for v in values[:10].tolist())
        shown += f", ... ({len(values)})" if len(values) > 10 else ""
        encoding = f"embedding of {dim}" if dim else "one-hot"
        rows.append(f"| `{name.strip(chr(39))}` | {shown} | {encoding} |")
    return [*rows, ""]


def _features(est) -> list[str]:
    """What a transformer's ``transform`` returns: the layer and its width."""
    if not hasattr(est, "layer_"):
        return []
    layer = est._model_.get_layer(est.layer_)
    shape = tuple(layer.output.shape)
    names = est.get_feature_names_out()
    flat = ", flattened" if len(shape) > 2 else ""
    return ["## Transform", "",
            f"`transform` returns the activations of layer `{layer.name}` "
            f"({type(layer).__name__}, output shape `{shape}`{flat}): {len(names)} features, "
            f"`{names[0]}` to `{names[-1]}`.", ""]  # fmt: skip


def _training(est) -> list[str]:
    lines = ["## Training", "", f"- Epochs trained: {est.n_iter_}"]
    for name, values in est.history_.items():
        if values:
            lines.append(f"- Last `{name}`: {values[-1]:.6g}")
    return [*lines, ""]


def _versions() -> list[str]:
    v = software_versions()
    return ["## Software", "", f"- kerasguide {v['kerasguide']}",
            f"- Keras {v['keras']} (backend: {v['backend']})",
            f"- scikit-learn {v['scikit-learn']}, NumPy {v['numpy']}", ""]  # fmt: skip


def model_card(est, metrics: dict[str, Any] | None = None) -> str:
    """The Markdown model card of the fitted ``est``; ``metrics`` maps names to values."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est)
    metrics = dict(metrics or {})
    for name, value in metrics.items():
        if (
            not isinstance(name, str)
            or isinstance(value, bool)
            or not isinstance(value, int | float | np.number)
        ):
            raise ValueError(f"metrics maps metric names to numbers. Received: {name!r}: {value!r}")
    lines = _front_matter(est, metrics)
    lines += [f"# {type(est).__name__} ({est.get_params()['model']})", ""]
    if metrics:
        lines += ["## Evaluation", "", "| metric | value |", "|---|---|"]
        lines += [f"| {name} | {float(value):.6g} |" for name, value in metrics.items()] + [""]
    model = est._model_
    lines += _features(est) + _architecture(model) + _settings(est) + _data(est)
    lines += _training(est) + _versions()
    return "\n".join(lines)
