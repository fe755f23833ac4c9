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
from aehelpers.metrics import ACTIVATION_BINS, check_scores, mse, nearest_neighbours, psnr
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


# --- Chapter 07: the shape of the latent space --------------------------------------------

class LatentMap(NamedTuple):
    """The 2-D codings of some images, with their centre and spread along each axis.

    Sliders and grids work in standard units (``centre + u * scale``), so one slider
    position is a comparable spot on any model's map.
    """

    points: np.ndarray
    centre: np.ndarray
    scale: np.ndarray


def latent_map(encoder: keras.Model, images) -> LatentMap:
    """Encode ``images`` with a 2-D encoder (a VAE's: its means) and measure the map.

    Introduced in 07_variational_autoencoders.
    """
    points = encode(encoder, images).astype(np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"encoder must produce 2-D codings for a latent map, got shape "
                         f"{points.shape[1:]}")
    if len(points) < 2:
        raise ValueError(f"images must hold at least 2 images, got {len(points)}")
    scale = np.maximum(points.std(axis=0), 1e-6)  # a collapsed axis still maps somewhere
    return LatentMap(points.astype(np.float32), points.mean(axis=0).astype(np.float32),
                     scale.astype(np.float32))


def _checked_map(value: object) -> LatentMap:
    if not isinstance(value, LatentMap):
        raise TypeError(f"latent map must come from ae.explore.latent_map, got "
                        f"{type(value).__name__}")
    return value


def map_coding(latent: LatentMap, u: float, v: float) -> np.ndarray:
    """Return the coding ``u`` and ``v`` standard units from the map's centre.

    Introduced in 07_variational_autoencoders.
    """
    latent = _checked_map(latent)
    offset = np.array([check_float("u", u), check_float("v", v)], dtype=np.float32)
    return (latent.centre + offset * latent.scale).astype(np.float32)


def decoded_grid(decoder: keras.Model, latent: LatentMap, *, steps: int = 9,
                 span: float = 2.5) -> np.ndarray:
    """Decode a ``steps`` x ``steps`` grid over the map (+-``span`` standard units) as one image.

    Rows run from high to low second coordinate, as on a plot. Introduced in
    07_variational_autoencoders.
    """
    latent = _checked_map(latent)
    steps = check_int("steps", steps, minimum=2, maximum=30)
    span = check_float("span", span, minimum=0.0, maximum=10.0, open_min=True)
    offsets = np.linspace(-span, span, steps)
    u, v = np.meshgrid(offsets, offsets[::-1])
    codings = latent.centre + np.stack([u.ravel(), v.ravel()], axis=1) * latent.scale
    images = decode_codings(decoder, codings.astype(np.float32))
    return images.reshape(steps, steps, 28, 28).transpose(0, 2, 1, 3).reshape(steps * 28,
                                                                            steps * 28)


# Frame colours of mosaic tiles: right (same class, or truly anomalous), wrong, and none.
FRAME_COLOURS = {True: (0.07, 0.47, 0.2), False: (0.8, 0.4, 0.47), None: (1.0, 1.0, 1.0)}


def mosaic(images, *, num_cols: int, frames=None, border: int = 2) -> np.ndarray:
    """Tile images (dark on white, as the figures draw them) into one RGB array.

    ``frames`` gives each tile's frame: True (green), False (red) or None (no frame);
    a missing tile stays white. Introduced in 08_applications.
    """
    images = check_images("images", images)
    num_cols = check_int("num_cols", num_cols, minimum=1, maximum=100)
    border = check_int("border", border, minimum=0, maximum=5)
    frames = [None] * len(images) if frames is None else list(frames)
    if len(frames) != len(images) or any(f not in FRAME_COLOURS for f in frames):
        raise ValueError(f"frames must hold one True, False or None per image ({len(images)})")
    num_rows = -(-len(images) // num_cols)
    size = 28 + 2 * border
    tiles = np.ones((num_rows * size, num_cols * size, 3), dtype=np.float32)
    for index, (image, frame) in enumerate(zip(images, frames, strict=True)):
        top, left = (index // num_cols) * size, (index % num_cols) * size
        tiles[top:top + size, left:left + size] = FRAME_COLOURS[frame]
        tiles[top + border:top + border + 28, left + border:left + border + 28] = (
            1.0 - image)[..., None]
    return tiles


class VaeSummary(NamedTuple):
    """One VAE measured once, so the beta panel's moves only swap arrays.

    ``map_points`` are the means along ``map_dims``, the two dimensions with the most
    KL; a dimension is active when its mean KL exceeds 0.1 nats.
    """

    multiple: float
    map_points: np.ndarray
    map_dims: tuple[int, int]
    kl_per_dim: np.ndarray
    active_dims: int
    reconstruction_mse: float
    mean_kl: float
    originals: np.ndarray
    reconstructions: np.ndarray
    samples: np.ndarray


def _vae_parts(name: str, model) -> keras.Model:
    encoder = _trained_parts(name, model)[0]
    if len(encoder.outputs) != 3:
        raise TypeError(f"{name} must be a VAE (its encoder gives mean, log_var and codings), "
                        f"got an encoder with {len(encoder.outputs)} output(s)")
    return encoder


def summarise_vae(multiple: float, model, images, *, num_images: int = 4,
                  num_samples: int = 8, seed: int = 42) -> VaeSummary:
    """Measure a VAE trained with KL weight ``multiple`` / 784 on ``images``.

    Reconstructions decode the means; samples decode N(0, I) draws of one fixed seed,
    the same draws for every model. Introduced in 07_variational_autoencoders.
    """
    multiple = check_float("multiple", multiple, minimum=0.0, maximum=1000.0, open_min=True)
    encoder = _vae_parts("model", model)
    images = check_images("images", images)
    num_images = check_int("num_images", num_images, minimum=1, maximum=min(12, len(images)))
    num_samples = check_int("num_samples", num_samples, minimum=1, maximum=64)
    mean, log_var, _ = predict(encoder, images)
    mean, log_var = mean.astype(np.float64), np.clip(log_var.astype(np.float64), -30, 30)
    kl = -0.5 * (1.0 + log_var - np.exp(log_var) - mean**2)
    kl_per_dim = kl.mean(axis=0)
    if len(kl_per_dim) < 2:
        raise ValueError("model must have at least 2 coding dimensions for a latent map")
    first, second = (int(i) for i in np.argsort(-kl_per_dim)[:2])
    decoder = model.decoder
    reconstructions = decode_codings(decoder, mean.astype(np.float32))
    rng = np.random.default_rng(check_seed("seed", seed))
    samples = decode_codings(decoder, rng.normal(size=(num_samples, len(kl_per_dim))).astype(
        np.float32))
    return VaeSummary(multiple, mean[:, [first, second]].astype(np.float32), (first, second),
                      kl_per_dim, int(np.sum(kl_per_dim > 0.1)), mse(images, reconstructions),
                      float(kl.sum(axis=1).mean()), images[:num_images],
                      reconstructions[:num_images], samples)


def summarise_vaes(models: Mapping[float, object], images, **kwargs) -> list[VaeSummary]:
    """Summarise every ``{KL weight multiple: trained VAE}`` pair, sorted by the multiple."""
    if not isinstance(models, Mapping) or not models:
        raise TypeError("models must be a non-empty dict {KL weight multiple: trained VAE}")
    for multiple, model in models.items():
        check_float(f"models key {multiple!r}", multiple, minimum=0.0, open_min=True)
        _vae_parts(f"models[{multiple!r}]", model)
    return [summarise_vae(m, models[m], images, **kwargs) for m in sorted(models)]


# --- Chapter 08: anomalies and retrieval -------------------------------------------------

def reconstruction_errors(autoencoder: keras.Model, images) -> np.ndarray:
    """Return each image's reconstruction MSE: the anomaly score of chapter 08.

    Introduced in 08_applications.
    """
    images = check_images("images", images)
    outputs = predict(check_autoencoder("autoencoder", autoencoder), images)
    return mse(images, np.clip(outputs, 0.0, 1.0), per_image=True)


class ThresholdView(NamedTuple):
    """What one threshold on the anomaly scores does: counts, rates, the items beside it."""

    threshold: float
    counts: dict
    precision: float
    recall: float
    below: np.ndarray  # indices of the highest scores under the threshold, nearest first
    above: np.ndarray  # indices of the lowest scores at or over it, nearest first


class RankedScores(NamedTuple):
    """Anomaly scores sorted once, so each threshold costs a binary search."""

    order: np.ndarray
    sorted_scores: np.ndarray
    anomalies_below: np.ndarray  # anomalies among the first i sorted items, i = 0..n
    total_anomalies: int


def rank_scores(scores, is_anomaly) -> RankedScores:
    """Sort anomaly scores once for :func:`threshold_view`. Introduced in 08_applications."""
    scores, flags = check_scores(scores, is_anomaly)
    order = np.argsort(scores, kind="stable")
    return RankedScores(order, scores[order], np.r_[0, np.cumsum(flags[order])],
                        int(flags.sum()))


def threshold_view(ranked: RankedScores, threshold: float, *, num_items: int = 4
                   ) -> ThresholdView:
    """Flag scores at or over ``threshold``: confusion counts, precision, recall, neighbours.

    Introduced in 08_applications.
    """
    if not isinstance(ranked, RankedScores):
        raise TypeError(f"ranked must come from ae.explore.rank_scores, got "
                        f"{type(ranked).__name__}")
    threshold = check_float("threshold", threshold)
    num_items = check_int("num_items", num_items, minimum=0, maximum=50)
    total = len(ranked.order)
    cut = int(np.searchsorted(ranked.sorted_scores, threshold, side="left"))
    fn = int(ranked.anomalies_below[cut])
    tp = ranked.total_anomalies - fn
    fp = (total - cut) - tp
    tn = cut - fn
    precision = tp / (tp + fp) if tp + fp else float("nan")
    return ThresholdView(threshold, {"tp": tp, "fp": fp, "fn": fn, "tn": tn}, precision,
                         tp / ranked.total_anomalies,
                         ranked.order[max(0, cut - num_items):cut][::-1],
                         ranked.order[cut:cut + num_items])


def retrieve(query: int, features, *, k: int = 6) -> np.ndarray:
    """Return the indices of the ``k`` items nearest to item ``query`` (itself left out).

    ``features`` holds one row per item: codings, or flattened pixels. Introduced in
    08_applications.
    """
    features = check_array("features", features, ndim=(2, 3), min_items=2)
    features = features.reshape(len(features), -1)
    query = check_int("query", query, minimum=0, maximum=len(features) - 1)
    return nearest_neighbours(features, features[query:query + 1], k=k,
                              exclude=np.array([query]))[0]
