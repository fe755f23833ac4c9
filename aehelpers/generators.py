"""GANs and diffusion on toy data, Keras-3 native: the first pieces of the planned chapter 09.

A GAN here is a ``keras.Model`` whose ``train_step`` updates the discriminator, then the
generator, each with its own optimizer and ``GradientTape``; nothing is frozen or
recompiled between the two (the pattern that fails on Keras 3 in older material). The
diffusion helpers are the forward process in closed form and ancestral (DDPM) sampling.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
import numpy as np

from aehelpers._validate import check_array, check_float, check_int, check_seed


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
    if not isinstance(filters, list | tuple) or len(filters) != 2:
        raise ValueError(f"filters must hold 2 integers (7x7 and 14x14 stages), got {filters!r}")
    wide, narrow = (check_int(f"filters[{i}]", f, minimum=1, maximum=1024)
                    for i, f in enumerate(filters))
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
        # With several steps per call, Keras reports only the last batch index of each call.
        self._step = self._epoch_start + batch + 1
        if self._step - self.steps[-1] >= self.every:
            self._record(logs)


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


def _schedule(value: object) -> NoiseSchedule:
    if not isinstance(value, NoiseSchedule):
        raise TypeError(f"schedule must come from ae.generators.noise_schedule, got "
                        f"{type(value).__name__}")
    return value


def diffuse(clean, steps, noise, schedule: NoiseSchedule) -> np.ndarray:
    """Jump straight to step t of the forward process: sqrt(a) * x0 + sqrt(1 - a) * noise.

    ``steps`` holds one step index per item (0 is the first noising step); ``a`` is
    alpha-bar at that step. Introduced in 09_gans_and_diffusion.
    """
    schedule = _schedule(schedule)
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
    schedule = _schedule(schedule)
    clean = check_array("clean", clean, ndim=2)
    num_pairs = check_int("num_pairs", num_pairs, minimum=1, maximum=10_000_000)
    rng = np.random.default_rng(check_seed("seed", seed))
    chosen = clean[rng.integers(0, len(clean), num_pairs)]
    steps = rng.integers(0, len(schedule.betas), num_pairs)
    noise = rng.normal(size=chosen.shape).astype(np.float32)
    noisy = diffuse(chosen, steps, noise, schedule)
    position = (steps / len(schedule.betas)).astype(np.float32)[:, None]
    return np.concatenate([noisy, position], axis=1), noise


def build_toy_denoiser(*, hidden_units=(128, 128, 128), seed: int = 42) -> keras.Sequential:
    """Build an MLP from (x, y, step position) to the predicted noise (2 numbers).

    Introduced in 09_gans_and_diffusion.
    """
    keras.utils.set_random_seed(check_seed("seed", seed))
    return _mlp("denoiser", 3, 2, hidden_units)


def reverse_diffusion(denoiser: keras.Model, schedule: NoiseSchedule, *, num_points: int = 1000,
                      seed: int = 42, keep_every: int = 0) -> tuple[np.ndarray, list]:
    """Sample 2-D points: start from N(0, I) and take every reverse (DDPM) step back to 0.

    Returns the final points and, if ``keep_every`` > 0, the points after every
    ``keep_every``-th step (from pure noise towards the data). Introduced in
    09_gans_and_diffusion.
    """
    from aehelpers.explore import call_traced

    schedule = _schedule(schedule)
    if not isinstance(denoiser, keras.Model):
        raise TypeError(f"denoiser must be a Keras model, got {type(denoiser).__name__}")
    num_points = check_int("num_points", num_points, minimum=1, maximum=1_000_000)
    keep_every = check_int("keep_every", keep_every, minimum=0)
    rng = np.random.default_rng(check_seed("seed", seed))
    total = len(schedule.betas)
    points = rng.normal(size=(num_points, 2)).astype(np.float32)
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
