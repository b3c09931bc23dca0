"""A persistent cache of compiled programs, so that running a script a second time is fast.

On JAX, a fit's programs compile in well under a second each, below JAX's default threshold for
its persistent compilation cache (one second), so JAX caches none of them and every new process
compiles them again: 12 compiles, 3.7 s of a 7 s three-fold cross-validation on 2 cores. Here
the cache is turned on with the thresholds lowered to nothing, in a directory of the user's own:

- private (mode 0700): JAX's documentation warns that whoever can write the cache can make the
  process run code of their choosing;
- keyed by the jaxlib version and the CPU's features (an entry compiled for one CPU is refused
  on another, jax#38445), so machines that share a home directory do not trade entries;
- on by default (``$XDG_CACHE_HOME/kerasguide/xla``, else ``~/.cache/kerasguide/xla``); off with
  ``KERASGUIDE_COMPILE_CACHE=0``; another directory with ``KERASGUIDE_COMPILE_CACHE=/a/path``
  or ``kerasguide.set_compile_cache`` from Python.

On TensorFlow the same directory (a ``tensorflow-<version>-...`` subdirectory) holds XLA's
persistent cache (``--tf_xla_persistent_cache_directory`` in ``TF_XLA_FLAGS``), which keeps
the programs compiled with XLA (pooled programs of 500 steps a call and more); the plain
graphs of shorter fits and of models with dropout are traced again in each process.

The user's own setting wins: a process that set ``jax_compilation_cache_dir`` or TensorFlow's
flag itself keeps it. The cache saves compiling, not tracing; on PyTorch this does nothing.
"""

from __future__ import annotations

import hashlib
import os
import platform
import threading
from pathlib import Path

__all__ = ["ENV", "cache_directory", "ensure", "set_compile_cache"]

#: The environment variable: ``0`` turns the cache off, a path puts it there.
ENV = "KERASGUIDE_COMPILE_CACHE"

_lock = threading.Lock()
#: What was decided: None (not yet), "" (off), or the directory in use.
_state: dict[str, str | None] = {"directory": None}


def _cpu_features() -> str:
    """The CPU's model and feature flags (what decides which machine code XLA emits)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: the processor's name is what Python knows
        return f"{platform.machine()} {platform.processor()}"
    lines = [line for line in text.splitlines() if line.split(":")[0].strip() in
             ("model name", "flags", "Features", "CPU part")]  # fmt: skip
    return "\n".join(sorted(set(lines)))


def _machine_key(backend: str) -> str:
    """``jaxlib-<version>-<machine>-<CPU digest>`` (or ``tensorflow-...``)."""
    if backend == "jax":
        import jaxlib as library
    else:
        import tensorflow as library

    digest = hashlib.sha256(_cpu_features().encode()).hexdigest()[:12]
    name = "jaxlib" if backend == "jax" else "tensorflow"
    return f"{name}-{library.__version__}-{platform.machine()}-{digest}"


def _default_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kerasguide" / "xla"


def cache_directory(root: str | os.PathLike, backend: str = "jax") -> Path:
    """The cache's directory under ``root`` for this jaxlib (or TensorFlow) and CPU, created
    private (0700)."""
    directory = Path(root) / _machine_key(backend)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in (Path(root), directory):
        path.chmod(0o700)  # mkdir's mode is masked by the umask, and an old directory kept its own
    return directory


#: TensorFlow's flag for XLA's persistent cache: read from ``TF_XLA_FLAGS`` once, when the
#: process first compiles with XLA (so it may be set after TensorFlow is imported).
TF_FLAG = "--tf_xla_persistent_cache_directory"


def _configure_tf(directory: str) -> None:
    flags = [f for f in os.environ.get("TF_XLA_FLAGS", "").split() if not f.startswith(TF_FLAG)]
    if directory:
        flags.append(f"{TF_FLAG}={directory}")
    os.environ["TF_XLA_FLAGS"] = " ".join(flags)


def _configure(directory: str) -> None:
    import jax

    jax.config.update("jax_compilation_cache_dir", directory or None)
    if directory:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    try:  # a cache already opened (an earlier compile) keeps its directory until reset
        from jax.experimental.compilation_cache import compilation_cache

        compilation_cache.reset_cache()
    except (ImportError, AttributeError):  # pragma: no cover - older or newer JAX
        pass


def set_compile_cache(path: str | os.PathLike | None) -> str | None:
    """Keep compiled programs in ``path`` (None: keep none), for this process and those after.

    A fit's compiled programs are saved there and a later process loads them instead of
    compiling them again: JAX's programs, and on TensorFlow those compiled with XLA (from
    500 steps a call; TensorFlow reads the setting at its first XLA compile, so set it before
    the first fit). The directory is made private to the user (mode 0700), and the programs go
    in a subdirectory for this jaxlib (or TensorFlow) version and CPU. On PyTorch this changes
    nothing. Returns the directory in use (None when off).

    Examples
    --------
    >>> import kerasguide
    >>> kerasguide.set_compile_cache(None)  # no persistent cache in this process
    """
    backend = _backend()
    with _lock:
        directory = "" if path is None else str(cache_directory(path, backend))
        _state["directory"] = directory
        if backend == "jax":
            _configure(directory)
        elif backend == "tensorflow":
            _configure_tf(directory)
    return directory or None


def _backend() -> str:
    import keras

    return keras.backend.backend()


def _users_own(backend: str) -> bool:
    """Whether the user set the backend's cache directory themselves (it then stands)."""
    if backend == "jax":
        import jax

        return bool(jax.config.jax_compilation_cache_dir)
    return TF_FLAG in os.environ.get("TF_XLA_FLAGS", "")


def ensure() -> None:
    """Turn the default cache on before a fit's first compile (once a process; JAX and
    TensorFlow)."""
    if _state["directory"] is not None:
        return
    backend = _backend()
    with _lock:
        if _state["directory"] is not None:
            return
        setting = os.environ.get(ENV, "").strip()
        if setting == "0" or backend not in ("jax", "tensorflow") or _users_own(backend):
            _state["directory"] = ""  # off, or the user's own setting stands
            return
        root = Path(setting).expanduser() if setting else _default_root()
        try:
            directory = str(cache_directory(root, backend))
        except OSError:  # a read-only home: compile as before rather than fail the fit
            directory = ""
        _state["directory"] = directory
        if directory and backend == "jax":
            _configure(directory)
        elif directory:
            _configure_tf(directory)
