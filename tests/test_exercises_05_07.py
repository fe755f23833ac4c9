"""The exercise checks of chapters 05-07 (denoising, sparse, variational)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from test_exercises_protocol import assert_protocol

import aehelpers as ae
from aehelpers import exercises


@pytest.fixture(autouse=True)
def _fresh_tries():
    exercises.reset_tries()


class _Identity(keras.Model):
    """A 'denoiser' that returns its input unchanged: its PSNR is the noisy input's."""

    def call(self, inputs, training=None):
        return inputs


class _Offset(keras.Model):
    """Outputs a flat grey of 0.5 + offset whatever the input: on flat 0.5 images its error is
    exactly offset**2."""

    def __init__(self, offset, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def call(self, inputs, training=None):
        return keras.ops.zeros_like(inputs) + (0.5 + self.offset)


GREY = np.full((50, 28, 28), 0.5, np.float32)


# --- 05_denoising_autoencoders ---------------------------------------------------------------


def test_crossover_protocol(capsys):
    # Flat grey images: Gaussian noise of std s barely clips below s = 0.2, so the noisy
    # input's MSE is s**2 and the model's is 0.105**2. The model first wins at s = 0.11,
    # worked out by hand, not by the checker's own code.
    model = _Offset(0.105)
    check = exercises.check_crossover_noise_level
    assert_protocol(capsys, blank=lambda **kw: check(model, GREY, ..., tolerance=0.005, **kw),
                    wrong=lambda **kw: check(model, GREY, 0.3, tolerance=0.005, **kw),
                    right=lambda **kw: check(model, GREY, 0.11, tolerance=0.005, **kw),
                    expected="noise level 0.11")
    exercises.reset_tries()
    assert "too low" in check(model, GREY, 0.05, tolerance=0.005).message


def test_crossover_when_it_never_helps(data):
    feedback = exercises.check_crossover_noise_level(_Identity(), data.x_test[:50], 0.1)
    assert not feedback.passed and "class profile" in feedback.message


def test_denoising_noise_level_protocol(capsys):
    # The identity's output is the noisy input: PSNR = -20 log10(s) on flat grey images, so
    # 15 dB holds up to s = 10**-0.75 = 0.178: the answer on a 0.05 grid is 0.15 (hand-worked).
    check = exercises.check_denoising_noise_level
    model = _Identity()
    assert_protocol(capsys, blank=lambda **kw: check(model, GREY, None, min_psnr=15, **kw),
                    wrong=lambda **kw: check(model, GREY, 0.05, min_psnr=15, **kw),
                    right=lambda **kw: check(model, GREY, 0.15, min_psnr=15, **kw),
                    expected="the highest level it handles is 0.15")
    exercises.reset_tries()
    assert "too high" in check(model, GREY, 0.3, min_psnr=15).message


def test_denoising_noise_level_when_every_level_is_handled():
    model = _Offset(0.01)  # 40 dB whatever the noise
    exercises.check_denoising_noise_level(model, GREY, 0.3, min_psnr=30, verbose=False)
    answer = exercises.check_denoising_noise_level(model, GREY, 0.3, min_psnr=30)
    assert answer.kind == "answer" and "every noise level" in answer.message


def test_masking_prediction_protocol(capsys):
    # Half the pixels of flat 0.5 images blanked: the damaged MSE is 0.5 * 0.25; a model that
    # outputs white (1.0) has MSE 0.25: 10 log10(0.5) = -3.0 dB, worse (hand-worked).
    white = _Offset(0.5)
    check = exercises.check_masking_prediction
    images = np.full((1000, 28, 28), 0.5, np.float32)
    assert_protocol(capsys, blank=lambda **kw: check(..., white, images, **kw),
                    wrong=lambda **kw: check("better", white, images, **kw),
                    right=lambda **kw: check("worse", white, images, **kw),
                    expected="-3.0 dB")
    assert check("same", _Identity(), images).passed  # the identity changes nothing
    with pytest.raises(ValueError, match="prediction"):
        check("much better", white, images)
    with pytest.raises(ValueError, match="rate"):
        check("same", white, images, rate=1.0)


# --- 06_sparse_autoencoders ------------------------------------------------------------------


def _kl(p, q):
    return p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))


def test_bernoulli_kl_protocol(capsys):
    def unfinished(p, q):
        return ...

    def first_term(p, q):
        return p * np.log(p / q)

    assert_protocol(capsys, blank=lambda **kw: exercises.check_bernoulli_kl(unfinished, **kw),
                    wrong=lambda **kw: exercises.check_bernoulli_kl(first_term, **kw),
                    right=lambda **kw: exercises.check_bernoulli_kl(_kl, **kw),
                    expected="(1-p) log((1-p)/(1-q))")


@pytest.mark.parametrize(("function", "says"), [
    (lambda p, q: p * np.log(p / q), "first term only"),
    (lambda p, q: _kl(q, p), "swapped"),
    (lambda p, q: -_kl(p, q), "sign is flipped"),
    (lambda p, q: 0.0 * q, "differs from the reference"),
    (lambda p, q: 0.0, "shape"),
])
def test_bernoulli_kl_hints(function, says):
    feedback = exercises.check_bernoulli_kl(function)
    assert feedback.kind == "hint" and says in feedback.message
    assert "(1-p) log" not in feedback.message


def test_bernoulli_kl_placeholders_and_bad_input():
    assert exercises.check_bernoulli_kl(None).kind == "placeholder"
    with pytest.raises(TypeError, match="function"):
        exercises.check_bernoulli_kl(3)


def _constant_sparse_model(target, activation):
    """A sparse autoencoder whose every coding unit outputs ``activation`` for every image."""
    parts = ae.models.build_sparse_kl_autoencoder(target_sparsity=target, codings_size=10,
                                                  hidden_units=(8,))
    coding_layer = [layer for layer in parts.encoder.layers
                    if isinstance(layer, keras.layers.Dense)][-1]
    kernel, bias = coding_layer.get_weights()
    logit = np.log(activation / (1 - activation))
    coding_layer.set_weights([np.zeros_like(kernel), np.full_like(bias, logit)])
    return parts


def test_closest_sparsity_target_protocol(capsys, data):
    # The model *named* 0.05 measures 0.2; the one named 0.3 measures 0.06, nearest the goal.
    models = {0.05: _constant_sparse_model(0.05, 0.2), 0.3: _constant_sparse_model(0.3, 0.06)}
    images = data.x_test[:100]
    check = exercises.check_closest_sparsity_target
    assert_protocol(capsys, blank=lambda **kw: check(models, images, ..., **kw),
                    wrong=lambda **kw: check(models, images, 0.05, **kw),
                    right=lambda **kw: check(models, images, 0.3, **kw),
                    expected=["0.3 -> 0.060", "trained at 0.3"])
    with pytest.raises(ValueError, match="answer"):
        check(models, images, 0.1)


def test_active_units_prediction_protocol(capsys, data):
    # Three of ten sigmoid units sit at sigmoid(3) = 0.95, seven at sigmoid(-3) = 0.05: every
    # image has exactly 3 units above 0.5.
    encoder = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                                keras.layers.Dense(10, activation="sigmoid")])
    encoder.layers[-1].set_weights([np.zeros((784, 10)), np.r_[np.full(3, 3.0),
                                                               np.full(7, -3.0)]])
    images = data.x_test[:100]
    check = exercises.check_active_units_prediction
    assert_protocol(capsys, blank=lambda **kw: check(None, encoder, images, **kw),
                    wrong=lambda **kw: check(15, encoder, images, **kw),
                    right=lambda **kw: check(4, encoder, images, **kw),
                    expected="3.00 units above 0.5")
    exercises.reset_tries()
    assert "too low" in check(0.0, encoder, images, threshold=0.04).message  # all 10 are on


# --- 07_variational_autoencoders -------------------------------------------------------------


def _latent_loss(mean, log_var):
    return -0.5 * np.sum(1 + log_var - np.exp(log_var) - mean**2, axis=-1)


def test_latent_loss_protocol(capsys):
    def unfinished(mean, log_var):
        return None

    def no_one(mean, log_var):
        return -0.5 * np.sum(log_var - np.exp(log_var) - mean**2, axis=-1)

    assert_protocol(capsys, blank=lambda **kw: exercises.check_latent_loss(unfinished, **kw),
                    wrong=lambda **kw: exercises.check_latent_loss(no_one, **kw),
                    right=lambda **kw: exercises.check_latent_loss(_latent_loss, **kw),
                    expected="1 + log_var - np.exp(log_var) - mean**2")


@pytest.mark.parametrize(("function", "says"), [
    (lambda m, g: -2 * _latent_loss(m, g), "sign and the factor"),
    (lambda m, g: _latent_loss(m, g).sum(), "one loss per example"),
    (lambda m, g: 0.5 * np.sum(g - np.exp(g) + m**2, axis=-1), "the '1 +'"),
])
def test_latent_loss_hints(function, says):
    feedback = exercises.check_latent_loss(function)
    assert feedback.kind == "hint" and says in feedback.message
    assert "np.exp(log_var)" not in feedback.message


def _linear_decoder():
    """A linear decoder whose axis 2 adds ink 0.2 everywhere, axis 0 adds 0.05, axis 1 none."""
    decoder = keras.Sequential([keras.Input((3,)), keras.layers.Dense(784, use_bias=False),
                                keras.layers.Reshape((28, 28))])
    kernel = np.zeros((3, 784), dtype="float32")
    kernel[2], kernel[0] = 0.2, 0.05
    decoder.layers[0].set_weights([kernel])
    return decoder


def test_brightness_axis_protocol(capsys):
    # Decoded images are clipped to [0, 1]: from -2 to +2 axis 2 goes from 0 to 0.4 ink,
    # axis 0 from 0 to 0.1 (hand-worked).
    decoder = _linear_decoder()
    check = exercises.check_brightness_axis
    assert_protocol(capsys, blank=lambda **kw: check(decoder, ..., **kw),
                    wrong=lambda **kw: check(decoder, 1, **kw),
                    right=lambda **kw: check(decoder, 2, **kw),
                    expected=["axes 2 (0.400)", "0 (0.100)"])
    assert check(decoder, 0).passed  # either of the two largest changes passes
    with pytest.raises(ValueError, match="axis"):
        check(decoder, 3)


def _vae_parts(log_var):
    """A VAE encoder with mu = 0 and gamma = ``log_var`` for every image, a linear decoder."""
    inputs = keras.Input((28, 28))
    flat = keras.layers.Flatten()(inputs)
    mean_layer, log_var_layer = keras.layers.Dense(2), keras.layers.Dense(2)
    mean, gamma = mean_layer(flat), log_var_layer(flat)
    encoder = keras.Model(inputs, [mean, gamma, ae.layers.Sampling(seed=1)([mean, gamma])])
    mean_layer.set_weights([np.zeros((784, 2)), np.zeros(2)])
    log_var_layer.set_weights([np.zeros((784, 2)), np.full(2, log_var)])
    decoder = keras.Sequential([keras.Input((2,)), keras.layers.Dense(784),
                                keras.layers.Reshape((28, 28))])
    decoder.layers[0].set_weights([np.full((2, 784), 0.1), np.full(784, 0.3)])
    return encoder, decoder


def test_sampling_prediction_protocol(capsys, data):
    # gamma = -40: sigma = exp(-20), every draw is mu, so both MSEs are equal (ratio 1.00).
    encoder, decoder = _vae_parts(-40.0)
    images = data.x_test[:100]
    check = exercises.check_sampling_prediction
    assert_protocol(capsys, blank=lambda **kw: check(None, encoder, decoder, images, **kw),
                    wrong=lambda **kw: check("lower", encoder, decoder, images, **kw),
                    right=lambda **kw: check("same", encoder, decoder, images, **kw),
                    expected="an MSE from mu 1.00 times")
    # gamma = log 100: draws land about 10 from mu, and decode far from every image.
    assert check("lower", *_vae_parts(np.log(100.0)), images).passed


def test_sampling_prediction_bad_input(data):
    stacked = ae.models.build_stacked_autoencoder(hidden_units=(8,), codings_size=2)
    with pytest.raises(TypeError, match="encoder must be a VAE encoder"):
        exercises.check_sampling_prediction("same", stacked.encoder, stacked.decoder,
                                            data.x_test[:10])
