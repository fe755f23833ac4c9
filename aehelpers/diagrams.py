"""Schematic figures of each autoencoder, drawn with matplotlib shapes; each returns the figure."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, PathPatch, Polygon, Rectangle
from matplotlib.path import Path

from aehelpers._validate import check_int
from aehelpers.plots import PALETTE

# One colour per role, the same in every diagram (Paul Tol's muted scheme, from plots).
# Text in _LOSS and _NOISE keeps a contrast of at least 4.5:1 on white (WCAG AA).
_ENCODER, _DECODER, _CODINGS = PALETTE[4], PALETTE[2], PALETTE[1]
_LOSS, _NOISE, _MEAN, _LOG_VAR = PALETTE[5], PALETTE[8], PALETTE[6], PALETTE[3]
_INK, _FONT = "#222222", 11
# A few pixel intensities standing in for an image's 784: the picture needs a pattern, not data.
_PIXELS = (0.15, 0.7, 0.95, 0.45, 0.05, 0.8)
_RECONSTRUCTED = (0.2, 0.65, 0.85, 0.45, 0.15, 0.75)  # close to _PIXELS, a little blurred
_CORRUPTED = (0.5, 0.0, 0.95, 0.2, 0.4, 0.0)  # noise added, two pixels dropped
_Y, _LOSS_Y = 2.6, 0.45  # the centre line of each diagram, and the loss bracket under it


def _canvas(ax, title: str, width: float, height: float, *, fig_width: float = 9.0):
    """Return (figure, axes) ready for drawing in data units, equal aspect, no axes."""
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    if ax is None:
        fig_height = fig_width * height / width + 0.45  # room for the title above the drawing
        fig, ax = plt.subplots(figsize=(fig_width, fig_height))
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.45 / fig_height)
    ax.set(xlim=(0, width), ylim=(0, height), aspect="equal")
    ax.set_axis_off()
    ax.set_title(title, fontsize=13)
    return ax.figure, ax


def _text(ax, x: float, y: float, text: str, **kwargs) -> None:
    kwargs = {"ha": "center", "va": "center", "fontsize": _FONT, "color": _INK, **kwargs}
    ax.text(x, y, text, **kwargs)


def _tint(color: str, amount: float) -> tuple[float, float, float]:
    """Mix white with ``color``: 0 gives white, 1 the colour itself."""
    return tuple(1 - amount * (1 - c) for c in to_rgb(color))


def _nodes(ax, x: float, y: float, values: Sequence[float], *, color: str = "black",
           radius: float = 0.22, label: str | None = None) -> tuple[float, float]:
    """Draw a column of circles centred on (x, y), each filled by its value; return its span."""
    step = 2.4 * radius
    top = y + step * (len(values) - 1) / 2
    for index, value in enumerate(values):
        ax.add_patch(Circle((x, top - index * step), radius, facecolor=_tint(color, value),
                            edgecolor=_INK, linewidth=1))
    low, high = top - step * (len(values) - 1) - radius, top + radius
    if label:
        _text(ax, x, high + 0.15, label, va="bottom")
    return low, high


def _box(ax, x: float, y: float, width: float, height: float, text: str, color: str, *,
         dashed: bool = False) -> None:
    """Draw a rounded box centred on (x, y) with ``text`` inside."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0,rounding_size=0.15", facecolor=color,
                                edgecolor=_INK, linewidth=1.2,
                                linestyle="--" if dashed else "-"))
    _text(ax, x, y, text)


def _trapezoid(ax, left: float, right: float, y: float, left_height: float,
               right_height: float, text: str, color: str) -> None:
    """Draw a layer block that narrows (encoder) or widens (decoder) from left to right."""
    corners = [(left, y - left_height / 2), (right, y - right_height / 2),
               (right, y + right_height / 2), (left, y + left_height / 2)]
    ax.add_patch(Polygon(corners, facecolor=color, edgecolor=_INK, linewidth=1.2))
    _text(ax, (left + right) / 2, y, text)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], *, color: str = _INK,
           dashed: bool = False) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": color, "linewidth": 1.5,
                            "linestyle": "--" if dashed else "-", "mutation_scale": 15,
                            "shrinkA": 0, "shrinkB": 0})


def _chain(ax, xs: Sequence[float], y: float) -> None:
    """Draw left-to-right arrows at height y between consecutive (end, start) x pairs."""
    for end_of_one, start_of_next in zip(xs[::2], xs[1::2], strict=True):
        _arrow(ax, (end_of_one, y), (start_of_next, y))


def _loss_bracket(ax, left: float, right: float, top: float, text: str) -> None:
    """Draw a bracket from just under ``top`` that compares two columns, ``text`` on its bar."""
    ax.plot([left, right], [_LOSS_Y, _LOSS_Y], color=_LOSS, linewidth=1.8)
    for x in (left, right):
        _arrow(ax, (x, _LOSS_Y), (x, top - 0.08), color=_LOSS)
    _text(ax, (left + right) / 2, _LOSS_Y, text, color=_LOSS,
          bbox={"facecolor": "white", "edgecolor": "none", "pad": 2})


def _brace(ax, left: float, right: float, y: float, text: str, *, depth: float = 0.35) -> None:
    """Draw a curly brace over [left, right] at height y, opening downwards, labelled above."""
    middle, half, quarter = (left + right) / 2, y + depth / 2, min(depth, (right - left) / 4)
    vertices = [(left, y), (left, half), (left + quarter, half), (middle - quarter, half),
                (middle, half), (middle, y + depth), (middle, half), (middle + quarter, half),
                (right - quarter, half), (right, half), (right, y)]
    curve, line = Path.CURVE3, Path.LINETO
    codes = [Path.MOVETO, curve, curve, line, curve, curve, curve, curve, line, curve, curve]
    ax.add_patch(PathPatch(Path(vertices, codes), facecolor="none", edgecolor=_INK,
                           linewidth=1.3))
    _text(ax, middle, y + depth + 0.1, text, va="bottom")


def _decoder_side(ax, x: float, y: float, *, width: float, height: float, codings: str,
                  output: str) -> float:
    """Draw codings at x, a decoder growing to ``height``, the output; return the output's x."""
    _nodes(ax, x, y, (1, 1, 1), color=_CODINGS, label=codings)
    _trapezoid(ax, x + 0.9, x + 0.9 + width, y, 1.4, height, "decoder", _DECODER)
    output_x = x + 2.0 + width
    _chain(ax, (x + 0.3, x + 0.9, x + 0.9 + width, output_x - 0.3), y)
    _nodes(ax, output_x, y, _RECONSTRUCTED, label=output)
    return output_x


def draw_autoencoder(*, ax=None) -> Figure:
    """Draw an autoencoder: input, encoder, codings bottleneck, decoder, reconstruction, loss.

    Introduced in 01_representations_and_pca.
    """
    fig, ax = _canvas(ax, "An autoencoder squeezes its input through a bottleneck", 15.6, 5.0)
    bottom, top = _nodes(ax, 1.3, _Y, _PIXELS, label="input $x$\n784 pixels")
    _trapezoid(ax, 2.4, 6.2, _Y, top - bottom, 1.4, "encoder", _ENCODER)
    _text(ax, 7.3, _Y - 0.8, "the\nbottleneck", fontsize=10, va="top")
    output_x = _decoder_side(ax, 7.3, _Y, width=3.8, height=top - bottom,
                             codings="codings $z$\n30 numbers",
                             output="reconstruction $\\hat{x}$\n784 pixels")
    _chain(ax, (1.6, 2.4, 6.2, 7.0), _Y)
    _loss_bracket(ax, 1.3, output_x, bottom, r"reconstruction loss $\|x - \hat{x}\|^2$")
    return fig


def _codings_index(sizes: Sequence[int]) -> int:
    """Return the bottleneck: the smallest inner layer (the one nearest the middle on ties)."""
    middle = (len(sizes) - 1) / 2
    return min(range(1, len(sizes) - 1), key=lambda i: (sizes[i], abs(i - middle)))


def _check_layer_sizes(layer_sizes: object) -> tuple[int, ...]:
    if isinstance(layer_sizes, str | bytes) or not isinstance(layer_sizes, Sequence):
        raise TypeError(f"layer_sizes must be a list or tuple of positive integers, "
                        f"got {layer_sizes!r}")
    if not 3 <= len(layer_sizes) <= 12:
        raise ValueError(f"layer_sizes must hold 3 to 12 layer sizes (input, codings, output "
                         f"at least), got {len(layer_sizes)}")
    return tuple(check_int(f"layer_sizes[{i}]", size, minimum=1)
                 for i, size in enumerate(layer_sizes))


def draw_stacked_autoencoder(layer_sizes: Sequence[int] = (784, 100, 30, 100, 784), *,
                             ax=None) -> Figure:
    """Draw a stacked autoencoder as bars whose heights grow with each layer's size.

    Introduced in 02_stacked_autoencoders.
    """
    sizes = _check_layer_sizes(layer_sizes)
    codings = _codings_index(sizes)
    width = max(18.0, 2.8 * len(sizes))  # many layers: a wider figure, not crowded labels
    fig, ax = _canvas(ax, "A stacked autoencoder: layers shrink to the codings, then grow back",
                      width, 6.2, fig_width=width / 2)
    y, bar, tallest = 3.1, 0.6, 3.6
    # Height grows with the square root of the size, from a visible minimum.
    heights = 0.3 + (tallest - 0.3) * np.sqrt(np.asarray(sizes) / max(sizes))
    xs = np.linspace(2.0, width - 2.0, len(sizes))
    for i, (x, size, height) in enumerate(zip(xs, sizes, heights, strict=True)):
        color = _ENCODER if i < codings else _CODINGS if i == codings else _DECODER
        if i + 1 < len(sizes):  # the dense connections to the next layer, as a light fan
            _trapezoid(ax, x + bar / 2, xs[i + 1] - bar / 2, y, height, heights[i + 1], "",
                       _tint(_ENCODER if i < codings else _DECODER, 0.35))
        ax.add_patch(Rectangle((x - bar / 2, y - height / 2), bar, height, facecolor=color,
                               edgecolor=_INK, linewidth=1.2, gid=f"layer-{i}"))
        name = {0: "\ninput $x$", len(sizes) - 1: "\noutput $\\hat{x}$"}.get(i, "")
        _text(ax, x, y - tallest / 2 - 0.2, f"{size:,} unit{'s' * (size > 1)}{name}", va="top")
    top = y + tallest / 2 + 0.25
    _brace(ax, xs[0] - bar / 2, xs[codings] - bar / 2 - 0.25, top, "encoder")
    _brace(ax, xs[codings] - bar / 2 - 0.1, xs[codings] + bar / 2 + 0.1, top, "codings")
    _brace(ax, xs[codings] + bar / 2 + 0.25, xs[-1] + bar / 2, top, "decoder")
    return fig


def draw_denoising_autoencoder(*, ax=None) -> Figure:
    """Draw a denoising autoencoder: corrupt the input in training, rebuild the clean one.

    Introduced in 05_denoising_autoencoders.
    """
    fig, ax = _canvas(ax, "A denoising autoencoder rebuilds the clean input from a corrupted one",
                      17.4, 5.0)
    bottom, top = _nodes(ax, 1.0, _Y, _PIXELS, label="clean $x$")
    _box(ax, 3.7, _Y + 0.25, 3.2, 1.5, "add noise /\ndrop pixels\ntraining only",
         _tint(_NOISE, 0.25), dashed=True)
    _nodes(ax, 6.4, _Y, _CORRUPTED, label=r"corrupted $\tilde{x}$")
    _trapezoid(ax, 7.4, 9.8, _Y, top - bottom, 1.4, "encoder", _ENCODER)
    output_x = _decoder_side(ax, 10.7, _Y, width=2.4, height=top - bottom, codings="$z$",
                             output=r"reconstruction $\hat{x}$")
    _chain(ax, (1.3, 2.1, 5.3, 6.1, 6.7, 7.4, 9.8, 10.4), _Y)
    # After training the corruption step is skipped: the clean input goes straight in.
    _arrow(ax, (1.3, _Y - 0.75), (6.1, _Y - 0.75), color=_NOISE, dashed=True)
    _text(ax, 3.7, _Y - 0.85, "after training: skipped", fontsize=10, color=_NOISE, va="top")
    _loss_bracket(ax, 1.0, output_x, bottom,
                  r"the loss compares $\hat{x}$ with the clean $x$, not with $\tilde{x}$")
    return fig


def draw_sparse_autoencoder(*, ax=None) -> Figure:
    """Draw a sparse autoencoder: many coding units, only a few of them active at a time.

    Introduced in 06_sparse_autoencoders.
    """
    fig, ax = _canvas(ax, "A sparse autoencoder: many coding units, few active at once", 18.4, 6.3)
    y = _Y + 0.45  # the tall coding layer needs room below it, above the loss
    bottom, top = _nodes(ax, 1.2, y, _PIXELS, label="input $x$")
    active = np.zeros(16)
    active[[2, 9, 13]] = 1.0
    low, high = _nodes(ax, 6.4, y, active, color=_CODINGS, radius=0.12, label="codings $z$")
    _trapezoid(ax, 2.2, 5.7, y, top - bottom, high - low, "encoder", _ENCODER)
    _trapezoid(ax, 7.1, 10.6, y, high - low, top - bottom, "decoder", _DECODER)
    _nodes(ax, 11.6, y, _RECONSTRUCTED, label=r"reconstruction $\hat{x}$")
    _chain(ax, (1.5, 2.2, 10.6, 11.3), y)
    for value, row, meaning in ((1, 0, "active unit"), (0, 1, "inactive unit, near 0")):
        _nodes(ax, 13.75, y + 1.7 - 0.55 * row, (value,), color=_CODINGS, radius=0.12)
        _text(ax, 14.05, y + 1.7 - 0.55 * row, meaning, ha="left")
    _text(ax, 13.55, y + 0.6, "a sparsity penalty keeps\nthe mean activation of\n"
          "each unit near a target,\ne.g. 10%", ha="left", va="top")
    _loss_bracket(ax, 1.2, 11.6, bottom, "loss = reconstruction + sparsity penalty")
    return fig


def draw_variational_autoencoder(*, ax=None) -> Figure:
    """Draw a variational autoencoder: mean and log-variance, then a sampled coding.

    Introduced in 07_variational_autoencoders.
    """
    fig, ax = _canvas(ax, "A variational autoencoder samples its codings", 18, 5.3)
    bottom, top = _nodes(ax, 0.9, _Y, _PIXELS, label="input $x$")
    _trapezoid(ax, 1.8, 4.0, _Y, top - bottom, 2.0, "encoder", _ENCODER)
    _box(ax, 5.5, _Y + 0.6, 2.2, 0.75, r"mean $\mu$", _tint(_MEAN, 0.5))
    _box(ax, 5.5, _Y - 0.6, 2.2, 0.75, r"$\gamma = \log\sigma^2$", _tint(_LOG_VAR, 0.35))
    _box(ax, 9.6, _Y, 4.2, 1.3, "sample\n" r"$z = \mu + \exp(\gamma/2)\cdot\varepsilon$",
         _tint(_NOISE, 0.25))
    for sign in (1, -1):
        _arrow(ax, (4.0, _Y + 0.6 * sign), (4.4, _Y + 0.6 * sign))
        _arrow(ax, (6.6, _Y + 0.6 * sign), (7.5, _Y + 0.3 * sign))
    epsilon_y = _Y + 1.85
    _nodes(ax, 9.6, epsilon_y, (0.6,), color=_NOISE, radius=0.28)
    _text(ax, 9.6, epsilon_y, r"$\varepsilon$")
    _text(ax, 10.0, epsilon_y, r"$\varepsilon \sim \mathcal{N}(0, I)$: fresh random noise",
          ha="left")
    _arrow(ax, (9.6, epsilon_y - 0.28), (9.6, _Y + 0.65))
    output_x = _decoder_side(ax, 12.6, _Y, width=2.2, height=top - bottom,
                             codings="codings $z$", output=r"$\hat{x}$")
    _chain(ax, (1.2, 1.8, 11.7, 12.3), _Y)
    _loss_bracket(ax, 0.9, output_x, bottom, r"loss = reconstruction + $\beta\cdot\mathrm{KL}("
                  r"\mathcal{N}(\mu, \sigma^2)\,\|\,\mathcal{N}(0, I))$")
    return fig
