"""Every kind of bad input gets a clear error naming the argument, before TensorFlow sees it."""

from __future__ import annotations

import numpy as np
import pytest

import aehelpers as ae

GOOD = np.random.default_rng(0).random((8, 28, 28)).astype("float32")
UINT8 = (GOOD * 255).astype(np.uint8)
SCALED = GOOD * 255
WITH_NAN = GOOD.copy()
WITH_NAN[0, 0, 0] = np.nan
WITH_INF = GOOD.copy()
WITH_INF[1, 2, 3] = np.inf


@pytest.fixture(scope="module")
def parts():
    return {"stacked": ae.models.build_stacked_autoencoder(),
            "vae": ae.models.build_variational_autoencoder(codings_size=4)}


def _image_callers(parts):
    stacked = parts["stacked"]
    return {
        "training.predict": lambda x: ae.training.predict(stacked.autoencoder, x),
        "training.fit": lambda x: ae.training.fit(stacked.autoencoder, x, model_key="stacked",
                                                  verbose=False),
        "training.reconstruction_mse": lambda x: ae.training.reconstruction_mse(
            stacked.autoencoder, x),
        "plots.plot_image_grid": lambda x: ae.plots.plot_image_grid(x),
        "plots.plot_reconstructions": lambda x: ae.plots.plot_reconstructions(
            stacked.autoencoder, x),
        "explore.encode": lambda x: ae.explore.encode(stacked.encoder, x),
        "widgets.noise_explorer": lambda x: ae.widgets.noise_explorer(stacked.autoencoder, x),
        "data.add_gaussian_noise": lambda x: ae.data.add_gaussian_noise(x, 0.2),
    }


CALLERS = ["training.predict", "training.fit", "training.reconstruction_mse",
           "plots.plot_image_grid", "plots.plot_reconstructions", "explore.encode",
           "widgets.noise_explorer", "data.add_gaussian_noise"]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("images, error, message", [
    (UINT8, TypeError, r"float images in \[0, 1\].*divide by 255"),
    (SCALED, ValueError, r"values must lie in \[0, 1\].*divide by 255"),
    (WITH_NAN, ValueError, "NaN or infinite"),
    (WITH_INF, ValueError, "NaN or infinite"),
    (GOOD[:, :20], ValueError, r"shape \(n, 28, 28\)"),
    (GOOD[None], ValueError, "dimensions|batch of images"),
    ("images", TypeError, "NumPy array"),
], ids=["uint8", "0-255 floats", "nan", "inf", "wrong size", "wrong rank", "string"])
def test_bad_images(parts, caller, images, error, message):
    with pytest.raises(error, match=message):
        _image_callers(parts)[caller](images)


@pytest.mark.parametrize("call, message", [
    (lambda p: ae.training.reconstruction_mse(p["stacked"].encoder, GOOD),
     "autoencoder must be an autoencoder"),
    (lambda p: ae.plots.plot_reconstructions(p["stacked"].encoder, GOOD),
     "model must be an autoencoder"),
    (lambda p: ae.widgets.noise_explorer(p["vae"].encoder, GOOD), "autoencoder must be an"),
    (lambda p: ae.widgets.latent_explorer(p["stacked"].autoencoder), "decoder must be a decoder"),
    (lambda p: ae.widgets.interpolation_explorer(p["stacked"].decoder, p["stacked"].decoder,
                                                 GOOD), "encoder must be an encoder"),
    (lambda p: ae.explore.decode(p["vae"].encoder, np.zeros(4)), "decoder must be a decoder"),
    (lambda p: ae.explore.generate_images(p["stacked"].autoencoder), "decoder must be a"),
    (lambda p: ae.training.predict("model", GOOD), "model must be a keras.Model"),
], ids=["encoder as autoencoder (mse)", "encoder as autoencoder (plot)", "VAE encoder in a panel",
        "autoencoder as decoder", "decoder as encoder", "encoder as decoder",
        "autoencoder as decoder (generate)", "not a model"])
def test_the_wrong_kind_of_model(parts, call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call(parts)


@pytest.mark.parametrize("call, message", [
    (lambda: ae.metrics.bernoulli_kl(0.1, [5.0, -3.0]), "mean_activations values must lie"),
    (lambda: ae.metrics.bernoulli_kl(1.5, [0.1]), "target must be in"),
    (lambda: ae.metrics.principal_angles(np.zeros((2, 3)), np.eye(3)[:2]),
     "basis_a must hold linearly independent rows"),
    (lambda: ae.metrics.principal_angles(np.eye(3)[:2], np.array([[1, 0, 0], [2, 0, 0]])),
     "basis_b must hold linearly independent rows"),
    (lambda: ae.metrics.principal_angles(np.eye(3)[:2], np.eye(4)[:2]), "same space"),
    (lambda: ae.metrics.mse(GOOD, GOOD[:3]), "same shape"),
    (lambda: ae.metrics.psnr(GOOD, GOOD, data_range=0), "data_range"),
    (lambda: ae.metrics.gaussian_kl_sigma_form(np.zeros((2, 3)), np.zeros((2, 3))),
     "sigma must be positive"),
    (lambda: ae.explore.interpolate(np.zeros(3), np.zeros(3), 1.5), "alpha must be in"),
], ids=["probabilities out of range", "target out of range", "zero basis", "rank-deficient basis",
        "mismatched spaces", "mismatched shapes", "zero data range", "non-positive sigma",
        "alpha out of range"])
def test_numeric_helpers_reject_inputs_outside_their_domain(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: ae.get_profile("fast"), "valid profiles are ci, class, book"),
    (lambda: ae.train_autoencoder("gan", None), "name must be one of"),
    (lambda: ae.registry.get_spec("../x"), "name must be one of"),
    (lambda: ae.models.build_stacked_autoencoder(codings_size=True), "codings_size"),
    (lambda: ae.models.build_stacked_autoencoder(codings_size=2.5), "codings_size"),
    (lambda: ae.models.build_denoising_autoencoder(noise_level=float("nan")), "noise_level"),
    (lambda: ae.data.make_3d_dataset(noise=float("inf")), "noise"),
], ids=["unknown profile", "unknown model", "path-like name", "bool size", "float size",
        "nan level", "inf noise"])
def test_names_and_numbers(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_a_bad_slug_is_rejected():
    from tools import launch

    for slug in ("no-slash", "a/b/c", "", "with space/x", "../../etc/passwd"):
        with pytest.raises(ValueError, match="owner/name"):
            launch.check_slug(slug)
