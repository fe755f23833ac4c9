"""Argument checks shared by every public function: clear errors, not TF traces."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np


class FriendlyError(RuntimeError):
    """An error whose message says what is wrong and how to fix it; Jupyter shows only that."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing the traceback: the message comes first and
        # alone, not under thirty lines of frames a learner cannot act on.
        return [f"{type(self).__name__}: {self}"]


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
        raise ValueError(f"{name} must have shape (n, {', '.join(map(str, trailing_shape))}), "
                         f"got {array.shape}")
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
    raw = value.numpy() if hasattr(value, "numpy") and not isinstance(value, np.ndarray) else value
    if isinstance(raw, np.ndarray) and (np.issubdtype(raw.dtype, np.integer)
                                        or raw.dtype == np.bool_):
        raise TypeError(f"{name} must be float images in [0, 1], got dtype {raw.dtype}: "
                        f"divide by 255 first ({name} = {name}.astype('float32') / 255)")
    ndims = (2, 3) if allow_single else 3
    if isinstance(raw, np.ndarray) and raw.ndim not in ((2, 3) if allow_single else (3,)):
        single = " or one image (28, 28)" if allow_single else ""
        hint = "; add a batch axis with x[None]" if raw.ndim == 2 else ""
        raise ValueError(f"{name} must be a batch of images with shape "
                         f"(n, {', '.join(map(str, image_shape))}){single}, got shape "
                         f"{raw.shape}{hint}")
    images = check_array(name, raw, ndim=ndims, trailing_shape=image_shape)
    if images.size and (images.min() < -slack or images.max() > 1.0 + slack):
        fix = "; divide by 255 first" if images.max() > 1.5 else ""
        raise ValueError(f"{name} values must lie in [0, 1], got [{images.min():.3g}, "
                         f"{images.max():.3g}]{fix}")
    if slack:
        images = np.clip(images, 0.0, 1.0)
    return images[None] if images.ndim == 2 else images


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
    low = "-inf" if minimum is None else f"{minimum:g}"
    high = "inf" if maximum is None else f"{maximum:g}"
    return f"{left}{low}, {high}{right}"
