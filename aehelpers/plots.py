"""Figures used across chapters; each returns the figure and takes ``ax=None`` where it fits."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnnotationBbox, OffsetImage

from aehelpers._validate import (
    check_array,
    check_choice,
    check_float,
    check_images,
    check_int,
    check_texts,
)
from aehelpers.metrics import ACTIVATION_BINS

# Paul Tol's "muted" scheme: ten colours told apart with common colour-vision deficiencies.
PALETTE = ("#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE",
           "#882255", "#44AA99", "#999933", "#AA4499", "#777777")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")


def apply_style() -> None:
    """Apply the workbook's plot style: projector-readable fonts, the colour-blind-safe cycle."""
    mpl.rcParams.update({
        "figure.dpi": 100, "savefig.dpi": 100, "font.size": 12, "axes.titlesize": 13,
        "axes.labelsize": 12, "legend.fontsize": 10, "axes.grid": True, "grid.alpha": 0.3,
        "axes.prop_cycle": mpl.cycler(color=PALETTE), "image.cmap": "binary",
    })


def _axes(ax, figsize):
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be None or a Matplotlib Axes (for example from "
                        f"plt.subplots()), got {type(ax).__name__}")
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def plot_image_grid(images, *, titles: Sequence[str] | None = None, num_cols: int = 8,
                    title: str | None = None, scale: float = 1.4) -> Figure:
    """Show images in a grid (grayscale, dark ink on white), with optional titles."""
    # A decoder's raw output may overshoot [0, 1] a little: clipped. 0-255 pixels are refused.
    images = check_images("images", images, allow_single=True, slack=0.5)
    num_cols = check_int("num_cols", num_cols, minimum=1)
    num_cols = min(num_cols, len(images))
    num_rows = -(-len(images) // num_cols)
    if titles is not None:
        titles = check_texts("titles", titles, length=len(images))
    scale = check_float("scale", scale, minimum=0.0, maximum=10.0, open_min=True)
    row_height = scale + (0.3 if titles is not None else 0.0)  # room for each row's titles
    height = row_height * num_rows + (0.5 if title else 0)
    fig, axes = plt.subplots(num_rows, num_cols, squeeze=False,
                             figsize=(scale * num_cols, height))
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(images):
            ax.imshow(images[index], cmap="binary", vmin=0, vmax=1)
            if titles is not None:
                ax.set_title(titles[index], fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_reconstructions(model, images, *, num_images: int = 8,
                         title: str = "Originals (top) and reconstructions (bottom)") -> Figure:
    """Show ``num_images`` originals above the model's reconstructions.

    Introduced in 02_stacked_autoencoders.
    """
    from aehelpers.models import check_autoencoder
    from aehelpers.training import predict

    model = check_autoencoder("model", model)
    num_images = check_int("num_images", num_images, minimum=1, maximum=50)
    images = check_images("images", images)[:num_images]
    reconstructions = np.clip(predict(model, images), 0.0, 1.0)
    fig, axes = plt.subplots(2, len(images), squeeze=False, figsize=(1.4 * len(images), 3.2))
    for column in range(len(images)):
        for row, picture in enumerate((images, reconstructions)):
            axes[row, column].imshow(picture[column], cmap="binary", vmin=0, vmax=1)
            axes[row, column].axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_history(history: dict, *, keys: Sequence[str] | None = None, ax=None,
                 title: str = "Learning curves", log_scale: bool = False) -> Figure:
    """Plot training curves (by default ``loss`` and ``val_loss``) against the epoch.

    Introduced in 02_stacked_autoencoders.
    """
    if not isinstance(history, dict) or not history:
        raise TypeError("history must be a non-empty dict of lists, as returned by ae.training.fit")
    keys = (list(check_texts("keys", keys)) if keys is not None
            else [k for k in ("loss", "val_loss") if k in history])
    missing = [k for k in keys if k not in history]
    if missing or not keys:
        raise ValueError(f"keys {missing or keys} are not in the history; it has {sorted(history)}")
    curves = {key: check_array(f"history[{key!r}]", history[key], ndim=1) for key in keys}
    fig, ax = _axes(ax, (6, 3.5))
    for index, (key, values) in enumerate(curves.items()):
        ax.plot(range(1, len(values) + 1), values, marker=MARKERS[index % 10], label=key,
                linestyle="--" if key.startswith("val_") else "-")
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    if log_scale:
        ax.set_yscale("log")
    ax.legend()
    return fig


def plot_codings_2d(points_2d, labels, *, class_names: Sequence[str] | None = None,
                    images=None, num_thumbnails: int = 60, ax=None,
                    title: str = "Codings in 2-D") -> Figure:
    """Scatter 2-D codings coloured (and marked) by class, with optional image thumbnails.

    Introduced in 02_stacked_autoencoders.
    """
    points_2d = check_array("points_2d", points_2d, ndim=2, trailing_shape=(2,))
    labels = np.asarray(labels)
    if labels.shape != (len(points_2d),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {len(points_2d)} integers, got shape {labels.shape}")
    if class_names is not None:
        class_names = check_texts("class_names", class_names)
    num_classes = len(class_names) if class_names is not None else None
    if labels.min() < 0 or (num_classes is not None and labels.max() >= num_classes):
        within = (f"[0, {num_classes - 1}] to pick one of the {num_classes} class_names"
                  if num_classes else "[0, inf) (class indices)")
        raise ValueError(f"labels must lie in {within}, got [{labels.min()}, {labels.max()}]")
    fig, ax = _axes(ax, (9, 8))
    for label in np.unique(labels):
        chosen = labels == label
        name = class_names[label] if class_names is not None else str(label)
        ax.scatter(*points_2d[chosen].T, s=8, color=PALETTE[label % 10],
                   marker=MARKERS[label % 10], label=name, alpha=0.8)
    if images is not None:
        images = check_images("images", images)
        _add_thumbnails(ax, points_2d, images, check_int("num_thumbnails", num_thumbnails,
                                                         minimum=0))
    ax.set(title=title, xlabel="dimension 1", ylabel="dimension 2")
    ax.legend(markerscale=2, loc="best", fontsize=9)
    return fig


def log_axis(ax, which: str, ticks: Sequence[float]) -> None:
    """Put ``ax``'s x or y axis on a log scale labelled only at ``ticks``, in plain numbers.

    Introduced in 08_applications.
    """
    from matplotlib.axes import Axes
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    which = check_choice("which", which, ("x", "y"))
    ticks = [check_float(f"ticks[{i}]", t, minimum=0.0, open_min=True)
             for i, t in enumerate(ticks)]
    axis = ax.xaxis if which == "x" else ax.yaxis
    getattr(ax, f"set_{which}scale")("log")
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def plot_gaussian_contours(mean, covariance, *, ax=None, levels: Sequence[float] = (1, 2, 3),
                           color: str = "#333333") -> Figure:
    """Draw the 1-, 2- and 3-standard-deviation ellipses of a 2-D normal distribution.

    For a VAE's map pass the prior, ``np.zeros(2)`` and ``np.eye(2)``. Introduced in
    07_variational_autoencoders.
    """
    mean = check_array("mean", mean, ndim=1, trailing_shape=(2,))
    covariance = np.asarray(check_array("covariance", covariance, ndim=2, trailing_shape=(2,)),
                            dtype=np.float64)
    if covariance.shape != (2, 2) or not np.allclose(covariance, covariance.T):
        raise ValueError(f"covariance must be a symmetric 2x2 matrix, got {covariance.tolist()}")
    variances, vectors = np.linalg.eigh(covariance)
    if variances.min() <= 0:
        raise ValueError("covariance must be positive definite (both variances > 0)")
    angle = float(np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1])))
    levels = [check_float(f"levels[{index}]", level, minimum=0.0, open_min=True)
              for index, level in enumerate(levels)]
    fig, ax = _axes(ax, (6, 6))
    _ellipses(ax, mean, np.sqrt(variances), angle, levels, color)
    return fig


def _ellipses(ax, centre, scales, angle: float, levels, color: str = "#333333") -> list:
    """Add dashed ellipses (half-axes ``level * scales``) to ``ax``; return the patches.

    ``plot_gaussian_contours`` draws a distribution's with it; the VAE explorer keeps the
    prior's patches to redraw them over its changing map.
    """
    from matplotlib.patches import Ellipse

    return [ax.add_patch(Ellipse(centre, 2 * level * scales[1], 2 * level * scales[0],
                                 angle=angle, fill=False, linestyle="--", linewidth=1.5,
                                 color=color, zorder=3)) for level in levels]


def _add_thumbnails(ax, points_2d, images, count):
    """Place up to ``count`` thumbnails, skipping points too close to one already shown."""
    span = np.ptp(points_2d, axis=0)
    shown = np.empty((0, 2))
    for index in np.random.default_rng(0).permutation(len(points_2d)):
        point = points_2d[index]
        if len(shown) >= count:
            break
        if len(shown) and np.min(np.sum(((shown - point) / span) ** 2, axis=1)) < 0.004:
            continue
        shown = np.vstack([shown, point])
        box = AnnotationBbox(OffsetImage(images[index], cmap="binary", zoom=0.8), point,
                             frameon=True, pad=0.1, bboxprops={"edgecolor": "#777777"})
        ax.add_artist(box)


def plot_activation_histogram(codings, *, target: float | None = None, ax=None,
                              title: str = "Every activation of the coding layer") -> Figure:
    """Histogram of every activation (all units, all images) on a log scale, target marked.

    The bars are shares of all activations, so the rare strong activations of a sparse
    code show beside the many weak ones; the solid line is the mean activation, which is
    what a sparsity target steers. Introduced in 06_sparse_autoencoders.
    """
    codings = check_array("codings", codings, ndim=2)
    fig, ax = _axes(ax, (6, 3.5))
    weights = np.full(codings.size, 1.0 / codings.size)
    ax.hist(codings.ravel(), bins=ACTIVATION_BINS, weights=weights, color=PALETTE[1],
            label=f"above 0.5: {np.mean(codings > 0.5):.2%}")
    ax.set_yscale("log")
    ax.axvline(codings.mean(), color=PALETTE[0], linewidth=2,
               label=f"mean {codings.mean():.3f}")
    if target is not None:
        target = check_float("target", target, minimum=0.0, maximum=1.0)
        ax.axvline(target, color=PALETTE[3], linestyle="--", linewidth=2, label=f"target {target}")
    ax.set(xlabel="activation", ylabel="share of activations", title=title, xlim=(0, 1))
    ax.legend(loc="upper right", fontsize=9)
    return fig


def plot_sparsity_losses(target: float = 0.1, *, ax=None) -> Figure:
    """Plot the KL, MAE and MSE sparsity losses against the actual mean activation.

    Introduced in 06_sparse_autoencoders.
    """
    from aehelpers.metrics import bernoulli_kl

    target = check_float("target", target, minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    q = np.linspace(0.001, 0.999, 500)
    fig, ax = _axes(ax, (6, 4))
    ax.plot(q, bernoulli_kl(target, q), label="KL divergence", linewidth=2)
    ax.plot(q, np.abs(target - q), linestyle="--", label="MAE")
    ax.plot(q, (target - q) ** 2, linestyle=":", label="MSE")
    ax.axvline(target, color="#777777", linewidth=1)
    ax.set(xlabel="actual mean activation q", ylabel="sparsity loss", ylim=(0, 0.95),
           title=f"Sparsity losses for a target p = {target}")
    ax.legend()
    return fig
