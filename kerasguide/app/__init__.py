"""The talk app: the ``kerasguide`` command, the talk's experiments, their runner and report.

What lives here: the command's parser and error boundary (``cli``), the checked inputs it reads
(datasets and files), its subcommands (``train``, ``reproduce``, ``pretrained``), the experiments
(``experiments``, ``datasets_table``), the runner and the report.

What it may import: the library's public surface (``kerasguide`` and its public modules) and
``kerasguide.core`` for the parameter table. The library never imports the app.
"""
