"""Profile-aware training with compact progress lines, and a cache of trained models."""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np

from aehelpers import __version__
from aehelpers._validate import check_array, check_int
from aehelpers.profiles import Profile, get_profile

CACHE_ENV_VAR = "AEHELPERS_CACHE_DIR"


class EpochPrinter(keras.callbacks.Callback):
    """Print one short line per epoch (at most about ten lines per run), never a progress bar."""

    def __init__(self, epochs: int, *, max_lines: int = 10):
        super().__init__()
        self.epochs = epochs
        self.every = max(1, -(-epochs // max_lines))
        self._start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every and done != self.epochs:
            return
        # Training numbers first, then their validation twins, in a stable order.
        keys = sorted(logs or {}, key=lambda k: (k.startswith("val_"), k != "loss", k))
        values = "  ".join(f"{k} {logs[k]:.4f}" for k in keys)
        seconds = time.perf_counter() - self._start
        print(f"epoch {done:>3}/{self.epochs}  {values}  ({seconds:.1f} s)")


def fit(model: keras.Model, x_train, y_train=None, *, model_key: str,
        validation_data: tuple | None = None, profile: str | Profile | None = None,
        epochs: int | None = None, batch_size: int | None = None, verbose: bool = True,
        callbacks: list | None = None) -> dict[str, list[float]]:
    """Train ``model`` with the profile's epochs and batch size; return the history dict.

    ``y_train`` defaults to ``x_train`` (an autoencoder reconstructs its input).
    Introduced in 02_stacked_autoencoders.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    settings = get_profile(profile).training(model_key)
    epochs = settings.epochs if epochs is None else check_int("epochs", epochs, minimum=1)
    batch_size = settings.batch_size if batch_size is None else check_int(
        "batch_size", batch_size, minimum=1)
    x_train = check_array("x_train", x_train)
    y_train = x_train if y_train is None else np.asarray(y_train)
    if len(y_train) != len(x_train):
        raise ValueError(f"x_train and y_train must have the same length, "
                         f"got {len(x_train)} and {len(y_train)}")
    if validation_data is not None:
        x_valid = check_array("validation_data[0]", validation_data[0])
        validation_data = (x_valid, x_valid if len(validation_data) < 2 or
                           validation_data[1] is None else np.asarray(validation_data[1]))
    printer = [EpochPrinter(epochs)] if verbose else []
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                        validation_data=validation_data, verbose=0,
                        callbacks=[*printer, *(callbacks or [])])
    return {k: [float(v) for v in values] for k, values in history.history.items()}


def predict(model: keras.Model, inputs, *, batch_size: int = 2048) -> np.ndarray:
    """Call ``model`` directly on ``inputs`` in chunks and return NumPy (no ``predict`` overhead).

    For models with several outputs (the VAE encoder), return a list of arrays.
    """
    if not callable(model):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    inputs = check_array("inputs", inputs)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    chunks = [model(inputs[i:i + batch_size], training=False)
              for i in range(0, len(inputs), batch_size)]
    if isinstance(chunks[0], list | tuple):
        return [np.concatenate([keras.ops.convert_to_numpy(c[j]) for c in chunks])
                for j in range(len(chunks[0]))]
    return np.concatenate([keras.ops.convert_to_numpy(c) for c in chunks])


def reconstruction_mse(autoencoder: keras.Model, images) -> float:
    """Return the mean squared error between ``images`` and ``autoencoder``'s reconstructions.

    Introduced in 03_pretraining_tied_greedy.
    """
    from aehelpers.metrics import mse

    images = check_array("images", images)
    return mse(images, predict(autoencoder, images))


class TrainedModel(NamedTuple):
    """A trained (or cached) model with its parts and its training history."""

    encoder: keras.Model
    decoder: keras.Model
    autoencoder: keras.Model
    history: dict
    seconds: float
    from_cache: bool


def cache_dir() -> Path:
    """Return the model cache folder: ``$AEHELPERS_CACHE_DIR`` or ``~/.cache/aehelpers``."""
    return Path(os.environ.get(CACHE_ENV_VAR) or Path.home() / ".cache" / "aehelpers")


def cache_key(name: str, settings: dict, profile: str | Profile | None = None) -> str:
    """Return the cache file stem for ``name`` trained with ``settings`` in ``profile``."""
    run_profile = get_profile(profile)
    payload = json.dumps({"name": name, "settings": settings, "profile": run_profile.fingerprint(),
                          "aehelpers": __version__, "keras": keras.__version__},
                         sort_keys=True, default=repr)
    return f"{name}-{run_profile.name}-{hashlib.sha256(payload.encode()).hexdigest()[:16]}"


def cached(name: str, settings: dict, train: Callable[[], tuple[keras.Model, dict]], *,
           profile: str | Profile | None = None, use_cache: bool = True,
           verbose: bool = True) -> TrainedModel:
    """Load model ``name`` trained with ``settings`` from the cache, or call ``train()`` and save.

    ``train`` returns ``(autoencoder, history)``. Files are written under a
    temporary name and renamed, so an interrupted run never leaves half a
    model; an unreadable file is retrained with a warning.
    """
    from aehelpers.models import split_autoencoder

    stem = cache_key(name, settings, profile)
    model_path = cache_dir() / f"{stem}.keras"
    history_path = cache_dir() / f"{stem}.json"
    if use_cache and model_path.exists():
        try:
            with warnings.catch_warnings():
                # A model saved before its optimizer ever stepped (the greedy stack)
                # reloads fine; Keras only notes the empty optimizer state.
                warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
                autoencoder = keras.saving.load_model(model_path, safe_mode=True)
            history = json.loads(history_path.read_text()) if history_path.exists() else {}
            if verbose:
                print(f"Loaded trained {name} model from the cache ({model_path.name}).")
            return TrainedModel(*split_autoencoder(autoencoder), autoencoder, history, 0.0, True)
        except Exception as error:  # any unreadable file is retrained, never trusted
            warnings.warn(f"Cached model {model_path} could not be loaded "
                          f"({type(error).__name__}: {error}); retraining it.", stacklevel=2)
    start = time.perf_counter()
    autoencoder, history = train()
    seconds = time.perf_counter() - start
    if use_cache:
        model_path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(history_path, lambda tmp: tmp.write_text(json.dumps(history)))
        _atomic_write(model_path, autoencoder.save)
    return TrainedModel(*split_autoencoder(autoencoder), autoencoder, history, seconds, False)


def _atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp{path.suffix}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _full_arguments(name: str, kwargs: dict) -> dict:
    """Return ``kwargs`` with the builder's defaults filled in, so equal models share a key."""
    import inspect

    from aehelpers.models import BUILDERS, train_greedy_layerwise

    builder = train_greedy_layerwise if name == "greedy" else BUILDERS[name]
    parameters = inspect.signature(builder).parameters
    unknown = set(kwargs) - set(parameters) - {"profile"}
    if unknown or "profile" in kwargs:
        raise TypeError(f"unexpected argument(s) {sorted(unknown | {'profile'} & set(kwargs))} "
                        f"for {name!r}; pass profile= to train_autoencoder itself")
    full = {k: p.default for k, p in parameters.items()
            if p.kind is p.KEYWORD_ONLY and k not in ("profile", "verbose")}
    full.update(kwargs)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in full.items()}


def train_autoencoder(name: str, data, *, profile: str | Profile | None = None,
                      use_cache: bool = True, verbose: bool = True, seed: int = 42,
                      **builder_kwargs) -> TrainedModel:
    """Build autoencoder ``name`` (a ``BUILDERS`` key or ``"greedy"``) and train it on ``data``.

    Uses the trained-model cache. Introduced in 02_stacked_autoencoders.
    """
    from aehelpers.models import BUILDERS, train_greedy_layerwise
    from aehelpers.notebook import set_seed

    names = sorted([*BUILDERS, "greedy"])
    if name not in names:
        raise ValueError(f"name must be one of {names}, got {name!r}")
    for attribute in ("x_train", "x_valid"):
        if not hasattr(data, attribute):
            raise TypeError(f"data must come from load_fashion_mnist (with {attribute}), "
                            f"got {type(data).__name__}")
    run_profile = get_profile(profile)

    def train():
        keras.backend.clear_session()
        set_seed(seed)
        if name == "greedy":
            *_, autoencoder, history = train_greedy_layerwise(
                data.x_train, data.x_valid, profile=run_profile, verbose=verbose,
                **builder_kwargs)
            return autoencoder, history
        *_, autoencoder = BUILDERS[name](profile=run_profile, **builder_kwargs)
        history = fit(autoencoder, data.x_train, model_key=name, profile=run_profile,
                      validation_data=(data.x_valid,), verbose=verbose)
        return autoencoder, history

    settings = {"builder": _full_arguments(name, builder_kwargs), "seed": seed,
                "data": [len(data.x_train), len(data.x_valid)]}
    return cached(name, settings, train, profile=run_profile, use_cache=use_cache,
                  verbose=verbose)
