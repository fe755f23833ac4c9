"""One call at the top of every notebook: quiet logs, seeds, plot style, versions."""

from __future__ import annotations

import logging
import os
import platform
import random
import warnings

MIN_TENSORFLOW = (2, 16)


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _quiet_tensorflow() -> None:
    # Only effective before TensorFlow is imported, so this runs first.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


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
    """Return the versions that matter; raise with a fix if TensorFlow or Keras is too old."""
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
