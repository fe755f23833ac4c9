"""The exercise checks of chapters 00-02: placeholder, hint, answer, and what each hint says."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from test_exercises_protocol import assert_protocol, one_line

import aehelpers as ae
from aehelpers import exercises as ex


@pytest.fixture(autouse=True)
def _fresh_tries():
    ex.reset_tries()


def _labels():
    """Labels with 101, 102, ... 110 images of classes 0 to 9: counts known by construction."""
    return np.repeat(np.arange(10), np.arange(101, 111)).astype(np.int64)


# --- 00_start_here ---------------------------------------------------------------------------


def test_profile_lookup_protocol(capsys):
    profile = ae.get_profile("ci")
    size, epochs = profile.train_size, profile.training("stacked").epochs
    assert_protocol(
        capsys, blank=lambda **kw: ex.check_profile_lookup("ci", ..., ..., **kw),
        wrong=lambda **kw: ex.check_profile_lookup("ci", 0, epochs + 5, **kw),
        right=lambda **kw: ex.check_profile_lookup("ci", size, epochs, **kw),
        expected=[f"{size:,} training images", f"for {epochs} epochs"])


def test_profile_lookup_hints_say_which_way(capsys):
    hint = ex.check_profile_lookup("ci", 10**6, 0).message
    assert "train_size is too high" in hint and "stacked_epochs is too low" in hint
    blank = ex.check_profile_lookup("ci", 3, None).message
    assert blank.startswith("Replace `None` in `stacked_epochs`") and "train_size" not in blank


def test_profile_lookup_counts_tries_per_profile():
    """Chapter 00 shows a wrong answer for 'book'; the 'ci' exercise must still start fresh."""
    assert ex.check_profile_lookup("book", 0, 0, verbose=False).kind == "hint"
    assert ex.check_profile_lookup("ci", 0, 0, verbose=False).kind == "hint"
    assert ex.check_profile_lookup("book", 0, 0, verbose=False).kind == "answer"


def test_profile_lookup_validates():
    with pytest.raises(ValueError, match="name"):
        ex.check_profile_lookup("fast", 1, 1)
    with pytest.raises(TypeError, match="train_size"):
        ex.check_profile_lookup("ci", "3000", 2)


def test_class_counts_protocol(capsys):
    labels = _labels()
    counts = np.arange(101, 111)
    off = counts.copy()
    off[3] += 1
    assert_protocol(capsys, blank=lambda **kw: ex.check_class_counts(None, labels, **kw),
                    wrong=lambda **kw: ex.check_class_counts(off, labels, **kw),
                    right=lambda **kw: ex.check_class_counts(counts, labels, **kw),
                    expected=["Dress 104"])


def test_class_counts_hint_names_the_classes_and_the_direction(capsys):
    labels = _labels()
    counts = np.arange(101, 111)
    counts[1] -= 5
    hint = ex.check_class_counts(counts, labels).message
    assert "Trouser too low" in hint and "fewer images than there are labels" in hint
    assert "102" not in hint


def test_class_counts_validates():
    with pytest.raises(ValueError, match="counts"):
        ex.check_class_counts([1, 2, 3], _labels())
    with pytest.raises(TypeError, match="labels"):
        ex.check_class_counts(np.zeros(10, int), np.zeros(5))
    with pytest.raises(ValueError, match="labels"):
        ex.check_class_counts(np.zeros(10, int), np.array([0, 10]))


# --- 01_representations_and_pca --------------------------------------------------------------


def _points():
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(20, 3))
    return inputs, inputs + rng.normal(scale=0.1, size=inputs.shape)


def test_reconstruction_mse_protocol(capsys):
    inputs, recon = _points()
    right = float(np.mean((inputs - recon) ** 2))
    assert_protocol(
        capsys, blank=lambda **kw: ex.check_reconstruction_mse(..., inputs, recon, **kw),
        wrong=lambda **kw: ex.check_reconstruction_mse(123.0, inputs, recon, **kw),
        right=lambda **kw: ex.check_reconstruction_mse(right, inputs, recon, **kw),
        expected=[f"{right:.6f}", "np.mean((inputs - reconstructions) ** 2)"])


@pytest.mark.parametrize(("mistake", "says"), [
    (lambda e: np.mean(np.abs(e)), "mean absolute error, not the mean squared error"),
    (lambda e: np.sqrt(np.mean(e**2)), "the RMSE"),
    (lambda e: np.sum(e**2), "a sum over every number"),
    (lambda e: np.mean(np.sum(e**2, axis=1)), "summed over each row"),
    (lambda e: 1e-4, "too low"),
])
def test_reconstruction_mse_hints_name_the_mistake(mistake, says):
    inputs, recon = _points()
    hint = ex.check_reconstruction_mse(float(mistake(inputs - recon)), inputs, recon).message
    assert says in hint and f"{np.mean((inputs - recon) ** 2):.6f}" not in hint


def test_reconstruction_mse_validates():
    with pytest.raises(TypeError, match="value"):
        ex.check_reconstruction_mse("0.1", np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="same shape"):
        ex.check_reconstruction_mse(0.1, np.zeros((2, 3)), np.zeros((3, 2)))


def test_pca_basis_protocol(capsys):
    data = ae.data.make_3d_dataset()
    centred = np.linalg.svd(data - data.mean(axis=0), full_matrices=False)[2][:2]
    uncentred = np.linalg.svd(data, full_matrices=False)[2][:2]
    mixed = np.array([[1.0, 2.0], [0.5, -1.0]]) @ centred  # any basis of the plane passes
    assert_protocol(capsys, blank=lambda **kw: ex.check_pca_basis(None, data, **kw),
                    wrong=lambda **kw: ex.check_pca_basis(uncentred, data, **kw),
                    right=lambda **kw: ex.check_pca_basis(mixed, data, **kw),
                    expected="np.linalg.svd(data - data.mean(axis=0)")
    ex.reset_tries()
    assert "tilted towards the data's mean" in ex.check_pca_basis(uncentred, data).message


def test_pca_basis_validates():
    data = ae.data.make_3d_dataset()
    with pytest.raises(ValueError, match="basis"):
        ex.check_pca_basis(np.ones((2, 4)), data)
    with pytest.raises(ValueError, match="linearly independent"):
        ex.check_pca_basis(np.ones((2, 3)), data)
    with pytest.raises(ValueError, match="max_angle"):
        ex.check_pca_basis(np.eye(3)[:2], data, max_angle=0)


def _scaling_autoencoder(scale):
    """A 3->3 linear autoencoder whose output is ``scale`` times its input."""
    encoder, decoder, autoencoder = ae.models.build_linear_autoencoder(input_dim=3,
                                                                       codings_size=3)
    encoder.layers[-1].set_weights([scale * np.eye(3), np.zeros(3)])
    decoder.layers[-1].set_weights([np.eye(3), np.zeros(3)])
    return autoencoder


def test_capacity_prediction_protocol(capsys):
    points = ae.data.make_3d_dataset()
    model, baseline = _scaling_autoencoder(0.8), _scaling_autoencoder(0.5)
    ratio = (1 - 0.8) ** 2 / (1 - 0.5) ** 2  # errors 0.2 x and 0.5 x: a ratio of 0.16
    assert_protocol(
        capsys,
        blank=lambda **kw: ex.check_capacity_prediction(..., model, baseline, points, **kw),
        wrong=lambda **kw: ex.check_capacity_prediction("zero", model, baseline, points, **kw),
        right=lambda **kw: ex.check_capacity_prediction("lower", model, baseline, points,
                                                        **kw),
        expected=f"a loss {ratio:.2f} times")
    ex.reset_tries()
    assert "too high" in ex.check_capacity_prediction("same", model, baseline, points).message
    copier = _scaling_autoencoder(1.0)
    assert ex.check_capacity_prediction("zero", copier, baseline, points).passed


def test_capacity_prediction_validates():
    points = ae.data.make_3d_dataset()
    with pytest.raises(ValueError, match="prediction must be one of"):
        ex.check_capacity_prediction("less", _scaling_autoencoder(1), _scaling_autoencoder(1),
                                     points)
    *_, two_d = ae.models.build_linear_autoencoder(input_dim=2, codings_size=1)
    with pytest.raises(TypeError, match="baseline"):
        ex.check_capacity_prediction("zero", _scaling_autoencoder(1), two_d, points)


# --- 02_stacked_autoencoders -----------------------------------------------------------------


def test_parameter_count_protocol(capsys):
    # 784*100 + 100 + 100*30 + 30 + 30*100 + 100 + 100*784 + 784, counted by hand.
    assert_protocol(capsys, blank=lambda **kw: ex.check_parameter_count(..., **kw),
                    wrong=lambda **kw: ex.check_parameter_count(1, **kw),
                    right=lambda **kw: ex.check_parameter_count(163_814, **kw),
                    expected="163,814")
    assert ex.check_parameter_count(3 * 2 + 2, layer_sizes=(3, 2)).passed


@pytest.mark.parametrize(("count", "says"), [
    (10 * 4 + 4 * 2, "the weights but not the biases"),  # right: 10*4 + 4 + 4*2 + 2 = 54
    (10 * 4 + 4 * 2 + 10 + 4, "not one per input"),
    (10**6, "too high"),
    (3, "too low"),
])
def test_parameter_count_hints(count, says, capsys):
    hint = ex.check_parameter_count(count, layer_sizes=(10, 4, 2)).message
    assert says in hint and "54" not in hint
    one_line(capsys)


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


def _pca_mse(x_train, x_valid, k):
    """PCA's validation MSE with ``k`` components, fitted on x_train: a NumPy reference."""
    flat = x_train.reshape(len(x_train), -1).astype(np.float64)
    mean = flat.mean(axis=0)
    components = np.linalg.svd(flat - mean, full_matrices=False)[2][:k]
    valid = x_valid.reshape(len(x_valid), -1).astype(np.float64) - mean
    return float(np.mean((valid @ components.T @ components - valid) ** 2))


def test_beats_pca_protocol(capsys):
    x_train, x_valid = _low_rank_images(120, 1), _low_rank_images(60, 2)
    # PCA fitted on the validation images themselves is the best linear answer there.
    good = _pca_autoencoder(x_valid, 2)
    *_, untrained = ae.models.build_stacked_autoencoder(hidden_units=(8,), codings_size=2)
    assert_protocol(capsys,
                    blank=lambda **kw: ex.check_beats_pca(..., x_train, x_valid, **kw),
                    wrong=lambda **kw: ex.check_beats_pca(untrained, x_train, x_valid, **kw),
                    right=lambda **kw: ex.check_beats_pca(good, x_train, x_valid, **kw),
                    expected=f"PCA with 2 components {_pca_mse(x_train, x_valid, 2):.4f}")


def test_beats_pca_with_a_codings_limit():
    x_train, x_valid = _low_rank_images(120, 1), _low_rank_images(60, 2)
    feedback = ex.check_beats_pca(_pca_autoencoder(x_valid, 3), x_train, x_valid,
                                  max_codings_size=2)
    assert not feedback.passed and "at most 2" in feedback.message
    blank = ex.check_beats_pca(None, x_train, x_valid, max_codings_size=2)
    assert "at most 2 codings" in blank.message and blank.kind == "placeholder"


def test_beats_pca_validates():
    x = _low_rank_images(10, 0)
    with pytest.raises(TypeError, match="autoencoder"):
        ex.check_beats_pca("model", x, x)
    with pytest.raises(ValueError, match="x_train"):
        ex.check_beats_pca(_pca_autoencoder(x, 2), x[:2], x)


class _Constant(keras.Model):
    """Outputs the same image whatever the input."""

    def __init__(self, image, **kwargs):
        super().__init__(**kwargs)
        self.image = keras.ops.convert_to_tensor(image)

    def call(self, inputs, training=None):
        return keras.ops.zeros_like(inputs) + self.image


def test_flip_prediction_protocol(capsys, data):
    images = data.x_valid[:200]
    model = _Constant(images.mean(axis=0))  # rebuilds every image as the mean upright image
    upright = np.mean((images - images.mean(axis=0)) ** 2)
    flipped = np.mean((images[:, ::-1] - images.mean(axis=0)) ** 2)
    ratio = float(flipped / upright)
    assert_protocol(capsys,
                    blank=lambda **kw: ex.check_flip_prediction(None, model, images, **kw),
                    wrong=lambda **kw: ex.check_flip_prediction(10 * ratio, model, images, **kw),
                    right=lambda **kw: ex.check_flip_prediction(ratio * 1.2, model, images,
                                                                **kw),
                    expected=f"{ratio:.2f} times")
    ex.reset_tries()
    assert "too low" in ex.check_flip_prediction(ratio / 3, model, images).message
    with pytest.raises(ValueError, match="prediction"):
        ex.check_flip_prediction(0, model, images)
