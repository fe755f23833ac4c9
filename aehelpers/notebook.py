"""One call at the top of every notebook: quiet logs, seeds, plot style, versions."""

from __future__ import annotations

import logging
import os
import platform
import random
import sys
import warnings

from aehelpers._validate import KERAS_2_FIX, FriendlyError, check_bool, check_seed

MIN_PYTHON = (3, 10)
MIN_TENSORFLOW = "2.16"
MIN_KERAS = "3.11.3"  # earlier Keras 3 releases have known safe_mode bypasses
MIN_IPYWIDGETS = "7.7"


class SetupError(FriendlyError):
    """The environment cannot run the workbook; the message is one sentence with the fix."""


def _older(version: str, minimum: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version) < Version(minimum)
    except InvalidVersion:
        return True


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
    if os.environ.get("TF_USE_LEGACY_KERAS", "").strip().lower() in ("1", "true", "yes"):
        raise SetupError(f"TF_USE_LEGACY_KERAS is set, which selects Keras 2; {KERAS_2_FIX}.")
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import keras
            import tensorflow  # noqa: F401
    except Exception as error:  # Keras 2 forced over a newer TensorFlow fails in here
        raise SetupError(f"TensorFlow and Keras could not be imported together "
                         f"({type(error).__name__}); {KERAS_2_FIX}.") from None
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    if _older(getattr(keras, "__version__", "0"), "3"):
        raise SetupError(f"Keras {keras.__version__} is Keras 2; {KERAS_2_FIX}.")


def set_seed(seed: int = 42) -> None:
    """Seed Python, NumPy and TensorFlow so a rerun gives the same numbers.

    Introduced in 00_start_here.
    """
    seed = check_seed("seed", seed)
    _quiet_tensorflow()
    import keras

    random.seed(seed)
    keras.utils.set_random_seed(seed)


def check_versions() -> dict[str, str]:
    """Return the versions that matter; stop with one sentence if the stack cannot run the workbook.

    An old or missing ipywidgets only warns: chapters without sliders run without it.
    """
    if sys.version_info < MIN_PYTHON:
        raise SetupError(f"This workbook needs Python >= 3.10; this kernel runs "
                         f"{platform.python_version()}: install a newer Python and recreate "
                         "the virtual environment.")
    _quiet_tensorflow()
    import keras
    import tensorflow as tf

    if _older(tf.__version__, MIN_TENSORFLOW) or _older(keras.__version__, MIN_KERAS):
        raise SetupError(f"This workbook needs TensorFlow >= {MIN_TENSORFLOW} with Keras >= "
                         f"{MIN_KERAS}, found TensorFlow {tf.__version__} with Keras "
                         f"{keras.__version__}; {KERAS_2_FIX}.")
    try:
        import ipywidgets

        widgets_version = ipywidgets.__version__
    except ImportError:
        widgets_version = "not installed"
    if widgets_version == "not installed" or _older(widgets_version, MIN_IPYWIDGETS):
        warnings.warn(f"The sliders of chapters 05-07 need ipywidgets >= {MIN_IPYWIDGETS} "
                      f"(found {widgets_version}): run `pip install -U 'ipywidgets>=7.7'`.",
                      stacklevel=2)
    from aehelpers import __version__

    return {"Python": platform.python_version(), "TensorFlow": tf.__version__,
            "Keras": keras.__version__, "ipywidgets": widgets_version, "aehelpers": __version__}


def setup_notebook(seed: int = 42, *, quiet: bool = True, verbose: bool = True,
                   live_training: bool = True) -> None:
    """Quiet TensorFlow, seed everything, apply the plot style, print versions and profile.

    ``live_training`` shows the live training view (loss curves and
    reconstructions redrawn each epoch) whenever a model trains in a Jupyter
    kernel; ``AE_LIVE_VIEW=0`` turns it off too. Introduced in 00_start_here.
    """
    check_seed("seed", seed)  # before anything changes
    check_bool("live_training", live_training)
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
    from aehelpers import live, training

    training.use_live_view(live.view_for if live_training else None)
    profile = get_profile()
    if verbose:
        print(" | ".join(f"{name} {version}" for name, version in versions.items()))
        print(f"Run profile: {profile.name} ({profile.description})")


DRIVE_MOUNT = "/content/drive"


def use_drive_cache(folder: str = "aehelpers-cache", *, mount_point: str | None = None):
    """On Google Colab: keep the model cache on your Google Drive; return its path.

    Colab forgets every file when a session ends, so each new session would train
    the chapter's models again. This mounts your Drive (Colab asks for permission)
    and points ``AEHELPERS_CACHE_DIR`` at ``MyDrive/<folder>``: a later session
    loads the models instead. Opt in from the first cell of any chapter.
    ``mount_point`` defaults to Colab's ``/content/drive``. Introduced in 00_start_here.
    """
    from pathlib import Path, PurePosixPath

    from aehelpers.cache import CACHE_ENV_VAR

    parts = PurePosixPath(folder).parts if isinstance(folder, str) else ()
    if not parts or folder.startswith("/") or any(p in ("..", ".") for p in parts):
        raise ValueError(f"folder must be a folder name inside your Drive, such as "
                         f"'aehelpers-cache', got {folder!r}")
    mount_point = DRIVE_MOUNT if mount_point is None else mount_point
    if not isinstance(mount_point, str) or not mount_point.startswith("/"):
        raise ValueError(f"mount_point must be an absolute path such as {DRIVE_MOUNT!r}, "
                         f"got {mount_point!r}")
    try:
        from google.colab import drive
    except ImportError:
        raise SetupError(f"use_drive_cache works on Google Colab only; elsewhere the cache "
                         f"already persists (set {CACHE_ENV_VAR} to move it).") from None
    drive.mount(mount_point)
    path = Path(mount_point) / "MyDrive" / folder
    path.mkdir(parents=True, exist_ok=True)
    os.environ[CACHE_ENV_VAR] = str(path)
    print(f"Trained models are kept in {path} on your Google Drive.")
    return path
