"""One call at the top of every notebook: quiet logs, seeds, plot style, versions."""

from __future__ import annotations

import logging
import os
import platform
import random
import sys
import warnings

MIN_PYTHON = (3, 10)
MIN_TENSORFLOW = (2, 16)
MIN_IPYWIDGETS = (7, 7)


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _quiet_tensorflow() -> None:
    """Set TensorFlow's log switches, then import it with C-level stderr muted.

    The switches only work before the first import, and a few C++ lines
    (absl's "log messages before InitializeLog", the CUDA stub) ignore them;
    Jupyter would show those under the setup cell, so the import runs with
    file descriptor 2 pointed at /dev/null.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # oneDNN stays on (TensorFlow's default): on a 2-core CPU it trains the
    # convolutional autoencoder about 1.5x faster than with it off (measured by
    # benchmarks/training_options.py). Its start-up notice is muted below.
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def set_seed(seed: int = 42) -> None:
    """Seed Python, NumPy and TensorFlow so a rerun gives the same numbers.

    Introduced in 00_start_here.
    """
    from aehelpers._validate import check_int

    seed = check_int("seed", seed, minimum=0)
    _quiet_tensorflow()
    import keras

    random.seed(seed)
    keras.utils.set_random_seed(seed)


def check_versions() -> dict[str, str]:
    """Return the versions that matter; raise with a fix if Python, TensorFlow or Keras is too old.

    An old or missing ipywidgets only warns: chapters 00-04 run without it.
    """
    if sys.version_info < MIN_PYTHON:
        raise RuntimeError(f"This workbook needs Python >= 3.10; this kernel runs "
                           f"{platform.python_version()}. Install a newer Python and recreate "
                           "the virtual environment.")
    _quiet_tensorflow()
    import tensorflow as tf

    try:
        import keras
    except ImportError:  # pragma: no cover - TF >= 2.16 always ships Keras 3
        keras = None
    keras_version = getattr(keras, "__version__", "missing")
    if _version_tuple(tf.__version__) < MIN_TENSORFLOW or not keras_version.startswith("3"):
        raise RuntimeError(
            f"This workbook needs TensorFlow >= 2.16 with Keras 3; found TensorFlow "
            f"{tf.__version__} with Keras {keras_version}. Run "
            "`pip install -U 'tensorflow>=2.16'` (and unset TF_USE_LEGACY_KERAS), "
            "then restart the kernel.")
    try:
        import ipywidgets

        widgets_version = ipywidgets.__version__
    except ImportError:
        widgets_version = "not installed"
    if widgets_version == "not installed" or _version_tuple(widgets_version) < MIN_IPYWIDGETS:
        warnings.warn(f"The sliders of chapters 05-07 need ipywidgets >= 7.7 (found "
                      f"{widgets_version}): run `pip install -U 'ipywidgets>=7.7'`.", stacklevel=2)
    from aehelpers import __version__

    return {"Python": platform.python_version(), "TensorFlow": tf.__version__,
            "Keras": keras_version, "ipywidgets": widgets_version, "aehelpers": __version__}


def setup_notebook(seed: int = 42, *, quiet: bool = True, verbose: bool = True) -> None:
    """Quiet TensorFlow, seed everything, apply the plot style, print versions and profile.

    Introduced in 00_start_here.
    """
    _quiet_tensorflow()
    versions = check_versions()
    if quiet:
        import tensorflow as tf

        tf.get_logger().setLevel(logging.ERROR)
        logging.getLogger("absl").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", category=UserWarning, module="keras")
    set_seed(seed)
    from aehelpers.plots import apply_style
    from aehelpers.profiles import get_profile

    apply_style()
    profile = get_profile()
    if verbose:
        print(" | ".join(f"{name} {version}" for name, version in versions.items()))
        print(f"Run profile: {profile.name} ({profile.description})")

# GitHub "owner/name" of the workbook: every badge and the Colab install line use it.
REPOSITORY = "aeworkbook/autoencoder-workbook"
