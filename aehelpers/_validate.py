"""Argument checks shared by every public function: clear errors, not TF traces."""

from __future__ import annotations

import contextlib
import inspect
import numbers
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

SEED_MAX = 2**32 - 1  # NumPy's and Keras's seeds are unsigned 32-bit integers
_NAME = re.compile(r"^[a-z0-9_]{1,64}$")


class FriendlyError(RuntimeError):
    """An error whose message says what is wrong and how to fix it; Jupyter shows only that."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing the traceback: the message comes first and
        # alone, not under thirty lines of frames a learner cannot act on.
        return [f"{type(self).__name__}: {self}"]


@contextlib.contextmanager
def naming(where: str):
    """Add ``(where)`` to a TypeError or ValueError raised inside: which item of a list failed."""
    try:
        yield
    except (TypeError, ValueError) as error:
        raise type(error)(f"{error} ({where})") from None


def check_int(name: str, value: object, *, minimum: int | None = None,
              maximum: int | None = None) -> int:
    """Return ``value`` as int, or raise naming ``name`` and the accepted range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be in {_describe(minimum, maximum)}, got {value}")
    return value


def check_float(name: str, value: object, *, minimum: float | None = None,
                maximum: float | None = None, open_min: bool = False,
                open_max: bool = False) -> float:
    """Return ``value`` as float, or raise naming ``name`` and the accepted range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    too_low = minimum is not None and (value <= minimum if open_min else value < minimum)
    too_high = maximum is not None and (value >= maximum if open_max else value > maximum)
    if not np.isfinite(value) or too_low or too_high:
        accepted = _describe(minimum, maximum, open_min=open_min, open_max=open_max)
        raise ValueError(f"{name} must be in {accepted}, got {value}")
    return value


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise listing them."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {list(choices)}, got {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is True or False."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r:.60}")
    return bool(value)


def check_seed(name: str, value: object) -> int:
    """Return ``value`` as a seed: an integer in [0, 2**32 - 1]."""
    return check_int(name, value, minimum=0, maximum=SEED_MAX)


def check_name(name: str, value: object) -> str:
    """Return ``value`` if it is 1-64 lowercase letters, digits or underscores (safe in paths)."""
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValueError(f"{name} must be 1-64 lowercase letters, digits or underscores, "
                         f"got {value!r}")
    return value


def check_texts(name: str, value: object, *, length: int | None = None) -> tuple[str, ...]:
    """Return a list or tuple of display texts as strings (``length`` of them, if given)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray) or (
            isinstance(value, np.ndarray) and value.ndim != 1):
        raise TypeError(f"{name} must be a list or tuple of texts, got {value!r}")
    if length is not None and len(value) != length:
        raise ValueError(f"{name} must hold {length} entries, got {len(value)}")
    return tuple(str(item) for item in value)


def check_mapping(name: str, value: object, *, non_empty: bool = False) -> Mapping:
    """Return ``value`` if it is a dict (non-empty if asked), else raise naming ``name``."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__}")
    if non_empty and not value:
        raise ValueError(f"{name} must not be empty")
    return value


def check_callable(name: str, value: object, *, usage: str, num_args: int) -> object:
    """Return ``value`` if it can be called with ``num_args`` positional arguments.

    ``usage`` shows the expected call, for example ``"function(p, q)"``.
    """
    if not callable(value):
        raise TypeError(f"{name} must be a function called as {usage}, got "
                        f"{type(value).__name__} {value!r:.40}")
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):  # a builtin without a signature: trust it
        return value
    try:
        signature.bind(*range(num_args))
    except TypeError:
        raise TypeError(f"{name} must take {num_args} argument(s), called as {usage}; yours "
                        f"is {getattr(value, '__name__', 'function')}{signature}") from None
    return value


def check_folder(name: str, value: object) -> Path:
    """Return ``value`` as a Path that is a folder or does not exist yet (not a file)."""
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{name} must be a path to a folder, got {type(value).__name__}")
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name} must be a folder, got the file {path}")
    return path


def check_metrics(name: str, value: object) -> tuple:
    """Return Keras metrics (names Keras knows, or metric objects) as a tuple."""
    import keras

    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list or tuple of metric names such as ['mse'], "
                        f"got {value!r}")
    for index, metric in enumerate(value):
        if isinstance(metric, keras.metrics.Metric):
            continue
        if not isinstance(metric, str):
            raise TypeError(f"{name}[{index}] must be a metric name or keras.metrics.Metric, "
                            f"got {type(metric).__name__}")
        try:
            keras.metrics.get(metric)
        except ValueError:
            raise ValueError(f"{name}[{index}] is not a metric Keras knows, got {metric!r} "
                             "(for example 'mse' or 'mae')") from None
    return tuple(value)


def check_array(name: str, value: object, *, ndim: int | Sequence[int] | None = None,
                trailing_shape: tuple[int, ...] | None = None,
                value_range: tuple[float, float] | None = None,
                min_items: int = 1) -> np.ndarray:
    """Return ``value`` as a float32 array after checking its shape, dtype and range."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    if not isinstance(value, np.ndarray | list | tuple):
        raise TypeError(f"{name} must be a NumPy array, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers ({error})") from None
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimensions, "
                             f"got shape {array.shape}")
    if trailing_shape is not None and tuple(array.shape[-len(trailing_shape):]) != trailing_shape:
        batch = "" if ndim == len(trailing_shape) else "n, "  # one item, or a batch of them
        raise ValueError(f"{name} must have shape ({batch}{', '.join(map(str, trailing_shape))}"
                         f"{',' * (len(trailing_shape) == 1 and not batch)}), got {array.shape}")
    if array.ndim and array.shape[0] < min_items:
        raise ValueError(f"{name} must hold at least {min_items} item(s), got {array.shape[0]}")
    array = array.astype(np.float32, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must not contain NaN or infinite values")
    if value_range is not None and array.size:
        low, high = value_range
        if array.min() < low or array.max() > high:
            raise ValueError(f"{name} values must lie in [{low}, {high}], got "
                             f"[{array.min():.3g}, {array.max():.3g}]")
    return array


def check_images(name: str, value: object, *, image_shape: tuple[int, int] = (28, 28),
                 allow_single: bool = False, slack: float = 0.0) -> np.ndarray:
    """Return a float32 batch of images in [0, 1] with shape (n, *image_shape).

    Integer pixels (uint8 0-255) are refused with the fix, not rescaled
    silently: a model trained on them would learn nothing useful. ``slack``
    accepts (and clips) values that far outside [0, 1], as a decoder's raw output has.
    """
    images = _images(name, value, image_shape, (2, 3) if allow_single else (3,), slack)
    return images[None] if images.ndim == 2 else images


def check_image(name: str, value: object, *,
                image_shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """Return one float32 image in [0, 1] with shape ``image_shape`` (no batch axis)."""
    return _images(name, value, image_shape, (2,), 0.0)


def _images(name: str, value: object, image_shape: tuple[int, int], ndims: tuple[int, ...],
            slack: float) -> np.ndarray:
    raw = value.numpy() if hasattr(value, "numpy") and not isinstance(value, np.ndarray) else value
    if isinstance(raw, np.ndarray) and (np.issubdtype(raw.dtype, np.integer)
                                        or raw.dtype == np.bool_):
        raise TypeError(f"{name} must be float images in [0, 1], got dtype {raw.dtype}: "
                        f"divide by 255 first ({name} = {name}.astype('float32') / 255)")
    if isinstance(raw, np.ndarray) and not np.issubdtype(raw.dtype, np.floating):
        raise TypeError(f"{name} must hold numbers, got dtype {raw.dtype}")
    shape = ", ".join(map(str, image_shape))
    if isinstance(raw, np.ndarray) and raw.ndim not in ndims:
        if ndims == (2,):
            raise ValueError(f"{name} must be one image with shape ({shape}), got shape "
                             f"{raw.shape}" + ("; pick one with x[i]" if raw.ndim == 3 else ""))
        single = f" or one image ({shape})" if 2 in ndims else ""
        hint = "; add a batch axis with x[None]" if raw.ndim == 2 else ""
        raise ValueError(f"{name} must be a batch of images with shape (n, {shape}){single}, "
                         f"got shape {raw.shape}{hint}")
    images = check_array(name, raw, ndim=ndims, trailing_shape=image_shape)
    if ndims == (2,) and images.shape != tuple(image_shape):
        raise ValueError(f"{name} must be one image with shape ({shape}), got {images.shape}")
    if images.size and (images.min() < -slack or images.max() > 1.0 + slack):
        fix = "; divide by 255 first" if images.max() > 1.5 and images.min() >= 0 else ""
        raise ValueError(f"{name} values must lie in [0, 1], got [{images.min():.3g}, "
                         f"{images.max():.3g}]{fix}")
    return np.clip(images, 0.0, 1.0) if slack else images


def check_pair(names: tuple[str, str], first: object, second: object, *,
               ndim: int | Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return two float32 arrays of one shape, or raise naming the one that is wrong."""
    first = check_array(names[0], first, ndim=ndim)
    second = check_array(names[1], second, ndim=ndim)
    if first.shape != second.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, "
                         f"got {first.shape} and {second.shape}")
    return first, second


def check_shape(name: str, value: object, *, ndim: int | None = None,
                max_size: int = 10_000_000) -> tuple[int, ...]:
    """Return ``value`` as a tuple of positive ints (at most ``max_size`` numbers in all)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray) or (
            isinstance(value, np.ndarray) and value.ndim != 1) or (
            ndim is not None and len(value) != ndim):
        want = f"{ndim} positive integers" if ndim else "a tuple of positive integers"
        raise TypeError(f"{name} must be {want}, got {value!r}")
    shape = tuple(check_int(f"{name}[{i}]", d, minimum=1) for i, d in enumerate(value))
    if not shape or np.prod(shape, dtype=float) > max_size:
        raise ValueError(f"{name} must describe 1 to {max_size:,} numbers, got {shape}")
    return shape


KERAS_2_FIX = ("this workbook needs Keras 3 (keras>=3.11.3 with tensorflow>=2.16): run "
               "pip install -U 'tensorflow>=2.16' 'keras>=3.11.3', unset TF_USE_LEGACY_KERAS, "
               "build models with `import keras` (not tf_keras), then restart the kernel")


def check_model(name: str, value: object):
    """Return ``value`` if it is a Keras 3 model, else raise naming ``name`` (and Keras 2's fix)."""
    import keras

    if isinstance(value, keras.Model):
        return value
    module = type(value).__module__
    if module.startswith(("tf_keras", "keras.engine", "keras.src.engine")):
        raise TypeError(f"{name} is a Keras 2 (tf_keras) model; {KERAS_2_FIX}")
    raise TypeError(f"{name} must be a keras.Model, got {type(value).__name__}")


def _describe(minimum: float | None, maximum: float | None, *, open_min: bool = False,
              open_max: bool = False) -> str:
    left = "(" if open_min or minimum is None else "["
    right = ")" if open_max or maximum is None else "]"
    low = "-inf" if minimum is None else _number(minimum)
    high = "inf" if maximum is None else _number(maximum)
    return f"{left}{low}, {high}{right}"


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"
