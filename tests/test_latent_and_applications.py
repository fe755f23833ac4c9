"""Chapters 07-08: latent maps, the beta panel, anomaly scores (ROC, thresholds), retrieval.

Every number is checked against an independent computation: scikit-learn, brute-force
NumPy loops, or small examples worked by hand.
"""

from __future__ import annotations

import base64
import io
import re

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from sklearn.metrics import roc_auc_score
from sklearn.metrics import roc_curve as sklearn_roc_curve
from sklearn.neighbors import NearestNeighbors
from test_exercises_protocol import assert_protocol

import aehelpers as ae
from aehelpers import exercises, explore, metrics

# Six points on a line, labels by hand: precision@1 = 4/6 (0, 1, 10 and 11 find a
# classmate; 20 and 21.5 find each other, of different classes) and precision@2 = 2.5/6.
LINE = np.array([[0.0], [1.0], [10.0], [11.0], [20.0], [21.5]])
LINE_LABELS = np.array([0, 0, 1, 1, 0, 1])


@pytest.fixture(autouse=True)
def _fresh_tries():
    exercises.reset_tries()
    yield
    exercises.reset_tries()


@pytest.fixture()
def rng():
    return np.random.default_rng(7)


@pytest.fixture()
def labelled(images):
    """40 random images in [0, 1] (the 16 of conftest's fixture and 24 more), 3 classes."""
    more = np.random.default_rng(1).random((24, 28, 28)).astype("float32")
    return np.concatenate([images, more]), np.arange(40) % 3


def _png(explorer) -> bytes:
    """The PNG the panel shows (what a learner sees)."""
    (output,) = explorer.output.outputs
    return base64.b64decode(output["data"]["image/png"])


def _move(explorer, name, value, keys) -> None:
    """Set one control from Python; the picture and the named arrays must change."""
    before = {k: np.array(explorer.images[k], copy=True) for k in keys}
    png = _png(explorer)
    explorer.controls[name].value = value
    assert _png(explorer) != png and _png(explorer) == explorer.png, f"{name} must redraw"
    for k in keys:
        assert not np.array_equal(before[k], explorer.images[k]), f"{name} must change {k}"
    assert "image/png" in explorer.mimebundle()
    assert base64.b64decode(explorer.mimebundle()["image/png"]) == explorer.png


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", re.sub(r"<[^>]+>", "", text))]


def _brute_neighbours(database, queries, k, exclude=None) -> np.ndarray:
    """k nearest database rows of each query by a plain double loop, in float64."""
    found = []
    for i, query in enumerate(np.asarray(queries, np.float64)):
        distances = np.array([np.sum((query - row) ** 2) for row in np.asarray(database,
                                                                                 np.float64)])
        if exclude is not None and exclude[i] >= 0:
            distances[exclude[i]] = np.inf
        found.append(np.argsort(distances, kind="stable")[:k])
    return np.array(found)


def _brute_precision(features, labels, k) -> float:
    shares = []
    for i in range(len(features)):
        distances = [np.inf if j == i else float(np.sum((features[i] - features[j]) ** 2))
                     for j in range(len(features))]
        nearest = np.argsort(distances, kind="stable")[:k]
        shares.append(np.mean(labels[nearest] == labels[i]))
    return float(np.mean(shares))


# --- metrics: ROC, AUC, confusion counts ---------------------------------------------------

@pytest.mark.parametrize("tied", [False, True])
def test_roc_curve_and_auc_match_scikit_learn(rng, tied):
    """roc_curve gives sklearn's points (one per distinct score) and roc_auc its AUC."""
    for _ in range(30):
        n = int(rng.integers(4, 40))
        scores = rng.integers(0, 4, n) / 3.0 if tied else rng.random(n)
        flags = rng.random(n) < 0.4
        flags[:2] = [True, False]
        fpr, tpr, thresholds = metrics.roc_curve(scores, flags)
        want_fpr, want_tpr, want_thresholds = sklearn_roc_curve(flags, scores,
                                                                drop_intermediate=False)
        np.testing.assert_allclose(fpr, want_fpr)
        np.testing.assert_allclose(tpr, want_tpr)
        assert thresholds[0] == np.inf
        np.testing.assert_allclose(thresholds[1:], want_thresholds[1:])
        assert metrics.roc_auc(scores, flags) == pytest.approx(roc_auc_score(flags, scores))


def test_roc_auc_hand_worked_with_ties():
    """AUC counts a tie between an anomaly and a normal item as half a win."""
    # Pairs (anomaly, normal): 3>1 win, 3>2 win, 2=2 half, 2>1 win -> 3.5 of 4.
    assert metrics.roc_auc([3, 2, 1, 2], [1, 1, 0, 0]) == pytest.approx(3.5 / 4)
    assert metrics.roc_auc([1.0, 2.0], [False, True]) == 1.0
    assert metrics.roc_auc([5.0, 5.0, 5.0], [0, 1, 0]) == pytest.approx(0.5)
    fpr, tpr, thresholds = metrics.roc_curve([3, 2, 1, 2], [1, 1, 0, 0])
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 1, 1])
    np.testing.assert_allclose(thresholds, [np.inf, 3, 2, 1])


def test_confusion_at_threshold_matches_a_brute_force_count(rng):
    """Scores at or over the threshold are flagged, for thresholds on, between and off scores."""
    scores = rng.integers(0, 6, 50) / 5.0
    flags = rng.random(50) < 0.3
    flags[:2] = [True, False]
    for threshold in [*np.unique(scores), 0.3, -1.0, 2.0]:
        got = metrics.confusion_at_threshold(scores, flags, threshold)
        tp = sum(1 for s, a in zip(scores, flags, strict=True) if s >= threshold and a)
        fp = sum(1 for s, a in zip(scores, flags, strict=True) if s >= threshold and not a)
        fn, tn = int(flags.sum()) - tp, int((~flags).sum()) - fp
        assert got == {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
        assert all(type(v) is int for v in got.values())


@pytest.mark.parametrize("call, error, message", [
    (lambda: metrics.roc_curve([0.1, 0.2, 0.3], [0, 1]), ValueError, "is_anomaly"),
    (lambda: metrics.roc_curve([[0.1, 0.2]], [[0, 1]]), ValueError, "scores"),
    (lambda: metrics.roc_curve([0.1, 0.2, 0.3], [1, 1, 1]), ValueError, "is_anomaly"),
    (lambda: metrics.roc_auc([0.1, 0.2, 0.3], [False] * 3), ValueError, "is_anomaly"),
    (lambda: metrics.roc_auc([0.1, 0.2, 0.3], [0, 2, 1]), ValueError, "is_anomaly"),
    (lambda: metrics.roc_auc([0.1, np.nan, 0.3], [0, 1, 0]), ValueError, "scores.*NaN"),
    (lambda: metrics.roc_auc(["a", "b"], [0, 1]), TypeError, "scores"),
    (lambda: metrics.confusion_at_threshold([0.1, 0.2], [0, 1], np.nan), ValueError,
     "threshold"),
    (lambda: metrics.confusion_at_threshold([0.1, 0.2], [0, 1], "high"), TypeError,
     "threshold"),
    (lambda: metrics.confusion_at_threshold([0.1, 0.2], [1, 1], 0.1), ValueError,
     "is_anomaly"),
])
def test_anomaly_metrics_reject_bad_input(call, error, message):
    """Wrong shapes, one class only and NaN scores raise errors naming the argument."""
    with pytest.raises(error, match=message):
        call()


# --- metrics: nearest neighbours and precision@k -------------------------------------------

def test_nearest_neighbours_match_scikit_learn_with_small_chunks(rng):
    """Chunks smaller than the query count give sklearn's neighbours, nearest first."""
    database, queries = rng.random((60, 6)), rng.random((11, 6))
    found = metrics.nearest_neighbours(database, queries, k=5, chunk=3)
    want = NearestNeighbors(n_neighbors=5).fit(database).kneighbors(queries)[1]
    assert found.shape == (11, 5) and np.issubdtype(found.dtype, np.integer)
    np.testing.assert_array_equal(found, want)
    np.testing.assert_array_equal(metrics.nearest_neighbours(database, queries, k=5), found)


def test_nearest_neighbours_exclude(rng):
    """exclude[i] is never returned for query i; -1 excludes nothing."""
    database = rng.random((30, 4))
    queries = database[[0, 5, 9, 12]]
    exclude = np.array([0, 5, -1, 12])
    found = metrics.nearest_neighbours(database, queries, k=3, exclude=exclude, chunk=2)
    np.testing.assert_array_equal(found, _brute_neighbours(database, queries, 3, exclude))
    assert found[2, 0] == 9  # not excluded: the query itself is nearest
    assert 0 not in found[0] and 5 not in found[1] and 12 not in found[3]
    # Every item but the excluded one can be returned.
    everything = metrics.nearest_neighbours(database, queries[:1], k=29, exclude=exclude[:1])
    assert sorted(everything[0]) == list(range(1, 30))


def test_nearest_neighbours_with_tied_distances():
    """With duplicate rows the distances returned are the k smallest, in order."""
    database = np.array([[0, 0], [1, 0], [0, 1], [1, 0], [-1, 0], [3, 3]], dtype=float)
    queries = np.array([[0.0, 0.0], [1.0, 0.0]])
    found = metrics.nearest_neighbours(database, queries, k=4)
    for query, row in zip(queries, found, strict=True):
        distances = np.sum((database - query) ** 2, axis=1)
        np.testing.assert_allclose(distances[row], np.sort(distances)[:4])
        assert len(set(row)) == 4
    assert set(found[0]) == {0, 1, 2, 3} or set(found[0]) == {0, 1, 3, 4}
    assert set(found[1][:2]) == {1, 3}


def test_precision_at_k_by_hand_and_by_brute_force(rng):
    """precision@k leaves each item out of its own results (hand-worked and looped)."""
    assert metrics.precision_at_k(LINE, LINE_LABELS, k=1) == pytest.approx(4 / 6)
    assert metrics.precision_at_k(LINE, LINE_LABELS, k=2) == pytest.approx(2.5 / 6)
    features, labels = rng.random((45, 3)), rng.integers(0, 4, 45)
    for k in (1, 4, 44):
        assert metrics.precision_at_k(features, labels, k=k) == pytest.approx(
            _brute_precision(features, labels, k))
    assert metrics.precision_at_k(features, labels.astype(str), k=3) == pytest.approx(
        _brute_precision(features, labels, 3))


@pytest.mark.parametrize("call, error, message", [
    (lambda d, q: metrics.nearest_neighbours(d, q, k=0), ValueError, "k must be"),
    (lambda d, q: metrics.nearest_neighbours(d, q, k=21), ValueError, "k must be"),
    (lambda d, q: metrics.nearest_neighbours(d, q, k=20, exclude=np.arange(5)), ValueError,
     "k must be"),
    (lambda d, q: metrics.nearest_neighbours(d, q, k=2.0), ValueError, "k must be"),
    (lambda d, q: metrics.nearest_neighbours(d, q[:, :2], k=2), ValueError, "queries"),
    (lambda d, q: metrics.nearest_neighbours(d[0], q, k=2), ValueError, "database"),
    (lambda d, q: metrics.nearest_neighbours(d, q, k=2, exclude=[0, 1]), ValueError,
     "exclude"),
    (lambda d, q: metrics.precision_at_k(d, np.arange(19), k=2), ValueError, "labels"),
    (lambda d, q: metrics.precision_at_k(d, np.arange(20), k=20), ValueError, "k must be"),
    (lambda d, q: metrics.precision_at_k(d, np.arange(20), k=0), ValueError, "k must be"),
    (lambda d, q: metrics.precision_at_k(np.where(d > 0.5, np.nan, d), np.arange(20)),
     ValueError, "features.*NaN"),
])
def test_retrieval_metrics_reject_bad_input(rng, call, error, message):
    """k out of range, mismatched shapes and NaN features raise errors naming the argument."""
    with pytest.raises(error, match=message):
        call(rng.random((20, 3)), rng.random((5, 3)))


@pytest.mark.parametrize("chunk", [0, -1])
def test_nearest_neighbours_rejects_a_bad_chunk(rng, chunk):
    """A chunk below 1 is a ValueError naming chunk, not a silent uninitialised result."""
    with pytest.raises(ValueError, match="chunk"):
        metrics.nearest_neighbours(rng.random((20, 3)), rng.random((5, 3)), k=2, chunk=chunk)


def test_nearest_neighbours_rejects_an_exclude_index_out_of_range(rng):
    """exclude entries must be database indices (or -1); others raise naming exclude."""
    with pytest.raises(ValueError, match="exclude"):
        metrics.nearest_neighbours(rng.random((20, 3)), rng.random((2, 3)), k=2,
                                   exclude=np.array([3, 20]))


# --- explore: latent maps ------------------------------------------------------------------

def _pixel_encoder():
    """An encoder whose 2-D coding is the image's pixels (0, 0) and (0, 1)."""
    encoder = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                                keras.layers.Dense(2, use_bias=False)])
    kernel = np.zeros((784, 2), "float32")
    kernel[0, 0] = kernel[1, 1] = 1.0
    encoder.layers[-1].set_weights([kernel])
    return encoder


def _half_decoder():
    """A decoder drawing 0.5 + 0.1 v in each image's top half and 0.5 + 0.1 u in its bottom."""
    decoder = keras.Sequential([keras.Input((2,)), keras.layers.Dense(784),
                                keras.layers.Reshape((28, 28))])
    kernel = np.zeros((2, 784), "float32")
    kernel[1, :392], kernel[0, 392:] = 0.1, 0.1
    decoder.layers[0].set_weights([kernel, np.full(784, 0.5, "float32")])
    return decoder


def test_latent_map_measures_points_centre_and_spread(images):
    """latent_map holds the codings, their mean and their standard deviation per axis."""
    latent = explore.latent_map(_pixel_encoder(), images)
    points = images[:, 0, :2]
    np.testing.assert_allclose(latent.points, points, atol=1e-6)
    np.testing.assert_allclose(latent.centre, points.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(latent.scale, points.std(axis=0), rtol=1e-4)
    u, v = 1.5, -2.0
    np.testing.assert_allclose(explore.map_coding(latent, u, v),
                               points.mean(axis=0) + [u, v] * points.std(axis=0), rtol=1e-4)
    by_hand = explore.LatentMap(np.zeros((2, 2)), np.array([1.0, -1.0]), np.array([0.5, 2.0]))
    np.testing.assert_allclose(explore.map_coding(by_hand, 2, -1), [2.0, -3.0])


def test_latent_map_rejects_bad_input(images):
    """A coding that is not 2-D, one image, or a map not from latent_map raise clearly."""
    wide = ae.models.build_stacked_autoencoder(hidden_units=(8,), codings_size=3).encoder
    with pytest.raises(ValueError, match="2-D codings"):
        explore.latent_map(wide, images)
    with pytest.raises(ValueError, match="at least 2"):
        explore.latent_map(_pixel_encoder(), images[:1])
    with pytest.raises(TypeError, match="latent_map"):
        explore.map_coding((np.zeros(2), np.ones(2)), 0.0, 0.0)
    with pytest.raises(ValueError, match="u"):
        explore.map_coding(explore.latent_map(_pixel_encoder(), images), np.nan, 0.0)


def test_decoded_grid_runs_from_high_to_low_second_coordinate():
    """Tile (i, j) decodes u = -span + j step, v = +span - i step, in the map's units."""
    latent = explore.LatentMap(np.zeros((2, 2), "float32"), np.array([1.0, -1.0], "float32"),
                               np.array([0.5, 2.0], "float32"))
    grid = explore.decoded_grid(_half_decoder(), latent, steps=5, span=2.0)
    assert grid.shape == (140, 140)
    for i in range(5):
        for j in range(5):
            tile = grid[28 * i:28 * (i + 1), 28 * j:28 * (j + 1)]
            v = -1.0 + (2 - i) * 2.0  # from +2 at the top to -2 standard units
            u = 1.0 + (j - 2) * 0.5
            np.testing.assert_allclose(tile[:14], np.clip(0.5 + 0.1 * v, 0, 1), atol=1e-5)
            np.testing.assert_allclose(tile[14:], 0.5 + 0.1 * u, atol=1e-5)
    assert explore.decoded_grid(_half_decoder(), latent).shape == (9 * 28, 9 * 28)
    with pytest.raises(ValueError, match="steps"):
        explore.decoded_grid(_half_decoder(), latent, steps=1)
    with pytest.raises(ValueError, match="span"):
        explore.decoded_grid(_half_decoder(), latent, span=0.0)


# --- explore: mosaic -----------------------------------------------------------------------

def test_mosaic_frames_inversion_and_missing_tiles(images):
    """Tiles are 1 - image inside a frame of FRAME_COLOURS; missing tiles are white."""
    frames = [True, False, None, True, False]
    tiles = explore.mosaic(images[:5], num_cols=2, frames=frames, border=2)
    assert tiles.shape == (3 * 32, 2 * 32, 3)
    for index, frame in enumerate(frames):
        top, left = 32 * (index // 2), 32 * (index % 2)
        np.testing.assert_allclose(tiles[top, left], explore.FRAME_COLOURS[frame])
        np.testing.assert_allclose(tiles[top + 31, left + 31], explore.FRAME_COLOURS[frame])
        inside = tiles[top + 2:top + 30, left + 2:left + 30]
        for channel in range(3):
            np.testing.assert_allclose(inside[..., channel], 1.0 - images[index], atol=1e-6)
    np.testing.assert_array_equal(tiles[64:, 32:], 1.0)  # the sixth place stays white
    assert explore.FRAME_COLOURS[None] == (1.0, 1.0, 1.0)
    plain = explore.mosaic(images[:3], num_cols=3, border=0)
    assert plain.shape == (28, 84, 3)
    np.testing.assert_allclose(plain[:, 28:56, 0], 1.0 - images[1], atol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"num_cols": 2, "frames": [True]}, "frames"),
    ({"num_cols": 2, "frames": ["green"] * 3}, "frames"),
    ({"num_cols": 0}, "num_cols"),
    ({"num_cols": 2, "border": 6}, "border"),
])
def test_mosaic_rejects_bad_arguments(images, kwargs, message):
    """Frames of the wrong length or kind, and out-of-range sizes, raise naming the argument."""
    with pytest.raises((ValueError, TypeError), match=message):
        explore.mosaic(images[:3], **kwargs)


# --- explore: the beta panel's summaries ---------------------------------------------------

def _small_vae(multiple: float):
    return ae.models.build_variational_autoencoder(hidden_units=(16,), codings_size=4,
                                                   kl_weight=multiple / 784)


def _vae_measures(model, images):
    """KL per dimension, the means and the mean-decoded images, straight from Keras."""
    mean, log_var, _ = (np.asarray(t, np.float64) for t in model.encoder(images, training=False))
    kl = 0.5 * (np.exp(log_var) + mean**2 - 1.0 - log_var)
    decoded = np.clip(np.asarray(model.decoder(mean.astype("float32"), training=False)), 0, 1)
    return mean, kl, decoded


def test_summarise_vaes_matches_a_numpy_computation(labelled):
    """Summaries come sorted by multiple; KL, active dims, map dims and MSE agree with NumPy."""
    images = labelled[0][:30]
    models = {8.0: _small_vae(8.0), 0.5: _small_vae(0.5), 2: _small_vae(2.0)}
    summaries = explore.summarise_vaes(models, images, num_images=3, num_samples=5)
    assert [s.multiple for s in summaries] == [0.5, 2.0, 8.0]
    for summary in summaries:
        model = models[summary.multiple]
        mean, kl, decoded = _vae_measures(model, images)
        per_dim = kl.mean(axis=0)
        np.testing.assert_allclose(summary.kl_per_dim, per_dim, rtol=1e-4, atol=1e-7)
        assert summary.active_dims == sum(1 for value in per_dim if value > 0.1)
        largest = sorted(range(4), key=lambda d: -per_dim[d])[:2]
        assert tuple(summary.map_dims) == tuple(largest)
        np.testing.assert_allclose(summary.map_points, mean[:, largest], rtol=1e-4, atol=1e-6)
        assert summary.mean_kl == pytest.approx(kl.sum(axis=1).mean(), rel=1e-4)
        assert summary.reconstruction_mse == pytest.approx(np.mean((images - decoded) ** 2),
                                                           rel=1e-4)
        np.testing.assert_array_equal(summary.originals, images[:3])
        np.testing.assert_allclose(summary.reconstructions, decoded[:3], atol=1e-5)
        draws = np.random.default_rng(42).normal(size=(5, 4)).astype("float32")
        np.testing.assert_allclose(summary.samples, np.clip(model.decoder(draws), 0, 1),
                                   atol=1e-5)


def test_summarise_vae_rejects_bad_input(labelled):
    """A plain autoencoder, an empty dict or a bad multiple raise naming what is wrong."""
    images = labelled[0][:10]
    plain = ae.models.build_stacked_autoencoder(hidden_units=(8,), codings_size=2)
    with pytest.raises(TypeError, match="model must be a VAE"):
        explore.summarise_vae(1.0, plain, images)
    with pytest.raises(TypeError, match="models"):
        explore.summarise_vaes({}, images)
    with pytest.raises(ValueError, match="multiple"):
        explore.summarise_vae(0.0, _small_vae(1.0), images)
    with pytest.raises(TypeError, match="model"):
        explore.summarise_vae(1.0, object(), images)


# --- explore: anomaly scores, thresholds, retrieval ----------------------------------------

def test_reconstruction_errors_are_per_image_mse_of_clipped_outputs(images):
    """Each score is the MSE between an image and its reconstruction clipped to [0, 1]."""
    model = ae.models.build_stacked_autoencoder(hidden_units=(16,), codings_size=4)
    raw = model.autoencoder.predict(images, verbose=0)
    assert raw.min() < 0  # an untrained linear decoder: the clip matters
    want = [np.mean((image - np.clip(out, 0, 1)) ** 2) for image, out in
            zip(images, raw, strict=True)]
    got = explore.reconstruction_errors(model.autoencoder, images)
    assert got.shape == (16,)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    with pytest.raises(TypeError, match="autoencoder"):
        explore.reconstruction_errors(model.encoder, images)


def test_threshold_view_matches_a_brute_force_count(rng):
    """Counts, precision, recall and the neighbouring items agree with loops at many thresholds."""
    for _ in range(20):
        n = int(rng.integers(3, 30))
        scores = rng.integers(0, 6, n) / 5.0  # many ties
        flags = rng.random(n) < 0.4
        flags[:2] = [True, False]
        ranked = explore.rank_scores(list(scores), flags.astype(int))
        for threshold in [*np.unique(scores), *(np.unique(scores) + 0.07), -1.0, 3.0]:
            view = explore.threshold_view(ranked, threshold, num_items=3)
            flagged = [s >= threshold for s in scores]
            tp = sum(f and a for f, a in zip(flagged, flags, strict=True))
            fp = sum(f and not a for f, a in zip(flagged, flags, strict=True))
            fn, tn = int(flags.sum()) - tp, n - int(flags.sum()) - fp
            assert view.counts == {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
            assert view.recall == pytest.approx(tp / flags.sum())
            if tp + fp:
                assert view.precision == pytest.approx(tp / (tp + fp))
            else:
                assert np.isnan(view.precision)
            under = sorted((s for s in scores if s < threshold), reverse=True)[:3]
            over = sorted(s for s in scores if s >= threshold)[:3]
            np.testing.assert_array_equal(scores[view.below], under)  # nearest first
            np.testing.assert_array_equal(scores[view.above], over)
            assert not set(view.below) & set(view.above)


def test_threshold_view_rejects_bad_input():
    """Only a RankedScores, a finite threshold and a sensible num_items are accepted."""
    ranked = explore.rank_scores([0.1, 0.2, 0.3], [0, 1, 1])
    with pytest.raises(TypeError, match="rank_scores"):
        explore.threshold_view(([0.1], [0.2]), 0.2)
    with pytest.raises(ValueError, match="threshold"):
        explore.threshold_view(ranked, np.nan)
    with pytest.raises(ValueError, match="num_items"):
        explore.threshold_view(ranked, 0.2, num_items=-1)
    with pytest.raises(ValueError, match="is_anomaly"):
        explore.rank_scores([0.1, 0.2], [1, 1])
    with pytest.raises(ValueError, match="scores"):
        explore.rank_scores([0.1, np.inf], [0, 1])
    assert len(explore.threshold_view(ranked, 0.2, num_items=0).above) == 0


def test_retrieve_matches_a_brute_force_search(rng):
    """retrieve gives the k nearest other items, nearest first, from features or images."""
    features = rng.random((25, 6))
    for query in (0, 7, 24):
        np.testing.assert_array_equal(explore.retrieve(query, features, k=5),
                                      _brute_neighbours(features, features[[query]], 5,
                                                        [query])[0])
    pictures = rng.random((12, 28, 28)).astype("float32")
    flat = pictures.reshape(12, -1)
    np.testing.assert_array_equal(explore.retrieve(3, pictures, k=11),
                                  _brute_neighbours(flat, flat[[3]], 11, [3])[0])
    with pytest.raises(ValueError, match="query"):
        explore.retrieve(25, features)
    with pytest.raises(TypeError, match="query"):
        explore.retrieve(1.0, features)
    with pytest.raises(ValueError, match="k must be"):
        explore.retrieve(0, features, k=25)


# --- plots ---------------------------------------------------------------------------------

@pytest.mark.parametrize("which, ticks", [("x", [0.005, 0.01, 0.02, 0.05]),
                                          ("y", [2, 8, 30, 64]),
                                          ("x", [0.01, 0.02, 0.03, 0.05])])
def test_log_axis_plain_labels_at_the_given_ticks(which, ticks):
    """The axis is logarithmic, its major ticks are exactly ``ticks``, labelled plainly."""
    fig, ax = plt.subplots()
    ax.plot([ticks[0] / 2, ticks[-1] * 2], [ticks[0] / 2, ticks[-1] * 2])
    ae.plots.log_axis(ax, which, ticks)
    fig.canvas.draw()
    axis = ax.xaxis if which == "x" else ax.yaxis
    assert getattr(ax, f"get_{which}scale")() == "log"
    np.testing.assert_array_equal(axis.get_majorticklocs(), ticks)
    labels = [t.get_text() for t in axis.get_majorticklabels()]
    assert [float(label) for label in labels] == pytest.approx(ticks)
    assert not any(c in "".join(labels) for c in "e$^×")
    assert axis.get_offset_text().get_text() == ""
    assert all(t.get_text() == "" for t in axis.get_minorticklabels())


def test_log_axis_labels_ticks_spanning_decades_with_their_values():
    """Ticks 0.002 to 700 on one axis are each labelled with their own value."""
    fig, ax = plt.subplots()
    ax.set_xlim(0.001, 1000)
    ae.plots.log_axis(ax, "x", [0.002, 0.5, 3, 700])
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert [float(label) for label in labels] == pytest.approx([0.002, 0.5, 3, 700])


def test_log_axis_rejects_bad_arguments():
    """A third axis name or a tick at or below zero raise naming the argument."""
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="which"):
        ae.plots.log_axis(ax, "z", [1, 10])
    with pytest.raises(ValueError, match=r"ticks\[1\]"):
        ae.plots.log_axis(ax, "x", [1, 0])


def _boundary(ellipse) -> np.ndarray:
    """Points on an ellipse patch's outline, in data coordinates (the unit circle, mapped)."""
    turn = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    return ellipse.get_patch_transform().transform(np.c_[np.cos(turn), np.sin(turn)])


def test_gaussian_contours_three_ellipses_at_the_right_size():
    """Default levels draw 3 ellipses; each outline is where x^T C^-1 x = level^2."""
    from matplotlib.patches import Ellipse

    mean = np.array([1.0, -2.0])
    fig = ae.plots.plot_gaussian_contours(mean, np.diag([4.0, 1.0]))
    patches = [p for p in fig.axes[0].patches if isinstance(p, Ellipse)]
    assert len(patches) == 3
    first = patches[0]
    np.testing.assert_allclose(first.center, mean)
    # Width 4 along x and height 2 along y, drawn either way round.
    if np.isclose(first.angle % 180, 0):
        assert (first.width, first.height) == pytest.approx((4.0, 2.0))
    else:
        assert np.isclose(first.angle % 180, 90)
        assert (first.width, first.height) == pytest.approx((2.0, 4.0))
    angle = np.radians(30)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    covariance = rotation @ np.diag([4.0, 1.0]) @ rotation.T
    _, ax = plt.subplots()
    ae.plots.plot_gaussian_contours(mean, covariance, ax=ax, levels=(1, 2.5))
    for patch, level in zip(ax.patches, (1, 2.5), strict=True):
        offsets = _boundary(patch) - mean
        radii = np.einsum("ni,ij,nj->n", offsets, np.linalg.inv(covariance), offsets)
        np.testing.assert_allclose(radii, level**2, rtol=1e-6)


@pytest.mark.parametrize("covariance, message", [
    ([[1.0, 0.5], [0.0, 1.0]], "symmetric"),
    ([[1.0, 2.0], [2.0, 1.0]], "positive definite"),
    ([[0.0, 0.0], [0.0, 1.0]], "positive definite"),
    (np.eye(3), "covariance"),
])
def test_gaussian_contours_reject_bad_covariance(covariance, message):
    """Non-symmetric, non-positive-definite or non-2x2 covariances raise naming covariance."""
    with pytest.raises(ValueError, match=message):
        ae.plots.plot_gaussian_contours(np.zeros(2), covariance)


# --- widgets --------------------------------------------------------------------------------

def test_beta_explorer_swaps_models_and_reports_their_numbers(labelled):
    """Moving the KL weight swaps the map, KL bars and pictures; the readout has its numbers."""
    images, labels = labelled
    models = {m: _small_vae(m) for m in (0.5, 1.0, 8.0)}
    explorer = ae.widgets.beta_explorer(models, images, labels, num_points=30)
    assert explorer.controls["kl_weight"].value == 1.0
    from matplotlib.patches import Ellipse

    rings = [p for p in explorer.figure.axes[0].patches if isinstance(p, Ellipse)]
    assert [(*p.center, p.width, p.height) for p in rings] == [  # the prior's 1-3 sigma
        (0, 0, 2, 2), (0, 0, 4, 4), (0, 0, 6, 6)]
    assert [value for _, value in explorer.controls["kl_weight"].options] == [0.5, 1.0, 8.0]
    for multiple in (8.0, 0.5):
        _move(explorer, "kl_weight", multiple, ["map", "kl_per_dim", "samples",
                                                "reconstructions"])
        mean, kl, decoded = _vae_measures(models[multiple], images[:30])
        per_dim = kl.mean(axis=0)
        np.testing.assert_allclose(explorer.images["kl_per_dim"], per_dim, rtol=1e-4)
        text = explorer.readout.value
        active = sum(1 for value in per_dim if value > 0.1)
        assert f"KL weight <b>{multiple:g} &times; 1/784</b>" in text
        assert f"<b>{active}</b> of 4 dimensions active" in text
        assert f"KL {kl.sum(axis=1).mean():.1f} nats per image" in text
        assert f"MSE <b>{np.mean((images[:30] - decoded) ** 2):.4f}</b>" in text
        first, second = np.argsort(-per_dim)[:2]
        assert text.endswith(f"dimensions {first} and {second}")
        np.testing.assert_allclose(explorer.images["map"], mean[:, [first, second]], rtol=1e-4,
                                   atol=1e-6)
    assert "image/png" in explorer.mimebundle()


@pytest.mark.parametrize("build, error, message", [
    (lambda v, x, y: ae.widgets.beta_explorer({1.0: v}, x, y[:-1], num_points=30), ValueError,
     "labels"),
    (lambda v, x, y: ae.widgets.beta_explorer({1.0: v}, x, y + 0.5, num_points=30), ValueError,
     "labels"),
    (lambda v, x, y: ae.widgets.beta_explorer({1.0: v}, x, y, num_points=41), ValueError,
     "num_points"),
    (lambda v, x, y: ae.widgets.beta_explorer(
        {1.0: ae.models.build_stacked_autoencoder(hidden_units=(8,), codings_size=2)}, x, y,
        num_points=30), TypeError, "VAE"),
    (lambda v, x, y: ae.widgets.beta_explorer([v], x, y, num_points=30), TypeError, "models"),
])
def test_beta_explorer_rejects_bad_input(labelled, build, error, message):
    """Labels of the wrong length or kind, and non-VAE models, raise naming the problem."""
    images, labels = labelled
    with pytest.raises(error, match=message):
        build(_small_vae(1.0), images, labels)


@pytest.mark.parametrize("which", ["beta", "map", "retrieval"])
def test_explorers_default_to_every_image_when_given_fewer_than_their_default(labelled, which):
    """Called without num_points / num_queries on 40 images, each explorer uses all 40."""
    images, labels = labelled
    if which == "beta":
        explorer = ae.widgets.beta_explorer({1.0: _small_vae(1.0)}, images, labels)
        assert len(explorer.images["map"]) == 40
    elif which == "map":
        explorer = ae.widgets.latent_map_explorer(
            ae.models.build_stacked_autoencoder(**ae.registry.MAP_PLAIN),
            ae.models.build_variational_autoencoder(**ae.registry.MAP_VAE), images, labels)
        assert explorer.images["decoded"].shape == (28, 28)
    else:
        encoder = ae.models.build_stacked_autoencoder(hidden_units=(8,), codings_size=2).encoder
        explorer = ae.widgets.retrieval_explorer(encoder, images, labels)
        assert len(explorer.controls["query"].options) == 40


def test_latent_map_explorer_decodes_the_chosen_models_coding(labelled):
    """The decoded image is the chosen model's decoder at centre + (u, v) x spread."""
    images, labels = labelled
    plain = ae.models.build_stacked_autoencoder(**ae.registry.MAP_PLAIN)
    vae = ae.models.build_variational_autoencoder(**ae.registry.MAP_VAE)
    explorer = ae.widgets.latent_map_explorer(plain, vae, images, labels, num_points=30)
    assert explorer.controls["model"].value == "vae"

    def expected(model, u, v):
        codings = model.encoder(images[:30], training=False)
        codings = np.asarray(codings[0] if isinstance(codings, list | tuple) else codings,
                             np.float64)
        coding = codings.mean(axis=0) + np.array([u, v]) * codings.std(axis=0)
        decoded = model.decoder(coding[None].astype("float32"), training=False)
        return coding, np.clip(np.asarray(decoded)[0], 0, 1)

    _move(explorer, "u", 1.5, ["decoded", "coding"])
    _move(explorer, "v", -2.0, ["decoded", "coding"])
    coding, decoded = expected(vae, 1.5, -2.0)
    np.testing.assert_allclose(explorer.images["coding"], coding, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(explorer.images["decoded"], decoded, atol=1e-5)
    assert explorer.readout.value.startswith(
        f"VAE: coding ({coding[0]:+.2f}, {coding[1]:+.2f}), u = +1.5, v = -2.0")

    _move(explorer, "model", "plain", ["decoded", "coding"])
    coding, decoded = expected(plain, 1.5, -2.0)
    np.testing.assert_allclose(explorer.images["coding"], coding, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(explorer.images["decoded"], decoded, atol=1e-5)
    by_vae = np.clip(np.asarray(vae.decoder(coding[None].astype("float32")))[0], 0, 1)
    assert not np.allclose(explorer.images["decoded"], by_vae, atol=1e-3)  # plain's decoder
    assert explorer.readout.value.startswith("plain autoencoder: coding")
    assert "image/png" in explorer.mimebundle()


@pytest.mark.parametrize("which, message", [("labels", "labels"), ("plain", "plain"),
                                            ("vae", "2-D codings")])
def test_latent_map_explorer_rejects_bad_input(labelled, which, message):
    """Short labels, a non-model and a model whose codings are not 2-D raise clearly."""
    images, labels = labelled
    parts = {"plain": ae.models.build_stacked_autoencoder(**ae.registry.MAP_PLAIN),
             "vae": ae.models.build_variational_autoencoder(**ae.registry.MAP_VAE),
             "labels": labels}
    parts[which] = {"labels": labels[:5], "plain": "model", "vae": _small_vae(1.0)}[which]
    with pytest.raises((TypeError, ValueError), match=message):
        ae.widgets.latent_map_explorer(parts["plain"], parts["vae"], images, parts["labels"],
                                       num_points=20)


def test_threshold_explorer_readout_agrees_with_a_brute_force_count(labelled):
    """Each threshold's readout and counts agree with counting scores >= it by hand."""
    images, _ = labelled
    scores = np.geomspace(0.001, 0.1, 40)
    np.random.default_rng(3).shuffle(scores)
    flags = (scores > 0.02) ^ (np.arange(40) % 7 == 0)  # a few mistakes each way
    explorer = ae.widgets.threshold_explorer(scores, flags, images, num_items=3)
    assert explorer.controls["threshold"].value == pytest.approx(np.median(scores))
    for value in (0.05, 0.004, float(np.sort(scores)[20])):
        _move(explorer, "threshold", value, ["items"])
        threshold = explorer.controls["threshold"].value
        tp = int(np.sum((scores >= threshold) & flags))
        fp = int(np.sum((scores >= threshold) & ~flags))
        fn, tn = int(flags.sum()) - tp, int((~flags).sum()) - fp
        np.testing.assert_array_equal(explorer.images["counts"], [tp, fp, fn, tn])
        assert metrics.confusion_at_threshold(scores, flags, threshold) == {
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}
        text = explorer.readout.value
        assert f"precision <b>{tp / (tp + fp):.1%}</b>" in text
        assert f"recall <b>{tp / (tp + fn):.1%}</b>" in text
        assert (f"flagged {tp} anomalies and {fp} normal items, missed {fn} anomalies, kept "
                f"{tn} normal items") in text
        # The first tile of the bottom row: the lowest score at or over the threshold,
        # framed green when it really is an anomaly.
        lowest = min(range(40), key=lambda i: (scores[i] < threshold, scores[i]))
        tile = explorer.images["items"][32:64, :32]
        np.testing.assert_allclose(tile[2:30, 2:30, 0], 1.0 - images[lowest], atol=1e-6)
        np.testing.assert_allclose(tile[0, 0], explore.FRAME_COLOURS[bool(flags[lowest])])
    assert "image/png" in explorer.mimebundle()


@pytest.mark.parametrize("kwargs, message", [
    ({"threshold": 0.5}, "threshold"),
    ({"threshold": 0.0001}, "threshold"),
    ({"images": "short"}, "images"),
    ({"is_anomaly": "one class"}, "is_anomaly"),
    ({"num_items": 9}, "num_items"),
])
def test_threshold_explorer_rejects_bad_input(labelled, kwargs, message):
    """A threshold outside the scores' range, too few images or one class raise clearly."""
    images, _ = labelled
    scores = np.geomspace(0.001, 0.1, 40)
    arguments = {"scores": scores, "is_anomaly": scores > 0.02, "images": images}
    arguments.update(kwargs)
    if kwargs.get("images") == "short":
        arguments["images"] = images[:10]
    if kwargs.get("is_anomaly") == "one class":
        arguments["is_anomaly"] = np.ones(40, bool)
    with pytest.raises(ValueError, match=message):
        ae.widgets.threshold_explorer(arguments.pop("scores"), arguments.pop("is_anomaly"),
                                      arguments.pop("images"), **arguments)


def test_retrieval_explorer_counts_agree_with_a_brute_force_search(labelled):
    """'Same class' counts and the results shown are the brute-force k nearest, both ways."""
    images, labels = labelled
    model = ae.models.build_stacked_autoencoder(hidden_units=(16,), codings_size=4,
                                                coding_activation="linear")
    explorer = ae.widgets.retrieval_explorer(model.encoder, images, labels, k=4, num_queries=10,
                                             class_names=["a", "b", "c"])
    codings = np.asarray(model.encoder(images, training=False), np.float64)
    pixels = images.reshape(40, -1)
    for query in (3, 8):
        _move(explorer, "query", query, ["query", "results", "found"])
        by_codings = _brute_neighbours(codings, codings[[query]], 4, [query])[0]
        by_pixels = _brute_neighbours(pixels, pixels[[query]], 4, [query])[0]
        np.testing.assert_array_equal(explorer.images["found"], np.r_[by_codings, by_pixels])
        np.testing.assert_array_equal(explorer.images["query"], images[query])
        same = [int(np.sum(labels[found] == labels[query])) for found in (by_codings, by_pixels)]
        assert explorer.readout.value == (
            f"same class as the query: <b>{same[0]} of 4</b> by codings, <b>{same[1]} of "
            f"4</b> by pixels")
        for place, index in enumerate(np.r_[by_codings, by_pixels]):
            top, left = 32 * (place // 4), 32 * (place % 4)
            colour = explore.FRAME_COLOURS[bool(labels[index] == labels[query])]
            np.testing.assert_allclose(explorer.images["results"][top, left], colour)
    assert "image/png" in explorer.mimebundle()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"labels": np.arange(39)}, ValueError, "labels"),
    ({"labels": np.full(40, 0.5)}, ValueError, "labels"),
    ({"k": 40}, ValueError, "k"),
    ({"num_queries": 41}, ValueError, "num_queries"),
    ({"encoder": "encoder"}, TypeError, "encoder"),
])
def test_retrieval_explorer_rejects_bad_input(labelled, kwargs, error, message):
    """Labels of the wrong length or kind, k too large or a non-encoder raise clearly."""
    images, labels = labelled
    arguments = {"encoder": ae.models.build_stacked_autoencoder(hidden_units=(8,),
                                                                codings_size=2).encoder,
                 "images": images, "labels": labels, "num_queries": 10, **kwargs}
    with pytest.raises(error, match=message):
        ae.widgets.retrieval_explorer(arguments.pop("encoder"), arguments.pop("images"),
                                      arguments.pop("labels"), **arguments)


# --- exercises of chapter 08 ---------------------------------------------------------------

def _learner_precision(features, labels, k, *, count_self=False):
    """A learner's precision@k, written with loops."""
    shares = []
    for i in range(len(features)):
        distances = [float(np.sum((features[i] - features[j]) ** 2)) for j in
                     range(len(features)) if count_self or j != i]
        others = [j for j in range(len(features)) if count_self or j != i]
        nearest = [others[j] for j in np.argsort(distances, kind="stable")[:k]]
        shares.append(np.mean([labels[j] == labels[i] for j in nearest]))
    return float(np.mean(shares))


def test_check_precision_at_k_protocol(capsys):
    """Placeholder, hint without the value, then the value (4/6 by hand), then correct."""
    check = exercises.check_precision_at_k
    assert_protocol(
        capsys,
        blank=lambda **kw: check(None, LINE, LINE_LABELS, k=1, **kw),
        wrong=lambda **kw: check(lambda f, y, k: 0.25, LINE, LINE_LABELS, k=1, **kw),
        right=lambda **kw: check(_learner_precision, LINE, LINE_LABELS, k=1, **kw),
        expected="items is 0.667")
    exercises.reset_tries()
    assert check(lambda f, y, k: ..., LINE, LINE_LABELS, k=1).kind == "placeholder"
    assert exercises.feedback.tries("check_precision_at_k") == 0
    capsys.readouterr()


def test_check_precision_at_k_hints(capsys):
    """Counting the item as its own neighbour, or a share outside [0, 1], get their own hints."""
    check = exercises.check_precision_at_k
    selfish = check(lambda f, y, k: _learner_precision(f, y, k, count_self=True), LINE,
                    LINE_LABELS, k=2)
    assert selfish.kind == "hint" and "itself" in selfish.message
    assert "0.417" not in selfish.message  # 2.5 / 6, worked by hand
    exercises.reset_tries()
    assert "between 0 and 1" in check(lambda f, y, k: 4.0, LINE, LINE_LABELS, k=2).message
    exercises.reset_tries()
    right = check(lambda f, y, k: 2.5 / 6, LINE, LINE_LABELS, k=2)
    assert right.passed and "0.417" in right.message
    with pytest.raises(TypeError, match="one number"):
        check(lambda f, y, k: "high", LINE, LINE_LABELS, k=2)
    with pytest.raises(TypeError, match="function"):
        check(lambda f, y: 0.5, LINE, LINE_LABELS, k=2)
    with pytest.raises(ValueError, match="k"):
        check(_learner_precision, LINE, LINE_LABELS, k=6)
    capsys.readouterr()


# Anomalies score 0.1, 0.2, ..., 1.0: recall 90% needs 9 of 10 flagged, so the highest
# threshold is 0.2; normal items at 0.3 (and below 0.2) give precision 9 / 10 there.
ANOMALY_SCORES = np.r_[np.arange(1, 11) / 10, [0.05, 0.08, 0.12, 0.15, 0.3]]
ANOMALY_FLAGS = np.r_[np.ones(10, bool), np.zeros(5, bool)]


def test_check_recall_threshold_protocol(capsys):
    """Placeholder, hint, the answer 0.2 (worked by hand), and correct at 0.2."""
    check = exercises.check_recall_threshold
    assert_protocol(
        capsys,
        blank=lambda **kw: check(ANOMALY_SCORES, ANOMALY_FLAGS, None, **kw),
        wrong=lambda **kw: check(ANOMALY_SCORES, ANOMALY_FLAGS, 0.5, **kw),
        right=lambda **kw: check(ANOMALY_SCORES, ANOMALY_FLAGS, 0.2, **kw),
        expected="is 0.2000")
    right = check(ANOMALY_SCORES, ANOMALY_FLAGS, 0.2, verbose=False)
    assert "flags 90.0% of the anomalies with precision 90.0%" in right.message


def test_check_recall_threshold_says_which_way(capsys):
    """Too high a threshold misses anomalies; too low flags more than needed."""
    check = exercises.check_recall_threshold
    high = check(ANOMALY_SCORES, ANOMALY_FLAGS, 0.45)  # flags 6 of 10
    assert high.kind == "hint" and "too high" in high.message and "60.0%" in high.message
    exercises.reset_tries()
    low = check(ANOMALY_SCORES, ANOMALY_FLAGS, 0.12)  # 0.126 still flags 9 of 10
    assert low.kind == "hint" and "too low" in low.message
    exercises.reset_tries()
    assert check(ANOMALY_SCORES, ANOMALY_FLAGS, 0.195).passed  # 1.05 x 0.195 > 0.2
    assert check(ANOMALY_SCORES, ANOMALY_FLAGS, 0.6, recall=0.5).passed  # flags 5 of 10
    with pytest.raises(ValueError, match="threshold"):
        check(ANOMALY_SCORES, ANOMALY_FLAGS, -0.1)
    with pytest.raises(ValueError, match="is_anomaly"):
        check(ANOMALY_SCORES, ANOMALY_FLAGS[:-1], 0.2)
    capsys.readouterr()


def _block_images():
    """30 images in 3 classes: class c has a bright 4x4 block at columns 4c..4c+3."""
    images = np.random.default_rng(5).random((30, 28, 28)).astype("float32") * 0.1
    labels = np.arange(30) % 3
    for i, label in enumerate(labels):
        images[i, :4, 4 * label:4 * label + 4] = 0.9
    return images, labels


def _picking_encoder(kernel):
    encoder = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                                keras.layers.Dense(kernel.shape[1], use_bias=False)])
    encoder.layers[-1].set_weights([kernel.astype("float32")])
    return encoder


def test_check_retrieval_size_prediction_protocol(capsys):
    """Small codings that see the class blocks beat large ones that see only noise: 'higher'."""
    images, labels = _block_images()
    blocks = np.zeros((28, 28, 3))
    for c in range(3):
        blocks[:4, 4 * c:4 * c + 4, c] = 1.0
    small = _picking_encoder(blocks.reshape(784, 3))
    noise = np.zeros((28, 28, 8))
    for unit in range(8):
        noise[27, unit, unit] = 1.0  # one background pixel each
    large = _picking_encoder(noise.reshape(784, 8))
    small_codings, large_codings = (np.asarray(e(images)) for e in (small, large))
    ratio = _brute_precision(small_codings, labels, 3) / _brute_precision(large_codings,
                                                                         labels, 3)
    assert ratio > 1.02  # so "higher" is right
    check = exercises.check_retrieval_size_prediction
    assert_protocol(
        capsys,
        blank=lambda **kw: check(None, small, large, images, labels, k=3, **kw),
        wrong=lambda **kw: check("lower", small, large, images, labels, k=3, **kw),
        right=lambda **kw: check("higher", small, large, images, labels, k=3, **kw),
        expected=f"{ratio:.3f} times")
    same = check("same", large, large, images, labels, k=3)
    assert same.passed and "1.000 times" in same.message
    with pytest.raises(ValueError, match="prediction"):
        check("bigger", small, large, images, labels, k=3)
    with pytest.raises(TypeError, match="small_encoder"):
        check("same", "model", large, images, labels, k=3)
    with pytest.raises(ValueError, match="labels"):
        check("same", small, large, images, labels[:-1], k=3)
    capsys.readouterr()


# --- registry and the stacked builder's coding activation ----------------------------------

def test_registry_constants():
    """The chapter 07-08 constants hold the documented settings and cannot be changed."""
    assert dict(ae.registry.MAP_VAE) == {"codings_size": 2}
    assert dict(ae.registry.MAP_PLAIN) == {"hidden_units": (150, 100), "codings_size": 2,
                                           "coding_activation": "linear"}
    assert ae.registry.KL_MULTIPLES == (0.1, 0.5, 1.0, 2.0, 8.0)
    assert ae.registry.COMPRESSION_SIZES == (2, 8, 30, 64)
    with pytest.raises(TypeError):
        ae.registry.MAP_VAE["codings_size"] = 3


def test_benchmark_variants_of_stacked_and_vae():
    """The stacked and VAE specs list their map, compression and KL-weight variants."""
    stacked = dict(ae.registry.get_spec("stacked").benchmark_variants())
    assert stacked == {"stacked": {}, "plain_2d": dict(ae.registry.MAP_PLAIN),
                       "stacked_2": {"codings_size": 2}, "stacked_8": {"codings_size": 8},
                       "stacked_64": {"codings_size": 64}}
    vae = dict(ae.registry.get_spec("vae").benchmark_variants())
    assert set(vae) == {"vae", "vae_2d", "vae_kl_0.1x", "vae_kl_0.5x", "vae_kl_2x",
                        "vae_kl_8x"}
    assert vae["vae"] == {} and vae["vae_2d"] == {"codings_size": 2}
    for multiple in (0.1, 0.5, 2.0, 8.0):
        assert vae[f"vae_kl_{multiple:g}x"] == {"kl_weight": pytest.approx(multiple / 784)}
    for name, variants in (("stacked", stacked), ("vae", vae)):
        spec = ae.registry.get_spec(name)
        for arguments in variants.values():
            spec.arguments(arguments)  # every variant is a valid set of builder arguments
    plain = ae.registry.get_spec("stacked").builder(**stacked["plain_2d"])
    assert plain.encoder.output_shape == (None, 2)


def test_stacked_builder_coding_activation(images):
    """'linear' codings can be negative, 'relu' ones cannot; others raise naming the argument."""
    linear = ae.models.build_stacked_autoencoder(hidden_units=(16,), codings_size=8,
                                                 coding_activation="linear")
    relu = ae.models.build_stacked_autoencoder(hidden_units=(16,), codings_size=8)
    assert np.asarray(linear.encoder(images)).min() < 0
    assert np.asarray(relu.encoder(images)).min() >= 0
    assert ae.models.build_stacked_autoencoder(codings_size=4, coding_activation="relu")
    with pytest.raises(ValueError, match="coding_activation"):
        ae.models.build_stacked_autoencoder(coding_activation="sigmoid")
    with pytest.raises(TypeError, match="coding_activation"):
        ae.models.build_stacked_autoencoder(coding_activation=None)


def test_beta_explorer_draws_every_state_once_and_shows_it_again(labelled):
    """Each KL weight is drawn when the panel is built; a move shows that exact picture."""
    images, labels = labelled
    models = {m: _small_vae(m) for m in (0.5, 1.0, 8.0)}
    explorer = ae.widgets.beta_explorer(models, images, labels, num_points=30)
    assert sorted(explorer._drawn) == [0.5, 1.0, 8.0]
    stored = {key: png for key, (_, _, png) in explorer._drawn.items()}
    assert len(set(stored.values())) == 3, "three models, three different pictures"
    for multiple in (8.0, 0.5, 1.0):
        explorer.controls["kl_weight"].value = multiple
        assert _png(explorer) == stored[multiple]
    explorer._drawn.clear()  # drawn afresh, the picture is the same
    explorer.controls["kl_weight"].value = 8.0
    assert _png(explorer) == stored[8.0]


def test_latent_map_explorer_toggle_swaps_the_map_behind_the_cross(labelled):
    """Toggling draws the other model's map; toggling back gives the first picture again."""
    images, labels = labelled
    explorer = ae.widgets.latent_map_explorer(
        ae.models.build_stacked_autoencoder(**ae.registry.MAP_PLAIN),
        ae.models.build_variational_autoencoder(**ae.registry.MAP_VAE), images, labels,
        num_points=30)
    first = _png(explorer)
    explorer.controls["model"].value = "plain"
    plain = _png(explorer)
    explorer.controls["model"].value = "vae"
    assert _png(explorer) == first and plain != first
    # With the decoded image held fixed, only the map differs between the two pictures.
    vae_map = np.asarray(Image.open(io.BytesIO(first)))
    plain_map = np.asarray(Image.open(io.BytesIO(plain)))
    left = vae_map.shape[1] // 2
    assert (vae_map[:, :left] != plain_map[:, :left]).any()


def test_without_class_removes_one_class_from_training_and_validation(images):
    """The left-out class is gone from train and valid, the test set is whole, bad data named."""
    labels = np.arange(16, dtype=np.uint8) % 4
    data = ae.data.FashionMNIST(images, labels, images[:8], labels[:8], images, labels)
    kept = ae.data.without_class(data, 2)
    assert 2 not in kept.y_train and 2 not in kept.y_valid
    assert len(kept.x_train) == 12 and len(kept.x_valid) == 6 and len(kept.x_test) == 16
    np.testing.assert_array_equal(kept.x_train, images[labels != 2])
    with pytest.raises(ValueError, match="data.y_train must hold one label per image"):
        ae.data.without_class(data._replace(y_train=labels[:-1]), 2)
    with pytest.raises(ValueError, match="label"):
        ae.data.without_class(data, 10)


def test_panels_name_the_argument_of_a_wrong_model_or_short_class_names(labelled):
    """A 4-D model on the 2-D map names plain or vae; too few class names name class_names."""
    images, labels = labelled
    wide = ae.models.build_stacked_autoencoder(hidden_units=(8,), codings_size=4)
    vae_2d = ae.models.build_variational_autoencoder(**ae.registry.MAP_VAE)
    with pytest.raises(ValueError, match="plain must have 2-D codings"):
        ae.widgets.latent_map_explorer(wide, vae_2d, images, labels)
    with pytest.raises(ValueError, match="class_names must name every label"):
        ae.widgets.retrieval_explorer(wide.encoder, images, labels, class_names=("a", "b"))
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        ae.plots.log_axis("axes", "x", [1, 10])
