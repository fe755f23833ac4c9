"""Pure computations behind the interactive explorers: arrays in, arrays out, no widgets.

Each function here is what one slider move costs; ``aehelpers.widgets`` only
wires them to sliders and a figure.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import NamedTuple

import keras
import numpy as np

from aehelpers._validate import (
    check_array,
    check_float,
    check_image,
    check_images,
    check_int,
    check_model,
    check_seed,
    check_shape,
)
from aehelpers.metrics import mse, psnr
from aehelpers.models import IMAGE_SHAPE, check_autoencoder, check_encoder, codings_size, io_shapes
from aehelpers.training import predict

# Per model, checked and traced once: (traced call, input shape). Slider moves only look it up.
_TRACED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_DECODERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # decoder -> codings size
_AUTOENCODERS: weakref.WeakSet = weakref.WeakSet()


def call_traced(model: keras.Model, batch: np.ndarray) -> np.ndarray:
    """Call ``model(batch, training=False)`` through a graph traced once: the path for sliders.

    An eager Keras call costs about 10 ms of Python overhead, the traced one
    under 1 ms, and ``predict`` tens of ms. A model with several outputs (a VAE
    encoder) gives its first, the mean codings. ``batch`` is checked like a
    model's inputs: float images in [0, 1] for an image model, finite numbers otherwise.
    """
    return _call(model, _batch(model, batch))


def _batch(model: keras.Model, batch) -> np.ndarray:
    _, shape = _traced(model)
    if shape == IMAGE_SHAPE:
        return check_images("batch", batch)
    batch = check_array("batch", batch, ndim=len(shape) + 1)
    if tuple(batch.shape[1:]) != shape:
        raise ValueError(f"batch must have shape (n, {', '.join(map(str, shape))}) for this "
                         f"model, got {batch.shape}")
    return batch


def _traced(model: keras.Model) -> tuple:
    if not isinstance(model, keras.Model) or model not in _TRACED:
        inputs, _ = io_shapes(check_model("model", model))
        if len(inputs) != 1 or None in inputs[0]:
            raise ValueError(f"model must take one input of a fixed shape, got {inputs}")
        _TRACED[model] = (_trace(model), inputs[0])
    return _TRACED[model]


def _call(model: keras.Model, batch: np.ndarray) -> np.ndarray:
    """Call the traced ``model`` on a batch already checked."""
    outputs = _traced(model)[0](batch)
    if isinstance(outputs, list | tuple):
        outputs = outputs[0]
    return keras.ops.convert_to_numpy(outputs)


def _decoder_size(decoder: keras.Model) -> int:
    """Return the codings size of ``decoder``, checking it is a decoder once per model."""
    if not isinstance(decoder, keras.Model) or decoder not in _DECODERS:
        _DECODERS[decoder] = codings_size(decoder)
    return _DECODERS[decoder]


def _autoencoder(autoencoder: keras.Model) -> keras.Model:
    """Return ``autoencoder``, checking it maps images to images once per model."""
    if not isinstance(autoencoder, keras.Model) or autoencoder not in _AUTOENCODERS:
        _AUTOENCODERS.add(check_autoencoder("autoencoder", autoencoder))
    return autoencoder


def _trace(model: keras.Model):
    if keras.backend.backend() != "tensorflow":
        return lambda batch: model(batch, training=False)
    import tensorflow as tf

    return tf.function(lambda batch: model(batch, training=False), reduce_retracing=True)


def decode(decoder: keras.Model, codings) -> np.ndarray:
    """Decode one coding vector into a 28x28 image clipped to [0, 1] (the slider path).

    Introduced in 07_variational_autoencoders.
    """
    size = _decoder_size(decoder)
    codings = check_array("codings", codings, ndim=1, trailing_shape=(size,))
    return np.clip(_call(decoder, codings[None])[0], 0.0, 1.0)


def decode_codings(decoder: keras.Model, codings) -> np.ndarray:
    """Decode a batch of codings into images clipped to [0, 1].

    Introduced in 07_variational_autoencoders.
    """
    size = codings_size(decoder)
    codings = check_array("codings", codings, ndim=2, trailing_shape=(size,))
    return np.clip(predict(decoder, codings), 0.0, 1.0)


def generate_images(decoder: keras.Model, num_images: int = 12, *, seed: int = 42) -> np.ndarray:
    """Decode ``num_images`` codings drawn from N(0, I): new images from a VAE.

    Introduced in 07_variational_autoencoders.
    """
    num_images = check_int("num_images", num_images, minimum=1, maximum=10_000)
    size = codings_size(decoder)
    rng = np.random.default_rng(check_seed("seed", seed))
    return decode_codings(decoder, rng.normal(size=(num_images, size)).astype(np.float32))


def encode(encoder: keras.Model, images) -> np.ndarray:
    """Return the codings of ``images`` (the mean codings for a VAE encoder).

    Introduced in 07_variational_autoencoders.
    """
    outputs = predict(check_encoder("encoder", encoder), check_images("images", images))
    return outputs[0] if isinstance(outputs, list) else outputs


class NoisePanel(NamedTuple):
    """What the noise explorer shows for one noise level."""

    noisy: np.ndarray
    denoised: np.ndarray
    clean: np.ndarray
    psnr_noisy: float
    psnr_denoised: float
    mse_noisy: float
    mse_denoised: float


def unit_noise(shape: tuple[int, ...], *, seed: int = 42) -> np.ndarray:
    """Return a fixed standard-normal noise pattern, so a slider only scales it."""
    shape = check_shape("shape", shape)
    seed = check_seed("seed", seed)
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def add_noise(clean, noise, noise_level: float) -> np.ndarray:
    """Return ``clip(clean + noise_level * noise, 0, 1)``; zero noise gives ``clean`` back.

    Introduced in 05_denoising_autoencoders.
    """
    clean = check_images("clean", clean, allow_single=True)
    noise = check_array("noise", noise)
    if noise.shape[-2:] != clean.shape[-2:]:
        raise ValueError(f"noise must have shape {clean.shape[-2:]}, got {noise.shape}")
    noise_level = check_float("noise_level", noise_level, minimum=0.0, maximum=5.0)
    return np.clip(clean + noise_level * noise, 0.0, 1.0).astype(np.float32)


def noise_panel(autoencoder: keras.Model, clean, noise, noise_level: float) -> NoisePanel:
    """Corrupt one clean image, denoise it, and measure both against the clean image.

    Introduced in 05_denoising_autoencoders.
    """
    _autoencoder(autoencoder)
    clean = check_images("clean", clean, allow_single=True)[:1]
    noisy = add_noise(clean, noise, noise_level)
    denoised = np.clip(_call(autoencoder, noisy), 0.0, 1.0)
    return NoisePanel(noisy[0], denoised[0], clean[0],
                      psnr(clean, noisy), psnr(clean, denoised),
                      mse(clean, noisy), mse(clean, denoised))


# Bin edges for the distribution of every activation of a sigmoid coding layer.
ACTIVATION_BINS = np.linspace(0.0, 1.0, 41)


class SparseSummary(NamedTuple):
    """One sparse model, measured once so a slider move only swaps arrays.

    ``unit_means`` is what the sparsity penalty steers (each unit's mean over the images);
    the per-image measures say whether the code is sparse: ``activation_share`` is the
    share of all activations in each bin of :data:`ACTIVATION_BINS`, ``above_half`` the
    share above 0.5 and ``active_per_image`` the mean number of units above 0.5 per image.
    """

    target: float
    unit_means: np.ndarray
    measured: float
    near_zero: float
    originals: np.ndarray
    reconstructions: np.ndarray
    activation_share: np.ndarray
    above_half: float
    active_per_image: float


def summarise_sparse_model(target: float, model, images, *, num_images: int = 5,
                           threshold: float = 0.1) -> SparseSummary:
    """Measure a sparse autoencoder on ``images``: unit means, sparsity, reconstructions.

    ``model`` is what ``ae.train_autoencoder`` or an ``ae.models`` builder
    returns (it has ``.encoder`` and ``.autoencoder``). Introduced in 06_sparse_autoencoders.
    """
    target = check_float("target", target, minimum=0.0, maximum=1.0, open_min=True,
                         open_max=True)
    encoder, autoencoder = _trained_parts("model", model)
    images = check_images("images", images)
    num_images = check_int("num_images", num_images, minimum=1, maximum=min(12, len(images)))
    threshold = check_float("threshold", threshold, minimum=0.0, maximum=1.0)
    codings = encode(encoder, images)
    originals = images[:num_images]
    reconstructions = np.clip(predict(autoencoder, originals), 0.0, 1.0)
    counts = np.histogram(codings, bins=ACTIVATION_BINS)[0]
    return SparseSummary(target, codings.mean(axis=0), float(codings.mean()),
                         float(np.mean(codings < threshold)), originals, reconstructions,
                         counts / codings.size, float(np.mean(codings > 0.5)),
                         float(np.mean(np.sum(codings > 0.5, axis=1))))


def _trained_parts(name: str, model) -> tuple[keras.Model, keras.Model]:
    if not (hasattr(model, "encoder") and hasattr(model, "autoencoder")):
        raise TypeError(f"{name} must be a trained model from ae.train_autoencoder (with "
                        f".encoder and .autoencoder), got {type(model).__name__}")
    return (check_encoder(f"{name}.encoder", model.encoder),
            check_autoencoder(f"{name}.autoencoder", model.autoencoder))


def summarise_sparse_models(models: Mapping[float, object], images, *,
                            num_images: int = 5) -> list[SparseSummary]:
    """Summarise every ``{target: model}`` pair, sorted by target."""
    if not isinstance(models, Mapping) or not models:
        raise TypeError("models must be a non-empty dict {target_sparsity: trained model}")
    for target, model in models.items():  # named as the caller wrote them, before any work
        check_float(f"models key {target!r}", target, minimum=0.0, maximum=1.0, open_min=True,
                    open_max=True)
        _trained_parts(f"models[{target!r}]", model)
    return [summarise_sparse_model(target, models[target], images, num_images=num_images)
            for target in sorted(models)]


def with_coordinate(codings, index: int, value: float) -> np.ndarray:
    """Return a copy of ``codings`` with coordinate ``index`` set to ``value``.

    Introduced in 07_variational_autoencoders.
    """
    codings = check_array("codings", codings, ndim=1)
    index = check_int("index", index, minimum=0, maximum=len(codings) - 1)
    changed = codings.copy()
    changed[index] = check_float("value", value)
    return changed


def interpolate(start, end, alpha: float) -> np.ndarray:
    """Return ``(1 - alpha) * start + alpha * end`` (codings or pixels).

    Introduced in 07_variational_autoencoders.
    """
    start = check_array("start", start)
    end = check_array("end", end)
    if start.shape != end.shape:
        raise ValueError(f"start and end must have the same shape, got {start.shape} "
                         f"and {end.shape}")
    alpha = check_float("alpha", alpha, minimum=0.0, maximum=1.0)
    return ((1.0 - alpha) * start + alpha * end).astype(np.float32)


def interpolation_panel(decoder: keras.Model, codings_a, codings_b, image_a, image_b,
                        alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the codings-level and the pixel-level blend of two images at ``alpha``.

    Introduced in 07_variational_autoencoders.
    """
    size = _decoder_size(decoder)
    codings_a = check_array("codings_a", codings_a, ndim=1, trailing_shape=(size,))
    codings_b = check_array("codings_b", codings_b, ndim=1, trailing_shape=(size,))
    image_a, image_b = check_image("image_a", image_a), check_image("image_b", image_b)
    alpha = check_float("alpha", alpha, minimum=0.0, maximum=1.0)
    codings = ((1.0 - alpha) * codings_a + alpha * codings_b).astype(np.float32)
    return (np.clip(_call(decoder, codings[None])[0], 0.0, 1.0),
            ((1.0 - alpha) * image_a + alpha * image_b).astype(np.float32))
