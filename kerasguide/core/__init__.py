"""The vocabulary every layer of the package shares; the bottom of the house.

What lives here:

- ``checks``: the one table of parameter checks (``PARAMETERS``, ``check``, ``cli_type``), used
  by the factories, the estimators, the datasets, the NumPy code and the command line, and the
  Keras name lookups (optimizers, initializers) that the checks and the zoo share.
- ``space``: the dimensions of a search space (``Int``, ``Float``, ``Choice``), as the model
  cards hold them.

What it may import: ``kerasguide.exceptions``, NumPy, and Keras or scikit-learn lazily (inside a
check that needs them). Nothing else of the package: everything else imports this.
"""
