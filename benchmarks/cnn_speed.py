"""The reproduction's CNN against its FLOP floor: one epoch's arithmetic, the machine's GEMM
rate, and the epoch time of the training paths side by side.

Usage::

    python benchmarks/cnn_speed.py [--rows N] [--epochs E] [--repeats R] [VARIANT ...]
    python benchmarks/cnn_speed.py --profile          # forward + backward of each layer alone

Each variant runs in a fresh process (``--variant NAME``, printing one JSON line), alternating
over the repeats, because the cores may be shared: the table gives the median wall time and the
process CPU time of one epoch, measured on the second of two identical fits (the first compiles
the pooled program; the second reuses it, as the 15 epochs of the reproduction do). The model is
the reproduction's CNN row (``kerasguide.app.experiments``): 32 and 64 3x3 filters with batch
normalization and 2x2 pooling, a dense layer of 128 with dropout 0.5, Adam 2e-3, cosine.

Variants:

* ``current``: the estimator as it trains today (TensorFlow, whole-program path).
* ``xla``: the same with XLA forced on the program (dropout included).
* ``xla_nodrop``: XLA, dropout 0 (the share of the dropout's random draws).
* ``plain_nodrop``: plain graph, dropout 0.
* ``jax``: the estimator on JAX (``jax.jit``).
* ``b256`` / ``b512``: ``current`` with that batch size; ``xla_b256``: XLA and batch 256.
* ``intra1``: ``current`` with TensorFlow's intra-op threads at 1 (inter-op 2).
* ``onednn_off``: ``current`` with ``TF_ENABLE_ONEDNN_OPTS=0``.
* ``keras_nhwc`` / ``keras_nchw``: the same layers as a plain ``keras.Sequential`` trained with
  ``model.fit(jit_compile=True)``, channels_last against channels_first (the estimators take
  ``(height, width, channels)``; this measures what a channels_first layout would gain).
* ``keras_plain``: that ``keras.Sequential`` with ``jit_compile=False``: Keras's own step
  function as a plain graph, one call a step (``current`` runs every step of an epoch inside
  one ``tf.while_loop``).

Needs a local MNIST (``$KERASGUIDE_MNIST`` or the Keras cache). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: The reproduction's CNN: (height, width, channels in), then the layers' shapes.
IMAGE = (28, 28, 1)
FILTERS = (32, 64)
KERNEL = 3
DENSE = 128
CLASSES = 10
TRAIN_ROWS = 60_000

#: name -> (environment, options for the child)
VARIANTS = {
    "current": ({}, {}),
    "xla": ({}, {"xla": True}),
    "xla_nodrop": ({}, {"xla": True, "dropout": 0.0}),
    "plain_nodrop": ({}, {"dropout": 0.0}),
    "jax": ({"KERAS_BACKEND": "jax"}, {}),
    "b256": ({}, {"batch_size": 256}),
    "b512": ({}, {"batch_size": 512}),
    "xla_b256": ({}, {"xla": True, "batch_size": 256}),
    "intra1": ({}, {"intra": 1}),
    "onednn_off": ({"TF_ENABLE_ONEDNN_OPTS": "0"}, {}),
    "keras_nhwc": ({}, {"keras": "channels_last"}),
    "keras_nchw": ({}, {"keras": "channels_first"}),
    "keras_plain": ({}, {"keras": "channels_last", "jit": False}),
}
DEFAULT = ["current", "xla", "xla_nodrop", "plain_nodrop", "jax", "b256", "xla_b256"]


def forward_flops() -> dict[str, int]:
    """Multiply-adds x 2 of one image's forward pass, layer by layer (same padding, pooling
    halves each side rounding up; batch norm, ReLU, pooling and dropout are elementwise and
    left out)."""
    h, w, c = IMAGE
    flops = {}
    for i, f in enumerate(FILTERS, start=1):
        flops[f"conv_{i}"] = 2 * h * w * f * KERNEL * KERNEL * c
        h, w, c = -(-h // 2), -(-w // 2), f
    flops["dense_1"] = 2 * h * w * c * DENSE
    flops["output"] = 2 * DENSE * CLASSES
    return flops


def epoch_flops() -> float:
    """Forward, the gradient of the weights (as much again) and of each layer's input (as much
    again, except the first layer's, which nothing needs): about 3x forward."""
    flops = forward_flops()
    total = sum(3 * v for v in flops.values()) - flops["conv_1"]
    return float(total) * TRAIN_ROWS


def gemm_rate() -> float:
    """float32 FLOP/s of a 2048x2048 ``tf.matmul`` loop (the process's threads: all cores)."""
    import tensorflow as tf

    n = 2048
    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))

    @tf.function
    def loop(a, b):
        out = a
        for _ in range(10):
            out = tf.matmul(out, b) * 1e-3
        return out

    loop(a, b).numpy()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        loop(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 10 * 2 * n**3 / best


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _data(rows: int):
    from kerasguide.app.datasets_table import load_split

    split = load_split("mnist")
    # Flat, as the reproduction passes them (the model's input layer takes the image shape).
    return split.X_train[:rows], split.y_train[:rows]


def _estimator(options: dict, epochs: int):
    from kerasguide.app import runner

    return runner.make_estimator(
        "multiclass", "cnn", epochs=epochs, batch_size=options.get("batch_size", 128),
        optimizer="adam", input_shape=IMAGE, normalization="batch",
        dropout=options.get("dropout", 0.5), learning_rate=2e-3,
        learning_rate_schedule="cosine",
    )  # fmt: skip


def _keras_model(layout: str, jit: bool = True):
    import keras

    shape = IMAGE if layout == "channels_last" else (IMAGE[2], *IMAGE[:2])
    layers = [keras.Input(shape)]
    for f in FILTERS:
        layers += [
            keras.layers.Conv2D(f, KERNEL, padding="same", activation="relu", data_format=layout),
            keras.layers.BatchNormalization(axis=-1 if layout == "channels_last" else 1),
            keras.layers.MaxPooling2D(2, padding="same", data_format=layout),
        ]
    layers += [
        keras.layers.Flatten(),
        keras.layers.Dense(DENSE, activation="relu"),
        keras.layers.BatchNormalization(),
        keras.layers.Dropout(0.5, seed=0),
        keras.layers.Dense(CLASSES, activation="softmax"),
    ]
    model = keras.Sequential(layers)
    model.compile(keras.optimizers.Adam(2e-3), "sparse_categorical_crossentropy",
                  jit_compile=jit)  # fmt: skip
    return model


def run_variant(name: str, rows: int, epochs: int) -> dict:
    """One variant in this process: two identical fits, the second timed."""
    options = VARIANTS[name][1]
    if "intra" in options:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(options["intra"])
    if options.get("xla"):
        from kerasguide._estimator import compiled

        # Forced: the rule would refuse a convolutional model, or a short fit.
        compiled.XLA_MIN_STEPS = 0
        compiled.slower_under_xla = lambda model: False
    X, y = _data(rows)
    if "keras" in options:
        model = _keras_model(options["keras"], options.get("jit", True))
        X = X.reshape(rows, *IMAGE)
        if options["keras"] == "channels_first":
            X = X.transpose(0, 3, 1, 2).copy()

        def fit():
            model.fit(X, y, batch_size=128, epochs=epochs, verbose=0)
    else:

        def fit():
            _estimator(options, epochs).fit(X, y)

    fit()
    wall, cpu = time.perf_counter(), _cpu()
    fit()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    scale = TRAIN_ROWS / rows / epochs
    return {"variant": name, "epoch_s": wall * scale, "epoch_cpu_s": cpu * scale}


def profile(batch: int = 128) -> None:
    """Forward + backward (gradients of the weights and the input) of each layer alone, as a
    plain TensorFlow graph (oneDNN's kernels, as the current path), scaled to one epoch of
    60,000 images."""
    import keras
    import tensorflow as tf

    model = _keras_model("channels_last")
    x = tf.random.normal((batch, *IMAGE))
    steps = TRAIN_ROWS / batch
    print(f"{'layer':22s} {'ms/step':>8s} {'s/epoch':>8s}")
    total = 0.0
    for layer in model.layers:
        shape = tuple(x.shape)

        @tf.function
        def step(x, layer=layer):
            with tf.GradientTape() as tape:
                tape.watch(x)
                out = layer(x, training=True)
                loss = tf.reduce_sum(out * out)
            return tape.gradient(loss, [x, *layer.trainable_weights])

        step(x)
        start = time.perf_counter()
        for _ in range(20):
            grads = step(x)
        float(keras.ops.sum(grads[0]))
        ms = (time.perf_counter() - start) / 20 * 1e3
        total += ms
        print(f"{layer.name:22s} {ms:8.2f} {ms * steps / 1e3:8.2f}   {shape}")
        x = layer(x, training=True)
    print(f"{'sum':22s} {total:8.2f} {total * steps / 1e3:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", default=DEFAULT)
    parser.add_argument("--rows", type=int, default=12_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.rows, args.epochs)), flush=True)
        return
    if args.profile:
        profile()
        return
    unknown = sorted(set(args.variants) - set(VARIANTS))
    if unknown:
        sys.exit(f"unknown variants {unknown}; choose from {list(VARIANTS)}")
    flops = epoch_flops()
    rate = gemm_rate()
    print(f"one epoch: {flops / 1e12:.2f} TFLOP; GEMM {rate / 1e9:.0f} GFLOP/s; "
          f"floor {flops / rate:.1f} s", flush=True)  # fmt: skip
    results: dict[str, list[dict]] = {name: [] for name in args.variants}
    for _ in range(args.repeats):
        for name in args.variants:
            env = {**os.environ, **VARIANTS[name][0]}
            cmd = [sys.executable, __file__, "--variant", name, "--rows", str(args.rows),
                   "--epochs", str(args.epochs)]  # fmt: skip
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            results[name].append(row)
            print(f"  {name:14s} {row['epoch_s']:6.1f} s  cpu {row['epoch_cpu_s']:6.1f} s",
                  flush=True)  # fmt: skip
    print(f"\n{'variant':14s} {'epoch s':>8s} {'cpu s':>8s} {'x floor':>8s}")
    for name, rows in results.items():
        wall = statistics.median(r["epoch_s"] for r in rows)
        cpu = statistics.median(r["epoch_cpu_s"] for r in rows)
        print(f"{name:14s} {wall:8.1f} {cpu:8.1f} {wall * rate / flops:8.2f}")


if __name__ == "__main__":
    main()
