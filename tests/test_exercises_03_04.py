"""The exercise checks of chapters 03 (pretraining, tied, greedy) and 04 (convolutional)."""

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


def _encoder(units=(20, 5)):
    denses = [keras.layers.Dense(u, activation="relu") for u in units]
    encoder = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), *denses])
    return encoder, denses


# --- check_tied_parameter_count ---

# 784*200 + 200*50 kernels, 200 + 50 encoder biases, 200 + 784 decoder biases.
TIED_200_50 = 784 * 200 + 200 * 50 + 200 + 50 + 200 + 784


def test_tied_count_protocol(capsys):
    assert_protocol(capsys, blank=lambda **kw: exercises.check_tied_parameter_count(None, **kw),
                    wrong=lambda **kw: exercises.check_tied_parameter_count(12, **kw),
                    right=lambda **kw: exercises.check_tied_parameter_count(TIED_200_50, **kw),
                    expected=f"{TIED_200_50:,}")


def test_tied_count_matches_the_real_model():
    *_, autoencoder = ae.models.build_tied_autoencoder(hidden_units=(200, 50))
    assert exercises.check_tied_parameter_count(autoencoder.count_params()).passed


@pytest.mark.parametrize(("count", "hint"), [
    (784 * 200 + 200 * 50, "the biases are missing"),
    (784 * 200 + 200 * 50 + 250, "the decoder layers have biases of their own"),
    (2 * (784 * 200 + 200 * 50) + 250 + 984, "only once"),
    (12, "too low"),
])
def test_tied_count_hints(count, hint):
    feedback = exercises.check_tied_parameter_count(count)
    assert feedback.kind == "hint" and hint in feedback.message
    assert "168,034" not in feedback.message and "984" not in feedback.message


def test_tied_count_bad_input():
    with pytest.raises(TypeError, match="count"):
        exercises.check_tied_parameter_count("many")
    with pytest.raises(ValueError, match="count"):
        exercises.check_tied_parameter_count(-1)
    with pytest.raises(TypeError, match="hidden_units"):
        exercises.check_tied_parameter_count(1, hidden_units=30)


# --- check_frozen_classifier ---

def _classifier(encoder, *, copy=True, freeze=True, classes=10):
    body = keras.models.clone_model(encoder)
    if copy:
        body.set_weights(encoder.get_weights())
    body.trainable = not freeze
    return keras.Sequential([body, keras.layers.Dense(classes, activation="softmax")])


def test_frozen_classifier_protocol(capsys):
    encoder, _ = _encoder()
    right, unfrozen = _classifier(encoder), _classifier(encoder, freeze=False)
    assert_protocol(
        capsys, blank=lambda **kw: exercises.check_frozen_classifier(..., encoder, **kw),
        wrong=lambda **kw: exercises.check_frozen_classifier(unfrozen, encoder, **kw),
        right=lambda **kw: exercises.check_frozen_classifier(right, encoder, **kw),
        expected=["body.trainable = False", "body.set_weights(encoder.get_weights())"])


@pytest.mark.parametrize(("options", "hint"), [
    ({"copy": False}, "starts from random weights"),
    ({"freeze": False}, "still trainable"),
    ({"classes": 3}, "it outputs 3 values"),
])
def test_frozen_classifier_hints(options, hint):
    encoder, _ = _encoder()
    feedback = exercises.check_frozen_classifier(_classifier(encoder, **options), encoder)
    assert feedback.kind == "hint" and hint in feedback.message
    assert "set_weights" not in feedback.message and "trainable = False" not in feedback.message


def test_frozen_classifier_bad_input():
    encoder, _ = _encoder()
    with pytest.raises(TypeError, match="classifier"):
        exercises.check_frozen_classifier("model", encoder)
    with pytest.raises(TypeError, match="encoder"):
        exercises.check_frozen_classifier(_classifier(encoder), None)


# --- check_tied_decoder ---

def _decoder(denses, last):
    return keras.Sequential([
        keras.Input((5,)), ae.layers.DenseTranspose(denses[2], activation="relu"),
        ae.layers.DenseTranspose(denses[1], activation="relu"), last,
        keras.layers.Reshape((28, 28))])


def test_tied_decoder_protocol(capsys):
    encoder, denses = _encoder((20, 10, 5))
    right = _decoder(denses, ae.layers.DenseTranspose(denses[0]))
    untied = _decoder(denses, keras.layers.Dense(784))
    assert_protocol(capsys, blank=lambda **kw: exercises.check_tied_decoder(encoder, ..., **kw),
                    wrong=lambda **kw: exercises.check_tied_decoder(encoder, untied, **kw),
                    right=lambda **kw: exercises.check_tied_decoder(encoder, right, **kw),
                    expected="DenseTranspose(encoder Dense layer 1)")
    exercises.reset_tries()
    assert "decoder layer 3 does not reuse" in exercises.check_tied_decoder(encoder,
                                                                           untied).message


def test_tied_decoder_untied_first_layer_or_not_images():
    encoder, denses = _encoder((20, 5))
    misordered = keras.Sequential([keras.Input((5,)), keras.layers.Dense(20),
                                   ae.layers.DenseTranspose(denses[0]),
                                   keras.layers.Reshape((28, 28))])
    hint = exercises.check_tied_decoder(encoder, misordered).message
    assert "decoder layer 1 does not reuse" in hint and "Dense layer 2" not in hint
    flat = keras.Sequential([keras.Input((5,)), ae.layers.DenseTranspose(denses[1]),
                             ae.layers.DenseTranspose(denses[0])])
    hint = exercises.check_tied_decoder(encoder, flat).message
    assert "not 28 x 28 images" in hint and "Reshape((28, 28))" in hint


def test_tied_decoder_bad_input():
    encoder, _ = _encoder()
    with pytest.raises(TypeError, match="decoder"):
        exercises.check_tied_decoder(encoder, [1, 2])
    no_dense = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten()])
    with pytest.raises(ValueError, match="Dense"):
        exercises.check_tied_decoder(no_dense, no_dense)


# --- check_tied_ratio_prediction ---

def test_tied_ratio_prediction_protocol(capsys):
    *_, tied = ae.models.build_tied_autoencoder(hidden_units=(200, 50))
    *_, untied = ae.models.build_stacked_autoencoder(hidden_units=(200,), codings_size=50)
    kernels = 784 * 200 + 200 * 50
    ratio = TIED_200_50 / (2 * kernels + 200 + 50 + 200 + 784)  # counted by hand: 0.50184
    assert_protocol(
        capsys, blank=lambda **kw: exercises.check_tied_ratio_prediction(..., tied, untied, **kw),
        wrong=lambda **kw: exercises.check_tied_ratio_prediction(0.5, tied, untied, **kw),
        right=lambda **kw: exercises.check_tied_ratio_prediction(0.502, tied, untied, **kw),
        expected=f"a ratio of {ratio:.4f}")
    exercises.reset_tries()
    low = exercises.check_tied_ratio_prediction(0.5, tied, untied).message
    assert "too low" in low and "biases" in low
    exercises.reset_tries()
    assert "too high" in exercises.check_tied_ratio_prediction(0.75, tied, untied).message


# --- check_transpose_output_sizes ---

def test_transpose_sizes_protocol(capsys):
    right = {(3, "valid"): 7, (7, "same"): 14, (5, "valid"): 11, (4, "same"): 8}
    wrong = {**right, (5, "valid"): 10}
    blank = {**right, (4, "same"): ...}
    assert_protocol(capsys,
                    blank=lambda **kw: exercises.check_transpose_output_sizes(blank, **kw),
                    wrong=lambda **kw: exercises.check_transpose_output_sizes(wrong, **kw),
                    right=lambda **kw: exercises.check_transpose_output_sizes(right, **kw),
                    expected="5 with padding='valid' gives 11")
    exercises.reset_tries()
    hint = exercises.check_transpose_output_sizes(wrong).message
    assert "1 of 4" in hint and "5 with padding='valid' is too low" in hint


def test_transpose_sizes_bad_input():
    with pytest.raises(TypeError, match="sizes"):
        exercises.check_transpose_output_sizes([7, 14])
    with pytest.raises(ValueError, match="sizes keys"):
        exercises.check_transpose_output_sizes({(3, "full"): 7})
    with pytest.raises(TypeError, match="sizes"):
        exercises.check_transpose_output_sizes({(3, "same"): 6.5})


# --- check_small_conv_autoencoder ---

def test_small_conv_autoencoder_protocol(capsys):
    small = ae.models.build_conv_autoencoder(filters=(8, 16, 32))
    big = ae.models.build_conv_autoencoder()
    assert_protocol(
        capsys, blank=lambda **kw: exercises.check_small_conv_autoencoder(..., ..., **kw),
        wrong=lambda **kw: exercises.check_small_conv_autoencoder(big.encoder, big.decoder,
                                                                  **kw),
        right=lambda **kw: exercises.check_small_conv_autoencoder(small.encoder, small.decoder,
                                                                  **kw),
        expected=["filters=(8, 16, 32)", f"{small.autoencoder.count_params():,}"])
    exercises.reset_tries()
    hint = exercises.check_small_conv_autoencoder(big.encoder, big.decoder).message
    assert f"{big.autoencoder.count_params():,} parameters" in hint and "fewer filters" in hint


def test_small_conv_autoencoder_wrong_shapes_get_hints():
    encoder, decoder, _ = ae.models.build_conv_autoencoder(filters=(8, 16, 32), codings_size=10)
    assert "not 30 numbers" in exercises.check_small_conv_autoencoder(encoder, decoder).message
    encoder, decoder, _ = ae.models.build_stacked_autoencoder(hidden_units=(8,))
    assert "no Conv2D" in exercises.check_small_conv_autoencoder(encoder, decoder).message


def test_small_conv_autoencoder_bad_input():
    encoder, decoder, _ = ae.models.build_conv_autoencoder(filters=(8, 16, 32))
    with pytest.raises(TypeError, match="encoder"):
        exercises.check_small_conv_autoencoder(np.zeros(3), decoder)
    with pytest.raises(ValueError, match="max_params"):
        exercises.check_small_conv_autoencoder(encoder, decoder, max_params=0)


# --- check_filter_doubling_prediction ---

def test_filter_doubling_prediction_protocol(capsys):
    *_, original = ae.models.build_conv_autoencoder(filters=(4, 8, 8))
    *_, doubled = ae.models.build_conv_autoencoder(filters=(8, 16, 16))
    ratio = doubled.count_params() / original.count_params()  # Keras's own count
    check = exercises.check_filter_doubling_prediction
    assert_protocol(capsys, blank=lambda **kw: check(None, doubled, original, **kw),
                    wrong=lambda **kw: check(4 * ratio, doubled, original, **kw),
                    right=lambda **kw: check(ratio + 0.3, doubled, original, **kw),
                    expected=f"{ratio:.2f} times the parameters")
    exercises.reset_tries()
    assert "too low" in check(1.0, doubled, original).message
    with pytest.raises(TypeError, match="doubled"):
        check(2.0, "model", original)
