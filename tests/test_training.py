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
    *_, model = ae.models.build_stacked_autoencoder()
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
    *_, model = ae.models.build_stacked_autoencoder()
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        training.fit("model", tiny.x_train, model_key="stacked")
    with pytest.raises(ValueError, match="model_key must be one of"):
        training.fit(model, tiny.x_train, model_key="no_such_model")
    with pytest.raises(ValueError, match="epochs must be in"):
        training.fit(model, tiny.x_train, model_key="stacked", epochs=0)
    with pytest.raises(ValueError, match="same length"):
        training.fit(model, tiny.x_train, tiny.x_train[:3], model_key="stacked")
    with pytest.raises(TypeError, match="x_train must hold numbers"):
        training.fit(model, np.array(["a", "b"]), model_key="stacked")
    with pytest.raises(TypeError, match="divide by 255"):
        training.fit(model, (tiny.x_train * 255).astype(np.uint8), model_key="stacked")
    with pytest.raises(ValueError, match=r"x_train must be a batch of images.*x\[None\]"):
        training.fit(model, tiny.x_train[0], model_key="stacked")


def test_predict_matches_a_direct_call(images):
    encoder, _, model = ae.models.build_variational_autoencoder()
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


def test_fit_compiles_with_the_profiles_optimizer_and_schedule():
    *_, linear = ae.models.build_linear_autoencoder()
    points = ae.data.make_3d_dataset(num_points=64)
    training.fit(linear, points, model_key="linear", profile="ci", epochs=1, verbose=False)
    assert type(linear.optimizer).__name__ == "SGD"
    assert float(linear.optimizer.learning_rate) == pytest.approx(0.1)
    assert float(linear.optimizer.momentum) == pytest.approx(0.9)
    *_, vae = ae.models.build_variational_autoencoder()
    training.compile_autoencoder(vae, model_key="vae", profile="class")
    schedule = vae.optimizer._learning_rate
    assert type(schedule).__name__ == "CosineDecay"
    assert type(vae.optimizer).__name__ == "Nadam"


def test_predict_rejects_inputs_that_do_not_fit_the_model(images):
    *_, linear = ae.models.build_linear_autoencoder()
    with pytest.raises(ValueError, match=r"inputs must have shape \(n, 3\)"):
        training.predict(linear, np.zeros((4, 5), np.float32))
    *_, stacked = ae.models.build_stacked_autoencoder()
    with pytest.raises(ValueError, match="inputs values must lie in"):
        training.predict(stacked, images * 3)
    with pytest.raises(ValueError, match="NaN"):
        training.predict(stacked, np.full((2, 28, 28), np.nan, np.float32))


def _recording(function, calls: list):
    """``function``, appending the positional arguments of every call to ``calls``."""
    def wrapper(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)
    return wrapper


def test_fit_hands_keras_one_copy_of_an_autoencoders_images_and_trains_the_same(images):
    """fit(x) passes Keras one tensor as inputs and targets (Keras would convert a NumPy x
    twice, holding two copies of the training set), and the weights it trains match Keras's
    own fit on the NumPy arrays bit for bit: the saving changes no result."""
    x = np.concatenate([images] * 4)  # 64 images, two batches of 32 with a shuffle
    trained = []
    for way in ("helper", "keras"):
        ae.set_seed(7)
        *_, model = ae.models.build_stacked_autoencoder()
        training.compile_autoencoder(model, model_key="stacked", profile="ci")
        initial = model.get_weights()[0]
        if way == "helper":
            seen = []
            model.fit = _recording(model.fit, seen)
            training.fit(model, x, model_key="stacked", profile="ci", epochs=2, batch_size=32,
                         validation_data=(x[:8],), verbose=False)
            inputs, targets = seen[0]
            assert inputs is targets and not isinstance(inputs, np.ndarray)
        else:
            model.fit(x, x, epochs=2, batch_size=32, validation_data=(x[:8], x[:8]), verbose=0)
        trained.append(model.get_weights())
    for helper_weights, keras_weights in zip(*trained, strict=True):
        np.testing.assert_array_equal(helper_weights, keras_weights)
    assert not np.array_equal(trained[0][0], initial)  # it did train


@pytest.mark.parametrize(("num_examples", "batch_size", "fraction", "expected"), [
    (55_000, 128, 0.25, 14_336),  # 13,750 wanted: 6.7 calls of 2,048 -> 7 calls
    (55_000, 256, 0.25, 12_288),  # 3.36 calls of 4,096 -> 3
    (55_000, 128, 1.0, 55_000),   # 26.9 calls round to 27, more than there are: all of them
    (1_000, 128, 0.1, 1_000),     # less than one call: everything there is
    (10_000, 32, 0.01, 512),      # at least one whole call
])
def test_timed_examples_are_whole_calls_of_steps(num_examples, batch_size, fraction, expected):
    assert training.STEPS_PER_EXECUTION == 16  # the expected values assume it
    assert training.timed_examples(num_examples, batch_size, fraction) == expected


@pytest.mark.parametrize("fraction", [0.0, -0.5, 1.5, float("nan")])
def test_time_epoch_rejects_a_fraction_outside_0_to_1(images, fraction):
    *_, model = ae.models.build_stacked_autoencoder()
    with pytest.raises(ValueError, match="fraction"):
        training.time_epoch(model, images, model_key="stacked", profile="ci", fraction=fraction)


def test_time_epoch_warms_every_step_up_then_scales_a_timed_slice(monkeypatch):
    """The warm-up is one whole call plus a partial batch; only the slice's epoch is timed."""
    batch = ae.get_profile("ci").training("stacked").batch_size
    call = batch * training.STEPS_PER_EXECUTION
    images = np.random.default_rng(1).random((5 * call + 7, 28, 28)).astype("float32")
    fitted, real_fit = [], training.fit

    def spy(model, x_train, **kwargs):
        fitted.append((len(x_train), kwargs["epochs"]))
        return real_fit(model, x_train, **kwargs)

    ticks = iter(np.arange(0.0, 1000.0, 1.5))  # a clock that moves 1.5 s per reading
    monkeypatch.setattr(training, "fit", spy)
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(ticks))
    *_, model = ae.models.build_stacked_autoencoder()
    seconds = training.time_epoch(model, images, model_key="stacked", profile="ci",
                                  fraction=0.4)
    timed = 2 * call  # 0.4 of 5.0x calls = 2.0x calls
    assert fitted == [(call + batch // 2, 1), (timed, 1)]
    assert seconds == pytest.approx(1.5 * len(images) / timed)


def test_warm_up_runs_one_whole_call_of_steps_and_one_partial_batch():
    batch = ae.get_profile("ci").training("stacked").batch_size
    images = np.random.default_rng(2).random((40 * batch, 28, 28)).astype("float32")
    *_, model = ae.models.build_stacked_autoencoder()
    with pytest.raises(ValueError, match="compiled"):
        training.warm_up(model, images, model_key="stacked", profile="ci")
    training.compile_autoencoder(model, model_key="stacked", profile="ci")
    training.warm_up(model, images, model_key="stacked", profile="ci")
    assert int(model.optimizer.iterations) == 17  # 16 steps in one call, then 1 more


def test_time_epoch_leaves_a_trained_model_and_its_optimizer_as_they_were(images):
    *_, model = ae.models.build_stacked_autoencoder()
    training.fit(model, images, model_key="stacked", profile="ci", epochs=1, verbose=False)
    weights = model.get_weights()
    state = [np.array(v) for v in model.optimizer.variables]
    assert int(model.optimizer.iterations) > 0  # a trained optimizer, with moments
    seconds = training.time_epoch(model, np.concatenate([images] * 4), model_key="stacked",
                                  profile="ci")
    assert seconds > 0
    for after, before in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(after, before)
    for after, before in zip(model.optimizer.variables, state, strict=True):
        np.testing.assert_array_equal(np.array(after), before)


def test_time_epoch_leaves_a_fresh_model_as_freshly_compiled(images):
    """Timed, then trained: the same weights as a model that was only trained."""
    trained = []
    for timed_first in (False, True):
        ae.set_seed(3)
        *_, model = ae.models.build_stacked_autoencoder()
        if timed_first:
            training.time_epoch(model, images, model_key="stacked", profile="ci")
            assert model.compiled and int(model.optimizer.iterations) == 0
        ae.set_seed(4)  # the same shuffling for both fits
        training.fit(model, images, model_key="stacked", profile="ci", epochs=1, verbose=False)
        trained.append(model.get_weights())
    for timed, plain in zip(*trained, strict=True):
        np.testing.assert_array_equal(timed, plain)
