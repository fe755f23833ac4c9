"""Chapter 09's building blocks: a Keras-3-native GAN step and the diffusion process."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import aehelpers as ae
from aehelpers import generators


def _distance_to_ring(points: np.ndarray, radius: float = 2.0) -> float:
    return float(np.mean(np.abs(np.linalg.norm(points, axis=1) - radius)))


def _modes_hit(points: np.ndarray, modes: int = 8) -> np.ndarray:
    nearest = np.round(np.arctan2(points[:, 1], points[:, 0]) / (2 * np.pi / modes)) % modes
    return np.bincount(nearest.astype(int), minlength=modes)


def test_ring_of_gaussians_puts_points_on_the_ring_at_every_mode():
    """Every point lies near radius 2, at one of 8 evenly spaced angles, all 8 used."""
    points = generators.ring_of_gaussians(4000, spread=0.05, seed=0)
    assert points.shape == (4000, 2) and points.dtype == np.float32
    assert _distance_to_ring(points) < 0.06
    assert (_modes_hit(points) > 350).all()


def test_gan_training_moves_the_generator_onto_the_ring_and_logs_both_losses():
    """A few hundred steps take generated points from far off to near the ring (Keras 3 fit)."""
    data = generators.ring_of_gaussians(4096, seed=0)
    gan = generators.build_toy_gan(seed=0)
    gan.compile(learning_rate=1e-3)
    noise = np.random.default_rng(1).normal(size=(1000, 2)).astype("float32")
    before = _distance_to_ring(np.asarray(gan.generator(noise)))
    d_weights = [w.numpy().copy() for w in gan.discriminator.trainable_weights]
    snapshots = generators.GANSnapshots(every=64, grid=11)
    history = gan.fit(data, batch_size=128, epochs=12, verbose=0, callbacks=[snapshots])
    after_points = np.asarray(gan.generator(noise))
    assert before > 1.0 and _distance_to_ring(after_points) < 0.5 * before
    assert set(history.history) == {"d_loss", "g_loss"}
    assert all(np.isfinite(history.history["d_loss"] + history.history["g_loss"]))
    assert any(not np.allclose(a, w.numpy()) for a, w in
               zip(d_weights, gan.discriminator.trainable_weights, strict=True))
    # 12 epochs x 32 batches = 384 steps: a snapshot at step 0 and every 64 steps after.
    assert snapshots.steps[0] == 0 and snapshots.steps[-1] == 384
    assert len(snapshots.steps) == 7 and np.all(np.diff(snapshots.steps) >= 64)
    assert snapshots.fields[0].shape == (11, 11)
    assert all(0.0 <= f.min() and f.max() <= 1.0 for f in snapshots.fields)
    np.testing.assert_allclose(snapshots.points[-1], np.asarray(gan.generator(
        np.random.default_rng(0).normal(size=(500, 2)).astype("float32"))), atol=1e-5)


def test_gan_rejects_models_that_are_not_keras_models():
    """Generator and discriminator must be Keras models; the error names which."""
    with pytest.raises(TypeError, match="discriminator must be a Keras model"):
        generators.GAN(keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)]), "d",
                       latent_size=2)


def test_noise_schedule_matches_its_formula():
    """alpha-bar_t is the running product of (1 - beta); SNR falls at every step."""
    schedule = generators.noise_schedule(10, beta_start=0.01, beta_end=0.5)
    np.testing.assert_allclose(schedule.betas, 0.01 + np.arange(10) * 0.49 / 9)
    product = 1.0
    for step, beta in enumerate(schedule.betas):
        product *= 1.0 - beta
        assert schedule.alphas_cumprod[step] == pytest.approx(product)
    assert np.all(np.diff(schedule.signal_to_noise) < 0)
    with pytest.raises(ValueError, match="beta_end"):
        generators.noise_schedule(10, beta_start=0.1, beta_end=0.05)


def test_diffuse_gives_the_forward_process_mean_and_variance():
    """x_t has mean sqrt(a) x0 and variance 1 - a at step t, measured over many draws."""
    schedule = generators.noise_schedule(50)
    rng = np.random.default_rng(0)
    clean = np.tile(np.array([[1.5, -0.5]], dtype="float32"), (200_000, 1))
    for step in (0, 25, 49):
        noisy = generators.diffuse(clean, np.full(len(clean), step), rng.normal(
            size=clean.shape).astype("float32"), schedule)
        keep = schedule.alphas_cumprod[step]
        np.testing.assert_allclose(noisy.mean(axis=0), np.sqrt(keep) * clean[0], atol=0.01)
        np.testing.assert_allclose(noisy.var(axis=0), 1.0 - keep, atol=0.01)
    with pytest.raises(ValueError, match="steps must hold one step index"):
        generators.diffuse(clean[:4], np.array([0, 1, 2, 50]), np.zeros((4, 2)), schedule)


def test_toy_diffusion_samples_land_on_the_ring():
    """A denoiser trained for a few seconds turns N(0, I) noise into points on the ring."""
    schedule = generators.noise_schedule(50)
    data = generators.ring_of_gaussians(20_000, seed=0)
    inputs, noise = generators.denoising_pairs(data, schedule, num_pairs=100_000, seed=0)
    assert inputs.shape == (100_000, 3) and 0.0 <= inputs[:, 2].min() < inputs[:, 2].max() < 1
    denoiser = generators.build_toy_denoiser(seed=0)
    denoiser.compile(keras.optimizers.Adam(2e-3), "mse", steps_per_execution=16)
    denoiser.fit(inputs, noise, batch_size=256, epochs=4, verbose=0)
    start = np.random.default_rng(3).normal(size=(1000, 2))
    points, kept = generators.reverse_diffusion(denoiser, schedule, num_points=1000, seed=3,
                                                keep_every=10)
    assert _distance_to_ring(start) > 0.7
    assert _distance_to_ring(points) < 0.25
    assert (_modes_hit(points) > 50).all(), "every mode gets samples"
    assert len(kept) == 6 and np.allclose(kept[0], start.astype("float32"))
    np.testing.assert_allclose(kept[-1], points)


def test_generators_is_reachable_from_the_package():
    """``ae.generators`` loads lazily like the other submodules."""
    assert ae.generators is generators


def _png(explorer) -> bytes:
    import base64

    return base64.b64decode(explorer.output.outputs[0]["data"]["image/png"])


def test_trajectory_explorer_steps_through_gan_snapshots_with_their_fields():
    """Each snapshot shows its points and field; the readout's share is measured from it."""
    data = generators.ring_of_gaussians(1024, seed=0)
    gan = generators.build_toy_gan(hidden_units=(16,), seed=0)
    gan.compile()
    snapshots = generators.GANSnapshots(every=8, grid=9, num_points=50)
    gan.fit(data, batch_size=128, epochs=3, verbose=0, callbacks=[snapshots])
    assert len(snapshots.losses) == len(snapshots.steps)
    assert np.isnan(snapshots.losses[0][0]) and np.isfinite(snapshots.losses[-1]).all()
    labels = [f"step {s}" for s in snapshots.steps]
    explorer = ae.widgets.trajectory_explorer(snapshots.points, data, labels=labels,
                                              fields=snapshots.fields)
    assert sorted(explorer._drawn) == list(range(len(labels)))
    first = _png(explorer)
    last = len(labels) - 1
    explorer.controls["snapshot"].value = last
    assert _png(explorer) != first
    np.testing.assert_array_equal(explorer.images["points"], snapshots.points[last])
    share = np.mean(snapshots.fields[last] > 0.5)
    assert explorer.readout.value == (f"snapshot <b>{labels[last]}</b>; the discriminator "
                                      f"calls {share:.0%} of the plane real")


def test_trajectory_explorer_without_fields_and_its_bad_input():
    """Reverse-diffusion frames need no field; mismatched labels or fields are named."""
    frames = [np.zeros((5, 2)), np.ones((5, 2))]
    explorer = ae.widgets.trajectory_explorer(frames, np.zeros((3, 2)), labels=["a", "b"])
    explorer.controls["snapshot"].value = 1
    np.testing.assert_array_equal(explorer.images["points"], np.ones((5, 2)))
    assert explorer.readout.value == "snapshot <b>b</b>"
    with pytest.raises(ValueError, match="labels"):
        ae.widgets.trajectory_explorer(frames, np.zeros((3, 2)), labels=["a"])
    with pytest.raises(TypeError, match="fields must be a list"):
        ae.widgets.trajectory_explorer(frames, np.zeros((3, 2)), labels=["a", "b"],
                                       fields=[np.zeros((4, 4))])
    with pytest.raises(TypeError, match="frames must be a non-empty list"):
        ae.widgets.trajectory_explorer(np.zeros((5, 2)), np.zeros((3, 2)), labels=["a"])


def test_diffusion_explorer_shows_the_forward_formula_at_each_step(images):
    """The noisy image is sqrt(a) x0 + sqrt(1 - a) noise in [-1, 1], shown back in [0, 1]."""
    schedule = generators.noise_schedule(20)
    explorer = ae.widgets.diffusion_explorer(images, schedule, seed=5)
    noise = np.random.default_rng(5).normal(size=images.shape).astype("float32")
    for step, index in ((0, 0), (10, 3), (19, 3)):
        with explorer.hold():
            explorer.controls["step"].value = step
            explorer.controls["image"].value = index
        keep = schedule.alphas_cumprod[step]
        expected = np.sqrt(keep) * (2 * images[index] - 1) + np.sqrt(1 - keep) * noise[index]
        np.testing.assert_allclose(explorer.images["noisy"], np.clip((expected + 1) / 2, 0, 1),
                                   atol=1e-5)
        assert f"step {step}: signal kept sqrt(a) = <b>{np.sqrt(keep):.3f}</b>" in (
            explorer.readout.value)
    with pytest.raises(TypeError, match="schedule must come from"):
        ae.widgets.diffusion_explorer(images, schedule.betas)


def test_dcgan_maps_noise_to_images_and_one_epoch_trains_both_networks():
    """28x28 outputs in [-1, 1], one logit per image; a short fit changes both networks."""
    gan = generators.build_dcgan(latent_size=8, filters=(16, 8), seed=0)
    noise = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    images = np.asarray(gan.generator(noise))
    assert images.shape == (4, 28, 28) and -1.0 <= images.min() and images.max() <= 1.0
    assert np.asarray(gan.discriminator(images)).shape == (4, 1)
    before = [np.asarray(w).copy() for w in (gan.generator.trainable_weights[0],
                                             gan.discriminator.trainable_weights[0])]
    real = np.random.default_rng(1).random((256, 28, 28)).astype("float32") * 2 - 1
    gan.compile(learning_rate=2e-4)
    history = gan.fit(real, batch_size=64, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"] + history.history["g_loss"]).all()
    after = (gan.generator.trainable_weights[0], gan.discriminator.trainable_weights[0])
    assert all(not np.allclose(b, np.asarray(a)) for b, a in zip(before, after, strict=True))
    with pytest.raises(ValueError, match="filters must hold 2 integers"):
        generators.build_dcgan(filters=(8,))


def test_gan_snapshots_read_back_exactly_from_a_remembered_result():
    """Through ae.remember's JSON file: the same steps, losses (NaN first), points, fields."""
    data = generators.ring_of_gaussians(512, seed=0)
    gan = generators.build_toy_gan(hidden_units=(16,), seed=0)
    gan.compile()
    snapshots = generators.GANSnapshots(every=4, grid=7, num_points=20, extent=2.5, seed=3)
    gan.fit(data, batch_size=128, epochs=2, verbose=0, callbacks=[snapshots])
    assert len(snapshots.steps) == 3  # steps 0, 4 and 8
    first = ae.remember("snapshots_test", snapshots.to_json, verbose=False)
    again = ae.remember("snapshots_test", snapshots.to_json, verbose=False)
    assert not first.from_cache and again.from_cache
    back = generators.GANSnapshots.from_json(again.result)
    assert (back.every, back.grid, back.num_points, back.extent, back.seed) == (4, 7, 20, 2.5, 3)
    assert back.steps == snapshots.steps == [0, 4, 8]
    np.testing.assert_array_equal(np.array(back.losses), np.array(snapshots.losses))
    for name in ("points", "fields"):
        for restored, recorded in zip(getattr(back, name), getattr(snapshots, name), strict=True):
            assert restored.dtype == recorded.dtype == np.float32
            np.testing.assert_array_equal(restored, recorded)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("fields"), "keys every, num_points"),
    (lambda d: d["points"].pop(), r"as many steps as losses, points and fields, got "
                                  r"\[3, 3, 2, 3\]"),
    (lambda d: d.update(grid=0), "grid must be"),
    (lambda d: d["steps"].__setitem__(1, -4), "a step must be"),
])
def test_gan_snapshots_from_json_names_what_is_wrong(change, message):
    snapshots = generators.GANSnapshots(every=4, grid=3, num_points=2)
    snapshots.steps = [0, 4, 8]
    snapshots.losses = [(np.nan, np.nan), (0.5, 0.7), (0.6, 0.8)]
    snapshots.points = [np.zeros((2, 2), np.float32)] * 3
    snapshots.fields = [np.zeros((3, 3), np.float32)] * 3
    data = snapshots.to_json()
    change(data)
    with pytest.raises((ValueError, TypeError), match=message):
        generators.GANSnapshots.from_json(data)
