"""Models trained together (ae.train_autoencoders, ae.training.fit_together) end exactly as
models trained one by one, share their cache entries, and refuse what would not."""

from __future__ import annotations

import numpy as np
import pytest

import aehelpers as ae
from aehelpers import training
from aehelpers.data import FashionMNIST

TARGETS = (0.02, 0.1, 0.3)


@pytest.fixture()
def shuffled(images):
    """300 training images: three batches of the ci profile's 128, the last one partial, so
    the order of batches and the uneven last step both matter."""
    rng = np.random.default_rng(1)
    x = np.clip(np.concatenate([images] * 19)[:300] + rng.normal(0, 0.05, (300, 28, 28)), 0,
                1).astype("float32")
    labels = np.zeros(300, np.uint8)
    return FashionMNIST(x, labels, x[:20], labels[:20], x[:20], labels[:20])


def _variants():
    return [{"target_sparsity": t} for t in TARGETS]


# Three variants of every model marked trains_together: the test below checks each mark.
MARKED = {"sparse_kl": [{"target_sparsity": t} for t in TARGETS],
          "vae": [{"kl_weight": m / 784} for m in (0.1, 2.0, 8.0)],
          "stacked": [{"codings_size": n} for n in (2, 8, 64)]}


def test_the_models_tested_here_are_the_ones_marked():
    """Mark another model only with a test of it: add it to MARKED."""
    marked = {name for name, spec in ae.registry.MODELS.items() if spec.trains_together}
    assert marked == set(MARKED)


@pytest.mark.parametrize("name", sorted(MARKED))
def test_models_trained_together_equal_models_trained_alone(name, shuffled, tmp_path,
                                                           monkeypatch):
    """Bit for bit, with the VAE's sampling too: each model draws from its own generator."""
    variants = MARKED[name]
    monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(tmp_path / "alone"))
    alone = [ae.train_autoencoder(name, shuffled, profile="ci", verbose=False, **v)
             for v in variants]
    monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(tmp_path / "together"))
    together = ae.train_autoencoders(name, shuffled, variants, profile="ci", verbose=False)
    assert [m.from_cache for m in together] == [False] * 3
    for one, joint in zip(alone, together, strict=True):
        for a, b in zip(one.autoencoder.get_weights(), joint.autoencoder.get_weights(),
                        strict=True):
            np.testing.assert_array_equal(a, b)
        assert joint.history == one.history  # every loss, metric and validation value
        assert len(joint.history["val_loss"]) == ae.get_profile("ci").training(
            ae.registry.get_spec(name).profile_key).epochs
    # Three variants trained to three different models, not to one shared model.
    losses = [m.history["val_loss"][-1] for m in together]
    assert len(set(losses)) == 3
    # Each is cached under train_autoencoder's own key: one by one, they now load.
    again = [ae.train_autoencoder(name, shuffled, profile="ci", verbose=False, **v)
             for v in variants]
    assert all(m.from_cache for m in again)
    np.testing.assert_array_equal(again[2].autoencoder.get_weights()[0],
                                  together[2].autoencoder.get_weights()[0])


def test_sparse_models_trained_together_keep_their_own_targets(shuffled, cache):
    together = ae.train_autoencoders("sparse_kl", shuffled, _variants(), profile="ci",
                                     verbose=False)
    means = [float(ae.training.predict(m.encoder, shuffled.x_valid).mean()) for m in together]
    assert means[0] < means[1] < means[2]
    assert sorted(together[0].history) == ["loss", "mse", "val_loss", "val_mse"]


def test_cached_models_load_and_only_the_rest_train(shuffled, cache, capsys):
    first = ae.train_autoencoder("sparse_kl", shuffled, profile="ci", verbose=False,
                                 **_variants()[1])
    models = ae.train_autoencoders("sparse_kl", shuffled, _variants(), profile="ci")
    out = capsys.readouterr().out
    assert [m.from_cache for m in models] == [False, True, False]
    assert "Loaded the trained sparse_kl model" in out and "Training 2 sparse_kl models" in out
    assert out.count("epoch ") == ae.get_profile("ci").training("sparse_kl").epochs
    assert models[1].history == first.history
    assert models[0].seconds == models[2].seconds > 0  # each its share of the joint run
    assert len(list(cache.glob("*.npz"))) == 3
    reloaded = ae.train_autoencoders("sparse_kl", shuffled, _variants(), profile="ci",
                                     verbose=False)
    assert all(m.from_cache for m in reloaded)
    loss = reloaded[0].autoencoder.evaluate(shuffled.x_valid, shuffled.x_valid, verbose=0)
    assert loss[1] == pytest.approx(models[0].history["val_mse"][-1], rel=1e-5)  # compiled


def test_use_cache_false_trains_everything_and_writes_nothing(shuffled, cache):
    models = ae.train_autoencoders("sparse_kl", shuffled, _variants()[:2], profile="ci",
                                   use_cache=False, verbose=False)
    assert not any(m.from_cache for m in models)
    assert not cache.exists() or not list(cache.iterdir())


def test_train_autoencoders_refuses_what_it_cannot_do_exactly(shuffled):
    with pytest.raises(ValueError, match=r"'conv' cannot train together.*\['stacked', "):
        ae.train_autoencoders("conv", shuffled, [{"codings_size": 8}, {"codings_size": 16}])
    with pytest.raises(ValueError, match="name must be one of"):
        ae.train_autoencoders("no_such_model", shuffled, _variants())
    for bad in ([], {"target_sparsity": 0.1}, [0.1, 0.2], "sparse"):
        with pytest.raises(TypeError, match="variants must be a non-empty list of dicts"):
            ae.train_autoencoders("sparse_kl", shuffled, bad)
    with pytest.raises(ValueError, match="two of them describe the same model"):
        ae.train_autoencoders("sparse_kl", shuffled, [{}, {"target_sparsity": 0.1}])
    with pytest.raises(TypeError, match=r"unexpected argument\(s\) \['target'\]"):
        ae.train_autoencoders("sparse_kl", shuffled, [{"target": 0.1}])
    with pytest.raises(TypeError, match="data must come from ae.load_fashion_mnist"):
        ae.train_autoencoders("sparse_kl", "data", _variants())
    with pytest.raises(TypeError, match="use_cache must be"):
        ae.train_autoencoders("sparse_kl", shuffled, _variants(), use_cache="yes")


def test_fit_together_refuses_bad_models_and_inputs(images):
    def compiled():
        *_, model = ae.models.build_sparse_kl_autoencoder()
        return training.compile_autoencoder(model, model_key="sparse_kl", profile="ci",
                                            metrics=("mse",))

    model, other = compiled(), compiled()
    with pytest.raises(TypeError, match="models must be a non-empty list"):
        training.fit_together([], images, model_key="sparse_kl")
    with pytest.raises(TypeError, match=r"models\[1\] must be a keras.Model"):
        training.fit_together([model, "model"], images, model_key="sparse_kl")
    *_, raw = ae.models.build_sparse_kl_autoencoder()
    with pytest.raises(ValueError, match=r"models\[1\] must be compiled first"):
        training.fit_together([model, raw], images, model_key="sparse_kl")
    with pytest.raises(ValueError, match="one model listed twice"):
        training.fit_together([model, model], images, model_key="sparse_kl")
    encoder = ae.models.build_sparse_kl_autoencoder().encoder
    encoder.compile(loss="mse")
    with pytest.raises(ValueError, match=r"model must reconstruct.*encoder\?.*models\[1\]"):
        training.fit_together([model, encoder], images, model_key="sparse_kl")
    with pytest.raises(TypeError, match="divide by 255"):
        training.fit_together([model, other], (images * 255).astype(np.uint8),
                              model_key="sparse_kl")
    with pytest.raises(TypeError, match=r"validation_data must be a tuple \(x_valid,\)"):
        training.fit_together([model, other], images, model_key="sparse_kl",
                              validation_data=(images, images))
    with pytest.raises(ValueError, match="model_key must be one of"):
        training.fit_together([model, other], images, model_key="sparse")
