"""Argument checks shared by the factories, datasets and the NumPy-from-scratch code.

Each raises with a message that names the argument and ends ``Received: name=value``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["check_bool", "check_fraction", "check_int", "check_random_state_arg"]


def check_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}. Received: {name}={value!r}")
    return int(value)


def check_fraction(name: str, value: Any, *, high_open: bool = True) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        ok = 0.0 <= value < 1.0 if high_open else value >= 0.0
    if not ok:
        allowed = "a float in [0, 1)" if high_open else "a float >= 0"
        raise ValueError(f"`{name}` must be {allowed}. Received: {name}={value!r}")
    return float(value)


def check_random_state_arg(random_state: Any) -> np.random.RandomState:
    try:
        return check_random_state(random_state)
    except ValueError:
        msg = "`random_state` must be None, an integer or a numpy RandomState."
        raise ValueError(f"{msg} Received: random_state={random_state!r}") from None


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"`{name}` must be True or False. Received: {name}={value!r}")
    return bool(value)
