"""Automatic feedback for the exercises of chapters 05-07."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import aehelpers as ae
from aehelpers import exercises


class _Identity(keras.Model):
    """A perfect 'denoiser' for clean inputs: returns its input unchanged."""

    def call(self, inputs, training=None):
        return inputs


class _Blur(keras.Model):
    """Returns the mean image whatever the input: a constant error, noise fully removed."""

    def __init__(self, mean_image, **kwargs):
        super().__init__(**kwargs)
        self.mean_image = keras.ops.convert_to_tensor(mean_image)

    def call(self, inputs, training=None):
        return keras.ops.zeros_like(inputs) + self.mean_image


class _Offset(keras.Model):
    """Outputs a flat grey of 0.5 + offset whatever the input: its error is exactly offset**2."""

    def __init__(self, offset, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def call(self, inputs, training=None):
        return keras.ops.zeros_like(inputs) + (0.5 + self.offset)


def test_crossover_found_and_wrong_answer():
    # Flat grey images: Gaussian noise of std s barely clips below s = 0.2, so the noisy
    # input's MSE is s**2 and the model's is 0.105**2. The model first wins at s = 0.11,
    # worked out by hand, not by the checker's own code.
    images = np.full((50, 28, 28), 0.5, np.float32)
    model = _Offset(0.105)
    assert exercises.check_crossover_noise_level(model, images, 0.11, tolerance=0.005,
                                                 verbose=False).passed
    wrong = exercises.check_crossover_noise_level(model, images, 0.3, tolerance=0.005,
                                                  verbose=False)
    assert not wrong.passed and "Hint" in wrong.message


def test_crossover_when_never_helps(data):
    feedback = exercises.check_crossover_noise_level(_Identity(), data.x_test[:50], 0.1,
                                                     verbose=False)
    assert not feedback.passed and "class profile" in feedback.message


def test_denoising_noise_level(data, capsys):
    images = data.x_test[:200]
    model = _Blur(images.mean(axis=0))
    # The blur's PSNR is the same at every noise level: that of the mean image.
    flat = ae.metrics.psnr(images, np.broadcast_to(images.mean(axis=0), images.shape))
    assert not exercises.check_denoising_noise_level(model, images, 0.3, min_psnr=flat + 1).passed
    # The blur handles every level, so no answer is "the highest"; the feedback says so.
    feedback = exercises.check_denoising_noise_level(model, images, 0.3, min_psnr=flat - 1)
    assert not feedback.passed and "higher" in feedback.message
    assert "Not yet" in capsys.readouterr().out


def test_bernoulli_kl_feedback():
    def right(p, q):
        return p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))

    assert exercises.check_bernoulli_kl(right, verbose=False).passed
    half = exercises.check_bernoulli_kl(lambda p, q: p * np.log(p / q), verbose=False)
    assert not half.passed and "second term" in half.message
    shape = exercises.check_bernoulli_kl(lambda p, q: 0.0, verbose=False)
    assert not shape.passed and "shape" in shape.message
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


def test_closest_sparsity_target(data):
    # The model *named* 0.05 measures 0.2; the one named 0.3 measures 0.06, nearest the goal.
    models = {0.05: _constant_sparse_model(0.05, 0.2), 0.3: _constant_sparse_model(0.3, 0.06)}
    images = data.x_test[:100]
    assert exercises.check_closest_sparsity_target(models, images, 0.3, verbose=False).passed
    wrong = exercises.check_closest_sparsity_target(models, images, 0.05, verbose=False)
    assert not wrong.passed
    with pytest.raises(ValueError, match="answer"):
        exercises.check_closest_sparsity_target(models, images, 0.1)


def test_latent_loss_feedback():
    def right(mean, log_var):
        return -0.5 * np.sum(1 + log_var - np.exp(log_var) - mean**2, axis=-1)

    assert exercises.check_latent_loss(right, verbose=False).passed
    flipped = exercises.check_latent_loss(lambda m, g: -2 * right(m, g), verbose=False)
    assert not flipped.passed and "-1/2" in flipped.message
    summed = exercises.check_latent_loss(lambda m, g: right(m, g).sum(), verbose=False)
    assert not summed.passed and "last axis" in summed.message


def test_brightness_axis():
    # A linear decoder whose axis 2 adds ink everywhere and axis 0 a little.
    decoder = keras.Sequential([keras.Input((3,)), keras.layers.Dense(784, use_bias=False),
                                keras.layers.Reshape((28, 28))])
    kernel = np.zeros((3, 784), dtype="float32")
    kernel[2], kernel[0] = 0.2, 0.05
    decoder.layers[0].set_weights([kernel])
    assert exercises.check_brightness_axis(decoder, 2, verbose=False).passed
    assert not exercises.check_brightness_axis(decoder, 1, verbose=False).passed
    with pytest.raises(ValueError, match="axis"):
        exercises.check_brightness_axis(decoder, 3)
