"""Argument checks shared by every public function: clear errors, not TF traces."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np


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
    array = np.asarray(value)
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
                 allow_single: bool = False) -> np.ndarray:
    """Return a float32 batch of images in [0, 1] with shape (n, *image_shape)."""
    ndims = (2, 3) if allow_single else 3
    images = check_array(name, value, ndim=ndims, trailing_shape=image_shape,
                         value_range=(0.0, 1.0))
    return images[None] if images.ndim == 2 else images


def _describe(minimum: float | None, maximum: float | None, *, open_min: bool = False,
              open_max: bool = False) -> str:
    left = "(" if open_min or minimum is None else "["
    right = ")" if open_max or maximum is None else "]"
    low = "-inf" if minimum is None else f"{minimum:g}"
    high = "inf" if maximum is None else f"{maximum:g}"
    return f"{left}{low}, {high}{right}"
