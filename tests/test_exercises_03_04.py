"""The exercise checks of chapters 03 (pretraining, tied, greedy) and 04 (convolutional)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import aehelpers as ae
from aehelpers import exercises


def _encoder(units=(20, 5)):
    denses = [keras.layers.Dense(u, activation="relu") for u in units]
    encoder = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), *denses])
    return encoder, denses


# --- check_tied_parameter_count ---

def test_tied_count_right(capsys):
    # 784*200 + 200*50 kernels, 200 + 50 encoder biases, 200 + 784 decoder biases.
    right = 784 * 200 + 200 * 50 + 200 + 50 + 200 + 784
    assert exercises.check_tied_parameter_count(right).passed
    assert "Correct" in capsys.readouterr().out


def test_tied_count_matches_the_real_model():
    *_, autoencoder = ae.models.build_tied_autoencoder(hidden_units=(200, 50))
    feedback = exercises.check_tied_parameter_count(autoencoder.count_params(),
                                                    hidden_units=(200, 50), verbose=False)
    assert feedback.passed


@pytest.mark.parametrize(("count", "hint"), [
    (784 * 200 + 200 * 50, "biases"),
    (784 * 200 + 200 * 50 + 250, "DenseTranspose has its own bias"),
    (2 * (784 * 200 + 200 * 50) + 250 + 984, "only once"),
    (12, "count each kernel once"),
])
def test_tied_count_wrong(count, hint):
    feedback = exercises.check_tied_parameter_count(count, verbose=False)
    assert not feedback.passed
    assert hint in feedback.message and "168,034" in feedback.message


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


def test_frozen_classifier_right():
    encoder, _ = _encoder()
    feedback = exercises.check_frozen_classifier(_classifier(encoder), encoder, verbose=False)
    assert feedback.passed and "frozen" in feedback.message


@pytest.mark.parametrize(("options", "hint"), [
    ({"copy": False}, "set_weights"),
    ({"freeze": False}, "trainable = False"),
    ({"classes": 3}, "Dense(10"),
])
def test_frozen_classifier_wrong(options, hint):
    encoder, _ = _encoder()
    feedback = exercises.check_frozen_classifier(_classifier(encoder, **options), encoder,
                                                 verbose=False)
    assert not feedback.passed and hint in feedback.message


def test_frozen_classifier_bad_input():
    encoder, _ = _encoder()
    with pytest.raises(TypeError, match="classifier"):
        exercises.check_frozen_classifier("model", encoder)
    with pytest.raises(TypeError, match="encoder"):
        exercises.check_frozen_classifier(_classifier(encoder), None)


# --- check_tied_decoder ---

def test_tied_decoder_right():
    encoder, denses = _encoder((20, 10, 5))
    decoder = keras.Sequential([
        keras.Input((5,)), ae.layers.DenseTranspose(denses[2], activation="relu"),
        ae.layers.DenseTranspose(denses[1], activation="relu"),
        ae.layers.DenseTranspose(denses[0]), keras.layers.Reshape((28, 28))])
    assert exercises.check_tied_decoder(encoder, decoder, verbose=False).passed


def test_tied_decoder_untied_or_misordered():
    encoder, denses = _encoder((20, 10, 5))
    untied = keras.Sequential([
        keras.Input((5,)), ae.layers.DenseTranspose(denses[2], activation="relu"),
        ae.layers.DenseTranspose(denses[1], activation="relu"),
        keras.layers.Dense(784), keras.layers.Reshape((28, 28))])
    feedback = exercises.check_tied_decoder(encoder, untied, verbose=False)
    assert not feedback.passed and "decoder layer 3" in feedback.message
    assert "2 reuse" in feedback.message


def test_tied_decoder_bad_input():
    encoder, _ = _encoder()
    with pytest.raises(TypeError, match="decoder"):
        exercises.check_tied_decoder(encoder, [1, 2])
    no_dense = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten()])
    with pytest.raises(ValueError, match="Dense"):
        exercises.check_tied_decoder(no_dense, no_dense)


# --- check_transpose_output_sizes ---

def test_transpose_sizes_right():
    sizes = {(3, "valid"): 7, (7, "same"): 14, (5, "valid"): 11, (4, "same"): 8}
    assert exercises.check_transpose_output_sizes(sizes, verbose=False).passed


def test_transpose_sizes_wrong():
    feedback = exercises.check_transpose_output_sizes({(5, "valid"): 10, (7, "same"): 14},
                                                      verbose=False)
    assert not feedback.passed
    assert "1 of 2" in feedback.message and "gives 11, not 10" in feedback.message


def test_transpose_sizes_bad_input():
    with pytest.raises(TypeError, match="sizes"):
        exercises.check_transpose_output_sizes([7, 14])
    with pytest.raises(ValueError, match="sizes keys"):
        exercises.check_transpose_output_sizes({(3, "full"): 7})
    with pytest.raises(TypeError, match="sizes"):
        exercises.check_transpose_output_sizes({(3, "same"): 6.5})


# --- check_small_conv_autoencoder ---

def test_small_conv_autoencoder_right():
    encoder, decoder, _ = ae.models.build_conv_autoencoder(filters=(8, 16, 32))
    feedback = exercises.check_small_conv_autoencoder(encoder, decoder, verbose=False)
    assert feedback.passed and "19,191" in feedback.message


def test_small_conv_autoencoder_too_big_or_wrong_shape():
    encoder, decoder, _ = ae.models.build_conv_autoencoder()
    feedback = exercises.check_small_conv_autoencoder(encoder, decoder, verbose=False)
    assert not feedback.passed and "54,479" in feedback.message and "filters" in feedback.message
    encoder, decoder, _ = ae.models.build_conv_autoencoder(filters=(8, 16, 32), codings_size=10)
    feedback = exercises.check_small_conv_autoencoder(encoder, decoder, verbose=False)
    assert not feedback.passed and "GlobalAveragePooling2D" in feedback.message


def test_small_conv_autoencoder_needs_convolutions():
    encoder, decoder, _ = ae.models.build_stacked_autoencoder(hidden_units=(8,))
    feedback = exercises.check_small_conv_autoencoder(encoder, decoder, verbose=False)
    assert not feedback.passed and "Conv2D" in feedback.message


def test_small_conv_autoencoder_bad_input():
    encoder, decoder, _ = ae.models.build_conv_autoencoder(filters=(8, 16, 32))
    with pytest.raises(TypeError, match="encoder"):
        exercises.check_small_conv_autoencoder(np.zeros(3), decoder)
    with pytest.raises(ValueError, match="max_params"):
        exercises.check_small_conv_autoencoder(encoder, decoder, max_params=0)
