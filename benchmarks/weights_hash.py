"""One hash of the weights of five seeded fits: run it before and after a change to the training
path, on each backend, to check that seeded results stay bit for bit the same.

Usage::

    python benchmarks/weights_hash.py            # KERAS_BACKEND picks the backend

The fits (digits): a plain MLP; dropout with ``l2``; early stopping on a validation split; the
same with a cosine schedule; float64 data. Not part of the test suite (the tests check
bit-identical refits and grids directly); this is the quick check across two versions of the code.
"""

from __future__ import annotations

import hashlib

import numpy as np
from program import digits

from kerasguide import KerasClassifier

FITS = [
    dict(hidden_layers=(32,), epochs=20, batch_size=32, tol=0.0, random_state=0),
    dict(hidden_layers=(32,), epochs=20, batch_size=32, dropout=0.2, l2=1e-3, random_state=1),
    dict(hidden_layers=(16,), epochs=30, early_stopping=True, random_state=2),
    dict(
        hidden_layers=(16,),
        epochs=30,
        early_stopping=True,
        random_state=2,
        learning_rate_schedule="cosine",
    ),
]


def main() -> None:
    X, y = digits()
    digest = hashlib.sha256()
    runs = [(options, X) for options in FITS] + [(FITS[0], X.astype(np.float64))]
    for options, data in runs:
        model = KerasClassifier(**options).fit(data, y).model_
        for weights in model.get_weights():
            digest.update(np.asarray(weights).tobytes())
    print(digest.hexdigest())


if __name__ == "__main__":
    main()
