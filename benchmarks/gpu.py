"""MNIST 784-128-10 on an NVIDIA GPU: raw Keras, kerasguide and a hand-written fused JAX loop.

For a machine with JAX (CUDA) installed and no internet. Carry the pure-Python wheels with you::

    pip download --no-deps -d wheels keras namex optree ml-dtypes h5py rich
    pip wheel --no-deps -w wheels .            # kerasguide itself
    # on the GPU machine:
    pip install --no-index --find-links wheels keras kerasguide
    KERAS_BACKEND=jax python benchmarks/gpu.py --data mnist.npz --out gpu-results

Measures seconds per epoch (after a warm-up epoch that pays for compilation) and test accuracy,
SGD with learning rate 0.05, batch 128, and writes ``gpu.json`` and ``GPU.md`` to ``--out``.
The target: kerasguide within 3x of the fused loop. kerasguide runs twice: on its default path
(the whole fit as one ``jax.jit`` program) and on the path it took before (``model.fit`` with
one epoch per call).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

LEARNING_RATE = 0.05
BATCH = 128


def load(path: Path):
    with np.load(path) as data:
        X = data["x_train"].reshape(-1, 784).astype(np.float32) / 255.0
        X_test = data["x_test"].reshape(-1, 784).astype(np.float32) / 255.0
        return X, data["y_train"].astype(np.int32), X_test, data["y_test"].astype(np.int32)


def timed_epochs(run_epoch, epochs: int) -> float:
    run_epoch()  # warm-up: compilation
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        run_epoch()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def raw_keras(X, y, X_test, y_test, epochs: int, fused: bool) -> dict:
    import keras

    model = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    steps = len(X) // BATCH
    model.compile(
        keras.optimizers.SGD(LEARNING_RATE),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=True,
        steps_per_execution=steps if fused else 1,
    )
    seconds = timed_epochs(
        lambda: model.fit(X, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=True), epochs
    )
    return {
        "seconds_per_epoch": seconds,
        "test_accuracy": model.evaluate(X_test, y_test, verbose=0)[1],
    }


def kerasguide_estimator(X, y, X_test, y_test, epochs: int, program: bool = True) -> dict:
    """The estimator on its default path (the fit as one compiled program, several epochs per
    call), or, with ``program=False``, on the path before it (``model.fit`` with
    ``steps_per_execution``)."""
    from kerasguide import KerasClassifier
    from kerasguide._estimator import fitting

    default = fitting.COMPILED_MIN_STEPS
    fitting.COMPILED_MIN_STEPS = default if program else 10**9

    def make(n_epochs):
        return KerasClassifier(
            hidden_layers=(128,),
            optimizer="sgd",
            learning_rate=LEARNING_RATE,
            batch_size=BATCH,
            epochs=n_epochs,
            l2=0.0,
            tol=0.0,
            random_state=0,
        )

    make(3).fit(X, y)  # warm-up: compiles the pooled engine that the timed fit reuses
    start = time.perf_counter()
    clf = make(epochs).fit(X, y)
    seconds = (time.perf_counter() - start) / epochs
    fitting.COMPILED_MIN_STEPS = default
    return {
        "seconds_per_epoch": seconds,
        "test_accuracy": float(np.mean(clf.predict(X_test) == y_test)),
    }


def fused_jax(X, y, X_test, y_test, epochs: int) -> dict:
    import jax
    import jax.numpy as jnp

    key = jax.random.PRNGKey(0)
    k1, k2 = jax.random.split(key)
    limit1, limit2 = np.sqrt(6 / (784 + 128)), np.sqrt(6 / (128 + 10))
    params = {
        "w1": jax.random.uniform(k1, (784, 128), minval=-limit1, maxval=limit1),
        "b1": jnp.zeros(128),
        "w2": jax.random.uniform(k2, (128, 10), minval=-limit2, maxval=limit2),
        "b2": jnp.zeros(10),
    }

    def logits(p, x):
        return jax.nn.relu(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]

    def loss(p, x, t):
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits(p, x)), t[:, None], 1))

    @jax.jit
    def epoch(p, xb, tb):
        def step(p, batch):
            grads = jax.grad(loss)(p, *batch)
            return jax.tree.map(lambda a, g: a - LEARNING_RATE * g, p, grads), None

        return jax.lax.scan(step, p, (xb, tb))[0]

    steps = len(X) // BATCH
    Xd, yd = jax.device_put(X[: steps * BATCH]), jax.device_put(y[: steps * BATCH])
    state = {"p": params, "key": jax.random.PRNGKey(1)}

    def run_epoch():
        state["key"], sub = jax.random.split(state["key"])
        order = jax.random.permutation(sub, steps * BATCH)
        xb = Xd[order].reshape(steps, BATCH, 784)
        tb = yd[order].reshape(steps, BATCH)
        state["p"] = epoch(state["p"], xb, tb)
        jax.block_until_ready(state["p"])

    seconds = timed_epochs(run_epoch, epochs)
    predicted = np.asarray(jnp.argmax(logits(state["p"], jnp.asarray(X_test)), axis=1))
    return {"seconds_per_epoch": seconds, "test_accuracy": float(np.mean(predicted == y_test))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="mnist.npz (Keras layout)")
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs (after a warm-up)")
    parser.add_argument("--out", type=Path, default=Path("gpu-results"))
    args = parser.parse_args(argv)
    import keras

    data = load(args.data)
    rows = {
        "raw Keras fit (jit, 1 step per call)": raw_keras(*data, args.epochs, fused=False),
        "raw Keras fit (jit, 1 epoch per call)": raw_keras(*data, args.epochs, fused=True),
        "kerasguide KerasClassifier (one compiled program)": kerasguide_estimator(
            *data, args.epochs
        ),
        "kerasguide KerasClassifier (model.fit, before)": kerasguide_estimator(
            *data, args.epochs, program=False
        ),
    }
    if keras.backend.backend() == "jax":
        rows["hand-written fused JAX loop"] = fused_jax(*data, args.epochs)
    try:
        import jax

        device = str(jax.devices()[0])
    except ImportError:
        device = "unknown"
    result = {"backend": keras.backend.backend(), "device": device, "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# GPU: MNIST 784-128-10, SGD, batch {BATCH}",
        "",
        f"Backend {result['backend']}, device {device}.",
        "",
        "| contender | s/epoch | test accuracy |",
        "| --- | ---: | ---: |",
    ]
    lines += [
        f"| {name} | {row['seconds_per_epoch']:.4f} | {row['test_accuracy']:.4f} |"
        for name, row in rows.items()
    ]
    (args.out / "GPU.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
