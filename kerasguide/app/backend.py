"""The backend as the command line starts it: quietly, and only once its inputs are checked.

TensorFlow 2.21 prints start-up lines from C++ when it is imported ("All log messages before
absl::InitializeLog() is called...", "Could not find cuda drivers...") even with
``TF_CPP_MIN_LOG_LEVEL=3``; they would stand before a one-line user error, or before the
training output. [`import_keras`][kerasguide.app.backend.import_keras] imports Keras and
starts its devices with the stderr file descriptor sent to a temporary file, and gives it back
after, replaying what was caught should the import fail. The commands call it once their
inputs are checked.
"""

from __future__ import annotations

import os
import sys
import tempfile

__all__ = ["import_keras", "quiet_tensorflow"]


def quiet_tensorflow() -> None:
    """Keep TensorFlow's Python-level logging out of the user's output.

    ``TF_CPP_MIN_LOG_LEVEL`` must be set before TensorFlow is first imported, so here, at the
    program's entry point (a user's own value wins); absl's Python logging is set to errors.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        from absl import logging as absl_logging
    except ImportError:  # absl comes with TensorFlow; other backends may lack it
        return
    absl_logging.set_verbosity(absl_logging.ERROR)


def import_keras():
    """``import keras`` and its devices started, the backend's start-up lines on stderr dropped
    (replayed if that fails)."""
    if "keras" in sys.modules:
        return sys.modules["keras"]
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            import keras

            # The first tensor starts the devices, which logs too ("failed call to cuInit").
            keras.ops.convert_to_tensor(0.0)
        except BaseException:
            os.dup2(saved, 2)
            caught.seek(0)
            sys.stderr.write(caught.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return keras
