import json
import warnings

import numpy as np
import pytest

import aehelpers as ae
from aehelpers import training
from aehelpers.data import FashionMNIST


@pytest.fixture()
def tiny(images):
    labels = np.zeros(len(images), np.uint8)
    return FashionMNIST(images, labels, images[:8], labels[:8], images[:8], labels[:8])


def test_fit_uses_the_profile_and_prints_compact_lines(tiny, capsys):
    *_, model = ae.models.build_stacked_autoencoder(profile="ci")
    history = training.fit(model, tiny.x_train, model_key="stacked", profile="ci",
                           validation_data=(tiny.x_valid,))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(history["loss"]) == ae.get_profile("ci").training("stacked").epochs == len(lines)
    assert lines[0].startswith("epoch   1/2  loss ") and "val_loss" in lines[0]
    assert "\x08" not in "".join(lines) and "ETA" not in "".join(lines)


def test_epoch_printer_prints_about_ten_lines(capsys):
    printer = training.EpochPrinter(95)
    for epoch in range(95):
        printer.on_epoch_begin(epoch)
        printer.on_epoch_end(epoch, {"loss": 0.1})
    lines = capsys.readouterr().out.strip().splitlines()
    assert 9 <= len(lines) <= 11 and lines[-1].startswith("epoch  95/95")


def test_fit_rejects_bad_arguments(tiny):
    *_, model = ae.models.build_stacked_autoencoder(profile="ci")
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        training.fit("model", tiny.x_train, model_key="stacked")
    with pytest.raises(ValueError, match="model must be one of"):
        training.fit(model, tiny.x_train, model_key="gan")
    with pytest.raises(ValueError, match="epochs must be in"):
        training.fit(model, tiny.x_train, model_key="stacked", epochs=0)
    with pytest.raises(ValueError, match="same length"):
        training.fit(model, tiny.x_train, tiny.x_train[:3], model_key="stacked")
    with pytest.raises(TypeError, match="x_train must hold numbers"):
        training.fit(model, np.array(["a", "b"]), model_key="stacked")


def test_predict_matches_a_direct_call(images):
    encoder, _, model = ae.models.build_variational_autoencoder(profile="ci")
    out = training.predict(model, images, batch_size=5)
    assert out.shape == images.shape
    mean, log_var, codings = training.predict(encoder, images, batch_size=5)
    np.testing.assert_allclose(mean, np.asarray(encoder(images)[0]), atol=1e-6)
    with pytest.raises(ValueError, match="batch_size"):
        training.predict(model, images, batch_size=0)


def test_reconstruction_mse_of_identity_and_zero_models(images):
    import keras

    identity = keras.Sequential([keras.Input((28, 28)), keras.layers.Identity()])
    zero = keras.Sequential([keras.Input((28, 28)), keras.layers.Lambda(lambda x: 0.0 * x)])
    assert training.reconstruction_mse(identity, images) == pytest.approx(0.0, abs=1e-12)
    assert training.reconstruction_mse(zero, images) == pytest.approx(
        float(np.mean(images.astype(np.float64) ** 2)), rel=1e-5)
    with pytest.raises(TypeError, match="images"):
        training.reconstruction_mse(identity, "not images")


def test_cache_trains_once_then_loads(tiny, cache, capsys):
    first = training.train_autoencoder("stacked", tiny, profile="ci", verbose=False)
    assert not first.from_cache and first.seconds > 0
    files = sorted(p.name for p in cache.iterdir())
    assert len(files) == 2 and files[0].endswith(".json") and files[1].endswith(".keras")
    second = training.train_autoencoder("stacked", tiny, profile="ci")
    assert second.from_cache and "from the cache" in capsys.readouterr().out
    assert second.history == first.history
    np.testing.assert_allclose(np.asarray(second.autoencoder(tiny.x_valid)),
                               np.asarray(first.autoencoder(tiny.x_valid)), atol=1e-6)
    np.testing.assert_allclose(np.asarray(second.decoder(second.encoder(tiny.x_valid))),
                               np.asarray(first.autoencoder(tiny.x_valid)), atol=1e-6)


def test_defaults_and_explicit_arguments_share_a_cache_entry(tiny, cache):
    training.train_autoencoder("stacked", tiny, profile="ci", verbose=False)
    again = training.train_autoencoder("stacked", tiny, profile="ci", verbose=False,
                                       codings_size=30, hidden_units=(100,))
    assert again.from_cache
    with pytest.raises(TypeError, match="unexpected argument"):
        training.train_autoencoder("stacked", tiny, profile="ci", codings=3)


def test_cache_key_changes_with_arguments_profile_and_version(monkeypatch):
    base = training.cache_key("stacked", {"builder": {"codings_size": 30}}, "ci")
    assert base == training.cache_key("stacked", {"builder": {"codings_size": 30}}, "ci")
    assert base != training.cache_key("stacked", {"builder": {"codings_size": 20}}, "ci")
    assert base != training.cache_key("stacked", {"builder": {"codings_size": 30}}, "class")
    assert base != training.cache_key("tied", {"builder": {"codings_size": 30}}, "ci")
    monkeypatch.setattr(training, "__version__", "99.0")
    assert base != training.cache_key("stacked", {"builder": {"codings_size": 30}}, "ci")


def test_corrupt_cache_file_is_retrained_with_a_warning(tiny, cache):
    training.train_autoencoder("stacked", tiny, profile="ci", verbose=False)
    model_file = next(cache.glob("*.keras"))
    model_file.write_bytes(b"not a keras file")
    with pytest.warns(UserWarning, match="could not be loaded.*retraining"):
        result = training.train_autoencoder("stacked", tiny, profile="ci", verbose=False)
    assert not result.from_cache
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert training.train_autoencoder("stacked", tiny, profile="ci", verbose=False).from_cache


def test_interrupted_save_leaves_nothing_half_written(tiny, cache, monkeypatch):
    import keras

    def crash(self, path, *args, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"partial")
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(keras.Model, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        training.train_autoencoder("stacked", tiny, profile="ci", verbose=False)
    assert not list(cache.glob("*.keras")), "no model file may appear"
    assert not [p for p in cache.iterdir() if ".tmp" in p.name], "temporary files are removed"


def test_use_cache_false_never_writes(tiny, cache):
    result = training.train_autoencoder("tied", tiny, profile="ci", use_cache=False, verbose=False)
    assert not result.from_cache and not cache.exists()


def test_cached_history_is_json(tiny, cache):
    training.train_autoencoder("vae", tiny, profile="ci", verbose=False)
    history = json.loads(next(cache.glob("*.json")).read_text())
    assert {"kl_loss", "reconstruction_loss"} <= set(history)
    assert training.train_autoencoder("vae", tiny, profile="ci", verbose=False).from_cache


def test_greedy_goes_through_the_cache(tiny, cache):
    result = training.train_autoencoder("greedy", tiny, profile="ci", verbose=False,
                                        hidden_units=(16, 4))
    assert "phase2_loss" in result.history
    again = training.train_autoencoder("greedy", tiny, profile="ci", verbose=False,
                                       hidden_units=(16, 4))
    assert again.from_cache and tuple(again.encoder.output.shape[1:]) == (4,)


def test_train_autoencoder_rejects_bad_arguments(tiny):
    with pytest.raises(ValueError, match="name must be one of"):
        training.train_autoencoder("gan", tiny)
    with pytest.raises(TypeError, match="load_fashion_mnist"):
        training.train_autoencoder("stacked", np.zeros((2, 28, 28)))
    with pytest.raises(TypeError, match="codings_size must be an integer"):
        training.train_autoencoder("stacked", tiny, codings_size="30", use_cache=False)
