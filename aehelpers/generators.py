"""GANs and diffusion models, Keras-3 native: chapter 09's toy and Fashion-MNIST generators.

A GAN here is a ``keras.Model`` whose ``train_step`` updates the discriminator, then the
generator, each with its own optimizer and ``GradientTape``; nothing is frozen or
recompiled between the two (the pattern that fails on Keras 3 in older material). The
diffusion helpers are the forward process in closed form, ancestral (DDPM) sampling for
2-D points, and a noise-conditioned image denoiser sampled in a few deterministic (DDIM)
steps. :func:`train_generator` caches the chapter's image models like ``train_autoencoder``.
"""

from __future__ import annotations

import inspect
import weakref
from typing import NamedTuple

import keras
import numpy as np

from aehelpers._validate import (
    check_array,
    check_choice,
    check_float,
    check_images,
    check_int,
    check_seed,
)


def ring_of_gaussians(num_points: int = 2000, *, modes: int = 8, radius: float = 2.0,
                      spread: float = 0.05, seed: int = 42) -> np.ndarray:
    """Return 2-D points around ``modes`` centres evenly spaced on a circle (a toy target).

    Introduced in 09_gans_and_diffusion.
    """
    num_points = check_int("num_points", num_points, minimum=1, maximum=10_000_000)
    modes = check_int("modes", modes, minimum=1, maximum=1000)
    radius = check_float("radius", radius, minimum=0.0, open_min=True, maximum=1e6)
    spread = check_float("spread", spread, minimum=0.0, maximum=1e6)
    rng = np.random.default_rng(check_seed("seed", seed))
    angles = 2 * np.pi * rng.integers(0, modes, num_points) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return (centres + rng.normal(scale=spread, size=(num_points, 2))).astype(np.float32)


class RingCoverage(NamedTuple):
    """How well 2-D points cover a ring of Gaussians."""

    modes_covered: int  # modes holding at least a quarter of their fair share of the points
    share_on_modes: float  # fraction of the points within 3 spreads of some mode's centre


def ring_coverage(points, *, modes: int = 8, radius: float = 2.0,
                  spread: float = 0.05) -> RingCoverage:
    """Measure mode coverage of ``points`` against :func:`ring_of_gaussians`' target.

    A mode counts as covered when at least 1 / (4 * ``modes``) of the points lie within
    3 ``spread`` of its centre. Introduced in 09_gans_and_diffusion.
    """
    points = check_array("points", points, ndim=2)
    if points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {points.shape}")
    modes = check_int("modes", modes, minimum=1, maximum=1000)
    radius = check_float("radius", radius, minimum=0.0, open_min=True, maximum=1e6)
    spread = check_float("spread", spread, minimum=0.0, open_min=True, maximum=1e6)
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    distances = np.linalg.norm(points[:, None, :] - centres[None], axis=2)
    near = distances.min(axis=1) <= 3 * spread
    counts = np.bincount(distances.argmin(axis=1)[near], minlength=modes)
    return RingCoverage(int(np.sum(counts >= len(points) / (4 * modes))), float(near.mean()))


def _sizes(name: str, value, count: int, stages: str, *, maximum: int = 1024) -> tuple:
    """Check a list or tuple of ``count`` layer sizes (``stages`` says what each is for)."""
    if not isinstance(value, list | tuple) or len(value) != count:
        raise ValueError(f"{name} must hold {count} integers ({stages}), got {value!r}")
    return tuple(check_int(f"{name}[{i}]", v, minimum=1, maximum=maximum)
                 for i, v in enumerate(value))


def _mlp(name: str, inputs: int, outputs: int, hidden_units) -> keras.Sequential:
    if not isinstance(hidden_units, list | tuple):
        raise TypeError(f"hidden_units must be a list or tuple of layer sizes, for example "
                        f"(64, 64), got {type(hidden_units).__name__}")
    units = [check_int(f"hidden_units[{i}]", u, minimum=1, maximum=4096)
             for i, u in enumerate(hidden_units)]
    if not units:
        raise ValueError("hidden_units must hold at least one layer size")
    return keras.Sequential([keras.Input((inputs,)),
                             *[keras.layers.Dense(u, activation="relu") for u in units],
                             keras.layers.Dense(outputs)], name=name)


class GAN(keras.Model):
    """A generator and a discriminator trained against each other, one step each per batch.

    The discriminator outputs logits (real > 0); the generator minimises the
    non-saturating loss ``-log D(G(z))``. ``fit`` logs ``d_loss`` and ``g_loss``.
    Introduced in 09_gans_and_diffusion.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, *,
                 latent_size: int, seed: int = 42, **kwargs):
        super().__init__(**kwargs)
        for name, model in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(model, keras.Model):
                raise TypeError(f"{name} must be a Keras model, got {type(model).__name__}")
        self.generator, self.discriminator = generator, discriminator
        self.latent_size = check_int("latent_size", latent_size, minimum=1, maximum=4096)
        self.noise = keras.random.SeedGenerator(check_seed("seed", seed))
        self.cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
        self.d_tracker = keras.metrics.Mean(name="d_loss")
        self.g_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, *, learning_rate: float = 1e-3, steps_per_execution: int = 8):
        """Give each network its own Adam optimizer (beta_1 = 0.5, as usual for GANs)."""
        learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, open_min=True,
                                    maximum=10.0)
        super().compile(steps_per_execution=check_int("steps_per_execution",
                                                      steps_per_execution, minimum=1))
        self.d_optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.5)
        self.g_optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.5)

    @property
    def metrics(self):
        return [self.d_tracker, self.g_tracker]

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    def train_step(self, real):
        import tensorflow as tf

        count = keras.ops.shape(real)[0]
        noise = keras.random.normal((count, self.latent_size), seed=self.noise)
        with tf.GradientTape() as tape:
            fake = self.generator(noise, training=True)
            on_real = self.discriminator(real, training=True)
            on_fake = self.discriminator(fake, training=True)
            d_loss = (self.cross_entropy(keras.ops.ones_like(on_real), on_real)
                      + self.cross_entropy(keras.ops.zeros_like(on_fake), on_fake))
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply(tape.gradient(d_loss, weights), weights)
        noise = keras.random.normal((count, self.latent_size), seed=self.noise)
        with tf.GradientTape() as tape:
            on_fake = self.discriminator(self.generator(noise, training=True), training=True)
            g_loss = self.cross_entropy(keras.ops.ones_like(on_fake), on_fake)
        weights = self.generator.trainable_weights
        self.g_optimizer.apply(tape.gradient(g_loss, weights), weights)
        self.d_tracker.update_state(d_loss)
        self.g_tracker.update_state(g_loss)
        return {"d_loss": self.d_tracker.result(), "g_loss": self.g_tracker.result()}


def build_toy_gan(*, latent_size: int = 2, hidden_units=(64, 64), seed: int = 42) -> GAN:
    """Build a GAN of two small MLPs for 2-D points. Introduced in 09_gans_and_diffusion."""
    latent_size = check_int("latent_size", latent_size, minimum=1, maximum=4096)
    keras.utils.set_random_seed(check_seed("seed", seed))
    return GAN(_mlp("generator", latent_size, 2, hidden_units),
               _mlp("discriminator", 2, 1, hidden_units), latent_size=latent_size, seed=seed)


def build_dcgan(*, latent_size: int = 32, filters: tuple[int, int] = (64, 32),
                seed: int = 42) -> GAN:
    """Build a small DCGAN for 28x28 images scaled to [-1, 1] (tanh output).

    Generator: latent -> 7x7x``filters[0]`` -> 14x14x``filters[1]`` -> 28x28 by
    transposed convolutions; discriminator: the mirror with strided convolutions and
    LeakyReLU, ending in one logit. Introduced in 09_gans_and_diffusion.
    """
    latent_size = check_int("latent_size", latent_size, minimum=1, maximum=4096)
    wide, narrow = _sizes("filters", filters, 2, "7x7 and 14x14 stages")
    keras.utils.set_random_seed(check_seed("seed", seed))
    layers = keras.layers
    generator = keras.Sequential([
        keras.Input((latent_size,)), layers.Dense(7 * 7 * wide), layers.Reshape((7, 7, wide)),
        layers.BatchNormalization(), layers.ReLU(),
        layers.Conv2DTranspose(narrow, 4, strides=2, padding="same"),
        layers.BatchNormalization(), layers.ReLU(),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        layers.Reshape((28, 28))], name="generator")
    discriminator = keras.Sequential([
        keras.Input((28, 28)), layers.Reshape((28, 28, 1)),
        layers.Conv2D(narrow, 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Conv2D(wide, 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Flatten(), layers.Dense(1)], name="discriminator")
    return GAN(generator, discriminator, latent_size=latent_size, seed=seed)


class GANSnapshots(keras.callbacks.Callback):
    """Record, every ``every`` batches, the generated points and the discriminator's field.

    The points come from one fixed set of noise vectors, so snapshots can be compared;
    the field is the discriminator's probability "real" on a ``grid`` x ``grid`` mesh
    over [-extent, extent]^2. Introduced in 09_gans_and_diffusion.
    """

    def __init__(self, *, every: int = 20, num_points: int = 500, grid: int = 41,
                 extent: float = 3.0, seed: int = 0):
        super().__init__()
        self.every = check_int("every", every, minimum=1)
        self.grid = check_int("grid", grid, minimum=2, maximum=400)
        self.extent = check_float("extent", extent, minimum=0.0, open_min=True, maximum=1e6)
        self.num_points = check_int("num_points", num_points, minimum=1, maximum=100_000)
        self.seed = check_seed("seed", seed)
        axis = np.linspace(-self.extent, self.extent, self.grid, dtype=np.float32)
        self.mesh = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
        self.steps: list[int] = []
        self.points: list[np.ndarray] = []
        self.fields: list[np.ndarray] = []
        self.losses: list[tuple[float, float]] = []  # (d_loss, g_loss) so far in the epoch
        self._step = self._epoch_start = 0

    def _record(self, logs=None) -> None:
        logs = logs or {}
        self.losses.append((float(logs.get("d_loss", np.nan)), float(logs.get("g_loss", np.nan))))
        gan = self.model
        noise = np.random.default_rng(self.seed).normal(
            size=(self.num_points, gan.latent_size)).astype(np.float32)
        self.points.append(keras.ops.convert_to_numpy(gan.generator(noise, training=False)))
        logits = keras.ops.convert_to_numpy(gan.discriminator(self.mesh, training=False))
        self.fields.append((1.0 / (1.0 + np.exp(-logits))).reshape(self.grid, self.grid))
        self.steps.append(self._step)

    def on_train_begin(self, logs=None):
        if not self.steps:
            self._record()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = self._step

    def on_train_batch_end(self, batch, logs=None):
        # With several steps per call, Keras reports only the last batch index of each call
        # (even for an epoch's last, shorter call: clamped to the epoch's steps).
        self._step = self._epoch_start + min(batch + 1, self.params.get("steps") or batch + 1)
        if self._step - self.steps[-1] >= self.every:
            self._record(logs)

    def to_json(self) -> dict:
        """The settings and every snapshot as JSON data, for ``ae.remember``.

        The points and fields are float32, so as JSON numbers they read back exactly
        (``from_json``); a loss not known yet (before the first step) becomes ``None``.
        """
        return {"every": self.every, "num_points": self.num_points, "grid": self.grid,
                "extent": self.extent, "seed": self.seed, "steps": list(self.steps),
                "losses": [[None if np.isnan(v) else v for v in pair] for pair in self.losses],
                "points": [p.tolist() for p in self.points],
                "fields": [f.tolist() for f in self.fields]}

    @classmethod
    def from_json(cls, data) -> GANSnapshots:
        """Snapshots as ``to_json`` wrote them: the same steps, losses, points and fields."""
        names = ("every", "num_points", "grid", "extent", "seed", "steps", "losses", "points",
                 "fields")
        if not isinstance(data, dict) or set(data) != set(names):
            raise ValueError(f"data must be a dict with the keys {', '.join(names)} (what "
                             f"GANSnapshots.to_json returns), got {data!r:.80}")
        snapshots = cls(**{name: data[name] for name in names[:5]})
        counts = {len(data[name]) for name in names[5:]}
        if len(counts) != 1:
            raise ValueError(f"data must hold as many steps as losses, points and fields, got "
                             f"{[len(data[name]) for name in names[5:]]}")
        snapshots.steps = [check_int("a step", step, minimum=0) for step in data["steps"]]
        snapshots.losses = [tuple(np.nan if v is None else float(v) for v in pair)
                            for pair in data["losses"]]
        snapshots.points = [np.asarray(p, dtype=np.float32).reshape(snapshots.num_points, -1)
                            for p in data["points"]]
        snapshots.fields = [np.asarray(f, dtype=np.float32).reshape(snapshots.grid,
                                                                    snapshots.grid)
                            for f in data["fields"]]
        snapshots._step = snapshots.steps[-1] if snapshots.steps else 0
        return snapshots


class NoiseSchedule(NamedTuple):
    """A DDPM variance schedule: beta_t, and alpha-bar_t = prod(1 - beta_s, s <= t)."""

    betas: np.ndarray
    alphas_cumprod: np.ndarray

    @property
    def signal_to_noise(self) -> np.ndarray:
        """alpha-bar / (1 - alpha-bar): the signal's power over the noise's at each step."""
        return self.alphas_cumprod / (1.0 - self.alphas_cumprod)


def noise_schedule(steps: int = 50, *, beta_start: float = 1e-4,
                   beta_end: float = 0.2) -> NoiseSchedule:
    """Return a linear beta schedule of ``steps`` steps. Introduced in 09_gans_and_diffusion."""
    steps = check_int("steps", steps, minimum=1, maximum=100_000)
    beta_start = check_float("beta_start", beta_start, minimum=0.0, maximum=1.0, open_min=True,
                             open_max=True)
    beta_end = check_float("beta_end", beta_end, minimum=beta_start, maximum=1.0,
                           open_max=True)
    betas = np.linspace(beta_start, beta_end, steps)
    return NoiseSchedule(betas, np.cumprod(1.0 - betas))


def check_schedule(schedule: object) -> NoiseSchedule:
    """Return ``schedule`` if it is a :class:`NoiseSchedule`, else raise a TypeError naming it.

    Introduced in 09_gans_and_diffusion.
    """
    if not isinstance(schedule, NoiseSchedule):
        raise TypeError(f"schedule must come from ae.generators.noise_schedule, got "
                        f"{type(schedule).__name__}")
    return schedule


def diffuse(clean, steps, noise, schedule: NoiseSchedule) -> np.ndarray:
    """Jump straight to step t of the forward process: sqrt(a) * x0 + sqrt(1 - a) * noise.

    ``steps`` holds one step index per item (0 is the first noising step); ``a`` is
    alpha-bar at that step. Introduced in 09_gans_and_diffusion.
    """
    schedule = check_schedule(schedule)
    clean = check_array("clean", clean)
    noise = check_array("noise", noise)
    if noise.shape != clean.shape:
        raise ValueError(f"noise must have the shape of clean {clean.shape}, got {noise.shape}")
    steps = np.asarray(steps)
    if steps.shape != (len(clean),) or not np.issubdtype(steps.dtype, np.integer) or (
            steps.min() < 0 or steps.max() >= len(schedule.betas)):
        raise ValueError(f"steps must hold one step index (0 to {len(schedule.betas) - 1}) per "
                         f"item ({len(clean)}), got {steps!r:.80}")
    keep = schedule.alphas_cumprod[steps].reshape(-1, *[1] * (clean.ndim - 1))
    return (np.sqrt(keep) * clean + np.sqrt(1.0 - keep) * noise).astype(np.float32)


def denoising_pairs(clean, schedule: NoiseSchedule, *, num_pairs: int,
                    seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Return (noisy points with their step as a last column in [0, 1), the noise added).

    The training set of a toy denoiser that predicts the noise. Introduced in
    09_gans_and_diffusion.
    """
    schedule = check_schedule(schedule)
    clean = check_array("clean", clean, ndim=2)
    num_pairs = check_int("num_pairs", num_pairs, minimum=1, maximum=10_000_000)
    rng = np.random.default_rng(check_seed("seed", seed))
    chosen = clean[rng.integers(0, len(clean), num_pairs)]
    steps = rng.integers(0, len(schedule.betas), num_pairs)
    noise = rng.normal(size=chosen.shape).astype(np.float32)
    noisy = diffuse(chosen, steps, noise, schedule)
    position = (steps / len(schedule.betas)).astype(np.float32)[:, None]
    return np.concatenate([noisy, position], axis=1), noise


def build_toy_denoiser(*, dims: int = 2, hidden_units=(128, 128, 128),
                       seed: int = 42) -> keras.Sequential:
    """Build an MLP from (a noisy point of ``dims`` numbers, its step position) to the noise.

    ``dims`` is 2 for the ring; more for codings (diffusion in a latent space).
    Introduced in 09_gans_and_diffusion.
    """
    dims = check_int("dims", dims, minimum=1, maximum=4096)
    keras.utils.set_random_seed(check_seed("seed", seed))
    return _mlp("denoiser", dims + 1, dims, hidden_units)


def reverse_diffusion(denoiser: keras.Model, schedule: NoiseSchedule, *, num_points: int = 1000,
                      seed: int = 42, keep_every: int = 0) -> tuple[np.ndarray, list]:
    """Sample points: start from N(0, I) and take every reverse (DDPM) step back to 0.

    The points have as many numbers as ``denoiser`` outputs (2 for the ring; more for
    codings). Returns the final points and, if ``keep_every`` > 0, the points after every
    ``keep_every``-th step (from pure noise towards the data). Introduced in
    09_gans_and_diffusion.
    """
    from aehelpers.explore import call_traced
    from aehelpers.models import io_shapes

    schedule = check_schedule(schedule)
    if not isinstance(denoiser, keras.Model):
        raise TypeError(f"denoiser must be a Keras model, got {type(denoiser).__name__}")
    inputs, outputs = io_shapes(denoiser)
    if len(outputs) != 1 or len(outputs[0]) != 1 or inputs != [(outputs[0][0] + 1,)]:
        raise ValueError(f"denoiser must map d + 1 numbers (a point and its step position) to "
                         f"d numbers, as build_toy_denoiser does; got {inputs} -> {outputs}")
    dims = outputs[0][0]
    num_points = check_int("num_points", num_points, minimum=1, maximum=1_000_000)
    keep_every = check_int("keep_every", keep_every, minimum=0)
    rng = np.random.default_rng(check_seed("seed", seed))
    total = len(schedule.betas)
    points = rng.normal(size=(num_points, dims)).astype(np.float32)
    kept = [points.copy()] if keep_every else []
    for step in range(total - 1, -1, -1):
        position = np.full((num_points, 1), step / total, dtype=np.float32)
        noise = call_traced(denoiser, np.concatenate([points, position], axis=1))
        beta, keep = schedule.betas[step], schedule.alphas_cumprod[step]
        points = (points - beta / np.sqrt(1.0 - keep) * noise) / np.sqrt(1.0 - beta)
        if step > 0:
            points = points + np.sqrt(beta) * rng.normal(size=points.shape)
        points = points.astype(np.float32)
        if keep_every and (total - step) % keep_every == 0:
            kept.append(points.copy())
    return points, kept


# --- Fashion-MNIST: a noise-conditioned denoiser, sampled in a few steps -------------------

def to_signed(images) -> np.ndarray:
    """Map images in [0, 1] to [-1, 1], the range the GAN and diffusion models work in."""
    return (2.0 * check_images("images", images) - 1.0).astype(np.float32)


def to_images(signed) -> np.ndarray:
    """Map [-1, 1] images (a model's output, or noisy ones) to [0, 1], clipping what overshoots.

    Values beyond [-8, 8] are refused: not even pure Gaussian noise reaches there, so they
    are not [-1, 1] images at all (0-255 pixels, say).
    """
    signed = check_array("signed", signed, value_range=(-8.0, 8.0))
    return np.clip((signed + 1.0) / 2.0, 0.0, 1.0).astype(np.float32)


def build_image_denoiser(*, filters: tuple[int, int, int] = (16, 32, 64),
                         seed: int = 42) -> keras.Model:
    """Build a small U-Net from (noisy image, noise level) to a clean image or the noise.

    Input: 28x28x2, the noisy image and a constant plane holding its noise level
    sqrt(1 - alpha-bar); output: 28x28, the estimate (in [-1, 1] units, linear). Two stride-2 stages
    down (28, 14, 7) and back up, with skip connections at 28 and 14.
    Introduced in 09_gans_and_diffusion.
    """
    f28, f14, f7 = _sizes("filters", filters, 3, "28x28, 14x14 and 7x7 stages")
    keras.utils.set_random_seed(check_seed("seed", seed))
    layers = keras.layers

    def conv(units, **kwargs):
        return layers.Conv2D(units, 3, padding="same", activation="relu", **kwargs)

    inputs = keras.Input((28, 28, 2))
    top = conv(f28)(inputs)
    middle = conv(f14)(conv(f14, strides=2)(top))
    bottom = conv(f7)(conv(f7, strides=2)(middle))
    up = layers.Conv2DTranspose(f14, 3, strides=2, padding="same", activation="relu")(bottom)
    up = conv(f14)(layers.Concatenate()([up, middle]))
    up = layers.Conv2DTranspose(f28, 3, strides=2, padding="same", activation="relu")(up)
    up = conv(f28)(layers.Concatenate()([up, top]))
    noise = layers.Reshape((28, 28))(layers.Conv2D(1, 3, padding="same")(up))
    return keras.Model(inputs, noise, name="denoiser")


def _with_level(noisy, level):
    """Stack a noisy batch (n, 28, 28) with its noise level (n,) as a second channel."""
    ops = keras.ops
    plane = ops.ones_like(noisy) * ops.reshape(level, (-1, 1, 1))
    return ops.stack([noisy, plane], axis=-1)


DIFFUSION_TARGETS = ("clean", "noise", "velocity")


class DiffusionModel(keras.Model):
    """Train ``denoiser`` to undo the noise of images noised to a random step of ``schedule``.

    ``fit`` takes clean images in [0, 1]; each batch is mapped to [-1, 1], given a random
    step t and Gaussian noise, jumped to step t in closed form, and the denoiser is trained
    on the mean squared error of its estimate of ``target``: the clean image (a denoising
    autoencoder that knows the noise level) or the noise added (the usual DDPM choice).
    Introduced in 09_gans_and_diffusion.
    """

    def __init__(self, denoiser: keras.Model, schedule: NoiseSchedule, *, target: str = "clean",
                 seed: int = 42, **kwargs):
        super().__init__(**kwargs)
        from aehelpers.models import io_shapes

        if not isinstance(denoiser, keras.Model):
            raise TypeError(f"denoiser must be a Keras model, got {type(denoiser).__name__}")
        if io_shapes(denoiser) != ([(28, 28, 2)], [(28, 28)]):
            raise ValueError(f"denoiser must map (n, 28, 28, 2) inputs (noisy image, noise level) "
                             f"to (n, 28, 28) outputs, as build_image_denoiser does; got "
                             f"{io_shapes(denoiser)}")
        self.denoiser = denoiser
        self.target = check_choice("target", target, DIFFUSION_TARGETS)
        self.schedule = check_schedule(schedule)
        self._keep = np.asarray(schedule.alphas_cumprod, dtype=np.float32)
        self.noise = keras.random.SeedGenerator(check_seed("seed", seed))
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def compile(self, *, learning_rate: float = 2e-3, steps_per_execution: int = 8):
        """Compile with Adam at ``learning_rate`` (no loss argument: the model owns its loss)."""
        learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, open_min=True,
                                    maximum=10.0)
        super().compile(optimizer=keras.optimizers.Adam(learning_rate),
                        steps_per_execution=check_int("steps_per_execution",
                                                      steps_per_execution, minimum=1))

    @property
    def metrics(self):
        return [self.loss_tracker]

    def call(self, inputs, training=False):
        return self.denoiser(inputs, training=training)

    def _loss(self, data, training: bool):
        ops = keras.ops
        clean = keras.utils.unpack_x_y_sample_weight(data)[0]
        signed = 2.0 * ops.cast(clean, "float32") - 1.0
        count = ops.shape(signed)[0]
        steps = keras.random.randint((count,), 0, len(self._keep), seed=self.noise)
        keep = ops.take(ops.convert_to_tensor(self._keep), steps)
        noise = keras.random.normal(ops.shape(signed), seed=self.noise)
        scale = ops.reshape(keep, (-1, 1, 1))
        noisy = ops.sqrt(scale) * signed + ops.sqrt(1.0 - scale) * noise
        guess = self.denoiser(_with_level(noisy, ops.sqrt(1.0 - keep)), training=training)
        root_keep, root_rest = ops.sqrt(scale), ops.sqrt(1.0 - scale)
        wanted = {"clean": signed, "noise": noise,
                  "velocity": root_keep * noise - root_rest * signed}[self.target]
        return ops.mean(ops.square(guess - wanted))

    def train_step(self, data):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = self._loss(data, training=True)
        weights = self.denoiser.trainable_weights
        self.optimizer.apply(tape.gradient(loss, weights), weights)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data):
        self.loss_tracker.update_state(self._loss(data, training=False))
        return {"loss": self.loss_tracker.result()}


def build_image_diffusion(*, steps: int = 50, beta_end: float = 0.2,
                          filters: tuple[int, int, int] = (16, 32, 64), target: str = "clean",
                          seed: int = 42) -> DiffusionModel:
    """Build a :class:`DiffusionModel` with a linear schedule of ``steps`` steps.

    Introduced in 09_gans_and_diffusion.
    """
    schedule = noise_schedule(steps, beta_end=beta_end)
    return DiffusionModel(build_image_denoiser(filters=filters, seed=seed), schedule,
                          target=target, seed=seed)


def _clean_estimate(target: str, guess, noisy, root_keep: float, root_rest: float):
    """The clean image a denoiser's ``guess`` implies, for each training target."""
    if target == "clean":
        return guess
    if target == "noise":  # noisy = root_keep * clean + root_rest * noise
        return (noisy - root_rest * guess) / root_keep
    return root_keep * noisy - root_rest * guess  # velocity = root_keep noise - root_rest clean


def sample_diffusion(model: DiffusionModel, *, num_images: int = 16, sampling_steps: int = 10,
                     randomness: float = 0.0, seed: int = 42,
                     keep_every: int = 0) -> tuple[np.ndarray, list]:
    """Generate images from pure noise in ``sampling_steps`` steps (DDIM; DDPM-like when random).

    The steps are an evenly spaced subset of the schedule's, from the noisiest down. Each
    calls the denoiser once for its estimate of the clean image (directly, or implied
    by its estimate of the noise or velocity; clipped to [-1, 1]) and moves to the next,
    lower noise level: that estimate plus the noise it implies, scaled for the new level.
    ``randomness`` (eta) replaces a share of that noise with fresh noise: 0 is the
    deterministic DDIM sampler, 1 matches DDPM's ancestral sampling. Returns images in
    [0, 1] and, if ``keep_every`` > 0, the clean estimates after every ``keep_every``-th
    step. Introduced in 09_gans_and_diffusion.
    """
    from aehelpers.explore import call_traced

    if not isinstance(model, DiffusionModel):
        raise TypeError(f"model must be an ae.generators.DiffusionModel, got "
                        f"{type(model).__name__}")
    num_images = check_int("num_images", num_images, minimum=1, maximum=100_000)
    total = len(model.schedule.betas)
    sampling_steps = check_int("sampling_steps", sampling_steps, minimum=1, maximum=total)
    randomness = check_float("randomness", randomness, minimum=0.0, maximum=1.0)
    keep_every = check_int("keep_every", keep_every, minimum=0)
    rng = np.random.default_rng(check_seed("seed", seed))
    keep = model.schedule.alphas_cumprod
    times = np.unique(np.linspace(0, total - 1, sampling_steps).round().astype(int))[::-1]
    noisy = rng.normal(size=(num_images, 28, 28)).astype(np.float32)
    kept = []
    for index, step in enumerate(times):
        level = np.full(num_images, np.sqrt(1.0 - keep[step]), dtype=np.float32)
        inputs = np.stack([noisy, np.broadcast_to(level[:, None, None], noisy.shape)], axis=-1)
        guess = call_traced(model.denoiser, inputs)
        root_keep, root_rest = np.sqrt(keep[step]), np.sqrt(1.0 - keep[step])
        clean = np.clip(_clean_estimate(model.target, guess, noisy, root_keep, root_rest),
                        -1.0, 1.0)
        noise = (noisy - root_keep * clean) / root_rest  # the noise that clean implies
        following = keep[times[index + 1]] if index + 1 < len(times) else 1.0
        fresh = randomness * np.sqrt((1.0 - following) / (1.0 - keep[step])
                                     * (1.0 - keep[step] / following))
        noisy = (np.sqrt(following) * clean + np.sqrt(max(1.0 - following - fresh ** 2, 0.0))
                 * noise + fresh * rng.normal(size=noisy.shape)).astype(np.float32)
        if keep_every and (index + 1) % keep_every == 0:
            kept.append(to_images(clean))
    return to_images(noisy), kept


def sample_gan(gan: GAN, *, num_images: int = 16, seed: int = 42) -> np.ndarray:
    """Generate images with ``gan``'s generator from seeded N(0, I) noise, in [0, 1].

    Introduced in 09_gans_and_diffusion.
    """
    from aehelpers.explore import call_traced
    from aehelpers.models import io_shapes

    if not isinstance(gan, GAN):
        raise TypeError(f"gan must be an ae.generators.GAN, got {type(gan).__name__}")
    if io_shapes(gan.generator)[1] != [(28, 28)]:
        raise ValueError(f"gan must generate 28x28 images (as build_dcgan does), got outputs "
                         f"{io_shapes(gan.generator)[1]}; for 2-D points call its generator")
    num_images = check_int("num_images", num_images, minimum=1, maximum=100_000)
    noise = np.random.default_rng(check_seed("seed", seed)).normal(
        size=(num_images, gan.latent_size)).astype(np.float32)
    return to_images(call_traced(gan.generator, noise))


# --- The classifier whose features compare generators --------------------------------------

FEATURE_LAYER = "features"
# Per classifier, its feature extractor (built once; forgotten with the classifier).
_FEATURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def build_feature_classifier(*, hidden_units: tuple[int, int] = (256, 64),
                             seed: int = 42) -> keras.Sequential:
    """Build a dense Fashion-MNIST classifier whose layer ``"features"`` describes an image.

    784 pixels -> ReLU layers of ``hidden_units`` (the last is the features layer) ->
    10 class logits. Introduced in 09_gans_and_diffusion.
    """
    wide, narrow = _sizes("hidden_units", hidden_units, 2, "hidden layer sizes", maximum=4096)
    keras.utils.set_random_seed(check_seed("seed", seed))
    layers = keras.layers
    return keras.Sequential([
        keras.Input((28, 28)), layers.Flatten(), layers.Dense(wide, activation="relu"),
        layers.Dense(narrow, activation="relu", name=FEATURE_LAYER), layers.Dense(10)],
        name="feature_classifier")


def image_features(classifier: keras.Model, images, *, batch_size: int = 1000) -> np.ndarray:
    """Return the feature-layer outputs of ``classifier`` for ``images`` (one row per image).

    Introduced in 09_gans_and_diffusion.
    """
    from aehelpers.explore import call_traced

    if not isinstance(classifier, keras.Model) or FEATURE_LAYER not in [
            layer.name for layer in getattr(classifier, "layers", [])]:
        raise TypeError(f"classifier must come from ae.generators.build_feature_classifier (a "
                        f"model with a layer named {FEATURE_LAYER!r}), got "
                        f"{type(classifier).__name__}")
    from aehelpers.models import io_shapes

    if io_shapes(classifier)[0] != [(28, 28)]:
        raise ValueError(f"classifier must take 28x28 images, got inputs "
                         f"{io_shapes(classifier)[0]}")
    images = check_images("images", images)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    extractor = _FEATURES.get(classifier)
    if extractor is None:
        extractor = keras.Model(classifier.inputs, classifier.get_layer(FEATURE_LAYER).output)
        _FEATURES[classifier] = extractor
    return np.concatenate([call_traced(extractor, images[i:i + batch_size])
                           for i in range(0, len(images), batch_size)])



# --- Training with the cache ------------------------------------------------------------------

class TrainedGenerator(NamedTuple):
    """A trained (or cached) chapter-09 model and its training history."""

    model: keras.Model
    history: dict
    seconds: float
    from_cache: bool


_BUILDERS = {"dcgan": build_dcgan, "diffusion": build_image_diffusion,
             "feature_classifier": build_feature_classifier}


class _LossSteps(keras.callbacks.Callback):
    """Record the mean of each logged loss over every ``every`` training steps.

    Keras logs running means over the epoch so far; the mean over steps k+1..m is
    (m * mean_m - k * mean_k) / (m - k).
    """

    def __init__(self, every: int):
        super().__init__()
        self.every = every
        self.steps: list[int] = []
        self.means: dict[str, list[float]] = {}
        self._done = self._epoch_start = 0
        self._last: tuple[int, dict] = (0, {})

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = self._done
        self._last = (0, {})

    def on_train_batch_end(self, batch, logs=None):
        # Keras reports the last batch index of each call of steps_per_execution steps, even
        # for an epoch's last, shorter call: clamp to the steps the epoch has.
        seen = min(batch + 1, self.params.get("steps") or batch + 1)
        if seen - self._last[0] < self.every:
            return
        before, previous = self._last
        for key, value in (logs or {}).items():
            total = seen * float(value) - before * previous.get(key, 0.0)
            self.means.setdefault(key, []).append(total / (seen - before))
        self._last = (seen, {k: float(v) for k, v in (logs or {}).items()})
        self._done = self._epoch_start + seen
        self.steps.append(self._done)


def train_generator(name: str, data, *, profile=None, use_cache: bool = True,
                    verbose: bool = True, seed: int = 42, **builder_kwargs) -> TrainedGenerator:
    """Build chapter 09's model ``name`` (see ``ae.registry.GENERATORS``); load it or train it.

    ``"dcgan"`` and ``"diffusion"`` train on ``data.x_train`` without labels (whole batches
    of it: the last few images that do not fill one are left out);
    ``"feature_classifier"`` on the labels too. Cached like ``ae.train_autoencoder``.
    The history holds the per-epoch logs and, under ``"steps"``, the mean losses over
    stretches of training steps. Introduced in 09_gans_and_diffusion.
    """
    from aehelpers import cache
    from aehelpers.profiles import get_profile
    from aehelpers.registry import GENERATORS
    from aehelpers.training import STEPS_PER_EXECUTION, EpochPrinter
    from aehelpers.zoo import run_cached, training_request

    name = check_choice("name", name, tuple(GENERATORS))
    builder = _BUILDERS[name]

    parameters = inspect.signature(builder).parameters
    accepted = [k for k, p in parameters.items() if p.kind is p.KEYWORD_ONLY and k != "seed"]
    unknown = sorted(set(builder_kwargs) - set(accepted))
    if unknown:
        raise TypeError(f"unexpected argument(s) {unknown} for model {name!r}; it accepts "
                        f"{accepted}")
    # Defaults filled in: a changed default is a changed model, and so a changed cache key.
    arguments = {k: builder_kwargs.get(k, parameters[k].default) for k in accepted}
    arguments = {k: list(v) if isinstance(v, tuple) else v for k, v in arguments.items()}
    run_profile = get_profile(profile)
    request = training_request(data, run_profile, seed, arguments=arguments,
                               profile_key=GENERATORS[name], trainer=name)
    settings = run_profile.training(GENERATORS[name])
    if name == "feature_classifier":
        request["labels"] = cache.fingerprint(*_labels(data))

    def build():
        keras.backend.clear_session()
        return builder(**builder_kwargs, seed=request["seed"])

    def train(model):
        steps = _LossSteps(every=max(1, len(data.x_train) // settings.batch_size // 20))
        callbacks = ([EpochPrinter(settings.epochs)] if verbose else []) + [steps]
        common = dict(epochs=settings.epochs, batch_size=settings.batch_size, verbose=0,
                      callbacks=callbacks)
        # Whole batches only: a last, smaller batch would cost a second trace of the
        # training step (seconds) for a few images.
        x_train = data.x_train[:max(settings.batch_size,
                                    len(data.x_train) // settings.batch_size
                                    * settings.batch_size)]
        if name == "dcgan":
            model.compile(learning_rate=settings.learning_rate,
                          steps_per_execution=STEPS_PER_EXECUTION)
            history = model.fit(to_signed(x_train), **common)
        elif name == "diffusion":
            model.compile(learning_rate=settings.learning_rate,
                          steps_per_execution=STEPS_PER_EXECUTION)
            history = model.fit(x_train, **common)
        else:
            _compile_classifier(model, settings.learning_rate)
            y_train, y_valid = _labels(data)
            history = model.fit(data.x_train, y_train, validation_data=(data.x_valid, y_valid),
                                **common)
        logs = {k: [float(v) for v in values] for k, values in history.history.items()}
        return {**logs, "steps": {"step": steps.steps, **steps.means}}

    model, history, seconds, from_cache = run_cached(name, request, build, train,
                                                     use_cache=use_cache, verbose=verbose)
    if from_cache and name == "feature_classifier":
        _compile_classifier(model, settings.learning_rate)
    return TrainedGenerator(model, history, seconds, from_cache)


def _labels(data) -> tuple[np.ndarray, np.ndarray]:
    """Check ``data.y_train`` and ``data.y_valid``: one class index (0-9) per image."""
    labels = []
    for attribute, images in (("y_train", "x_train"), ("y_valid", "x_valid")):
        values = getattr(data, attribute, None)
        array = np.asarray(values) if isinstance(values, np.ndarray | list | tuple) else None
        if array is None or array.shape != (len(getattr(data, images)),) or not (
                np.issubdtype(array.dtype, np.integer) and array.min() >= 0 and array.max() <= 9):
            raise ValueError(f"data.{attribute} must hold one class index (an integer 0-9) per "
                             f"image of data.{images}, as ae.load_fashion_mnist gives; got "
                             f"{type(values).__name__} {getattr(array, 'shape', '')}")
        labels.append(array)
    return labels[0], labels[1]


def _compile_classifier(model: keras.Model, learning_rate: float) -> None:
    from aehelpers.training import STEPS_PER_EXECUTION

    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], steps_per_execution=STEPS_PER_EXECUTION)
