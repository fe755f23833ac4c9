"""The explorers of chapters 05-07 and the pure functions behind them."""

from __future__ import annotations

import base64

import ipywidgets as widgets
import numpy as np
import pytest

import aehelpers as ae
from aehelpers import explore

SIZE = 4  # coding size of the small VAE used here


@pytest.fixture()
def stacked():
    return ae.models.build_stacked_autoencoder(hidden_units=(16,), codings_size=4)


@pytest.fixture()
def vae():
    return ae.models.build_variational_autoencoder(hidden_units=(16,), codings_size=SIZE)


@pytest.fixture()
def sparse_models():
    return {t: ae.models.build_sparse_kl_autoencoder(target_sparsity=t, codings_size=20,
                                                     hidden_units=(16,))
            for t in (0.05, 0.2)}


def _shown(explorer):
    """The PNG the panel currently shows (what a learner sees)."""
    (output,) = explorer.output.outputs
    return base64.b64decode(output["data"]["image/png"])


def _moves_picture(explorer, name, value, keys):
    before = {k: explorer.images[k].copy() for k in keys}
    png = _shown(explorer)
    explorer.controls[name].value = value
    assert _shown(explorer) != png, f"moving {name} must redraw the picture"
    assert _shown(explorer) == explorer.png
    return any(not np.array_equal(before[k], explorer.images[k]) for k in keys)


# --- pure functions ------------------------------------------------------------------------

def test_zero_noise_gives_the_clean_image(images):
    noise = explore.unit_noise(images.shape[1:])
    np.testing.assert_array_equal(explore.add_noise(images[0], noise, 0.0), images[:1])


def test_noise_stays_in_range_and_grows(images):
    noise = explore.unit_noise(images.shape[1:], seed=1)
    small, large = (explore.add_noise(images[0], noise, s) for s in (0.1, 0.8))
    assert small.min() >= 0 and large.max() <= 1
    assert ae.metrics.mse(images[:1], large) > ae.metrics.mse(images[:1], small)


def test_noise_panel_shapes_and_metrics(stacked, images):
    *_, autoencoder = stacked
    panel = explore.noise_panel(autoencoder, images[0], np.zeros((28, 28)), 0.0)
    assert panel.noisy.shape == panel.denoised.shape == panel.clean.shape == (28, 28)
    np.testing.assert_array_equal(panel.noisy, panel.clean)
    assert panel.mse_noisy == 0.0 and panel.psnr_noisy == pytest.approx(120.0)
    assert 0 <= panel.denoised.min() and panel.denoised.max() <= 1


def test_with_coordinate_changes_one_coordinate_only():
    codings = np.arange(5, dtype="float32")
    changed = explore.with_coordinate(codings, 2, -1.5)
    assert changed[2] == -1.5
    np.testing.assert_array_equal(np.delete(changed, 2), np.delete(codings, 2))
    np.testing.assert_array_equal(codings, np.arange(5))  # the input is not modified


def test_interpolate_ends_and_middle():
    start, end = np.zeros(3), np.ones(3)
    np.testing.assert_array_equal(explore.interpolate(start, end, 0.0), start)
    np.testing.assert_array_equal(explore.interpolate(start, end, 1.0), end)
    np.testing.assert_allclose(explore.interpolate(start, end, 0.25), 0.25)


def test_decode_and_encode_shapes(vae, images):
    encoder, decoder, _ = vae
    codings = explore.encode(encoder, images[:3])
    assert codings.shape == (3, SIZE)
    image = explore.decode(decoder, codings[0])
    assert image.shape == (28, 28) and 0 <= image.min() and image.max() <= 1


def test_sparse_summary(sparse_models, data):
    summary = explore.summarise_sparse_model(0.05, sparse_models[0.05], data.x_test[:100],
                                             num_images=3)
    assert summary.unit_means.shape == (20,)
    assert summary.measured == pytest.approx(float(summary.unit_means.mean()), rel=1e-5)
    assert summary.originals.shape == summary.reconstructions.shape == (3, 28, 28)
    assert 0 <= summary.near_zero <= 1
    # Per-image measures, against codings computed here with Keras directly.
    codings = sparse_models[0.05].encoder.predict(data.x_test[:100], verbose=0)
    assert summary.activation_share.shape == (len(explore.ACTIVATION_BINS) - 1,)
    assert summary.activation_share.sum() == pytest.approx(1.0)
    assert summary.above_half == pytest.approx(float(np.mean(codings > 0.5)), abs=1e-6)
    assert summary.active_per_image == pytest.approx(20 * summary.above_half, rel=1e-5)
    lowest = summary.activation_share[0]  # activations in [0, 0.025)
    assert lowest == pytest.approx(float(np.mean(codings < 0.025)), abs=1e-6)


@pytest.mark.parametrize("call, message", [
    (lambda: explore.add_noise(np.zeros((28, 28)), np.zeros((28, 28)), -0.1), "noise_level"),
    (lambda: explore.add_noise(np.zeros((28, 28)), np.zeros((28, 28)), 6.0), "noise_level"),
    (lambda: explore.add_noise(np.full((28, 28), 2.0), np.zeros((28, 28)), 0.1), "clean"),
    (lambda: explore.add_noise(np.zeros((28, 28)), np.zeros((27, 28)), 0.1), "noise"),
    (lambda: explore.with_coordinate(np.zeros(3), 3, 0.0), "index"),
    (lambda: explore.with_coordinate(np.zeros(3), 0, float("nan")), "value"),
    (lambda: explore.interpolate(np.zeros(3), np.zeros(3), 1.5), "alpha"),
    (lambda: explore.interpolate(np.zeros(3), np.zeros(4), 0.5), "same shape"),
    (lambda: explore.summarise_sparse_models({}, np.zeros((2, 28, 28))), "models"),
])
def test_bad_values_are_rejected(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


# --- explorers -------------------------------------------------------------------------------

def test_noise_explorer_slider_and_picker(stacked, images):
    *_, autoencoder = stacked
    explorer = ae.widgets.noise_explorer(autoencoder, images[:3], noise_level=0.0)
    np.testing.assert_array_equal(explorer.images["noisy"], explorer.images["clean"])
    assert "dB" in explorer.readout.value
    assert _moves_picture(explorer, "noise_level", 0.5, ["noisy", "denoised"])
    assert _moves_picture(explorer, "image", 2, ["clean", "noisy"])
    np.testing.assert_array_equal(explorer.images["clean"], images[2])
    assert isinstance(explorer.widget, widgets.Box)
    assert set(explorer.sliders) == {"noise_level"}


def test_sparsity_explorer_swaps_models(sparse_models, data):
    explorer = ae.widgets.sparsity_explorer(sparse_models, data.x_test[:200], num_images=3)
    assert explorer.sliders["target"].value == 0.05
    assert _moves_picture(explorer, "target", 0.2, ["histogram", "reconstructions"])
    # Shares of all activations (empty bins at the log scale's floor of 1e-5).
    assert explorer.images["histogram"].sum() == pytest.approx(1.0, abs=40 * 1e-5)
    assert "0.2" in explorer.readout.value and "units above 0.5 per image" in explorer.readout.value


def test_latent_explorer_one_slider_one_coordinate(vae):
    _, decoder, _ = vae
    explorer = ae.widgets.latent_explorer(decoder)
    assert set(explorer.sliders) == {f"z{i}" for i in range(SIZE)}
    before = explorer.images["codings"].copy()
    assert _moves_picture(explorer, "z1", 2.0, ["decoded"])
    changed = explorer.images["codings"]
    np.testing.assert_array_equal(changed, explore.with_coordinate(before, 1, 2.0))
    np.testing.assert_allclose(explorer.images["decoded"], explore.decode(decoder, changed))


def test_latent_explorer_buttons(vae):
    _, decoder, _ = vae
    explorer = ae.widgets.latent_explorer(decoder, seed=3)
    explorer.buttons["random"].click()
    sampled = explorer.images["codings"].copy()
    assert np.count_nonzero(sampled) > 0
    explorer.buttons["reset"].click()
    np.testing.assert_array_equal(explorer.images["codings"], np.zeros(SIZE))
    assert not np.array_equal(sampled, explorer.images["codings"])


def test_interpolation_explorer(vae, images):
    encoder, decoder, _ = vae
    explorer = ae.widgets.interpolation_explorer(encoder, decoder, images[:4], alpha=0.0)
    np.testing.assert_array_equal(explorer.images["pixel_level"], images[0])
    assert _moves_picture(explorer, "alpha", 1.0, ["pixel_level", "codings_level"])
    np.testing.assert_allclose(explorer.images["pixel_level"], images[1], atol=1e-6)
    assert _moves_picture(explorer, "second", 3, ["image_b", "pixel_level"])
    np.testing.assert_array_equal(explorer.images["image_b"], images[3])


@pytest.mark.parametrize("build, message", [
    (lambda m, d, x: ae.widgets.noise_explorer(m, x, noise_level=2.0), "noise_level"),
    (lambda m, d, x: ae.widgets.noise_explorer(m, x, max_noise=0.0), "max_noise"),
    (lambda m, d, x: ae.widgets.noise_explorer("model", x), "autoencoder"),
    (lambda m, d, x: ae.widgets.noise_explorer(m, x[:2], labels=["a"]), "labels"),
    (lambda m, d, x: ae.widgets.noise_explorer(m, x[0]), "images"),
    (lambda m, d, x: ae.widgets.latent_explorer(d, value_range=0), "value_range"),
    (lambda m, d, x: ae.widgets.latent_explorer(None), "decoder"),
    (lambda m, d, x: ae.widgets.interpolation_explorer(None, d, x), "encoder"),
    (lambda m, d, x: ae.widgets.interpolation_explorer(None, d, x[:1]), "at least 2"),
    (lambda m, d, x: ae.widgets.interpolation_explorer(m, d, x[:3], first=3), "first"),
    (lambda m, d, x: ae.widgets.sparsity_explorer([m], x), "models"),
])
def test_explorers_reject_bad_arguments(stacked, vae, images, build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build(stacked[2], vae[1], images)


def test_a_saved_panel_shows_its_picture_and_readout_to_readers_without_a_kernel(stacked, images):
    import base64

    *_, autoencoder = stacked
    explorer = ae.widgets.noise_explorer(autoencoder, images[:3], noise_level=0.3)
    bundle = explorer.mimebundle()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == \
        explorer.widget.model_id
    assert base64.b64decode(bundle["image/png"]) == explorer.png  # the current picture
    assert explorer.readout.value in bundle["text/html"]
    assert bundle["text/plain"].startswith("[interactive panel: PSNR")
    assert "HBox(" not in bundle["text/plain"] and "<b>" not in bundle["text/plain"]
    _moves_picture(explorer, "noise_level", 0.6, ["noisy"])
    assert base64.b64decode(explorer.mimebundle()["image/png"]) == explorer.png
