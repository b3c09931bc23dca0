"""The errors and warnings kerasguide raises.

Every warning kerasguide raises is a [`KerasGuideWarning`][kerasguide.exceptions.KerasGuideWarning],
so one filter can turn them into errors (the test suite does) or hide them. Errors about parameters
are [`InvalidParameterError`][kerasguide.exceptions.InvalidParameterError], which is both a
``ValueError`` and a ``TypeError`` (as scikit-learn's own parameter errors are), so code that
catches either keeps working.

Examples
--------
>>> import warnings
>>> from kerasguide.exceptions import KerasGuideWarning
>>> warnings.simplefilter("error", KerasGuideWarning)
>>> warnings.resetwarnings()
"""

from __future__ import annotations

from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

__all__ = [
    "ConvergenceWarning",
    "InvalidParameterError",
    "KerasGuideWarning",
    "TrainingInterruptedWarning",
]


class InvalidParameterError(ValueError, TypeError):
    """A parameter (of an estimator, a factory or a command) has a value it cannot take.

    The message names the parameter and ends ``Received: name=value``.
    """


class KerasGuideWarning(UserWarning):
    """The base of every warning kerasguide raises."""


class ConvergenceWarning(_SklearnConvergenceWarning, KerasGuideWarning):
    """Training used every epoch before the loss stopped improving.

    A subclass of scikit-learn's ``ConvergenceWarning``, so filters written for
    scikit-learn's MLP catch it too.
    """


class TrainingInterruptedWarning(KerasGuideWarning):
    """Training was interrupted (Ctrl-C); the model keeps the weights learned so far."""
