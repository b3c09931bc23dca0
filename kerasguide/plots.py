"""Learning curves, decision boundaries, optimizer paths and 2-D codes, drawn with matplotlib
(the ``plots`` extra).

matplotlib is imported inside the functions, so the package works without it; a function called
without it raises ``ImportError`` saying how to install it. Figures are built without pyplot and
written with the Agg backend, so no window opens and no global backend changes; each function
returns the figure (or axes) it drew, for a notebook to show.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "plot_codes",
    "plot_decision_boundaries",
    "plot_decision_boundary",
    "plot_learning_curves",
    "plot_optimizer_paths",
    "require_matplotlib",
]

_INSTALL_HINT = "pip install kerasguide[plots]"
_METRIC_TITLES = {
    "loss": "training loss",
    "accuracy": "training accuracy",
    "val_loss": "validation loss",
    "val_accuracy": "validation accuracy",
    "test_loss": "test loss",
    "test_accuracy": "test accuracy",
}


def require_matplotlib():
    """Import and return matplotlib, or raise ``ImportError`` saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            f"kerasguide's plots need matplotlib, which is not installed: {_INSTALL_HINT}"
        ) from None
    return matplotlib


def _figure(nrows: int, ncols: int, *, width: float, height: float):
    """A figure with an Agg canvas and its grid of axes (always 2-D), made without pyplot."""
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _save(fig, path: str | os.PathLike | None) -> None:
    # Our figures carry an Agg canvas; a caller's figure (from ``ax=``) keeps its own, and
    # savefig renders files through Agg whatever the canvas.
    if path is not None:
        fig.savefig(os.fspath(path), dpi=100)


def _as_history(history: Any) -> dict[str, list[float]]:
    """A Keras ``History``, a fitted estimator (``history_``) or a dict, as a dict of lists."""
    if hasattr(history, "history_"):
        history = history.history_
    elif hasattr(history, "history") and isinstance(history.history, Mapping):
        history = history.history
    if not isinstance(history, Mapping):
        raise TypeError(
            "Each history must be a dict of metric lists, a keras History or a fitted "
            f"kerasguide estimator. Received: {type(history).__name__}"
        )
    return {str(name): [float(v) for v in values] for name, values in history.items()}


def plot_learning_curves(
    histories: Mapping[str, Any],
    path: str | os.PathLike | None = None,
    *,
    metrics: tuple[str, ...] | None = None,
    title: str | None = None,
):
    """One panel per metric, one line per run, against the epoch.

    Parameters
    ----------
    histories : mapping of str to history
        Label -> a dict of per-epoch lists (``History.history``), a ``keras.callbacks.History``
        or a fitted [`KerasClassifier`][kerasguide.estimators.KerasClassifier] / ``KerasRegressor``.
    path : str or os.PathLike, optional
        Where to write the figure (PNG by the extension).
    metrics : tuple of str, optional
        The metrics to draw, in order; by default every metric any history holds.
    title : str, optional
        A title over the panels; with a single panel, that panel's title (in place of the
        metric's name), so that the figure has one title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    curves = {label: _as_history(h) for label, h in histories.items()}
    if not curves:
        raise ValueError("`histories` is empty; pass at least one run.")
    if metrics is None:
        metrics = tuple(dict.fromkeys(name for c in curves.values() for name in c))
    metrics = tuple(m for m in metrics if any(m in c for c in curves.values()))
    if not metrics:
        raise ValueError("None of the histories holds any of the requested metrics.")
    fig, axes = _figure(1, len(metrics), width=5.5, height=4.0)
    for ax, metric in zip(axes[0], metrics, strict=True):
        for label, curve in curves.items():
            if metric in curve:
                values = curve[metric]
                ax.plot(np.arange(1, len(values) + 1), values, label=label)
        # One panel takes the figure's title in place of its own: two titles, one over the
        # other, said the same thing twice ("Training loss per epoch" over "training loss").
        one_title = title if title and len(metrics) == 1 else None
        ax.set_title(one_title or _METRIC_TITLES.get(metric, metric.replace("_", " ")))
        ax.set_xlabel("epoch")
        if "loss" in metric:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize="small")
    if title and len(metrics) > 1:
        fig.suptitle(title)
    _save(fig, path)
    return fig


def _scores(model: Any, points: np.ndarray) -> tuple[np.ndarray, bool]:
    """Class-1 probabilities (binary, ``True``) or predicted class indices (``False``)."""
    if hasattr(model, "predict_proba"):
        out = np.asarray(model.predict_proba(points))
    elif hasattr(model, "layers"):  # a Keras model
        out = np.asarray(model.predict(points.astype(np.float32), verbose=0))
    else:
        out = np.asarray(model.predict(points))
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.ndim == 1:
        return out.astype(np.float64), True
    if out.shape[1] == 2:
        return out[:, 1].astype(np.float64), True
    return out.argmax(axis=1), False


def _scores_on_grid(
    model: Any, X: np.ndarray, resolution: int, margin: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """A ``resolution`` x ``resolution`` grid over the points, widened by ``margin``, and the
    model's ``_scores`` on it, shaped like the grid."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * (high - low)
    xx, yy = np.meshgrid(
        np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
        np.linspace(low[1] - pad[1], high[1] + pad[1], resolution),
    )
    scores, binary = _scores(model, np.column_stack([xx.ravel(), yy.ravel()]))
    return xx, yy, scores.reshape(xx.shape), binary


def plot_decision_boundary(
    model: Any,
    X: Any,
    y: Any,
    *,
    ax: Any = None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
    resolution: int = 200,
    margin: float = 0.25,
):
    """Colour the plane by a classifier's prediction and scatter the points on top.

    For two classes the colour is the probability of the second class, with its 0.5 contour
    drawn as the boundary; for more, the predicted class.

    Parameters
    ----------
    model : KerasClassifier, keras.Model or scikit-learn classifier
        Fitted, on two features. Keras models are called with ``predict``; estimators with
        ``predict_proba`` where they have it.
    X : array-like of shape (n_samples, 2)
    y : array-like of shape (n_samples,)
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.
    title : str, optional
    path : str or os.PathLike, optional
        Write the axes' figure there.
    resolution : int, default=200
        Grid points along each axis.
    margin : float, default=0.25
        Extra room around the points, as a fraction of their range.

    Returns
    -------
    matplotlib.axes.Axes
    """
    require_matplotlib()
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"`X` must have two columns to draw in the plane. Received: {X.shape}")
    _, codes = np.unique(np.asarray(y), return_inverse=True)
    if ax is None:
        _, axes = _figure(1, 1, width=4.5, height=4.0)
        ax = axes[0][0]
    xx, yy, scores, binary = _scores_on_grid(model, X, resolution, margin)
    if binary:
        ax.contourf(xx, yy, scores, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.7)
        ax.contour(xx, yy, scores, levels=[0.5], colors="k", linewidths=1.0)
    else:
        ax.contourf(xx, yy, scores, levels=np.arange(scores.max() + 2) - 0.5, cmap="tab10")
    ax.scatter(X[:, 0], X[:, 1], c=codes, cmap="RdBu_r" if binary else "tab10", s=12,
               edgecolors="k", linewidths=0.4)  # fmt: skip
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize="medium")
    _save(ax.figure, path)
    return ax


def plot_decision_boundaries(
    models: Mapping[str, Any],
    X: Any,
    y: Any,
    path: str | os.PathLike | None = None,
    *,
    title: str | None = None,
):
    """The decision boundaries of several models side by side, one panel each.

    Each panel is what [`plot_decision_boundary`][kerasguide.plots.plot_decision_boundary]
    draws for one model.

    Parameters
    ----------
    models : mapping of str to fitted classifier
        Panel title -> model.
    X, y : array-like
        The points to draw on every panel.
    path : str or os.PathLike, optional
        Where to write the figure.
    title : str, optional
        A title over the panels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not models:
        raise ValueError("`models` is empty; pass at least one fitted classifier.")
    fig, axes = _figure(1, len(models), width=3.6, height=3.6)
    for ax, (label, model) in zip(axes[0], models.items(), strict=True):
        plot_decision_boundary(model, X, y, ax=ax, title=label)
    if title:
        fig.suptitle(title)
    _save(fig, path)
    return fig


def plot_optimizer_paths(
    paths: Mapping[str, Any],
    cost: Any,
    path: str | os.PathLike | None = None,
    *,
    title: str | None = None,
    resolution: int = 200,
):
    """The paths of optimizers over the contours of a 2-D cost surface.

    Parameters
    ----------
    paths : mapping of str to array-like of shape (n_steps, 2)
        Label -> the points an optimizer visited, first to last.
    cost : callable
        ``cost(x, y)`` on NumPy arrays: the surface under the paths.
    path : str or os.PathLike, optional
        Where to write the figure.
    title : str, optional
    resolution : int, default=200
        Grid points along each axis of the contours.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from kerasguide.plots import plot_optimizer_paths
    >>> line = np.column_stack([np.linspace(-2, 0, 5), np.linspace(1, 0, 5)])
    >>> fig = plot_optimizer_paths({"a step": line}, lambda x, y: x**2 + y**2)
    >>> fig.axes[0].get_legend().get_texts()[0].get_text()
    'a step'
    """
    points = {label: np.asarray(p, dtype=np.float64) for label, p in paths.items()}
    if not points:
        raise ValueError("`paths` is empty; pass at least one optimizer's path.")
    for label, p in points.items():
        if p.ndim != 2 or p.shape[1] != 2:
            raise ValueError(f"Each path must have shape (n_steps, 2). Received: {label!r} "
                             f"with shape {p.shape}")  # fmt: skip
    every = np.concatenate(list(points.values()))
    low, high = every.min(axis=0), every.max(axis=0)
    pad = 0.15 * np.maximum(high - low, 1e-6)
    xx, yy = np.meshgrid(np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
                         np.linspace(low[1] - pad[1], high[1] + pad[1], resolution))  # fmt: skip
    fig, axes = _figure(1, 1, width=7.0, height=4.5)
    ax = axes[0][0]
    ax.contour(xx, yy, cost(xx, yy), levels=20, cmap="Greys", linewidths=0.6)
    for label, p in points.items():
        ax.plot(p[:, 0], p[:, 1], marker="o", markersize=2.5, linewidth=1.2, label=label)
    ax.plot(*every[0], marker="*", color="k", markersize=10)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title, fontsize="medium")
    _save(fig, path)
    return fig


def plot_codes(
    codes: Any,
    labels: Any,
    path: str | os.PathLike | None = None,
    *,
    title: str | None = None,
):
    """Points of a 2-D code (a ``KerasTransformer``'s output), one colour per class.

    Each class's label is written at the median of its points, so the figure reads without a
    legend.

    Parameters
    ----------
    codes : array-like of shape (n_samples, 2)
        The two values of each sample's code.
    labels : array-like of shape (n_samples,)
        The class of each sample.
    path : str or os.PathLike, optional
        Where to write the figure.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from kerasguide.plots import plot_codes
    >>> codes = np.array([[0.0, 0.0], [0.1, 0.2], [2.0, 2.0], [2.1, 1.9]])
    >>> fig = plot_codes(codes, ["a", "a", "b", "b"])
    >>> sorted(text.get_text() for text in fig.axes[0].texts)
    ['a', 'b']
    """
    points, classes = np.asarray(codes, dtype=np.float64), np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"`codes` must have shape (n_samples, 2). Received: shape {points.shape}")
    if classes.shape != (len(points),):
        raise ValueError(f"`labels` must have shape ({len(points)},), one per code. Received: "
                         f"shape {classes.shape}")  # fmt: skip
    fig, axes = _figure(1, 1, width=6.0, height=5.0)
    ax = axes[0][0]
    colours = _class_colours(len(np.unique(classes)))
    for colour, label in zip(colours, np.unique(classes), strict=True):
        mine = points[classes == label]
        ax.scatter(mine[:, 0], mine[:, 1], s=8, color=colour, alpha=0.6, linewidths=0)
        ax.text(*np.median(mine, axis=0), str(label), fontsize="large", fontweight="bold",
                ha="center", va="center", color=colour,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7,
                      "linewidth": 0})  # fmt: skip
    ax.set_xlabel("code 1")
    ax.set_ylabel("code 2")
    if title:
        ax.set_title(title, fontsize="medium")
    _save(fig, path)
    return fig


def _class_colours(n_classes: int) -> list:
    """``n_classes`` distinct colours: matplotlib's tab10, or tab20 beyond ten classes."""
    from matplotlib import colormaps

    palette = colormaps["tab10" if n_classes <= 10 else "tab20"]
    return [palette(i % palette.N) for i in range(n_classes)]
