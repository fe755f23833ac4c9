"""Measurements in NumPy: reconstruction error, PSNR, sparsity, PCA subspaces, KL terms,
anomaly scores (ROC, AUC, confusion counts), retrieval (precision@k) and the Fréchet
distance between two sets of features."""

from __future__ import annotations

import numpy as np

from aehelpers._validate import check_array, check_float, check_pair

_EPSILON = 1e-7
_MAX_LOG_VAR = 700.0  # exp(log_var) overflows float64 just above 709


def mse(reference: np.ndarray, other: np.ndarray, *, per_image: bool = False):
    """Return the mean squared error (one number, or one per image).

    Introduced in 01_representations_and_pca.
    """
    reference, other = _same_shape(reference, other)
    errors = np.mean((reference - other).reshape(len(reference), -1) ** 2, axis=1)
    return errors if per_image else float(errors.mean())


def psnr(clean: np.ndarray, other: np.ndarray, *, data_range: float = 1.0,
         per_image: bool = False):
    """Return the peak signal-to-noise ratio in dB, averaged over images unless ``per_image``.

    Introduced in 05_denoising_autoencoders.
    """
    data_range = check_float("data_range", data_range, minimum=0.0, open_min=True)
    clean, other = _same_shape(clean, other, names=("clean", "other"))
    if clean.min() < 0 or clean.max() > data_range:
        fix = ("; divide by 255 first, or pass data_range=255" if clean.max() > 1.5
               and data_range < 255 else "")
        raise ValueError(f"clean values must lie in [0, data_range] = [0, {data_range:g}], got "
                         f"[{clean.min():.3g}, {clean.max():.3g}]{fix}")
    errors = np.maximum(np.mean((clean - other).reshape(len(clean), -1) ** 2, axis=1), 1e-12)
    values = 10.0 * np.log10(data_range**2 / errors)
    return values if per_image else float(values.mean())


# Bin edges for the distribution of every activation of a sigmoid coding layer: the
# sparsity chapter's histogram (plots) and its panel (explore, widgets) share them.
ACTIVATION_BINS = np.linspace(0.0, 1.0, 41)


def mean_activation(codings: np.ndarray) -> np.ndarray:
    """Return each coding unit's mean activation over the batch, shape (units,).

    Introduced in 06_sparse_autoencoders.
    """
    codings = check_array("codings", codings, ndim=2)
    return codings.mean(axis=0)


def fraction_near_zero(codings: np.ndarray, *, threshold: float = 0.1) -> float:
    """Return the fraction of activations below ``threshold``.

    Introduced in 06_sparse_autoencoders.
    """
    codings = check_array("codings", codings, ndim=2)
    threshold = check_float("threshold", threshold, minimum=0.0)
    return float(np.mean(codings < threshold))


def bernoulli_kl(target: float, mean_activations) -> np.ndarray:
    """Return ``p log(p/q) + (1-p) log((1-p)/(1-q))`` elementwise, safe as q nears 0 or 1.

    Introduced in 06_sparse_autoencoders.
    """
    p = check_float("target", target, minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    scalar = np.ndim(mean_activations) == 0
    q = check_array("mean_activations", np.atleast_1d(mean_activations), value_range=(0.0, 1.0))
    q = np.clip(q.astype(np.float64), _EPSILON, 1.0 - _EPSILON)
    if scalar:
        q = q[0]
    return p * np.log(p / q) + (1.0 - p) * np.log((1.0 - p) / (1.0 - q))


def gaussian_kl(mean, log_var) -> np.ndarray:
    """Return KL(N(mu, sigma^2) || N(0, I)) per example, in the gamma = log sigma^2 form.

    Introduced in 07_variational_autoencoders.
    """
    mean, log_var = _same_shape(mean, log_var, names=("mean", "log_var"), ndim=2)
    if log_var.max() > _MAX_LOG_VAR:
        raise ValueError(f"log_var values must be at most {_MAX_LOG_VAR:g} (exp(log_var) "
                         f"overflows beyond), got {log_var.max():.3g}")
    return -0.5 * np.sum(1.0 + log_var - np.exp(log_var) - mean**2, axis=-1)


def gaussian_kl_sigma_form(mean, sigma) -> np.ndarray:
    """Return the same KL in the book's first form, ``-0.5 sum(1 + log sigma^2 - sigma^2 - mu^2)``.

    Introduced in 07_variational_autoencoders.
    """
    mean, sigma = _same_shape(mean, sigma, names=("mean", "sigma"), ndim=2)
    if np.any(sigma <= 0):
        raise ValueError("sigma must be positive everywhere")
    mean, variance = mean.astype(np.float64), sigma.astype(np.float64) ** 2
    return -0.5 * np.sum(1.0 + np.log(variance) - variance - mean**2, axis=-1)


def principal_angles(basis_a: np.ndarray, basis_b: np.ndarray) -> np.ndarray:
    """Return the principal angles in degrees between two subspaces, largest first.

    Each basis holds one spanning vector per row (its rows must be linearly
    independent). Introduced in 01_representations_and_pca.
    """
    from scipy.linalg import subspace_angles

    bases = []
    for name, basis in (("basis_a", basis_a), ("basis_b", basis_b)):
        basis = np.asarray(check_array(name, basis, ndim=2), dtype=np.float64)
        if basis.shape[0] > basis.shape[1] or np.linalg.matrix_rank(basis) < basis.shape[0]:
            raise ValueError(f"{name} must hold linearly independent rows (at most one per "
                             f"dimension), got shape {basis.shape} of rank "
                             f"{np.linalg.matrix_rank(basis)}")
        bases.append(basis)
    if bases[0].shape[1] != bases[1].shape[1]:
        raise ValueError(f"basis_a and basis_b must live in the same space, got vectors of "
                         f"length {bases[0].shape[1]} and {bases[1].shape[1]}")
    return np.degrees(subspace_angles(bases[0].T, bases[1].T))


def check_scores(scores, is_anomaly) -> tuple[np.ndarray, np.ndarray]:
    """Return anomaly scores as float64 and their flags as bool, after checking both.

    Introduced in 08_applications.
    """
    check_array("scores", scores, ndim=1)  # then kept in float64: float32 would tie near values
    scores = np.asarray(scores, dtype=np.float64)
    flags = np.asarray(is_anomaly)
    if flags.shape != scores.shape or not (flags.dtype == bool or np.isin(flags, (0, 1)).all()):
        raise ValueError(f"is_anomaly must hold one True/False (or 1/0) per score "
                         f"({len(scores)}), got shape {flags.shape} of {flags.dtype}")
    flags = flags.astype(bool)
    if flags.all() or not flags.any():
        raise ValueError("is_anomaly must mark some items as anomalies and some as normal, "
                         f"got {int(flags.sum())} anomalies among {len(flags)} items")
    return scores, flags


def roc_curve(scores, is_anomaly) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the false and true positive rates at every threshold, and the thresholds.

    An item is flagged when its score is at least the threshold; the curve starts at
    (0, 0) (threshold +inf) and ends at (1, 1). Introduced in 08_applications.
    """
    scores, flags = check_scores(scores, is_anomaly)
    order = np.argsort(-scores, kind="stable")
    ranked, hits = scores[order], flags[order]
    last = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]  # last of each tied run
    true_pos = np.cumsum(hits)[last]
    false_pos = (last + 1) - true_pos
    return (np.r_[0.0, false_pos / (~flags).sum()], np.r_[0.0, true_pos / flags.sum()],
            np.r_[np.inf, ranked[last]])


def roc_auc(scores, is_anomaly) -> float:
    """Return the area under the ROC curve: the chance an anomaly outscores a normal item.

    0.5 is guessing, 1.0 a perfect ranking. Introduced in 08_applications.
    """
    false_rate, true_rate, _ = roc_curve(scores, is_anomaly)
    return float(np.sum(np.diff(false_rate) * (true_rate[1:] + true_rate[:-1]) / 2.0))


def confusion_at_threshold(scores, is_anomaly, threshold: float) -> dict[str, int]:
    """Count true/false positives and negatives when scores >= ``threshold`` are flagged.

    Introduced in 08_applications.
    """
    scores, flags = check_scores(scores, is_anomaly)
    flagged = scores >= check_float("threshold", threshold)
    return {"tp": int(np.sum(flagged & flags)), "fp": int(np.sum(flagged & ~flags)),
            "fn": int(np.sum(~flagged & flags)), "tn": int(np.sum(~flagged & ~flags))}


def nearest_neighbours(database, queries, *, k: int, exclude: np.ndarray | None = None,
                       chunk: int = 512) -> np.ndarray:
    """Return the indices of the ``k`` nearest database rows (Euclidean) of each query.

    ``exclude[i]`` is a database index never returned for query ``i`` (the query
    itself when it is in the database), or -1. Introduced in 08_applications.
    """
    database = np.asarray(check_array("database", database, ndim=2), dtype=np.float32)
    queries = np.asarray(check_array("queries", queries, ndim=2), dtype=np.float32)
    if queries.shape[1] != database.shape[1]:
        raise ValueError(f"queries must have the database's {database.shape[1]} features, got "
                         f"{queries.shape[1]}")
    extra = 0 if exclude is None else 1
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not (
            1 <= k <= len(database) - extra):
        raise ValueError(f"k must be an integer from 1 to {len(database) - extra} (the database "
                         f"size{' less the excluded item' if extra else ''}), got {k!r}")
    if exclude is not None:
        exclude = np.asarray(exclude)
        if exclude.shape != (len(queries),) or not np.issubdtype(exclude.dtype, np.integer) or (
                len(exclude) and (exclude.min() < -1 or exclude.max() >= len(database))):
            raise ValueError(f"exclude must hold one database index (0 to {len(database) - 1}) "
                             f"or -1 per query ({len(queries)}), got {exclude!r:.80}")
    if not isinstance(chunk, (int, np.integer)) or isinstance(chunk, bool) or chunk < 1:
        raise ValueError(f"chunk must be a positive integer (queries per block), got {chunk!r}")
    squared = np.sum(database.astype(np.float64) ** 2, axis=1)
    found = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), chunk):
        block = queries[start:start + chunk]
        # |q - d|^2 = |q|^2 - 2 q.d + |d|^2; |q|^2 is the same for every d, so it is left out.
        distances = squared[None, :] - 2.0 * (block @ database.T).astype(np.float64)
        if exclude is not None:
            rows = np.flatnonzero(exclude[start:start + chunk] >= 0)
            distances[rows, exclude[start:start + chunk][rows]] = np.inf
        nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(distances, nearest, axis=1), axis=1)
        found[start:start + chunk] = np.take_along_axis(nearest, order, axis=1)
    return found


def precision_at_k(features, labels, *, k: int = 10) -> float:
    """Return the mean share of each item's ``k`` nearest other items that share its label.

    Every item is a query against all the others (leave one out). A random ranking
    scores about the share of the commonest label. Introduced in 08_applications.
    """
    features = check_array("features", features, ndim=2)
    labels = np.asarray(labels)
    if labels.shape != (len(features),):
        raise ValueError(f"labels must hold one label per row of features ({len(features)}), "
                         f"got shape {labels.shape}")
    neighbours = nearest_neighbours(features, features, k=k, exclude=np.arange(len(features)))
    return float(np.mean(labels[neighbours] == labels[:, None]))


def frechet_distance(features_a, features_b) -> float:
    """Return the Fréchet distance between Gaussians fitted to two sets of feature vectors.

    ``|mean_a - mean_b|^2 + trace(cov_a + cov_b - 2 (cov_a cov_b)^(1/2))``: 0 for
    identical statistics, growing as the sets' means and spreads part. Each set holds
    one vector per row, at least two rows. Introduced in 09_gans_and_diffusion.
    """
    sets = []
    for name, features in (("features_a", features_a), ("features_b", features_b)):
        features = np.asarray(check_array(name, features, ndim=2), dtype=np.float64)
        if len(features) < 2:
            raise ValueError(f"{name} must hold at least 2 feature vectors (rows), got "
                             f"{len(features)}")
        sets.append(features)
    if sets[0].shape[1] != sets[1].shape[1]:
        raise ValueError(f"features_a and features_b must have the same number of features "
                         f"(columns), got {sets[0].shape[1]} and {sets[1].shape[1]}")
    means = [s.mean(axis=0) for s in sets]
    covs = [np.cov(s, rowvar=False).reshape(s.shape[1], s.shape[1]) for s in sets]
    # trace((cov_a cov_b)^(1/2)) = trace((R cov_b R)^(1/2)) with R = cov_a^(1/2): symmetric
    # matrices throughout, so eigh handles the singular covariances of dead (always 0) features.
    values, vectors = np.linalg.eigh(covs[0])
    root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    inner = np.linalg.eigvalsh(root_a @ covs[1] @ root_a)
    cross = np.sum(np.sqrt(np.clip(inner, 0.0, None)))
    value = np.sum((means[0] - means[1]) ** 2) + np.trace(covs[0]) + np.trace(covs[1]) - 2 * cross
    return float(max(value, 0.0))


def _same_shape(first, second, *, names=("reference", "other"), ndim=None):
    first, second = check_pair(names, first, second, ndim=ndim or (1, 2, 3, 4))
    return first.astype(np.float64), second.astype(np.float64)
