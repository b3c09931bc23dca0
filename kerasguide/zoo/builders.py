"""Every Sequential builder of the zoo: hidden blocks, convolution and recurrent stacks, the head.

``Parts`` holds what every layer of one model shares (dtype, seed, initializer, penalty and the
knobs, each checked with the package's one table); the ``build_*`` functions below assemble the
Dense models (``build_sequential``), the [`cnn`][kerasguide.zoo.models.cnn], the
[`rnn`][kerasguide.zoo.models.rnn] and the [`autoencoder`][kerasguide.zoo.models.autoencoder]
from it. Keras is imported only when a model is built.

Seed offsets, so that no two layers draw the same numbers: Dense layers ``i`` (the output 0),
convolutions ``100 + i``, recurrent kernels ``200 + i`` (recurrent matrices ``300 + i``, a
backward direction ``+ 500``), dropout masks ``1000 + i`` (recurrent ones ``1200 + i``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kerasguide.core.checks import check, invalid
from kerasguide.exceptions import InvalidParameterError
from kerasguide.zoo.vocabulary import TASK_HEADS, check_head, compile_model, make_initializer

if TYPE_CHECKING:  # pragma: no cover
    import keras

__all__ = [
    "Parts",
    "build_autoencoder",
    "build_cnn",
    "build_rnn",
    "build_sequential",
    "needs_layers",
]


def needs_layers(dropout: float, layers: tuple[int, ...], name: str) -> None:
    """Refuse a dropout rate for a model with no layer to drop units from."""
    if dropout and not layers:
        raise InvalidParameterError(
            f"`dropout` applies to hidden layers and this model has none. "
            f"Received: dropout={dropout!r}, {name}={layers!r}"
        )


@dataclass(frozen=True)
class Parts:
    """What every layer of one model shares; ``Parts.make`` checks each value."""

    dtype: str = "float32"
    seed: int | None = None
    initializer: Any = "glorot_uniform"
    activation: Any = "relu"
    dropout: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    normalization: str | None = None
    maxout_pieces: int = 2

    @classmethod
    def make(cls, options: dict[str, Any], **knobs: Any) -> Parts:
        """The parts from a factory's compile options and its knobs."""
        checked = {k: check(k, v, none_ok=k == "normalization") for k, v in knobs.items()}
        initializer = options.get("kernel_initializer", "glorot_uniform")
        check("kernel_initializer", initializer)
        return cls(
            dtype=check("dtype", options.get("dtype", "float32")),
            seed=check("seed", options.get("seed"), none_ok=True),
            initializer=initializer,
            **checked,
        )

    def seeded(self, offset: int) -> int | None:
        return None if self.seed is None else self.seed + offset

    def kernel(self, offset: int):
        """A fresh kernel initializer, seeded with ``seed + offset``."""
        return make_initializer(self.initializer, self.seeded(offset))

    def penalty(self):
        """The kernel penalty: ``L2`` alone, ``L1L2`` when there is an L1 part, or None."""
        from kerasguide.zoo.layers import L1L2, L2

        if self.l1:
            return L1L2(l1=self.l1, l2=self.l2)
        return L2(self.l2) if self.l2 else None

    def inputs(self, shape: tuple[int, ...]):
        import keras

        return keras.Input(shape=shape, dtype=self.dtype, name="inputs")

    def dense(self, units: int, activation: Any, name: str, offset: int):
        """A Dense layer, or a [`Maxout`][kerasguide.zoo.layers.Maxout] for ``"maxout"``."""
        import keras

        from kerasguide.zoo.initializers import zeros
        from kerasguide.zoo.layers import Maxout

        common = {
            "kernel_initializer": self.kernel(offset),
            "bias_initializer": zeros(),
            "kernel_regularizer": self.penalty(),
            "dtype": self.dtype,
            "name": name,
        }
        if activation == "maxout":
            return Maxout(units, self.maxout_pieces, **common)
        return keras.layers.Dense(units, activation=activation, **common)

    def after(self, norm_index: int, dropout_index: int | None = None) -> list:
        """The normalization layer (``norm_i``) and the dropout (``dropout_j``) that follow."""
        import keras

        from kerasguide.zoo.initializers import ones, zeros

        layers: list[Any] = []
        if self.normalization == "batch":
            layers.append(keras.layers.BatchNormalization(
                beta_initializer=zeros(), gamma_initializer=ones(),
                moving_mean_initializer=zeros(), moving_variance_initializer=ones(),
                dtype=self.dtype, name=f"norm_{norm_index}"))  # fmt: skip
        elif self.normalization == "layer":
            layers.append(keras.layers.LayerNormalization(
                beta_initializer=zeros(), gamma_initializer=ones(), dtype=self.dtype,
                name=f"norm_{norm_index}"))  # fmt: skip
        if self.dropout and dropout_index is not None:
            from kerasguide.zoo.layers import Dropout  # its rate can be fed to a program

            seed = self.seeded(1000 + dropout_index)
            name = f"dropout_{dropout_index}"
            layers.append(Dropout(self.dropout, seed=seed, dtype=self.dtype, name=name))
        return layers

    def hidden(self, units: Any, first: int = 1, prefix: str = "hidden", norms: int = 0) -> list:
        """Dense (or maxout) layers ``prefix_i``, each with its ``norm_{norms + i}`` and dropout."""
        layers: list[Any] = []
        for i, width in enumerate(units, start=first):
            block = [
                self.dense(width, self.activation, f"{prefix}_{i}", i),
                *self.after(norms + i, i),
            ]
            layers += block
        return layers

    def finish(self, layers: list, n_outputs: int, task: str, name: str, options: dict):
        """The model: ``layers``, then the task's head (``output``); compiled unless told not."""
        import keras

        head = self.dense(n_outputs, TASK_HEADS[task][0], "output", 0)
        model = keras.Sequential([*layers, head], name=name)
        if options.get("compile", True):
            compile_model(model, task, self.dtype, options)
        return model


def build_cnn(input_shape: tuple[int, ...], n_outputs: int, *, task: str, filters: Any,
              kernel_size: Any, pool_size: Any, dense_layers: Any, dropout: Any,
              normalization: Any, l2: Any, **options: Any):  # fmt: skip
    """Conv (ReLU, same padding) and max-pool blocks, a flatten, Dense blocks, the head."""
    import keras

    from kerasguide.zoo.initializers import zeros

    parts = Parts.make(options, dropout=dropout, normalization=normalization, l2=l2)
    filters, dense = check("filters", filters), check("dense_layers", dense_layers)
    size, pool = check("kernel_size", kernel_size), check("pool_size", pool_size)
    needs_layers(parts.dropout, dense, "dense_layers")
    if len(input_shape) not in (2, 3):
        raise invalid("input_shape", "(height, width) or (height, width, channels) for cnn()",
                      input_shape)  # fmt: skip
    layers = [parts.inputs(input_shape)]
    if len(input_shape) == 2:
        layers.append(keras.layers.Reshape((*input_shape, 1), dtype=parts.dtype, name="reshape"))
    for i, width in enumerate(filters, start=1):
        conv = keras.layers.Conv2D(
            width, size, padding="same", activation="relu",
            kernel_initializer=parts.kernel(100 + i), bias_initializer=zeros(),
            kernel_regularizer=parts.penalty(),
            dtype=parts.dtype, name=f"conv_{i}",
        )  # fmt: skip
        layers.append(conv)
        layers += parts.after(i)
        layers.append(keras.layers.MaxPooling2D(pool, padding="same", dtype=parts.dtype,
                                                name=f"pool_{i}"))  # fmt: skip
    layers.append(keras.layers.Flatten(dtype=parts.dtype, name="flatten"))
    # The Dense blocks' norms are numbered on after the convolutions'.
    layers += parts.hidden(dense, prefix="dense", norms=len(filters))
    return parts.finish(layers, n_outputs, task, "cnn", options)


_CELLS = {"lstm": "LSTM", "gru": "GRU", "simple": "SimpleRNN"}


def build_rnn(input_shape: tuple[int, ...], n_outputs: int, *, task: str, cell: Any, units: Any,
              dropout: Any, bidirectional: Any, **options: Any):  # fmt: skip
    """Recurrent layers (all but the last return sequences), then the head on the last state."""
    import keras

    from kerasguide.zoo.initializers import Drawn, zeros

    parts = Parts.make(options, dropout=dropout)
    kind = getattr(keras.layers, _CELLS[check("cell", cell)])
    units, both = check("units", units), check("bidirectional", bidirectional)
    if len(input_shape) != 2:
        raise invalid("input_shape", "(timesteps, n_channels) for rnn()", input_shape)

    def recurrent(i: int, width: int, name: str, backwards: bool = False):
        shift = 500 if backwards else 0
        return kind(
            width, return_sequences=i < len(units), go_backwards=backwards,
            dropout=parts.dropout, seed=parts.seeded(1200 + i + shift),
            kernel_initializer=parts.kernel(200 + i + shift),
            recurrent_initializer=Drawn("orthogonal", seed=parts.seeded(300 + i + shift)),
            bias_initializer=zeros(),
            dtype=parts.dtype, name=name,
        )  # fmt: skip

    layers = [parts.inputs(input_shape)]
    for i, width in enumerate(units, start=1):
        if both:
            layers.append(keras.layers.Bidirectional(
                recurrent(i, width, f"forward_rnn_{i}"),
                backward_layer=recurrent(i, width, f"backward_rnn_{i}", backwards=True),
                dtype=parts.dtype, name=f"rnn_{i}"))  # fmt: skip
        else:
            layers.append(recurrent(i, width, f"rnn_{i}"))
    return parts.finish(layers, n_outputs, task, "rnn", options)


def build_autoencoder(input_shape: tuple[int, ...], n_outputs: Any, *, task: Any,
                      hidden_layers: Any, code_size: Any, activation: Any,
                      **options: Any):  # fmt: skip
    """Encoder (``hidden_layers``), a linear ``code``, the mirrored decoder, a linear output."""
    if len(input_shape) != 1:
        raise invalid("input_shape", "(n_features,) for autoencoder()", input_shape)
    width = input_shape[0]
    units = check_head("autoencoder", task, ("regression",), ("n_outputs", n_outputs or width))
    if units != width:
        raise InvalidParameterError(
            f"An autoencoder reconstructs its input: n_outputs must be the input width {width}. "
            f"Received: n_outputs={n_outputs!r}"
        )
    parts = Parts.make(options, activation=activation)
    hidden, code = check("hidden_layers", hidden_layers), check("code_size", code_size)
    layers = [parts.inputs(input_shape), *parts.hidden(hidden)]
    layers.append(parts.dense(code, "linear", "code", len(hidden) + 1))
    layers += parts.hidden(tuple(reversed(hidden)), first=len(hidden) + 2)
    return parts.finish(layers, units, "regression", "autoencoder", options)


def build_sequential(
    input_shape: tuple[int, ...],
    n_outputs: int,
    *,
    task: str,
    name: str,
    hidden_layers: Any = (),
    activation: Any = "relu",
    dropout: Any = 0.0,
    l1: Any = 0.0,
    l2: Any = 0.0,
    normalization: Any = None,
    maxout_pieces: Any = 2,
    **options: Any,
) -> keras.Sequential:
    """The builder behind the Dense factories: hidden blocks (Dense or maxout, then optional
    normalization and dropout), optional L1/L2 penalties, a task head."""
    import keras

    hidden = check("hidden_layers", hidden_layers)
    parts = Parts.make(options, activation=activation, dropout=dropout, l1=l1, l2=l2,
                       normalization=normalization, maxout_pieces=maxout_pieces)  # fmt: skip
    needs_layers(parts.dropout, hidden, "hidden_layers")
    layers: list[Any] = [parts.inputs(input_shape)]
    if len(input_shape) > 1:
        layers.append(keras.layers.Flatten(dtype=parts.dtype, name="flatten"))
    layers += parts.hidden(hidden)
    return parts.finish(layers, n_outputs, task, name, options)
