"""The trained-model cache never hands back the wrong model, and never costs a trained one."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest

import aehelpers as ae
from aehelpers import cache
from aehelpers.data import FashionMNIST


def _data(images, seed=0):
    labels = np.zeros(len(images), np.uint8)
    return FashionMNIST(images, labels, images[:8], labels[:8], images[:8], labels[:8])


@pytest.fixture()
def tiny(images):
    return _data(images)


def _train(name, data, **kwargs):
    return ae.train_autoencoder(name, data, profile="ci", verbose=False, **kwargs)


def test_trains_once_then_loads_the_same_weights(tiny, cache, capsys):
    first = _train("stacked", tiny)
    assert not first.from_cache and first.seconds > 0
    assert sorted(p.suffix for p in cache.iterdir()) == [".json", ".npz"]
    second = ae.train_autoencoder("stacked", tiny, profile="ci")
    assert second.from_cache and "from the cache" in capsys.readouterr().out
    assert second.history == first.history
    np.testing.assert_array_equal(np.asarray(second.autoencoder(tiny.x_valid)),
                                  np.asarray(first.autoencoder(tiny.x_valid)))
    np.testing.assert_allclose(np.asarray(second.decoder(second.encoder(tiny.x_valid))),
                               np.asarray(first.autoencoder(tiny.x_valid)), atol=1e-6)


def test_other_images_of_the_same_count_are_another_entry(tiny, images, cache):
    _train("stacked", tiny)
    other = _data(np.flip(images, axis=2).copy())  # same shape and count, other contents
    assert not _train("stacked", other).from_cache
    assert len(list(cache.glob("*.json"))) == 2


def test_defaults_and_explicit_arguments_share_an_entry(tiny, cache):
    _train("stacked", tiny)
    assert _train("stacked", tiny, codings_size=30, hidden_units=(100,)).from_cache
    with pytest.raises(TypeError, match=r"unexpected argument\(s\) \['codings'\]"):
        _train("stacked", tiny, codings=3)


def test_key_changes_with_every_part_of_the_request():
    request = {"arguments": {"codings_size": 30}, "profile": "ci", "data": "abc"}
    base = cache.make_key("stacked", request)
    assert base == cache.make_key("stacked", dict(request))
    for changed in ({**request, "arguments": {"codings_size": 20}},
                    {**request, "profile": "class"}, {**request, "data": "abd"}):
        assert cache.make_key("stacked", changed) != base
    assert cache.make_key("tied", request) != base


def test_another_models_file_under_a_key_is_never_loaded(tiny, cache):
    stacked = _train("stacked", tiny)
    _train("vae", tiny)
    vae_manifest = next(cache.glob("vae-*.json"))
    vae_weights = next(cache.glob("vae-*.weights.npz"))
    stacked_manifest = next(cache.glob("stacked-*.json"))
    # Someone copies the VAE's files over the stacked model's entry.
    stacked_manifest.write_text(vae_manifest.read_text())
    next(cache.glob("stacked-*.weights.npz")).write_bytes(vae_weights.read_bytes())
    with pytest.warns(UserWarning, match="another model"):
        again = _train("stacked", tiny)
    assert not again.from_cache and again.autoencoder.name == stacked.autoencoder.name


def test_weights_swapped_under_a_valid_manifest_are_refused(tiny, cache):
    _train("stacked", tiny)
    weights = next(cache.glob("stacked-*.weights.npz"))
    arrays = [a * 0 for a in ae.models.build_stacked_autoencoder().autoencoder.get_weights()]
    with open(weights, "wb") as handle:
        np.savez(handle, **{f"w{i:04d}": a for i, a in enumerate(arrays)})
    with pytest.warns(UserWarning, match="SHA-256"):
        assert not _train("stacked", tiny).from_cache


def test_corrupt_files_are_retrained_with_a_warning(tiny, cache):
    _train("stacked", tiny)
    next(cache.glob("*.weights.npz")).write_bytes(b"not an npz file")
    with pytest.warns(UserWarning, match="unusable.*retraining"):
        assert not _train("stacked", tiny).from_cache
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _train("stacked", tiny).from_cache  # the retrained model was written back
    next(cache.glob("*.json")).write_text("{not json")
    with pytest.warns(UserWarning, match="unusable"):
        assert not _train("stacked", tiny).from_cache


def test_no_pickle_is_ever_loaded(tiny, cache):
    _train("stacked", tiny)
    weights = next(cache.glob("*.weights.npz"))
    with open(weights, "wb") as handle:  # an object array can only be read with pickle
        np.savez(handle, w0000=np.array([{"evil": 1}], dtype=object))
    manifest_path = next(cache.glob("*.json"))
    manifest = json.loads(manifest_path.read_text())
    import hashlib

    manifest["weights_sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match="unusable"):
        assert not _train("stacked", tiny).from_cache


def test_unwritable_cache_warns_and_still_returns_the_model(tiny, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(blocker / "cache"))  # parent is a file
    with pytest.warns(UserWarning, match="Could not write the trained model"):
        result = _train("stacked", tiny)
    assert not result.from_cache
    assert ae.training.reconstruction_mse(result.autoencoder, tiny.x_valid) < 1.0


def test_permission_denied_warns_and_still_returns_the_model(tiny, cache, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ae.cache, "_atomic_write", refuse)  # as a read-only folder does (root
    with pytest.warns(UserWarning, match="Permission denied"):  # ignores chmod, so simulate)
        result = _train("tied", tiny)
    assert not list(cache.glob("*.json"))
    assert ae.training.reconstruction_mse(result.autoencoder, tiny.x_valid) < 1.0


def test_interrupted_write_leaves_nothing_half_written(tiny, cache, monkeypatch):
    def crash(path, arrays):
        path.write_bytes(b"partial")
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(ae.cache, "_save_arrays", crash)
    with pytest.raises(KeyboardInterrupt):
        _train("stacked", tiny)
    assert not list(cache.glob("*.npz")) and not list(cache.glob("*.json"))
    assert not [p for p in cache.iterdir() if p.name.startswith(".tmp")]


def test_leftovers_of_a_killed_writer_are_swept(tiny, cache):
    cache.mkdir(parents=True)
    dead = cache / f".tmp-{2**22 + 12345}-{'0' * 32}-stacked-x.weights.npz"  # no such pid
    dead.write_bytes(b"half")
    live = cache / f".tmp-{os.getpid()}-{'1' * 32}-stacked-y.weights.npz"  # a write under way
    live.write_bytes(b"half")
    old = cache / f".tmp-{os.getpid()}-{'2' * 32}-stacked-z.json"
    old.write_bytes(b"half")
    os.utime(old, (0, 0))  # far older than any write takes
    _train("stacked", tiny)  # a save sweeps
    assert not dead.exists() and not old.exists() and live.exists()


def test_names_and_keys_cannot_leave_the_cache_folder(cache):
    for name in ("../x", "a/b", "", "X", "a" * 65, None):
        with pytest.raises(ValueError, match="name must be"):
            ae.cache.make_key(name, {})
    for key in ("../stacked-" + "0" * 24, "stacked-" + "0" * 24 + "/..", "/etc/passwd"):
        with pytest.raises(ValueError, match="key must be"):
            ae.cache.load(key, None, {})
    with pytest.raises(ValueError, match="name must be one of"):
        ae.train_autoencoder("../x", None)


def test_shared_read_only_cache_is_read_first(tiny, cache, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(shared))
    _train("stacked", tiny)  # the teacher fills it once
    shared.chmod(0o555)
    try:
        monkeypatch.setenv("AEHELPERS_SHARED_CACHE_DIR", str(shared))
        monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(cache))  # the student's own
        assert _train("stacked", tiny).from_cache
        assert not cache.exists(), "a model found in the shared cache is not copied"
        assert not _train("tied", tiny).from_cache  # missing there: trained, written privately
        assert list(cache.glob("tied-*.json")) and not list(shared.glob("tied-*"))
    finally:
        shared.chmod(0o755)


def test_use_cache_false_never_writes(tiny, cache):
    result = _train("tied", tiny, use_cache=False)
    assert not result.from_cache and not cache.exists()


def test_greedy_and_vae_go_through_the_cache(tiny, cache):
    greedy = _train("greedy", tiny, hidden_units=(16, 4))
    assert "phase2_loss" in greedy.history
    again = _train("greedy", tiny, hidden_units=(16, 4))
    assert again.from_cache and tuple(again.encoder.output.shape[1:]) == (4,)
    np.testing.assert_array_equal(np.asarray(again.autoencoder(tiny.x_valid)),
                                  np.asarray(greedy.autoencoder(tiny.x_valid)))
    vae = _train("vae", tiny)
    assert {"kl_loss", "reconstruction_loss"} <= set(vae.history)
    assert _train("vae", tiny).from_cache


def test_train_autoencoder_rejects_bad_arguments(tiny):
    with pytest.raises(ValueError, match="name must be one of"):
        ae.train_autoencoder("gan", tiny)
    with pytest.raises(TypeError, match="load_fashion_mnist"):
        ae.train_autoencoder("stacked", np.zeros((2, 28, 28)))
    with pytest.raises(TypeError, match="codings_size must be an integer"):
        ae.train_autoencoder("stacked", tiny, codings_size="30", use_cache=False)
    uint8 = tiny._replace(x_train=(tiny.x_train * 255).astype(np.uint8))
    with pytest.raises(TypeError, match="data.x_train must be float images.*divide by 255"):
        ae.train_autoencoder("stacked", uint8)
