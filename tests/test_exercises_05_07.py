"""Automatic feedback for the exercises of chapters 05-07."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import aehelpers as ae
from aehelpers import exercises
from aehelpers.exercises import generative


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


def test_crossover_found_and_wrong_answer(data):
    images = data.x_test[:200]
    model = _Blur(images.mean(axis=0))
    levels = np.round(np.arange(0.0, 0.51, 0.01), 2)
    curve = generative._psnr_curve(model, images, levels, 0)
    crossover = float(levels[np.argmax(curve[:, 1] > curve[:, 0])])
    assert exercises.check_crossover_noise_level(model, images, crossover, verbose=False).passed
    wrong = exercises.check_crossover_noise_level(model, images, min(crossover + 0.2, 1.0),
                                                  verbose=False)
    assert not wrong.passed and "Hint" in wrong.message


def test_crossover_when_never_helps(data):
    feedback = exercises.check_crossover_noise_level(_Identity(), data.x_test[:50], 0.1,
                                                     verbose=False)
    assert not feedback.passed and "class profile" in feedback.message


def test_denoising_noise_level(data, capsys):
    images = data.x_test[:200]
    model = _Blur(images.mean(axis=0))
    flat = generative._psnr_curve(model, images, [0.0], 0)[0, 1]  # same PSNR at every level
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


def test_closest_sparsity_target(data):
    models = {t: ae.models.build_sparse_kl_autoencoder(target_sparsity=t, codings_size=10,
                                                       hidden_units=(8,))[2]
              for t in (0.05, 0.3)}
    summaries = ae.explore.summarise_sparse_models(models, data.x_test[:100], num_images=1)
    best = min(summaries, key=lambda s: abs(s.measured - 0.05)).target
    other = 0.3 if best == 0.05 else 0.05
    assert exercises.check_closest_sparsity_target(models, data.x_test[:100], best,
                                                   verbose=False).passed
    assert not exercises.check_closest_sparsity_target(models, data.x_test[:100], other,
                                                       verbose=False).passed
    with pytest.raises(ValueError, match="answer"):
        exercises.check_closest_sparsity_target(models, data.x_test[:100], 0.1)


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
