"""The scikit-learn estimators' engine: everything between ``fit(X, y)`` and a trained network.

What lives here: the parameters' checks at ``fit`` (``params``), the fitted state and its one
writer (``state``), building a model from the parameters (``building``), one fit in named steps
(``fitting``), the loop that both training paths share, the step-by-step loop (``training``) and
the compiled program (``compiled``), pooled engines (``engine``), NumPy inference (``inference``),
targets, hold-out data (``holdout``), image and sequence rows (``shapes``), tables with
categorical columns (``tabular``), schedules,
scikit-learn's callbacks, the model card (``card``) and the backend's quirks (``backend``).

What it may import: the zoo through its registry (``kerasguide.zoo``; and its layers, for the
categorical embedding it puts in front of a model), ``kerasguide.core``,
``kerasguide.exceptions``, Keras, NumPy and scikit-learn. The public classes
(``kerasguide.estimators``, ``kerasguide.transformer``) import this package, never the other
way round, and so do saving and export.
"""
