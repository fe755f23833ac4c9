import keras
import numpy as np
import pytest

import aehelpers as ae
from aehelpers.registry import MODELS


def _roundtrip(model, tmp_path):
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    return keras.saving.load_model(path, safe_mode=True)


@pytest.mark.parametrize("name", [n for n in MODELS if n not in ("vae", "greedy")])
def test_every_builder_trains_and_roundtrips(name, tmp_path, images):
    spec = MODELS[name]
    parts = spec.builder()
    assert isinstance(parts, ae.models.Autoencoder)
    encoder, decoder, autoencoder = parts
    x = np.random.default_rng(0).random((32, 3), dtype=np.float32) if name == "linear" else images
    before = autoencoder.get_weights()
    ae.training.fit(autoencoder, x, model_key=spec.profile_key, profile="ci", epochs=1,
                    batch_size=8, verbose=False)
    assert any(not np.array_equal(a, b) for a, b in zip(before, autoencoder.get_weights(),
                                                         strict=True))
    expected = np.asarray(autoencoder(x))
    loaded = _roundtrip(autoencoder, tmp_path)
    np.testing.assert_allclose(np.asarray(loaded(x)), expected, atol=1e-6)
    np.testing.assert_allclose(np.asarray(decoder(encoder(x))), expected, atol=1e-6)


def test_builders_return_uncompiled_architectures():
    for name, spec in MODELS.items():
        autoencoder = spec.builder().autoencoder
        assert not autoencoder.compiled, name


def test_vae_roundtrip_and_separate_losses(tmp_path, images):
    encoder, decoder, vae = ae.models.build_variational_autoencoder(seed=3)
    history = ae.training.fit(vae, images, model_key="vae", profile="ci",
                              validation_data=(images,), verbose=False)
    for key in ("loss", "reconstruction_loss", "kl_loss", "val_reconstruction_loss", "val_kl_loss"):
        assert key in history and np.isfinite(history[key][-1])
    # The total is the reconstruction plus the (already weighted) KL term.
    assert history["val_loss"][-1] == pytest.approx(
        history["val_reconstruction_loss"][-1] + history["val_kl_loss"][-1], rel=1e-4)
    mean, log_var, _ = encoder(images)
    loaded = _roundtrip(vae, tmp_path)
    mean2, log_var2, _ = loaded.encoder(images)
    np.testing.assert_allclose(np.asarray(mean2), np.asarray(mean), atol=1e-6)
    np.testing.assert_allclose(np.asarray(log_var2), np.asarray(log_var), atol=1e-6)
    np.testing.assert_allclose(np.asarray(loaded.decoder(mean)), np.asarray(decoder(mean)),
                               atol=1e-6)


def test_vae_kl_term_matches_the_closed_form(images):
    encoder, _, vae = ae.models.build_variational_autoencoder()
    mean, log_var, _ = (np.asarray(t) for t in encoder(images))
    vae(images)
    expected = ae.metrics.gaussian_kl(mean, log_var).mean() / 784
    assert float(vae.losses[0]) == pytest.approx(expected, rel=1e-4)


def test_vae_generates_and_decodes_codings():
    _, decoder, _ = ae.models.build_variational_autoencoder(codings_size=4)
    generated = ae.explore.generate_images(decoder, 5, seed=1)
    assert generated.shape == (5, 28, 28) and 0 <= generated.min() and generated.max() <= 1
    np.testing.assert_array_equal(generated, ae.explore.generate_images(decoder, 5, seed=1))
    assert ae.explore.decode_codings(decoder, np.zeros((2, 4))).shape == (2, 28, 28)
    with pytest.raises(ValueError, match=r"codings must have shape \(n, 4\)"):
        ae.explore.decode_codings(decoder, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="num_images"):
        ae.explore.generate_images(decoder, 0)
    with pytest.raises(TypeError, match="decoder"):
        ae.explore.generate_images("decoder")


def test_tied_weights_are_shared_and_halve_the_parameters(tmp_path, images):
    encoder, decoder, tied = ae.models.build_tied_autoencoder()
    *_, stacked = ae.models.build_stacked_autoencoder(codings_size=30)
    dense_1, dense_2 = [layer for layer in encoder.layers if isinstance(layer, keras.layers.Dense)]
    first, second = decoder.layers[:2]
    assert first.dense is dense_2 and second.dense is dense_1
    ratio = tied.count_params() / stacked.count_params()
    assert 0.45 < ratio < 0.55, ratio
    # The decoder owns only its biases; the kernels it uses are the encoder's.
    assert decoder.count_params() == 100 + 784
    assert len(decoder.trainable_weights) == 2
    # Reloaded from disk, the decoder still uses the encoder's kernels.
    loaded = _roundtrip(tied, tmp_path)
    reloaded_dense = [layer for layer in loaded.encoder.layers
                      if isinstance(layer, keras.layers.Dense)][0]
    assert loaded.decoder.layers[1].dense is reloaded_dense
    reloaded_dense.kernel.assign(np.zeros_like(np.asarray(reloaded_dense.kernel)))
    assert np.allclose(np.asarray(loaded.encoder(images)), 0)


def test_conv_autoencoder_shapes():
    encoder, decoder, _ = ae.models.build_conv_autoencoder()
    shapes = [tuple(layer.output.shape[1:]) for layer in encoder.layers]
    assert (14, 14, 16) in shapes and (7, 7, 32) in shapes and (3, 3, 64) in shapes
    assert shapes[-1] == (30,)
    assert tuple(decoder.output.shape[1:]) == (28, 28)


def test_linear_autoencoder_spans_the_pca_plane():
    from sklearn.decomposition import PCA

    points = ae.data.make_3d_dataset(seed=4)
    _, decoder, autoencoder = ae.models.build_linear_autoencoder()
    ae.training.fit(autoencoder, points, model_key="linear", profile="ci", verbose=False)
    plane = np.asarray(decoder.layers[-1].kernel)  # (2, 3): the directions it draws along
    angles = ae.metrics.principal_angles(plane, PCA(n_components=2).fit(points).components_)
    assert angles.max() < 5.0, angles


def test_sparse_kl_training_moves_mean_activation_to_target(data):
    target = 0.1
    encoder, _, model = ae.models.build_sparse_kl_autoencoder(
        target_sparsity=target, sparsity_weight=5e-2)
    before = ae.metrics.mean_activation(ae.training.predict(encoder, data.x_valid)).mean()
    ae.training.fit(model, data.x_train, model_key="sparse_kl", profile="ci", epochs=4,
                    verbose=False)
    after = ae.metrics.mean_activation(ae.training.predict(encoder, data.x_valid)).mean()
    assert abs(after - target) < abs(before - target) / 3, (before, after)
    assert abs(after - target) < 0.05


def test_sparse_l1_training_lowers_activity(data):
    encoder, _, model = ae.models.build_sparse_l1_autoencoder(l1_weight=1e-3)
    before = ae.training.predict(encoder, data.x_valid).mean()
    ae.training.fit(model, data.x_train, model_key="sparse_l1", profile="ci", verbose=False)
    assert ae.training.predict(encoder, data.x_valid).mean() < before / 2


def test_denoising_corruption_only_while_training(images):
    for corruption in ("gaussian", "dropout"):
        _, _, model = ae.models.build_denoising_autoencoder(corruption=corruption)
        np.testing.assert_array_equal(np.asarray(model(images)), np.asarray(model(images)))
        assert not np.allclose(np.asarray(model(images, training=True)), np.asarray(model(images)))


def test_greedy_layerwise_training_lowers_each_phase_loss(data):
    parts = ae.models.build_greedy_autoencoder(hidden_units=(64, 16))
    x_valid = data.x_valid
    untrained = ae.training.reconstruction_mse(parts.autoencoder, x_valid)
    history = ae.training.train_greedy_layerwise(parts, data.x_train, x_valid, profile="ci",
                                                 verbose=False)
    for phase in (1, 2):
        losses = history[f"phase{phase}_loss"]
        assert losses[-1] < losses[0], (phase, losses)
    assert tuple(parts.encoder.output.shape[1:]) == (16,)
    # The stack reuses the very layers the phases trained, so it now reconstructs far better.
    trained = ae.training.reconstruction_mse(parts.autoencoder, x_valid)
    assert trained < untrained / 2, (untrained, trained)
    assert parts.decoder.layers[-2].name == "greedy_decoder_1"


@pytest.mark.parametrize("call, name", [
    (lambda: ae.models.build_stacked_autoencoder(codings_size=0), "codings_size"),
    (lambda: ae.models.build_stacked_autoencoder(hidden_units=100), "hidden_units"),
    (lambda: ae.models.build_stacked_autoencoder(hidden_units=(100, -1)), r"hidden_units\[1\]"),
    (lambda: ae.models.build_linear_autoencoder(codings_size=4, input_dim=3), "codings_size"),
    (lambda: ae.models.build_denoising_autoencoder(corruption="salt"), "corruption"),
    (lambda: ae.models.build_denoising_autoencoder(noise_level=-0.1), "noise_level"),
    (lambda: ae.models.build_denoising_autoencoder(dropout_rate=1.0), "dropout_rate"),
    (lambda: ae.models.build_sparse_kl_autoencoder(target_sparsity=0), "target_sparsity"),
    (lambda: ae.models.build_sparse_kl_autoencoder(target_sparsity=1.2), "target_sparsity"),
    (lambda: ae.models.build_sparse_kl_autoencoder(sparsity_weight=-1), "sparsity_weight"),
    (lambda: ae.models.build_sparse_l1_autoencoder(l1_weight=-1), "l1_weight"),
    (lambda: ae.models.build_conv_autoencoder(filters=(8, 16)), "filters"),
    (lambda: ae.models.build_variational_autoencoder(codings_size=0), "codings_size"),
    (lambda: ae.models.build_variational_autoencoder(kl_weight=-1), "kl_weight"),
    (lambda: ae.training.compile_autoencoder(ae.models.build_stacked_autoencoder().autoencoder,
                                             model_key="stacked", learning_rate=0),
     "learning_rate"),
    (lambda: ae.training.compile_autoencoder(ae.models.build_stacked_autoencoder().autoencoder,
                                             model_key="stacked", profile="warp"),
     "profile name must be one of"),
    (lambda: ae.training.train_greedy_layerwise(ae.models.build_greedy_autoencoder(),
                                                np.zeros((4, 28)), np.zeros((4, 28, 28))),
     "x_train"),
    (lambda: ae.training.train_greedy_layerwise(ae.models.build_stacked_autoencoder(),
                                                np.zeros((4, 28, 28)), np.zeros((4, 28, 28))),
     "greedy_encoder"),
])
def test_builders_reject_bad_arguments(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_model_kind_checks_catch_the_wrong_model_before_tensorflow():
    encoder, decoder, autoencoder = ae.models.build_stacked_autoencoder()
    vae_encoder, vae_decoder, vae = ae.models.build_variational_autoencoder()
    assert ae.models.check_autoencoder("m", autoencoder) is autoencoder
    assert ae.models.check_autoencoder("m", vae) is vae  # subclassed: probed once
    assert ae.models.check_encoder("m", vae_encoder) is vae_encoder
    for check, wrong in [(ae.models.check_autoencoder, encoder),
                         (ae.models.check_autoencoder, vae_encoder),
                         (ae.models.check_encoder, decoder),
                         (ae.models.check_decoder, autoencoder),
                         (ae.models.check_decoder, vae_encoder)]:
        with pytest.raises(TypeError, match="m must be an? "):
            check("m", wrong)
    with pytest.raises(TypeError, match="keras.Model"):
        ae.models.check_autoencoder("m", "model")
    assert ae.models.codings_size(vae_decoder) == 10
