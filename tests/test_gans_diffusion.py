"""Chapter 09's image generators: the Fréchet distance, mode coverage, the image diffusion
model and its sampler, the DCGAN sampler, the feature classifier, the cache and the exercises.

Expected numbers come from independent computations: closed forms for Gaussians, SciPy's
matrix square root, NumPy re-implementations of small networks, and denoisers built by
hand whose right answer is known.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from scipy.linalg import hadamard, sqrtm
from test_exercises_protocol import assert_protocol

from aehelpers import exercises, generators, metrics
from aehelpers.data import FashionMNIST
from aehelpers.profiles import get_profile

SMALL_FILTERS = (4, 8, 8)


@pytest.fixture(autouse=True)
def _fresh_tries():
    exercises.reset_tries()
    yield
    exercises.reset_tries()


@pytest.fixture(scope="module")
def small(data):
    """512 training and 128 validation Fashion-MNIST images of the ci profile, with labels."""
    return FashionMNIST(data.x_train[:512], data.y_train[:512], data.x_valid[:128],
                        data.y_valid[:128], data.x_test[:8], data.y_test[:8])


@pytest.fixture()
def private_cache(cache, monkeypatch):
    """An empty private cache and no shared one, so every model trains once here."""
    monkeypatch.delenv("AEHELPERS_SHARED_CACHE_DIR", raising=False)
    return cache


@pytest.fixture()
def untrained_diffusion():
    return generators.build_image_diffusion(filters=SMALL_FILTERS, seed=0)


def _frechet_scipy(a, b) -> float:
    """The textbook formula with SciPy's general matrix square root."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    root = sqrtm(cov_a @ cov_b).real
    return float(np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def _centres(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


# --- metrics.frechet_distance ----------------------------------------------------------------

def test_frechet_distance_of_a_set_to_itself_is_zero():
    features = np.random.default_rng(0).normal(size=(400, 16)) * 3 + 1
    assert metrics.frechet_distance(features, features) == pytest.approx(0.0, abs=1e-9)
    assert metrics.frechet_distance(features, features.copy()) == pytest.approx(0.0, abs=1e-9)


def test_frechet_distance_of_uncorrelated_features_is_the_diagonal_closed_form():
    """Columns of a Hadamard matrix are exactly uncorrelated, so each sample covariance is
    diagonal and the distance is |mu_a - mu_b|^2 + sum (sigma_a - sigma_b)^2, by hand."""
    design = hadamard(16)[:, 1:].astype(np.float64)  # zero-mean, orthogonal columns
    scale_a, scale_b = np.array([1.0, 2.0, 0.5]), np.array([1.5, 1.0, 0.5])
    mean_a, mean_b = np.array([0.0, 1.0, 2.0]), np.array([0.5, 1.0, 1.0])
    a = design[:, :3] * scale_a + mean_a
    b = design[:, 3:6] * scale_b + mean_b
    std_a = scale_a * np.sqrt(16 / 15)  # sample std (ddof 1) of a +-1 column of 16 rows
    std_b = scale_b * np.sqrt(16 / 15)
    expected = np.sum((mean_a - mean_b) ** 2) + np.sum((std_a - std_b) ** 2)
    assert metrics.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
    # One feature: (mean_a - mean_b)^2 + (std_a - std_b)^2 with NumPy's own statistics.
    x = np.array([[0.0], [1.0], [5.0], [2.0]])
    y = np.array([[3.0], [3.5], [-1.0]])
    by_hand = (x.mean() - y.mean()) ** 2 + (x.std(ddof=1) - y.std(ddof=1)) ** 2
    assert metrics.frechet_distance(x, y) == pytest.approx(by_hand, rel=1e-9)


def test_frechet_distance_of_large_gaussian_samples_nears_the_population_value():
    """N(mu_a, diag sigma_a^2) against N(mu_b, diag sigma_b^2): 1.25 from the means and
    0.25 + 1 from the spreads, 2.5 in all."""
    rng = np.random.default_rng(1)
    a = rng.normal([0.0, 1.0, 2.0], [1.0, 2.0, 0.5], size=(200_000, 3))
    b = rng.normal([0.5, 1.0, 1.0], [1.5, 1.0, 0.5], size=(200_000, 3))
    assert metrics.frechet_distance(a, b) == pytest.approx(2.5, rel=0.02)


def test_frechet_distance_matches_scipy_sqrtm_on_correlated_features():
    rng = np.random.default_rng(2)
    for dims in (2, 5, 12):
        a = rng.normal(size=(300, dims)) @ rng.normal(size=(dims, dims)) + rng.normal(size=dims)
        b = rng.normal(size=(250, dims)) @ rng.normal(size=(dims, dims))
        assert metrics.frechet_distance(a, b) == pytest.approx(_frechet_scipy(a, b), rel=1e-6)


def test_frechet_distance_is_symmetric():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(200, 8)) @ rng.normal(size=(8, 8))
    b = rng.gamma(2.0, size=(150, 8))
    assert metrics.frechet_distance(a, b) == pytest.approx(metrics.frechet_distance(b, a),
                                                           rel=1e-9)


def test_frechet_distance_with_a_dead_feature_is_finite_and_warns_nothing():
    """A ReLU unit that is always 0 makes a covariance singular: no warning, no NaN. Dead in
    both sets, it adds nothing; dead in one only, it adds the other's mean^2 + variance."""
    rng = np.random.default_rng(4)
    a = np.maximum(rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6)), 0).astype(np.float32)
    b = np.maximum(rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6)) + 0.3, 0)
    a[:, 2] = 0.0
    live = _frechet_scipy(np.delete(a, 2, axis=1), np.delete(b, 2, axis=1))
    column = b[:, 2].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one_dead = metrics.frechet_distance(a, b)
        b[:, 2] = 0.0
        both_dead = metrics.frechet_distance(a, b)
    assert np.isfinite(one_dead) and np.isfinite(both_dead)
    assert both_dead == pytest.approx(live, rel=1e-6)
    assert one_dead == pytest.approx(live + column.mean() ** 2 + column.var(ddof=1), rel=1e-6)


def test_frechet_distance_rejects_bad_feature_sets():
    good = np.random.default_rng(5).normal(size=(10, 4))
    with pytest.raises(ValueError, match="features_b must hold at least 2 feature vectors"):
        metrics.frechet_distance(good, good[:1])
    with pytest.raises(ValueError, match="same number of features"):
        metrics.frechet_distance(good, good[:, :3])
    with_nan = good.copy()
    with_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="features_a must not contain NaN"):
        metrics.frechet_distance(with_nan, good)
    with pytest.raises(ValueError, match="features_a must have 2 dimensions"):
        metrics.frechet_distance(good[0], good)
    with pytest.raises(TypeError, match="features_b"):
        metrics.frechet_distance(good, "features")
# --- generators.ring_coverage ----------------------------------------------------------------

def test_ring_coverage_counts_the_modes_that_hold_points():
    centres = _centres()
    points = np.repeat(centres[[0, 2, 5]], 10, axis=0)
    assert generators.ring_coverage(points) == (3, 1.0)
    # A mode needs a quarter of its fair share (here 101 / 32 > 3 points): one stray is not it.
    lopsided = np.concatenate([np.repeat(centres[:1], 100, axis=0), centres[1:2]])
    assert generators.ring_coverage(lopsided).modes_covered == 1
    assert generators.ring_coverage(lopsided).share_on_modes == 1.0
    # Points 4 spreads (0.2) off their centre are near no mode; 1 spread off still counts.
    off = centres[:4] * (1 + np.array([[0.2], [0.2], [0.05], [0.05]]) / 2.0)
    assert generators.ring_coverage(off).share_on_modes == pytest.approx(0.5)


def test_ring_coverage_of_the_target_and_of_a_collapsed_generator():
    target = generators.ring_of_gaussians(4000, seed=0)
    covered, share = generators.ring_coverage(target)
    assert covered == 8 and share > 0.98  # 3 spreads hold 1 - exp(-4.5) = 98.9% in 2-D
    assert generators.ring_coverage(np.zeros((50, 2))) == (0, 0.0)


def test_ring_coverage_rejects_points_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"points must have shape \(n, 2\)"):
        generators.ring_coverage(np.zeros((10, 3)))
    with pytest.raises(ValueError, match="points must have 2 dimensions"):
        generators.ring_coverage(np.zeros(10))


# --- to_signed / to_images -------------------------------------------------------------------

def test_to_signed_and_to_images_map_between_the_two_ranges(images):
    signed = generators.to_signed(images)
    assert signed.dtype == np.float32 and signed.min() >= -1.0 and signed.max() <= 1.0
    np.testing.assert_allclose(signed, 2 * images - 1, atol=1e-6)
    np.testing.assert_array_equal(generators.to_signed(np.zeros((1, 28, 28), "float32")), -1.0)
    np.testing.assert_array_equal(generators.to_signed(np.ones((1, 28, 28), "float32")), 1.0)
    np.testing.assert_allclose(generators.to_images(signed), images, atol=1e-6)
    overshoot = np.array([[-1.5, -1.0, 0.0, 0.5, 1.0, 1.2]], "float32")
    np.testing.assert_allclose(generators.to_images(overshoot), [[0, 0, 0.5, 0.75, 1, 1]])


def test_to_signed_refuses_pixels_in_0_255(images):
    with pytest.raises(TypeError, match="divide by 255"):
        generators.to_signed((images * 255).astype(np.uint8))
    with pytest.raises(ValueError, match="divide by 255"):
        generators.to_signed(images * 255)


# --- build_image_denoiser, DiffusionModel ------------------------------------------------------

def test_image_denoiser_maps_an_image_and_its_noise_level_to_an_image():
    denoiser = generators.build_image_denoiser(filters=SMALL_FILTERS, seed=0)
    assert denoiser.input_shape == (None, 28, 28, 2)
    assert denoiser.output_shape == (None, 28, 28)
    assert np.asarray(denoiser(np.zeros((3, 28, 28, 2), "float32"))).shape == (3, 28, 28)
    with pytest.raises(ValueError, match="filters must hold 3 integers"):
        generators.build_image_denoiser(filters=(8, 8))
    with pytest.raises(ValueError, match=r"filters\[1\]"):
        generators.build_image_denoiser(filters=(8, 0, 8))


@pytest.mark.parametrize("target", generators.DIFFUSION_TARGETS)
def test_diffusion_training_lowers_the_loss_on_fashion_mnist(data, target):
    """Two short epochs on 384 real images: the second epoch's loss is below the first, and
    the trained model's loss is below the untrained one's on the same images."""
    images = data.x_train[:384]
    model = generators.build_image_diffusion(filters=SMALL_FILTERS, target=target, seed=0)
    assert model.target == target
    model.compile(learning_rate=5e-3)
    untrained = model.evaluate(images, batch_size=384, verbose=0)
    history = model.fit(images, batch_size=32, epochs=2, verbose=0).history
    assert set(history) == {"loss"} and np.isfinite(history["loss"]).all()
    assert history["loss"][0] > history["loss"][-1]
    trained = model.evaluate(images, batch_size=384, verbose=0)
    assert trained < 0.9 * untrained


def test_diffusion_model_rejects_a_bad_target_denoiser_or_schedule():
    with pytest.raises(ValueError, match="target must be one of"):
        generators.build_image_diffusion(filters=SMALL_FILTERS, target="eps")
    denoiser = generators.build_image_denoiser(filters=SMALL_FILTERS)
    with pytest.raises(TypeError, match="denoiser must be a Keras model"):
        generators.DiffusionModel("unet", generators.noise_schedule(10))
    with pytest.raises(TypeError, match="schedule must come from"):
        generators.DiffusionModel(denoiser, np.linspace(0.01, 0.2, 10))


# --- sample_diffusion --------------------------------------------------------------------------

def test_sample_diffusion_gives_seeded_images_in_range(untrained_diffusion):
    model = untrained_diffusion
    images, kept = generators.sample_diffusion(model, num_images=3, sampling_steps=4, seed=1)
    assert images.shape == (3, 28, 28) and images.dtype == np.float32 and kept == []
    assert images.min() >= 0.0 and images.max() <= 1.0
    again, _ = generators.sample_diffusion(model, num_images=3, sampling_steps=4, seed=1)
    other, _ = generators.sample_diffusion(model, num_images=3, sampling_steps=4, seed=2)
    np.testing.assert_array_equal(images, again)
    assert not np.allclose(images, other)
    random_a, _ = generators.sample_diffusion(model, num_images=3, sampling_steps=4, seed=1,
                                              randomness=1.0)
    random_b, _ = generators.sample_diffusion(model, num_images=3, sampling_steps=4, seed=1,
                                              randomness=1.0)
    np.testing.assert_array_equal(random_a, random_b)
    assert not np.allclose(random_a, images), "fresh noise changes the path"


def test_sample_diffusion_keeps_one_frame_per_step(untrained_diffusion):
    model = untrained_diffusion
    for steps in (1, 10, 50):  # the schedule has 50 steps: all distinct
        _, kept = generators.sample_diffusion(model, num_images=2, sampling_steps=steps,
                                              keep_every=1)
        assert len(kept) == steps
        assert all(k.shape == (2, 28, 28) and 0 <= k.min() and k.max() <= 1 for k in kept)
    _, kept = generators.sample_diffusion(model, num_images=2, sampling_steps=10, keep_every=3)
    assert len(kept) == 3


def test_sample_diffusion_rejects_bad_arguments(untrained_diffusion):
    with pytest.raises(ValueError, match="sampling_steps must be in"):
        generators.sample_diffusion(untrained_diffusion, sampling_steps=51)
    with pytest.raises(ValueError, match="sampling_steps"):
        generators.sample_diffusion(untrained_diffusion, sampling_steps=0)
    with pytest.raises(ValueError, match="randomness"):
        generators.sample_diffusion(untrained_diffusion, randomness=1.5)
    with pytest.raises(TypeError, match="model must be an ae.generators.DiffusionModel"):
        generators.sample_diffusion(untrained_diffusion.denoiser)


def _oracle(target: str, clean: np.ndarray) -> keras.Model:
    """A denoiser that knows the clean image is ``clean`` (in [-1, 1]) and states it as
    ``target``: the image itself, or the noise / velocity that the noisy input implies."""

    def estimate(inputs):
        ops = keras.ops
        noisy, level = inputs[..., 0], inputs[..., 1]  # level = sqrt(1 - alpha-bar)
        image = ops.convert_to_tensor(clean[None])
        root_keep = ops.sqrt(1.0 - ops.square(level))
        noise = (noisy - root_keep * image) / level
        return {"clean": ops.zeros_like(noisy) + image, "noise": noise,
                "velocity": root_keep * noise - level * image}[target]

    inputs = keras.Input((28, 28, 2))
    return keras.Model(inputs, keras.layers.Lambda(estimate, output_shape=(28, 28))(inputs))


@pytest.mark.parametrize("target", generators.DIFFUSION_TARGETS)
def test_sample_diffusion_with_a_perfect_denoiser_lands_on_its_image(data, target):
    """Each step moves to sqrt(a') c + sqrt(1 - a') eps; the last has a' = 1, so the sample
    is the clean image c whatever the starting noise and the fresh noise."""
    clean = generators.to_signed(data.x_train[:1])[0]
    model = generators.DiffusionModel(_oracle(target, clean), generators.noise_schedule(50),
                                      target=target)
    for seed, randomness in ((0, 0.0), (7, 0.0), (7, 1.0)):
        images, kept = generators.sample_diffusion(model, num_images=2, sampling_steps=6,
                                                   randomness=randomness, seed=seed,
                                                   keep_every=1)
        np.testing.assert_allclose(images, np.broadcast_to(data.x_train[0], (2, 28, 28)),
                                   atol=1e-5)
        assert len(kept) == 6
        for frame in kept:  # every clean estimate is the image too
            np.testing.assert_allclose(frame[0], data.x_train[0], atol=1e-4)


def test_sample_diffusion_follows_the_ddim_update_step_by_step():
    """A 'clean' denoiser returning k * x (k small: nothing clips) makes every step linear:
    x' = sqrt(a') k x + sqrt(1 - a') (x - sqrt(a) k x) / sqrt(1 - a), and the sample is
    k x at the last step. Two values of k from the same noise differ by the ratio of those
    products, worked out here from alpha-bar alone."""
    schedule = generators.noise_schedule(4, beta_start=0.05, beta_end=0.4)
    keep = schedule.alphas_cumprod

    def scaled(k):
        inputs = keras.Input((28, 28, 2))
        outputs = keras.layers.Lambda(lambda x: k * x[..., 0], output_shape=(28, 28))(inputs)
        return generators.DiffusionModel(keras.Model(inputs, outputs), schedule)

    def gain(k):
        factor = 1.0
        for now, following in ((3, 2), (2, 1), (1, 0)):
            a, b = keep[now], keep[following]
            factor *= np.sqrt(b) * k + np.sqrt(1 - b) * (1 - np.sqrt(a) * k) / np.sqrt(1 - a)
        return k * factor

    signed = {}
    for k in (0.02, 0.1):
        images, _ = generators.sample_diffusion(scaled(k), num_images=3, sampling_steps=4,
                                                seed=5)
        signed[k] = 2.0 * images.astype(np.float64) - 1.0
        assert np.abs(signed[k]).max() < 0.99, "no clipping, or the maths above does not hold"
    assert np.std(signed[0.1]) > 0.01
    np.testing.assert_allclose(signed[0.1], signed[0.02] * gain(0.1) / gain(0.02), rtol=1e-4,
                               atol=1e-6)


# --- sample_gan, image_features ----------------------------------------------------------------

def test_sample_gan_gives_seeded_images_in_range():
    gan = generators.build_dcgan(latent_size=8, filters=(8, 4), seed=0)
    images = generators.sample_gan(gan, num_images=5, seed=3)
    assert images.shape == (5, 28, 28) and images.dtype == np.float32
    assert images.min() >= 0.0 and images.max() <= 1.0 and images.std() > 0
    np.testing.assert_array_equal(images, generators.sample_gan(gan, num_images=5, seed=3))
    assert not np.allclose(images, generators.sample_gan(gan, num_images=5, seed=4))
    with pytest.raises(TypeError, match="gan must be an ae.generators.GAN"):
        generators.sample_gan(gan.generator)


def test_image_features_are_the_feature_layer_computed_by_hand(images):
    classifier = generators.build_feature_classifier(seed=0)
    features = generators.image_features(classifier, images)
    assert features.shape == (16, 64)
    w1, b1, w2, b2 = classifier.get_weights()[:4]
    by_hand = np.maximum(np.maximum(images.reshape(16, -1) @ w1 + b1, 0) @ w2 + b2, 0)
    np.testing.assert_allclose(features, by_hand, atol=1e-4)
    np.testing.assert_allclose(generators.image_features(classifier, images, batch_size=5),
                               features, atol=1e-6)


def test_image_features_need_a_features_layer(images):
    plain = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(3)])
    with pytest.raises(TypeError, match="layer named 'features'"):
        generators.image_features(plain, images)
    with pytest.raises(TypeError, match="classifier must come from"):
        generators.image_features("classifier", images)


# --- train_generator and the cache -------------------------------------------------------------

def test_train_generator_trains_once_then_loads_the_same_classifier(small, private_cache,
                                                                   capsys):
    first = generators.train_generator("feature_classifier", small, profile="ci",
                                       verbose=False)
    assert not first.from_cache and first.seconds > 0
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "steps"} <= set(first.history)
    assert len(first.history["loss"]) == 2  # the ci profile's epochs
    steps = first.history["steps"]
    assert len(steps["step"]) == len(steps["loss"]) >= 2 and np.all(np.diff(steps["step"]) > 0)
    assert sorted(p.suffix for p in private_cache.iterdir()) == [".json", ".npz"]

    second = generators.train_generator("feature_classifier", small, profile="ci")
    assert second.from_cache and "from the cache" in capsys.readouterr().out
    assert second.seconds == first.seconds  # the stored training time, not the load time
    assert second.history == first.history
    fresh = generators.build_feature_classifier(seed=42).get_weights()  # what a miss starts from
    for loaded, trained in zip(second.model.get_weights(), first.model.get_weights(),
                               strict=True):
        np.testing.assert_array_equal(loaded, trained)
    assert not all(np.array_equal(a, b) for a, b in zip(second.model.get_weights(), fresh,
                                                          strict=True))
    # The loaded classifier comes compiled, ready to evaluate.
    loss, accuracy = second.model.evaluate(small.x_valid, small.y_valid, verbose=0)
    assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0


def test_train_generator_step_log_counts_the_steps_actually_trained(data, private_cache):
    """2,560 images at batch 128 (ci): 20 steps an epoch, logged after steps 16 and 20."""
    subset = FashionMNIST(data.x_train[:2560], data.y_train[:2560], data.x_valid[:128],
                          data.y_valid[:128], data.x_test[:8], data.y_test[:8])
    trained = generators.train_generator("feature_classifier", subset, profile="ci",
                                         verbose=False, use_cache=False)
    steps = trained.history["steps"]
    # Stretch means weighted by their lengths give back each epoch's mean loss.
    for epoch, (head, tail) in enumerate((steps["loss"][:2], steps["loss"][2:])):
        assert (16 * head + 4 * tail) / 20 == pytest.approx(trained.history["loss"][epoch],
                                                           rel=1e-4)
    assert steps["step"] == [16, 20, 36, 40]


def test_train_generator_dcgan_logs_both_losses_and_caches_both_networks(small, private_cache):
    first = generators.train_generator("dcgan", small, profile="ci", verbose=False,
                                       latent_size=8, filters=(8, 4))
    assert isinstance(first.model, generators.GAN) and not first.from_cache
    assert {"d_loss", "g_loss"} <= set(first.history)
    assert {"step", "d_loss", "g_loss"} <= set(first.history["steps"])
    assert np.isfinite(first.history["d_loss"] + first.history["g_loss"]).all()
    second = generators.train_generator("dcgan", small, profile="ci", verbose=False,
                                        latent_size=8, filters=[8, 4])
    assert second.from_cache and second.seconds == first.seconds
    np.testing.assert_array_equal(generators.sample_gan(second.model, num_images=4),
                                  generators.sample_gan(first.model, num_images=4))


def test_train_generator_diffusion_trains_and_caches(small, private_cache):
    first = generators.train_generator("diffusion", small, profile="ci", verbose=False,
                                       filters=SMALL_FILTERS, target="velocity")
    assert isinstance(first.model, generators.DiffusionModel) and not first.from_cache
    assert first.model.target == "velocity"
    epochs = get_profile("ci").training("diffusion").epochs
    assert len(first.history["loss"]) == epochs and np.isfinite(first.history["loss"]).all()
    second = generators.train_generator("diffusion", small, profile="ci", verbose=False,
                                        filters=SMALL_FILTERS, target="velocity")
    assert second.from_cache and second.seconds == first.seconds
    np.testing.assert_array_equal(
        generators.sample_diffusion(second.model, num_images=2, sampling_steps=3)[0],
        generators.sample_diffusion(first.model, num_images=2, sampling_steps=3)[0])


def test_train_generator_rejects_unknown_names_arguments_and_data(small):
    with pytest.raises(ValueError, match=r"\['dcgan', 'diffusion', 'feature_classifier'\]"):
        generators.train_generator("gan", small, profile="ci", verbose=False)
    with pytest.raises(TypeError, match=r"unexpected argument\(s\) \['codings'\]"):
        generators.train_generator("dcgan", small, profile="ci", verbose=False, codings=3)
    with pytest.raises(TypeError, match=r"\['target'\] for model 'dcgan'"):
        generators.train_generator("dcgan", small, profile="ci", verbose=False, target="clean")
    unlabelled = type("Unlabelled", (), {"x_train": small.x_train, "x_valid": small.x_valid})()
    with pytest.raises((TypeError, ValueError), match="y_train"):
        generators.train_generator("feature_classifier", unlabelled, profile="ci",
                                   verbose=False)
    with pytest.raises(TypeError, match="with x_train"):
        generators.train_generator("dcgan", small.x_train, profile="ci", verbose=False)


# --- exercises: check_forward_step, check_matching_step, check_sampling_steps_prediction --------

SCHEDULE = generators.noise_schedule(50)


def _forward_right(clean, step, noise, schedule):
    keep = np.prod(1.0 - schedule.betas[:step + 1])  # alpha-bar, from the betas
    return np.sqrt(keep) * clean + np.sqrt(1.0 - keep) * noise


def _forward_one_beta(clean, step, noise, schedule):
    beta = schedule.betas[step]
    return np.sqrt(1.0 - beta) * clean + np.sqrt(beta) * noise


def _forward_no_roots(clean, step, noise, schedule):
    keep = np.prod(1.0 - schedule.betas[:step + 1])
    return keep * clean + (1.0 - keep) * noise


def test_forward_step_protocol(capsys, images):
    check = exercises.check_forward_step
    keep = np.prod(1.0 - SCHEDULE.betas[:11])
    assert_protocol(capsys, blank=lambda **kw: check(..., images, SCHEDULE, **kw),
                    wrong=lambda **kw: check(lambda c, t, n, s: c, images, SCHEDULE, **kw),
                    right=lambda **kw: check(_forward_right, images, SCHEDULE, **kw),
                    expected=f"alpha_bar = {keep:.4f}")


def test_forward_step_placeholders_and_common_slips(images):
    check = exercises.check_forward_step
    blank = check(..., images, SCHEDULE, verbose=False)
    assert blank.kind == "placeholder" and not blank.passed
    assert "Replace `...` with a function that returns the noisy batch" in blank.message
    returns_blank = check(lambda c, t, n, s: ..., images, SCHEDULE, verbose=False)
    assert returns_blank.kind == "placeholder"
    assert check(_forward_right, images, SCHEDULE, verbose=False).passed
    assert check(_forward_right, images, SCHEDULE, step=40, seed=3, verbose=False).passed
    keep = f"{np.prod(1.0 - SCHEDULE.betas[:11]):.4f}"
    one_beta = check(_forward_one_beta, images, SCHEDULE, verbose=False)
    assert one_beta.kind == "hint" and "one small step" in one_beta.message
    assert keep not in one_beta.message
    exercises.reset_tries()
    no_roots = check(_forward_no_roots, images, SCHEDULE, verbose=False)
    assert no_roots.kind == "hint" and "square roots" in no_roots.message
    assert "one small step" not in no_roots.message and keep not in no_roots.message
    again = check(_forward_no_roots, images, SCHEDULE, verbose=False)
    assert again.kind == "answer" and f"alpha_bar = {keep}" in again.message
    with pytest.raises(ValueError, match="function must return an array shaped like clean"):
        check(lambda c, t, n, s: c[:2], images, SCHEDULE, verbose=False)
    with pytest.raises(TypeError, match="schedule must come from"):
        check(_forward_right, images, SCHEDULE.betas, verbose=False)


def _matching_step(noise_level: float) -> int:
    """x_t / sqrt(a) = clean + noise of std sqrt((1 - a) / a) in [-1, 1] units: half that on
    [0, 1] images. The step whose std is closest to noise_level."""
    keep = np.cumprod(1.0 - SCHEDULE.betas)
    return int(np.argmin(np.abs(np.sqrt((1.0 - keep) / keep) / 2.0 - noise_level)))


def test_matching_step_protocol(capsys):
    best = _matching_step(0.2)
    assert best == 8  # 0.2008 at step 8, 0.1755 at 7, 0.2267 at 9
    check = exercises.check_matching_step
    assert_protocol(capsys, blank=lambda **kw: check(..., SCHEDULE, **kw),
                    wrong=lambda **kw: check(best + 5, SCHEDULE, **kw),
                    right=lambda **kw: check(best, SCHEDULE, **kw),
                    expected=f"step {best}:")


def test_matching_step_hints_point_the_way_without_the_step():
    check = exercises.check_matching_step
    blank = check(..., SCHEDULE, verbose=False)
    assert blank.kind == "placeholder" and "a step index from 0 to 49" in blank.message
    best = _matching_step(0.4)
    assert check(best, SCHEDULE, noise_level=0.4, verbose=False).passed
    early = check(best - 4, SCHEDULE, noise_level=0.4, verbose=False)
    assert early.kind == "hint" and "too early" in early.message
    assert f"step {best}" not in early.message
    late = check(best + 4, SCHEDULE, noise_level=0.4, verbose=False)
    assert late.kind == "answer" and f"step {best}:" in late.message
    exercises.reset_tries()
    late = check(best + 4, SCHEDULE, noise_level=0.4, verbose=False)
    assert late.kind == "hint" and "too late" in late.message
    with pytest.raises(ValueError, match="step must be in"):
        check(50, SCHEDULE, verbose=False)


def test_sampling_steps_prediction_placeholder_and_bad_choice(untrained_diffusion, images):
    classifier = generators.build_feature_classifier(seed=0)
    check = exercises.check_sampling_steps_prediction
    blank = check(..., untrained_diffusion, classifier, images, few=1, many=2, num_images=4,
                  verbose=False)
    assert blank.kind == "placeholder" and not blank.passed
    assert '"lower", "same" or "higher"' in blank.message
    with pytest.raises(ValueError, match="prediction must be one of"):
        check("maybe", untrained_diffusion, classifier, images, few=1, many=2, num_images=4,
              verbose=False)
    with pytest.raises(ValueError, match="many must be in"):
        check("lower", untrained_diffusion, classifier, images, few=3, many=3, verbose=False)


def test_sampling_steps_prediction_agrees_with_a_measurement(untrained_diffusion, data):
    """The verdict is the ratio of Fréchet distances (25 steps over 5), measured here."""
    model, real = untrained_diffusion, data.x_valid[:64]
    classifier = generators.build_feature_classifier(seed=0)
    real_features = generators.image_features(classifier, real)
    distance = {steps: metrics.frechet_distance(real_features, generators.image_features(
        classifier, generators.sample_diffusion(model, num_images=64, sampling_steps=steps,
                                                seed=0)[0])) for steps in (5, 25)}
    ratio = distance[25] / distance[5]
    verdict = "same" if abs(ratio - 1) <= 0.05 else "lower" if ratio < 1 else "higher"
    result = exercises.check_sampling_steps_prediction(verdict, model, classifier, real,
                                                       num_images=64, verbose=False)
    assert type(result.passed) is bool and result.passed and result.kind == "correct"
    assert f"{ratio:.2f} times" in result.message
    wrong = next(c for c in ("lower", "same", "higher") if c != verdict)
    missed = exercises.check_sampling_steps_prediction(wrong, model, classifier, real,
                                                       num_images=64, verbose=False)
    assert missed.kind == "hint" and not missed.passed


def test_toy_denoiser_and_reverse_diffusion_work_in_more_dimensions():
    """Latent diffusion: 10-number codings instead of 2-D points."""
    denoiser = generators.build_toy_denoiser(dims=10, hidden_units=(8,))
    assert denoiser.input_shape == (None, 11) and denoiser.output_shape == (None, 10)
    points, kept = generators.reverse_diffusion(denoiser, generators.noise_schedule(5),
                                                num_points=7, keep_every=1)
    assert points.shape == (7, 10) and len(kept) == 6 and np.isfinite(points).all()
    with pytest.raises(ValueError, match="denoiser must map d \\+ 1 numbers"):
        generators.reverse_diffusion(keras.Sequential([keras.Input((3,)), keras.layers.Dense(5)]),
                                     generators.noise_schedule(5), num_points=2)
