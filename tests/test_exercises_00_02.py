"""The exercise checks of chapters 00-02: right answers pass, wrong ones get a useful hint."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import aehelpers as ae
from aehelpers import exercises as ex


def _labels():
    return np.repeat(np.arange(10), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]).astype(np.int64)


# --- 00_start_here ---------------------------------------------------------------------------


def test_profile_lookup_right_and_wrong(capsys):
    profile = ae.get_profile("ci")
    right = ex.check_profile_lookup("ci", profile.train_size, profile.training("stacked").epochs)
    assert right.passed and "both are right" in right.message
    assert "Correct" in capsys.readouterr().out
    wrong = ex.check_profile_lookup("class", 0, 0, verbose=False)
    assert not wrong.passed
    assert "55,000" in wrong.message and "Hint" in wrong.message
    assert capsys.readouterr().out == ""


def test_profile_lookup_validates():
    with pytest.raises(ValueError, match="name"):
        ex.check_profile_lookup("fast", 1, 1)
    with pytest.raises(TypeError, match="train_size"):
        ex.check_profile_lookup("ci", "3000", 2)


def test_class_counts_right_and_wrong():
    labels = _labels()
    right = ex.check_class_counts(np.bincount(labels), labels, verbose=False)
    assert right.passed and "T-shirt/top with 5" in right.message
    counts = np.bincount(labels)
    counts[3] += 1
    wrong = ex.check_class_counts(counts, labels, verbose=False)
    assert not wrong.passed
    assert "Dress: you have 9, it is 8" in wrong.message and "np.bincount" in wrong.message


def test_class_counts_validates():
    with pytest.raises(ValueError, match="counts"):
        ex.check_class_counts([1, 2, 3], _labels())
    with pytest.raises(TypeError, match="labels"):
        ex.check_class_counts(np.zeros(10, int), np.zeros(5))
    with pytest.raises(ValueError, match="labels"):
        ex.check_class_counts(np.zeros(10, int), np.array([0, 10]))


# --- 01_representations_and_pca --------------------------------------------------------------


def test_reconstruction_mse_right_and_wrong():
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(20, 3))
    recon = inputs + rng.normal(scale=0.1, size=inputs.shape)
    right = ex.check_reconstruction_mse(float(np.mean((inputs - recon) ** 2)), inputs, recon,
                                        verbose=False)
    assert right.passed
    mae = ex.check_reconstruction_mse(float(np.mean(np.abs(inputs - recon))), inputs, recon,
                                      verbose=False)
    assert not mae.passed and "ABSOLUTE" in mae.message
    rmse = ex.check_reconstruction_mse(float(np.sqrt(np.mean((inputs - recon) ** 2))), inputs,
                                       recon, verbose=False)
    assert not rmse.passed and "RMSE" in rmse.message
    other = ex.check_reconstruction_mse(123.0, inputs, recon, verbose=False)
    assert not other.passed and "np.mean((inputs - reconstructions) ** 2)" in other.message


def test_reconstruction_mse_validates():
    with pytest.raises(TypeError, match="value"):
        ex.check_reconstruction_mse("0.1", np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="same shape"):
        ex.check_reconstruction_mse(0.1, np.zeros((2, 3)), np.zeros((3, 2)))


def test_pca_basis_right_and_uncentred():
    data = ae.data.make_3d_dataset()
    centred = np.linalg.svd(data - data.mean(axis=0), full_matrices=False)[2][:2]
    # Any basis of the same plane passes, not only PCA's own vectors.
    mixed = np.array([[1.0, 2.0], [0.5, -1.0]]) @ centred
    assert ex.check_pca_basis(mixed, data, verbose=False).passed
    uncentred = np.linalg.svd(data, full_matrices=False)[2][:2]
    wrong = ex.check_pca_basis(uncentred, data, verbose=False)
    assert not wrong.passed and "UNCENTRED" in wrong.message
    assert "degrees" in wrong.message
    far = ex.check_pca_basis(np.array([[0.0, 0.0, 1.0]]), data, verbose=False)
    assert not far.passed and "first 1 rows" in far.message


def test_pca_basis_validates():
    data = ae.data.make_3d_dataset()
    with pytest.raises(ValueError, match="basis"):
        ex.check_pca_basis(np.ones((2, 4)), data)
    with pytest.raises(ValueError, match="linearly independent"):
        ex.check_pca_basis(np.ones((2, 3)), data)
    with pytest.raises(ValueError, match="max_angle"):
        ex.check_pca_basis(np.eye(3)[:2], data, max_angle=0)


# --- 02_stacked_autoencoders -----------------------------------------------------------------


def test_parameter_count_right_and_wrong():
    right = ex.check_parameter_count(163_814, verbose=False)
    assert right.passed and "163,814" in right.message
    weights_only = ex.check_parameter_count(2 * (784 * 100 + 100 * 30), verbose=False)
    assert not weights_only.passed and "bias" in weights_only.message
    assert not ex.check_parameter_count(1, verbose=False).passed
    assert ex.check_parameter_count(3 * 2 + 2, layer_sizes=(3, 2), verbose=False).passed


def test_parameter_count_validates():
    with pytest.raises(TypeError, match="count"):
        ex.check_parameter_count(1.5)
    with pytest.raises(TypeError, match="layer_sizes"):
        ex.check_parameter_count(1, layer_sizes=784)
    with pytest.raises(ValueError, match=r"layer_sizes\[1\]"):
        ex.check_parameter_count(1, layer_sizes=(784, 0))


def _low_rank_images(num_images, seed):
    rng = np.random.default_rng(seed)
    patterns = rng.random((4, 784))
    weights = rng.dirichlet(np.ones(4), size=num_images)
    noise = 0.02 * rng.normal(size=(num_images, 784))
    return np.clip(weights @ patterns + noise, 0, 1).reshape(-1, 28, 28).astype("float32")


def _pca_autoencoder(images, codings_size):
    """A linear autoencoder whose weights are PCA fitted on ``images`` (no training)."""
    flat = images.reshape(len(images), -1).astype(np.float64)
    mean = flat.mean(axis=0)
    components = np.linalg.svd(flat - mean, full_matrices=False)[2][:codings_size]
    encoder = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                                keras.layers.Dense(codings_size)])
    decoder = keras.Sequential([keras.Input((codings_size,)), keras.layers.Dense(784),
                                keras.layers.Reshape((28, 28))])
    encoder.layers[-1].set_weights([components.T, -mean @ components.T])
    decoder.layers[0].set_weights([components, mean])
    return keras.Sequential([encoder, decoder])


def test_beats_pca_right_and_wrong():
    x_train, x_valid = _low_rank_images(120, 1), _low_rank_images(60, 2)
    # PCA fitted on the validation images themselves is the best linear answer there.
    right = ex.check_beats_pca(_pca_autoencoder(x_valid, 2), x_train, x_valid, verbose=False)
    assert right.passed and "codings_size=2" in right.message
    *_, untrained = ae.models.build_stacked_autoencoder(hidden_units=(8,), codings_size=2)
    wrong = ex.check_beats_pca(untrained, x_train, x_valid, verbose=False)
    assert not wrong.passed and "train it longer" in wrong.message


def test_beats_pca_validates():
    x = _low_rank_images(10, 0)
    with pytest.raises(TypeError, match="autoencoder"):
        ex.check_beats_pca("model", x, x)
    with pytest.raises(ValueError, match="x_train"):
        ex.check_beats_pca(_pca_autoencoder(x, 2), x[:2], x)
