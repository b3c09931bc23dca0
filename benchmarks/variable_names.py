"""Why kerasguide names its optimizers: TensorFlow keeps memory for every distinct variable name.

Usage::

    python benchmarks/variable_names.py

Creates 2,400 small ``tf.Variable`` objects (64 x 16 float32, 4 KiB of data each) and drops
them, first all with the same name, then each with a new one, and prints the resident memory
growth. Keras names the optimizers it creates itself ``adam``, ``adam_1``, ``adam_2``, ...,
and their variables with them, so every unnamed optimizer added distinct names. On TensorFlow
2.21 (2 cores): the same name +0 MiB, distinct names about +82 MiB (35 KiB a variable), which
made 100 estimator fits grow by 42-47 MiB. Since ``kerasguide.core.checks.named_optimizer``
gives each optimizer its class's name, 100 fits grow by under 2 MiB
(``python benchmarks/run.py --only program``). Not part of the test suite.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np


def rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def growth(name_of, count: int = 2400) -> float:
    import tensorflow as tf

    value = np.zeros((64, 16), np.float32)
    for i in range(12):
        tf.Variable(value, name=name_of(-i - 1))  # warm up
    gc.collect()
    before = rss_mib()
    for i in range(count):
        tf.Variable(value, name=name_of(i))
    gc.collect()
    return rss_mib() - before


if __name__ == "__main__":
    print(f"same name:      {growth(lambda i: 'kernel'):+.1f} MiB over 2,400 variables")
    print(f"distinct names: {growth(lambda i: f'kernel_{i}'):+.1f} MiB over 2,400 variables")
