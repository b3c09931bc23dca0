"""A synthetic shop table with categorical columns: which visits end in a purchase.

Nothing is downloaded: ``make_shop_table`` draws the table from a documented law, so the
categorical-features how-to and its benchmark compare models on data whose signal is known.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from kerasguide.core.checks import check_bool, check_int, check_random_state_arg

__all__ = ["SHOP_COLUMNS", "make_shop_table"]

#: The columns of ``make_shop_table`` and their number of levels (None: numeric).
SHOP_COLUMNS = {
    "product": 50,
    "weekday": 7,
    "country": 12,
    "channel": 4,
    "payment": 6,
    "price": None,
    "age": None,
}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CHANNELS = ("app", "email", "search", "social")
_PAYMENTS = ("card", "cash", "invoice", "paypal", "transfer", "voucher")


def _levels(rng, n_samples: int):
    product = rng.randint(0, 50, n_samples)
    return {
        "product": np.asarray([f"P{p:02d}" for p in range(50)], dtype=object)[product],
        "weekday": np.asarray(_WEEKDAYS, dtype=object)[rng.randint(0, 7, n_samples)],
        "country": np.asarray([f"C{c:02d}" for c in range(12)], dtype=object)[
            rng.randint(0, 12, n_samples)
        ],
        "channel": np.asarray(_CHANNELS, dtype=object)[rng.randint(0, 4, n_samples)],
        "payment": np.asarray(_PAYMENTS, dtype=object)[rng.randint(0, 6, n_samples)],
    }, product


def make_shop_table(n_samples: int = 5000, *, missing: float = 0.02, random_state=None,
                    as_frame: bool = True, return_X_y: bool = False):  # fmt: skip
    """Visits to an online shop, and whether each ends in a purchase (binary target).

    Five categorical columns and two numeric ones (``SHOP_COLUMNS``). The product (50
    levels) carries most of the signal: each product has its own appeal, drawn once from a
    fixed seed (so every call shares the law), and its own sensitivity to the price. The
    law, for a visit: ``logit = appeal[product] - slope[product] * price_z + weekend_bonus
    + channel_effect + 0.3 * age_z``, with ``price_z`` and ``age_z`` the standardized price and
    age; the purchase is a Bernoulli draw of ``sigmoid(logit)``. ``country`` and ``payment``
    carry nothing. A fraction ``missing`` of the categorical values is missing (``NaN``).

    Parameters
    ----------
    n_samples : int, default=5000
        Rows.
    missing : float, default=0.02
        Share of the categorical values replaced by ``NaN``, in [0, 1).
    random_state : int, RandomState instance or None, default=None
        Seeds the rows (the law itself is fixed).
    as_frame : bool, default=True
        Return a pandas DataFrame whose categorical columns have the ``category`` dtype;
        else an object ndarray (``categorical_features`` then names the columns by index:
        ``[0, 1, 2, 3, 4]``).
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    Bunch or tuple
        ``data`` (a DataFrame or an object array), ``target`` (int64, 1 for a purchase),
        ``feature_names``, ``categorical_features`` (the categorical columns' names) and
        ``DESCR``.

    Examples
    --------
    >>> from kerasguide.datasets import make_shop_table
    >>> X, y = make_shop_table(1000, random_state=0, return_X_y=True)
    >>> X.shape, sorted(X.select_dtypes("category").columns)
    ((1000, 7), ['channel', 'country', 'payment', 'product', 'weekday'])
    >>> bool(0.3 < y.mean() < 0.7)
    True
    """
    from kerasguide.core.checks import check_fraction

    n_samples = check_int("n_samples", n_samples, 1)
    missing = check_fraction("missing", missing)
    rng = check_random_state_arg(random_state)
    law = np.random.default_rng(20261206)  # the products' appeal and slope: fixed
    appeal, slope = law.normal(0.0, 1.5, 50), law.uniform(0.0, 2.0, 50)
    columns, product = _levels(rng, n_samples)
    price = np.exp(rng.normal(3.0, 0.5, n_samples))
    age = rng.uniform(18, 80, n_samples)
    weekend = np.isin(columns["weekday"], ("Sat", "Sun"))
    channel = {"app": 0.5, "email": 0.0, "search": 0.3, "social": -0.5}
    logit = (
        appeal[product]
        - slope[product] * (np.log(price) - 3.0) / 0.5
        + 0.7 * weekend
        + np.asarray([channel[c] for c in columns["channel"]])
        + 0.3 * (age - 49.0) / 17.9
    )
    y = (rng.uniform(size=n_samples) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    for name in columns:
        columns[name][rng.uniform(size=n_samples) < missing] = np.nan
    names = list(SHOP_COLUMNS)
    if check_bool("as_frame", as_frame):
        import pandas as pd

        data = pd.DataFrame({**{k: pd.Categorical(v) for k, v in columns.items()},
                             "price": price, "age": age})  # fmt: skip
    else:
        data = np.column_stack([*columns.values(), price, age]).astype(object)
    if check_bool("return_X_y", return_X_y):
        return data, y
    return Bunch(data=data, target=y, feature_names=names,
                 categorical_features=[n for n, k in SHOP_COLUMNS.items() if k],
                 target_names=["no purchase", "purchase"],
                 DESCR=make_shop_table.__doc__)  # fmt: skip
