"""The three estimators' signatures held together (issue 21, item 5).

``KerasClassifier``, ``KerasRegressor`` and ``KerasTransformer`` write their parameters out by
hand, as scikit-learn needs. These tests keep them in step: the shared parameters agree in name,
default and order; each parameter has a rule in the parameter table (or a named check of its
own) and a bad value of it is refused before training; each is documented in the class's
numpydoc ``Parameters`` section.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from kerasguide import KerasClassifier, KerasRegressor, KerasTransformer
from kerasguide.core.checks import PARAMETERS
from kerasguide.exceptions import InvalidParameterError

CLASSES = (KerasClassifier, KerasRegressor, KerasTransformer)

#: Parameters checked outside the table, each with the reason why.
CHECKED_ELSEWHERE = {
    "model": "a registry name or a callable: looked up in the registry (params.check_params)",
    "random_state": "scikit-learn's check_random_state (with the table's wording)",
    "callbacks": "a list of keras.callbacks.Callback: checked item by item (params.py)",
    "distribution": "device names: checked against this machine's devices (backend.py)",
}

#: Shared parameters whose defaults differ on purpose, each with the reason why.
OWN_DEFAULTS = {"model": "the transformer's features come from the autoencoder by default"}


def _parameters(cls) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(cls).parameters)


def _documented(cls) -> list[str]:
    """The names of the numpydoc ``Parameters`` section (``a, b, c : type`` lines count each)."""
    lines = inspect.cleandoc(cls.__doc__).splitlines()
    start = lines.index("Parameters") + 2
    assert set(lines[start - 1]) == {"-"}, "a numpydoc underline follows 'Parameters'"
    names: list[str] = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            if set(line) == {"-"}:  # the next section's underline: its title is names[-1]
                names.pop()
                break
            names += [name.strip() for name in line.split(" : ")[0].split(",") if name.strip()]
    return names


def test_shared_parameters_agree_in_name_default_and_order():
    shared = set.intersection(*(set(_parameters(cls)) for cls in CLASSES))
    orders = {cls.__name__: [n for n in _parameters(cls) if n in shared] for cls in CLASSES}
    assert orders["KerasRegressor"] == orders["KerasClassifier"]
    assert orders["KerasTransformer"] == orders["KerasClassifier"]
    for name in sorted(shared - set(OWN_DEFAULTS)):
        defaults = {cls.__name__: _parameters(cls)[name].default for cls in CLASSES}
        assert len(set(map(repr, defaults.values()))) == 1, (name, defaults)
        kinds = {_parameters(cls)[name].kind for cls in CLASSES}
        assert len(kinds) == 1, (name, kinds)  # positional or keyword-only alike


def test_the_estimators_differ_only_in_their_own_parameters():
    """A parameter added to one class and not the others (as a schedule once was) fails here."""
    classifier, regressor, transformer = (set(_parameters(cls)) for cls in CLASSES)
    assert classifier - regressor == {"class_weight"}
    # loss and quantile: the regressor's losses, as HistGradientBoostingRegressor names them.
    assert regressor - classifier == {"normalize_y", "loss", "quantile"}
    assert transformer - classifier == {"layer", "code_size"}
    # A transformer's features have no predictive uncertainty.
    assert classifier - transformer == {"class_weight", "uncertainty", "n_members"}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_each_parameter_has_a_rule(cls):
    without = [n for n in _parameters(cls) if n not in PARAMETERS and n not in CHECKED_ELSEWHERE]
    assert not without, f"{cls.__name__}: no rule in the parameter table for {without}"
    assert not set(CHECKED_ELSEWHERE) & set(PARAMETERS)  # one rule each, not two


class _Bad:
    """A value no parameter takes."""

    def __repr__(self) -> str:
        return "<bad>"


X = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
Y = {KerasClassifier: np.arange(20) % 2, KerasRegressor: X[:, 0], KerasTransformer: None}


@pytest.mark.parametrize(
    ("cls", "name"),
    [(cls, name) for cls in CLASSES for name in _parameters(cls)],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_a_bad_value_of_each_parameter_is_refused_before_training(cls, name):
    est = cls(**{"epochs": 1, name: _Bad()})
    with pytest.raises(InvalidParameterError, match=rf"`?{name}`?.*Received: {name}=<bad>"):
        est.fit(X, Y[cls])
    assert not hasattr(est, "model_")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_each_parameter_is_documented_in_order(cls):
    documented = _documented(cls)
    assert documented == list(_parameters(cls)), cls.__name__
