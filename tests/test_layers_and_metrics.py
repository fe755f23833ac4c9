import keras
import numpy as np
import pytest

import aehelpers as ae
from aehelpers.layers import (
    DenseTranspose,
    KLSparsityPenalty,
    L1ActivityPenalty,
    Sampling,
    bernoulli_kl_tensor,
    latent_loss,
)


def numpy_bernoulli_kl(p, q):
    return p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))


def test_kl_penalty_equals_the_bernoulli_formula():
    activations = np.random.default_rng(1).uniform(0.01, 0.99, (64, 20)).astype("float32")
    layer = KLSparsityPenalty(weight=0.5, target=0.1)
    expected = 0.5 * numpy_bernoulli_kl(0.1, activations.mean(axis=0)).sum()
    assert float(layer.penalty(activations)) == pytest.approx(expected, rel=1e-5)
    assert ae.metrics.bernoulli_kl(0.1, activations.mean(0)).sum() * 0.5 == pytest.approx(expected)


def test_kl_penalty_is_zero_at_the_target_and_positive_elsewhere():
    at_target = np.full((32, 10), 0.1, "float32")
    assert float(KLSparsityPenalty(weight=1.0, target=0.1).penalty(at_target)) == pytest.approx(
        0.0, abs=1e-6)
    # per-unit means of 0.1 reached with mixed activations are still on target
    mixed = np.zeros((10, 10), "float32")
    mixed[0] = 1.0
    assert float(KLSparsityPenalty(target=0.1).penalty(mixed)) == pytest.approx(0.0, abs=1e-6)
    assert float(KLSparsityPenalty(target=0.1).penalty(at_target * 3)) > 0


def test_kl_is_finite_at_zero_and_one_activation():
    for q in (0.0, 1.0):
        value = float(keras.ops.sum(bernoulli_kl_tensor(0.1, np.full(5, q, "float32"))))
        assert np.isfinite(value) and value > 0
        assert np.all(np.isfinite(ae.metrics.bernoulli_kl(0.1, [q])))


def test_both_kl_terms_are_used():
    # With only the p*log(p/q) term, q=0.5 against p=0.1 would give a negative loss.
    assert float(bernoulli_kl_tensor(0.1, np.array([0.5], "float32"))[0]) == pytest.approx(
        0.1 * np.log(0.2) + 0.9 * np.log(1.8), rel=1e-5)


def test_penalties_do_not_depend_on_batch_size():
    rows = np.random.default_rng(2).uniform(size=(8, 30)).astype("float32")
    big = np.tile(rows, (16, 1))
    for layer in (KLSparsityPenalty(target=0.2), L1ActivityPenalty(1e-3)):
        assert float(layer.penalty(big)) == pytest.approx(float(layer.penalty(rows)), rel=1e-5)


def test_l1_penalty_is_per_example_sum():
    activations = np.array([[0.5, -0.5], [1.0, 0.0]], "float32")
    assert float(L1ActivityPenalty(0.1).penalty(activations)) == pytest.approx(0.1 * 1.0)


def test_penalty_layers_add_their_loss_and_pass_inputs_through():
    layer = KLSparsityPenalty(weight=2.0, target=0.3)
    x = np.full((4, 3), 0.6, "float32")
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(2 * 3 * numpy_bernoulli_kl(0.3, 0.6), rel=1e-5)


@pytest.mark.parametrize("kwargs, name", [({"target": 0.0}, "target"), ({"target": 1.0}, "target"),
                                          ({"target": 1.5}, "target"), ({"weight": -1}, "weight")])
def test_penalty_arguments_are_checked(kwargs, name):
    with pytest.raises(ValueError, match=name):
        KLSparsityPenalty(**kwargs)
    with pytest.raises(ValueError, match="target"):
        ae.metrics.bernoulli_kl(0.0, [0.5])


def test_latent_loss_matches_closed_form_and_sigma_form():
    rng = np.random.default_rng(3)
    mean, log_var = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    closed = -0.5 * np.sum(1 + log_var - np.exp(log_var) - mean**2, axis=-1)
    tensor_loss = latent_loss(mean.astype("float32"), log_var.astype("float32"))
    np.testing.assert_allclose(np.asarray(tensor_loss), closed, rtol=1e-5)
    np.testing.assert_allclose(ae.metrics.gaussian_kl(mean, log_var), closed)
    np.testing.assert_allclose(ae.metrics.gaussian_kl_sigma_form(mean, np.exp(log_var / 2)), closed)
    assert ae.metrics.gaussian_kl(np.zeros((1, 3)), np.zeros((1, 3)))[0] == 0.0
    with pytest.raises(ValueError, match="sigma must be positive"):
        ae.metrics.gaussian_kl_sigma_form(mean, -np.ones_like(mean))
    with pytest.raises(ValueError, match="same shape"):
        ae.metrics.gaussian_kl(mean, log_var[:, :2])


def test_sampling_has_the_requested_mean_and_spread():
    mean = np.tile(np.array([[1.0, -2.0, 0.5]], "float32"), (20_000, 1))
    log_var = np.tile(np.log(np.array([[0.25, 1.0, 4.0]], "float32")), (20_000, 1))
    draws = np.asarray(Sampling(seed=7)([mean, log_var]))
    np.testing.assert_allclose(draws.mean(axis=0), mean[0], atol=0.05)
    np.testing.assert_allclose(draws.std(axis=0), np.exp(log_var[0] / 2), rtol=0.03)


def test_sampling_is_seeded_and_serialisable():
    inputs = [np.zeros((3, 2), "float32"), np.zeros((3, 2), "float32")]
    first, second = Sampling(seed=5), Sampling(seed=5)
    np.testing.assert_array_equal(np.asarray(first(inputs)), np.asarray(second(inputs)))
    clone = Sampling.from_config(first.get_config())
    assert clone.seed == 5


def test_dense_transpose_shares_the_kernel():
    dense = keras.layers.Dense(4)
    dense.build((None, 6))
    tied = DenseTranspose(dense, activation="relu")
    x = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    out = np.asarray(tied(x))
    assert out.shape == (2, 6) and tied.bias.shape == (6,)
    np.testing.assert_allclose(out, np.maximum(x @ np.asarray(dense.kernel).T, 0), rtol=1e-5)
    dense.kernel.assign(np.zeros((6, 4), "float32"))  # change the encoder ...
    np.testing.assert_array_equal(np.asarray(tied(x)), 0)  # ... and the decoder follows


def test_dense_transpose_errors():
    with pytest.raises(TypeError, match="dense must be a keras.layers.Dense"):
        DenseTranspose(keras.layers.Conv2D(3, 3))
    with pytest.raises(ValueError, match="must be built"):
        DenseTranspose(keras.layers.Dense(3))(np.zeros((1, 3), "float32"))
    dense = keras.layers.Dense(3)
    dense.build((None, 5))
    with pytest.raises(ValueError, match="expects inputs with 3 features"):
        DenseTranspose(dense)(np.zeros((1, 4), "float32"))


def test_mse_psnr_and_sparsity_measures():
    clean = np.zeros((2, 28, 28), "float32")
    noisy = clean + 0.1
    assert ae.metrics.mse(clean, noisy) == pytest.approx(0.01)
    assert ae.metrics.psnr(clean, noisy) == pytest.approx(20.0)
    assert ae.metrics.psnr(clean, noisy, per_image=True).shape == (2,)
    codings = np.array([[0.0, 1.0], [0.2, 0.6]], "float32")
    np.testing.assert_allclose(ae.metrics.mean_activation(codings), [0.1, 0.8])
    assert ae.metrics.fraction_near_zero(codings, threshold=0.1) == 0.25
    with pytest.raises(ValueError, match="same shape"):
        ae.metrics.mse(clean, noisy[:1])
    with pytest.raises(ValueError, match="codings must have 2 dimensions"):
        ae.metrics.mean_activation(clean)


def test_principal_angles():
    xy = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    assert ae.metrics.principal_angles(xy, xy * 3).max() == pytest.approx(0.0, abs=1e-6)
    tilted = np.array([[1.0, 0, 0], [0, np.cos(0.3), np.sin(0.3)]])
    assert ae.metrics.principal_angles(xy, tilted)[0] == pytest.approx(np.degrees(0.3))
    with pytest.raises(ValueError, match="same space"):
        ae.metrics.principal_angles(xy, np.eye(4)[:2])
