"""Every kind of bad input gets a clear error naming the argument, before TensorFlow sees it."""

from __future__ import annotations

import keras
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
    (lambda: ae.get_profile("fast"), "profile name must be one of ci, class, book"),
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


# --- One test per category of the bad-input sweep (python -m tools.bad_input_sweep) ---------

SEED_MAX = 2**32 - 1


@pytest.fixture(scope="module")
def small():
    """Small untrained models: a stacked AE (4 codings), a VAE (3 codings), a conv AE."""
    return {"stacked": ae.models.build_stacked_autoencoder(hidden_units=(16,), codings_size=4),
            "vae": ae.models.build_variational_autoencoder(codings_size=3, hidden_units=(16,)),
            "conv": ae.models.build_conv_autoencoder(filters=(4, 8, 8), codings_size=30)}


def _settings(**changes):
    return ae.profiles.TrainSettings(**{"epochs": 2, "batch_size": 32, "learning_rate": 1e-3,
                                        **changes})


def _profile(**changes):
    ci = ae.profiles.PROFILES["ci"]
    return ae.profiles.Profile(**{"name": "mine", "description": "", "train_size": 100,
                                  "valid_size": 10, "test_size": 10, "settings": ci.settings,
                                  **changes})


def _spec(**changes):
    return ae.registry.ModelSpec(**{"name": "mine", "profile_key": "stacked",
                                    "builder": ae.models.build_stacked_autoencoder, **changes})


@pytest.mark.parametrize("call, error, message", [
    (lambda: _settings(epochs=-1), ValueError, r"epochs must be in \[1, 10,000\]"),
    (lambda: _settings(epochs=float("nan")), TypeError, "epochs must be an integer"),
    (lambda: _settings(epochs=True), TypeError, "epochs must be an integer"),
    (lambda: _settings(batch_size=0), ValueError, "batch_size must be in"),
    (lambda: _settings(batch_size="32"), TypeError, "batch_size must be an integer"),
    (lambda: _settings(learning_rate=0), ValueError, r"learning_rate must be in \(0, 10\]"),
    (lambda: _settings(learning_rate=float("inf")), ValueError, "learning_rate must be in"),
    (lambda: _settings(learning_rate="fast"), TypeError, "learning_rate must be a number"),
    (lambda: _profile(name="../x"), ValueError, "name must be 1-64 lowercase"),
    (lambda: _profile(name=None), ValueError, "name must be 1-64 lowercase"),
    (lambda: _profile(train_size=0), ValueError, r"train_size must be in \[1, 55,000\]"),
    (lambda: _profile(test_size=10**12), ValueError, "test_size must be in"),
    (lambda: _profile(valid_size=2.0), TypeError, "valid_size must be an integer"),
    (lambda: _profile(settings="ci"), TypeError, "settings must be a dict"),
    (lambda: _profile(settings={}), ValueError, "settings must have exactly the keys"),
    (lambda: _profile(settings=dict.fromkeys(ae.profiles.PROFILE_KEYS, 1)), TypeError,
     r"settings\['linear'\] must be a TrainSettings"),
    (lambda: _spec(name="../x"), ValueError, "name must be 1-64 lowercase"),
    (lambda: _spec(builder="stacked"), TypeError, "builder must be a function"),
    (lambda: _spec(metrics="mse"), TypeError, "metrics must be a list or tuple"),
    (lambda: _spec(metrics=("nope",)), ValueError, r"metrics\[0\] is not a metric"),
    (lambda: _spec(published_loss=-0.1), ValueError, r"published_loss must be in \(0, 1\]"),
    (lambda: _spec(published_loss=float("nan")), ValueError, "published_loss must be in"),
    (lambda: _spec(published_loss=True), TypeError, "published_loss must be a number"),
    (lambda: ae.get_profile("fast"), ValueError, "profile name must be one of ci, class, book"),
])
def test_profiles_and_registry_records(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_valid_records_are_kept_as_given():
    settings = _settings(epochs=np.int64(3))
    assert settings.epochs == 3 and type(settings.epochs) is int
    assert _profile().settings["stacked"] is ae.profiles.PROFILES["ci"].settings["stacked"]
    assert _spec(metrics=["mse"], published_loss=0.01).metrics == ("mse",)


@pytest.mark.parametrize("call, error, message", [
    (lambda p: ae.models.VariationalAutoencoder("encoder", p["vae"].decoder), TypeError,
     "encoder must be a keras.Model"),
    (lambda p: ae.models.VariationalAutoencoder(p["stacked"].encoder, p["vae"].decoder),
     TypeError, r"encoder must map 28x28 images to \[mean, log_var, codings\]"),
    (lambda p: ae.models.VariationalAutoencoder(p["vae"].encoder, None), TypeError,
     "decoder must be a keras.Model"),
    (lambda p: ae.models.VariationalAutoencoder(p["vae"].encoder, p["vae"].encoder), TypeError,
     "decoder must be a decoder"),
    (lambda p: ae.models.VariationalAutoencoder(p["vae"].encoder, p["stacked"].decoder),
     ValueError, r"decoder must take the codings encoder outputs \(shape \(3,\)\)"),
    (lambda p: ae.models.TiedAutoencoder(hidden_units=(8,), image_shape=(28,)), TypeError,
     "image_shape must be 2 positive integers"),
    (lambda p: ae.models.TiedAutoencoder(hidden_units=(8,), image_shape=(0, 28)), ValueError,
     r"image_shape\[0\] must be in"),
    (lambda p: ae.models.TiedAutoencoder(hidden_units=(8,), image_shape="28x28"), TypeError,
     "image_shape must be"),
    (lambda p: ae.models.io_shapes("x"), TypeError, "model must be a keras.Model"),
    (lambda p: ae.models.check_chain(p["stacked"].autoencoder, p["stacked"].decoder),
     ValueError, "encoder returns 28x28 images: is it an autoencoder"),
])
def test_models(small, call, error, message):
    with pytest.raises(error, match=message):
        call(small)


@pytest.mark.parametrize("call, error, message", [
    (lambda: ae.layers.bernoulli_kl_tensor(1.5, np.full(4, 0.2)), ValueError,
     r"target must be in \(0, 1\)"),
    (lambda: ae.layers.bernoulli_kl_tensor(float("nan"), np.full(4, 0.2)), ValueError,
     "target must be in"),
    (lambda: ae.layers.bernoulli_kl_tensor(True, np.full(4, 0.2)), TypeError,
     "target must be a number"),
    (lambda: ae.layers.bernoulli_kl_tensor(0.1, np.array([-0.1, 1.5])), ValueError,
     r"mean_activation values must lie in \[0.0, 1.0\]"),
    (lambda: ae.layers.bernoulli_kl_tensor(0.1, "0.2"), TypeError,
     "mean_activation must be a number"),
    (lambda: ae.layers.latent_loss(np.zeros((8, 4)), np.zeros((3, 5))), ValueError,
     "mean and log_var must have the same shape"),
    (lambda: ae.layers.latent_loss(np.full((2, 4), np.nan), np.zeros((2, 4))), ValueError,
     "mean must not contain NaN"),
    (lambda: ae.layers.Sampling(seed=-1), ValueError, "seed must be in"),
    (lambda: ae.layers.Sampling(seed=3.0), TypeError, "seed must be an integer"),
    (lambda: ae.layers.DenseTranspose(keras.layers.Dense(4), activation="nope"), ValueError,
     "activation must be None, a function or a Keras activation name"),
])
def test_layers(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_layer_formulas_still_take_tensors_unchecked():
    q = keras.ops.convert_to_tensor(np.full(4, 0.2, "float32"))
    expected = ae.metrics.bernoulli_kl(0.1, np.full(4, 0.2))
    np.testing.assert_allclose(np.asarray(ae.layers.bernoulli_kl_tensor(0.1, q)), expected,
                               rtol=1e-5)
    np.testing.assert_allclose(np.asarray(ae.layers.bernoulli_kl_tensor(0.1, np.full(4, 0.2))),
                               expected, rtol=1e-5)
    assert ae.layers.Sampling(seed=SEED_MAX).seed == SEED_MAX


def _fit(parts, **kwargs):
    kwargs = {"x_train": GOOD, "model_key": "stacked", "epochs": 1, "verbose": False, **kwargs}
    return ae.training.fit(kwargs.pop("model", parts["stacked"].autoencoder), **kwargs)


def _compiled(parts):
    model = ae.models.build_stacked_autoencoder(hidden_units=(16,), codings_size=4).autoencoder
    return ae.training.compile_autoencoder(model, model_key="stacked")


@pytest.mark.parametrize("call, error, message", [
    (lambda p: ae.training.EpochPrinter(-1), ValueError, "epochs must be in"),
    (lambda p: ae.training.EpochPrinter(True), TypeError, "epochs must be an integer"),
    (lambda p: ae.training.EpochPrinter(3.0), TypeError, "epochs must be an integer"),
    (lambda p: ae.training.EpochPrinter(10, max_lines=0), ValueError, "max_lines must be in"),
    (lambda p: ae.training.EpochPrinter(10, max_lines=float("nan")), TypeError,
     "max_lines must be an integer"),
    (lambda p: _fit(p, y_train=UINT8), TypeError, "y_train must be float images"),
    (lambda p: _fit(p, y_train=GOOD * 3 - 1), ValueError, r"y_train values must lie in \[0, 1\]"),
    (lambda p: _fit(p, validation_data=(GOOD, GOOD[:3])), ValueError,
     r"validation_data\[0\] and validation_data\[1\] must have the same length"),
    (lambda p: _fit(p, validation_data=(GOOD, UINT8)), TypeError,
     r"validation_data\[1\] must be float images"),
    (lambda p: _fit(p, callbacks="early_stopping"), TypeError, "callbacks must be a list"),
    (lambda p: _fit(p, callbacks=["early_stopping"]), TypeError, "callbacks must be a list"),
    (lambda p: _fit(p, model=_compiled(p), learning_rate=0.01), ValueError,
     "learning_rate only applies when fit compiles the model"),
    (lambda p: _fit(p, model=p["stacked"].encoder), ValueError,
     r"model must reconstruct its inputs to be fitted without y_train: it maps \(28, 28\) "
     r"to \(4,\)"),
    (lambda p: _fit(p, model=p["vae"].encoder), ValueError, "model must have one output"),
    (lambda p: ae.training.compile_autoencoder(_compiled(p), model_key="stacked",
                                               metrics="mse"), TypeError,
     "metrics must be a list or tuple"),
    (lambda p: ae.training.compile_autoencoder(_compiled(p), model_key="stacked",
                                               metrics=["nope"]), ValueError,
     r"metrics\[0\] is not a metric Keras knows"),
    (lambda p: ae.training.train_greedy_layerwise(ae.models.Autoencoder(None, None, None), GOOD,
                                                  GOOD), TypeError,
     "parts.encoder must be a keras.Model"),
])
def test_training(small, call, error, message):
    with pytest.raises(error, match=message):
        call(small)


def test_fit_still_takes_labels_for_a_classifier_and_a_compiled_model():
    classifier = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                                   keras.layers.Dense(10, activation="softmax")])
    classifier.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    history = ae.training.fit(classifier, GOOD, np.arange(8) % 10, model_key="classifier",
                              epochs=1, verbose=False)
    assert np.isfinite(history["loss"][0])


@pytest.mark.parametrize("call, error, message", [
    (lambda p, d: ae.cache.fingerprint("images"), TypeError,
     "arrays.0. must be a NumPy array of numbers"),
    (lambda p, d: ae.cache.fingerprint(GOOD, None), TypeError, r"arrays\[1\] must be a NumPy"),
    (lambda p, d: ae.cache.fingerprint(np.array([[1], [1, 2]], dtype=object)), TypeError,
     r"arrays\[0\] must be a NumPy array of numbers, got object"),
    (lambda p, d: ae.cache.make_key("stacked", "epochs=2"), TypeError,
     "request must be a dict"),
    (lambda p, d: ae.cache.save("stacked-" + "0" * 24, p["stacked"].autoencoder, None, {}),
     TypeError, "request must be a dict"),
    (lambda p, d: ae.cache.save("stacked-" + "0" * 24, p["stacked"].autoencoder, {}, "loss"),
     TypeError, "history must be a dict"),
    (lambda p, d: ae.cache.save("stacked-" + "0" * 24, "model", {}, {}), TypeError,
     "model must be a keras.Model"),
    (lambda p, d: ae.cache.load("stacked-" + "0" * 24, None, {}), TypeError,
     "model must be a keras.Model"),
    (lambda p, d: ae.cache.sweep(d / "a-file.txt"), ValueError, "folder must be a folder"),
    (lambda p, d: ae.cache.entries(d / "a-file.txt"), ValueError, "folder must be a folder"),
    (lambda p, d: ae.cache.entries(3), TypeError, "folder must be a path"),
])
def test_cache(small, cache, tmp_path, call, error, message):
    (tmp_path / "a-file.txt").write_text("not a folder")
    with pytest.raises(error, match=message):
        call(small, tmp_path)
    assert not cache.exists()  # nothing written before the error
    assert ae.cache.entries(tmp_path / "missing") == []  # no cache yet is fine


@pytest.mark.parametrize("call, error, message", [
    (lambda p: ae.explore.call_traced("model", GOOD), TypeError, "model must be a keras.Model"),
    (lambda p: ae.explore.call_traced(p["stacked"].autoencoder, UINT8), TypeError,
     "batch must be float images"),
    (lambda p: ae.explore.call_traced(p["stacked"].autoencoder, SCALED), ValueError,
     r"batch values must lie in \[0, 1\]"),
    (lambda p: ae.explore.call_traced(p["stacked"].autoencoder, WITH_NAN), ValueError,
     "batch must not contain NaN"),
    (lambda p: ae.explore.call_traced(p["stacked"].autoencoder, WITH_INF), ValueError,
     "batch must not contain NaN"),
    (lambda p: ae.explore.call_traced(p["stacked"].autoencoder, GOOD[:0]), ValueError,
     "batch must hold at least 1"),
    (lambda p: ae.explore.call_traced(p["stacked"].decoder, np.zeros((2, 5))), ValueError,
     r"batch must have shape \(n, 4\) for this model"),
    (lambda p: ae.explore.interpolation_panel(p["stacked"].decoder, np.zeros(5), np.ones(4),
                                              GOOD[0], GOOD[1], 0.5), ValueError,
     r"codings_a must have shape \(4,\)"),
    (lambda p: ae.explore.interpolation_panel(p["stacked"].decoder, np.zeros(4), "b",
                                              GOOD[0], GOOD[1], 0.5), TypeError,
     "codings_b must be a NumPy array"),
    (lambda p: ae.explore.interpolation_panel(p["stacked"].decoder, np.zeros(4), np.ones(4),
                                              UINT8[0], GOOD[1], 0.5), TypeError,
     "image_a must be float images"),
    (lambda p: ae.explore.interpolation_panel(p["stacked"].decoder, np.zeros(4), np.ones(4),
                                              GOOD[0], SCALED[1], 0.5), ValueError,
     r"image_b values must lie in \[0, 1\]"),
    (lambda p: ae.explore.interpolation_panel(p["stacked"].decoder, np.zeros(4), np.ones(4),
                                              GOOD, GOOD[1], 0.5), ValueError,
     r"image_a must be one image with shape \(28, 28\)"),
    (lambda p: ae.explore.unit_noise((-1, 28, 28)), ValueError, r"shape\[0\] must be in"),
    (lambda p: ae.explore.unit_noise("8x28x28"), TypeError, "shape must be a tuple"),
    (lambda p: ae.explore.unit_noise((10**6, 10**6)), ValueError, "shape must describe"),
    (lambda p: ae.explore.noise_panel(p["stacked"].encoder, GOOD[0], GOOD[0], 0.1), TypeError,
     "autoencoder must be an autoencoder mapping 28x28 images"),
    (lambda p: ae.explore.summarise_sparse_models({1.5: p["stacked"]}, GOOD), ValueError,
     "models key 1.5 must be in"),
    (lambda p: ae.explore.summarise_sparse_models({0.1: "model"}, GOOD), TypeError,
     r"models\[0.1\] must be a trained model"),
])
def test_explore(small, call, error, message):
    with pytest.raises(error, match=message):
        call(small)


def test_slider_paths_check_a_model_once(small, monkeypatch):
    """A slider move only looks the model up: its kind is checked on the first call."""
    from aehelpers import explore

    calls = []
    real = explore.check_autoencoder
    monkeypatch.setattr(explore, "check_autoencoder", lambda *a: calls.append(a) or real(*a))
    autoencoder = ae.models.build_stacked_autoencoder(hidden_units=(8,), codings_size=2)[2]
    for level in (0.1, 0.2, 0.3):
        panel = explore.noise_panel(autoencoder, GOOD[0], GOOD[1], level)
    assert len(calls) == 1 and panel.denoised.shape == (28, 28)
    with pytest.raises(ValueError, match="batch must not contain NaN"):
        explore.call_traced(autoencoder, WITH_NAN)  # the batch is still checked every call


@pytest.mark.parametrize("call, error, message", [
    (lambda: ae.metrics.psnr(UINT8, GOOD), ValueError,
     r"clean values must lie in \[0, data_range\] = \[0, 1\].*data_range=255"),
    (lambda: ae.metrics.psnr(SCALED, GOOD), ValueError, "clean values must lie in"),
    (lambda: ae.metrics.psnr(WITH_NAN, GOOD), ValueError, "clean must not contain NaN"),
    (lambda: ae.metrics.psnr("clean", GOOD), TypeError, "clean must be a NumPy array"),
    (lambda: ae.metrics.psnr(GOOD, GOOD[:3]), ValueError, "clean and other must have the same"),
    (lambda: ae.metrics.gaussian_kl(np.zeros((2, 3)), np.full((2, 3), 1e3)), ValueError,
     "log_var values must be at most 700"),
])
def test_metrics(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_psnr_takes_uint8_images_with_their_data_range():
    assert ae.metrics.psnr(UINT8, UINT8.astype(float) + 1, data_range=255) == pytest.approx(
        10 * np.log10(255**2))


@pytest.mark.parametrize("call, error, message", [
    (lambda: ae.plots.plot_codings_2d(GOOD[:, 0, :2], np.array([-1, 0, 1, 2, 0, 1, 2, 0])),
     ValueError, r"labels must lie in \[0, inf\)"),
    (lambda: ae.plots.plot_codings_2d(GOOD[:, 0, :2], np.arange(8) % 4, class_names="abc"),
     TypeError, "class_names must be a list or tuple"),
    (lambda: ae.plots.plot_codings_2d(GOOD[:, 0, :2], np.arange(8) % 4,
                                      class_names=("a", "b", "c")), ValueError,
     r"labels must lie in \[0, 2\] to pick one of the 3 class_names"),
    (lambda: ae.plots.plot_image_grid(GOOD, scale=0), ValueError, r"scale must be in \(0, 10\]"),
    (lambda: ae.plots.plot_image_grid(GOOD, scale=float("nan")), ValueError, "scale must be in"),
    (lambda: ae.plots.plot_image_grid(GOOD, scale=True), TypeError, "scale must be a number"),
    (lambda: ae.plots.plot_image_grid(GOOD, titles=3), TypeError, "titles must be a list"),
    (lambda: ae.plots.plot_image_grid(GOOD, titles=["a"]), ValueError,
     "titles must hold 8 entries"),
    (lambda: ae.plots.plot_history({"loss": "abc"}), TypeError,
     r"history\['loss'\] must be a NumPy array"),
    (lambda: ae.plots.plot_history({"loss": [1.0]}, ax="ax"), TypeError,
     "ax must be None or a Matplotlib Axes"),
    (lambda: ae.plots.plot_sparsity_losses(ax=3), TypeError, "ax must be None or a Matplotlib"),
    (lambda: ae.plots.plot_activation_histogram(GOOD[:, 0], ax="ax"), TypeError,
     "ax must be None or a Matplotlib"),
    (lambda: ae.plots.plot_codings_2d(GOOD[:, 0, :2], np.arange(8) % 3, ax=[]), TypeError,
     "ax must be None or a Matplotlib"),
])
def test_plots(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_plots_still_take_numbers_as_titles_and_an_axes():
    import matplotlib.pyplot as plt

    figure = ae.plots.plot_image_grid(GOOD[:2], titles=[0.5, 1])
    assert [ax.get_title() for ax in figure.axes] == ["0.5", "1"]
    fig, ax = plt.subplots()
    assert ae.plots.plot_history({"loss": [1.0, 0.5]}, ax=ax) is fig


@pytest.mark.parametrize("call, error, message", [
    (lambda d: ae.data.make_3d_dataset(noise=1e12), ValueError, r"noise must be in \[0, 10\]"),
    (lambda d: ae.data.make_3d_dataset(10**12), ValueError,
     r"num_points must be in \[3, 1,000,000\]"),
    (lambda d: ae.load_fashion_mnist(d / "missing", profile="ci"), ae.data.DatasetError,
     r"missing \(data_dir\) does not exist"),
    (lambda d: ae.load_fashion_mnist(d / "a-file.txt", profile="ci"), ae.data.DatasetError,
     r"a-file.txt \(data_dir\) is a file, not a folder"),
    (lambda d: ae.load_fashion_mnist(d, profile="ci"), ae.data.DatasetError,
     r"train-images-idx3-ubyte.gz is missing from .* \(data_dir\)"),
])
def test_data(tmp_path, call, error, message):
    (tmp_path / "a-file.txt").write_text("not a folder")
    with pytest.raises(error, match=message) as info:
        call(tmp_path)
    if error is ae.data.DatasetError:  # Jupyter still shows the message alone
        assert info.value._render_traceback_() == [f"DatasetError: {info.value}"]


def test_data_dir_from_the_environment_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("AEHELPERS_DATA_DIR", str(tmp_path / "gone"))
    with pytest.raises(ae.data.DatasetError, match=r"data_dir, set by \$AEHELPERS_DATA_DIR"):
        ae.load_fashion_mnist(profile="ci")


SEEDED = {
    "notebook.set_seed": lambda p, seed: ae.set_seed(seed),
    "notebook.setup_notebook": lambda p, seed: ae.setup_notebook(seed, verbose=False),
    "data.make_3d_dataset": lambda p, seed: ae.data.make_3d_dataset(seed=seed),
    "data.add_gaussian_noise": lambda p, seed: ae.data.add_gaussian_noise(GOOD, 0.1, seed=seed),
    "layers.Sampling": lambda p, seed: ae.layers.Sampling(seed=seed),
    "models.build_variational_autoencoder": lambda p, seed:
        ae.models.build_variational_autoencoder(codings_size=2, hidden_units=(8,), seed=seed),
    "explore.unit_noise": lambda p, seed: ae.explore.unit_noise((2, 3), seed=seed),
    "explore.generate_images": lambda p, seed: ae.explore.generate_images(
        p["stacked"].decoder, 2, seed=seed),
    "widgets.latent_explorer": lambda p, seed: ae.widgets.latent_explorer(p["vae"].decoder,
                                                                          seed=seed),
    "widgets.noise_explorer": lambda p, seed: ae.widgets.noise_explorer(
        p["stacked"].autoencoder, GOOD, seed=seed),
    "exercises.check_denoising_noise_level": lambda p, seed:
        ae.exercises.check_denoising_noise_level(p["stacked"].autoencoder, GOOD, 0.1,
                                                 seed=seed, verbose=False),
}


@pytest.mark.parametrize("caller", sorted(SEEDED))
def test_seeds(small, caller):
    SEEDED[caller](small, SEED_MAX)  # the largest seed NumPy and Keras take is accepted
    with pytest.raises(ValueError, match=r"seed must be in \[0, 4,294,967,295\]"):
        SEEDED[caller](small, SEED_MAX + 1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        SEEDED[caller](small, 1.5)


def test_train_autoencoder_seed(small):
    with pytest.raises(ValueError, match="seed must be in"):
        ae.train_autoencoder("stacked", None, seed=2**32)


def _explorer(**changes):
    import ipywidgets
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure()
    FigureCanvasAgg(figure)
    artist = figure.add_subplot().imshow(np.zeros((28, 28)))
    parts = {"controls": {"level": ipywidgets.FloatSlider()}, "figure": figure,
             "update": lambda: ({"image": GOOD[0]}, "text"), "animated": [artist], **changes}
    return ae.widgets.Explorer(**parts)


def _render(small, **changes):
    from matplotlib.figure import Figure

    figure = Figure()
    artists = [figure.add_subplot(1, 3, i + 1).imshow(np.zeros((28, 28))) for i in range(3)]
    panel = ae.explore.noise_panel(small["stacked"].autoencoder, GOOD[0], GOOD[1], 0.1)
    parts = {"artists": artists, "panel": panel, "names": ("noisy", "denoised", "clean"),
             **changes}
    return ae.widgets.render_noise(**parts)


@pytest.mark.parametrize("call, error, message", [
    (lambda p: _explorer(controls=[1, 2]), TypeError, "controls must be a dict"),
    (lambda p: _explorer(controls={"x": "slider"}), TypeError,
     "controls must map names to ipywidgets controls"),
    (lambda p: _explorer(figure="figure"), TypeError, "figure must be a matplotlib Figure"),
    (lambda p: _explorer(update="update"), TypeError, "update must be a function"),
    (lambda p: _explorer(update=lambda x: x), TypeError, "update must take 0 argument"),
    (lambda p: _explorer(update=lambda: None), TypeError,
     r"update must return \(dict of the arrays shown, readout text\)"),
    (lambda p: _explorer(animated="artists"), TypeError,
     "animated must be a list of matplotlib artists"),
    (lambda p: _render(p, artists="artists"), TypeError, "artists must be 3 image artists"),
    (lambda p: _render(p, panel=None), TypeError, "panel must be an ae.explore.NoisePanel"),
    (lambda p: _render(p, names=("a", "b")), ValueError, "names must hold 3 entries"),
    (lambda p: _render(p, names="names"), TypeError, "names must be a list or tuple"),
    (lambda p: ae.widgets.interpolation_explorer(p["stacked"].encoder, p["vae"].decoder, GOOD),
     ValueError, r"decoder must take the codings encoder outputs \(shape \(4,\)\)"),
])
def test_widgets(small, call, error, message):
    with pytest.raises(error, match=message):
        call(small)


def test_a_good_explorer_and_render_still_work(small):
    explorer = _explorer()
    assert explorer.images["image"] is not None and explorer.png
    shown, text = _render(small)
    assert set(shown) == {"noisy", "denoised", "clean"} and "PSNR" in text


def _one_argument(p):
    return p


@pytest.mark.parametrize("call, error, message", [
    (lambda p: ae.exercises.check_frozen_classifier(p["stacked"].decoder, p["stacked"].autoencoder,
                                                    verbose=False), TypeError,
     "encoder must be an encoder mapping 28x28 images to coding vectors"),
    (lambda p: ae.exercises.check_frozen_classifier(p["stacked"].decoder, p["stacked"].decoder,
                                                    verbose=False), TypeError,
     "encoder must be an encoder"),
    (lambda p: ae.exercises.check_class_counts(np.r_[-10, np.full(9, 10)], np.arange(100) % 10,
                                               verbose=False), ValueError,
     "counts must hold counts of 0 or more"),
    (lambda p: ae.exercises.check_beats_pca(p["stacked"].autoencoder, UINT8, GOOD,
                                            verbose=False), TypeError,
     "x_train must be float images"),
    (lambda p: ae.exercises.check_beats_pca(p["stacked"].autoencoder, GOOD, SCALED,
                                            verbose=False), ValueError,
     r"x_valid values must lie in \[0, 1\]"),
    (lambda p: ae.exercises.check_tied_decoder(p["stacked"].decoder, p["stacked"].decoder,
                                               verbose=False), TypeError,
     "encoder must be an encoder"),
    (lambda p: ae.exercises.check_tied_decoder(p["stacked"].encoder, p["vae"].decoder,
                                               verbose=False), ValueError,
     r"decoder must take the codings encoder outputs \(shape \(4,\)\), but it takes \[\(3,\)\]"),
    (lambda p: ae.exercises.check_small_conv_autoencoder(p["stacked"].decoder,
                                                         p["conv"].decoder, verbose=False),
     TypeError, "encoder must take 28x28 images and give one output"),
    (lambda p: ae.exercises.check_small_conv_autoencoder(p["conv"].encoder, p["conv"].encoder,
                                                         verbose=False), ValueError,
     r"decoder must take the codings encoder outputs \(shape \(30,\)\)"),
    (lambda p: ae.exercises.check_bernoulli_kl(_one_argument, verbose=False), TypeError,
     r"function must take 2 argument\(s\), called as function\(p, q\).*_one_argument\(p\)"),
    (lambda p: ae.exercises.check_latent_loss(_one_argument, verbose=False), TypeError,
     r"function must take 2 argument\(s\), called as function\(mean, log_var\)"),
    (lambda p: ae.exercises.check_crossover_noise_level(p["stacked"].encoder, GOOD, 0.1,
                                                        verbose=False), TypeError,
     "autoencoder must be an autoencoder"),
])
def test_exercises(small, call, error, message):
    with pytest.raises(error, match=message):
        call(small)


def test_exercise_shapes_still_get_feedback_not_errors(small):
    """A decoder with the wrong output shape is the learner's mistake: feedback says so."""
    encoder = small["stacked"].encoder
    flat = keras.Sequential([keras.Input((4,)), keras.layers.Dense(784)])
    feedback = ae.exercises.check_small_conv_autoencoder(small["conv"].encoder,
                                                         keras.Sequential([
                                                             keras.Input((30,)),
                                                             keras.layers.Dense(784)]),
                                                         verbose=False)
    assert not feedback.passed and "Reshape((28, 28))" in feedback.message
    assert not ae.exercises.check_tied_decoder(encoder, flat, verbose=False).passed
