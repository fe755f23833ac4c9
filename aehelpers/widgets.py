"""Interactive explorers for chapters 05-07: sliders, one figure updated in place.

Works with ipywidgets 7.7 (Colab) and 8 (JupyterLab 4) and needs no ipympl:
each figure is made once, slider moves update its artists (``set_data``,
``set_text``) and the panel shows a freshly rendered PNG of it. The arrays
come from the pure functions in :mod:`aehelpers.explore`.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Hashable, Sequence
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.ticker import MaxNLocator
from PIL import Image

from aehelpers import explore
from aehelpers._validate import (
    check_array,
    check_callable,
    check_float,
    check_images,
    check_int,
    check_mapping,
    check_seed,
    check_texts,
)
from aehelpers.generators import check_schedule, diffuse
from aehelpers.metrics import nearest_neighbours
from aehelpers.models import (
    check_autoencoder,
    check_chain,
    check_decoder,
    check_encoder,
    codings_size,
)
from aehelpers.plots import PALETTE, _ellipses

_DPI = 72
_SLIDERS = (widgets.FloatSlider, widgets.FloatLogSlider, widgets.IntSlider,
            widgets.SelectionSlider)


class Explorer:
    """A panel: named controls, a figure redrawn on every change, the arrays last shown.

    ``update()`` recomputes, updates the ``animated`` artists and returns the
    arrays shown and a line of text for the readout under the figure. Only
    those artists are redrawn per move, over a cached background (blitting
    with the Agg canvas), which keeps a move within the latency budget of
    DESIGN.md section 7. A panel with a few fixed states (one per trained model)
    passes ``state()``, a hashable key of the controls: each state is drawn once,
    and returning to it shows the stored picture.
    """

    def __init__(self, controls: dict, figure: Figure, update: Callable[[], dict],
                 animated: Sequence, *, state: Callable[[], Hashable] | None = None):
        _check_parts(controls, figure, update, animated)
        if state is not None:
            check_callable("state", state, usage="state()", num_args=0)
        self._state = state
        self._drawn: dict = {}
        self._backgrounds: dict = {}
        self.controls = controls
        self.sliders = {k: w for k, w in controls.items() if isinstance(w, _SLIDERS)}
        self.buttons = {k: w for k, w in controls.items() if isinstance(w, widgets.Button)}
        self.figure = figure
        self.output = widgets.Output()
        self.readout = widgets.HTML()
        self.images: dict[str, np.ndarray] = {}
        self.png = b""
        self._update = update
        self._animated = list(animated)
        for artist in self._animated:
            artist.set_animated(True)
        figure.canvas.draw()  # everything static, once
        self._background = figure.canvas.copy_from_bbox(figure.bbox)
        self._held = False
        for control in controls.values():
            if not isinstance(control, widgets.Button):
                control.observe(self._on_change, names="value")
        self.widget = widgets.HBox([widgets.VBox(list(controls.values())),
                                    widgets.VBox([self.output, self.readout])])
        self.redraw()

    def _on_change(self, change) -> None:
        if not self._held:
            self.redraw()

    def refresh_background(self) -> None:
        """Redraw the static part of the figure: for an ``update`` that changed a static artist.

        Call it from ``update`` (for example when a toggle swaps a map that slider
        moves leave alone); the next blit then starts from the new background.
        """
        for artist in self._animated:
            artist.set_visible(False)
        self.figure.canvas.draw()
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        for artist in self._animated:
            artist.set_visible(True)

    def draw_every_state(self, name: str) -> None:
        """Draw the panel once per option of control ``name``, then show the first one again.

        For a panel built with ``state=``: every later move is a stored picture.
        """
        control = self.controls[name]
        start = control.value
        for value in [option[1] if isinstance(option, tuple) else option
                      for option in control.options]:
            control.value = value
        control.value = start

    def remember_background(self, key: Hashable) -> None:
        """Keep the current static background under ``key``, for :meth:`recall_background`."""
        self._backgrounds[key] = self._background

    def recall_background(self, key: Hashable) -> None:
        """Blit over the background kept under ``key``: swapping a static layer costs nothing."""
        self._background = self._backgrounds[key]

    def redraw(self) -> None:
        """Recompute, redraw the changing artists, and show the new picture in the panel."""
        key = self._state() if self._state is not None else None
        if key is not None and key in self._drawn:
            self.images, self.readout.value, self.png = self._drawn[key]
            self._show()
            return
        result = self._update()
        if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], dict)
                and isinstance(result[1], str)):
            raise TypeError(f"update must return (dict of the arrays shown, readout text), got "
                            f"{result!r:.60}")
        self.images, text = result
        self.readout.value = text  # a widget, not figure text: no font rendering per move
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        for artist in self._animated:
            self.figure.draw_artist(artist)
        self.png = _encode_png(np.asarray(canvas.buffer_rgba()))
        if key is not None:
            self._drawn[key] = (self.images, text, self.png)
        self._show()

    def _show(self) -> None:
        # One assignment replaces the picture: what clear_output(wait=True) + display
        # does, without flicker and without needing a kernel (tests, benchmarks).
        self.output.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": {"image/png": base64.b64encode(self.png).decode(),
                                         "text/plain": "<explorer figure>"}},)

    @contextmanager
    def hold(self):
        """Change several controls, then redraw once."""
        self._held = True
        try:
            yield self
        finally:
            self._held = False
            self.redraw()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.mimebundle(), raw=True)

    def mimebundle(self) -> dict:
        """Return the panel for display: the live widget, plus its current picture and readout.

        A front end with a widget manager (JupyterLab, Colab) shows the interactive
        panel; GitHub, nbviewer, PDF and slide readers, which cannot, show the picture.
        """
        picture = base64.b64encode(self.png).decode()
        readout = re.sub(r"<[^>]+>", "", self.readout.value).replace("&times;", "x")
        return {
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2, "version_minor": 0, "model_id": self.widget.model_id},
            "image/png": picture,
            "text/html": f'<img src="data:image/png;base64,{picture}" alt="panel"/>'
                         f"<p>{self.readout.value}</p>",
            "text/plain": f"[interactive panel: {readout}]",
        }


def _check_parts(controls, figure, update, animated) -> None:
    """Check an Explorer's parts before anything is wired to them."""
    check_mapping("controls", controls, non_empty=True)
    wrong = [k for k, w in controls.items() if not isinstance(w, widgets.Button) and not (
        isinstance(w, widgets.Widget) and w.has_trait("value"))]
    if wrong:
        raise TypeError(f"controls must map names to ipywidgets controls (sliders, dropdowns, "
                        f"buttons), got {type(controls[wrong[0]]).__name__} for {wrong[0]!r}")
    if not isinstance(figure, Figure) or not isinstance(figure.canvas, FigureCanvasAgg):
        raise TypeError(f"figure must be a matplotlib Figure with an Agg canvas (Figure() then "
                        f"FigureCanvasAgg(figure)), got {type(figure).__name__}")
    check_callable("update", update, usage="update()", num_args=0)
    if isinstance(animated, str) or not isinstance(animated, Sequence) or not all(
            isinstance(artist, Artist) for artist in animated):
        raise TypeError(f"animated must be a list of matplotlib artists, got {animated!r:.60}")


def _encode_png(rgba: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    # Fastest zlib level: the picture is sent once and replaced on the next move.
    Image.fromarray(rgba[..., :3]).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=_DPI)
    FigureCanvasAgg(figure)  # off-screen: never shown twice by the inline backend
    return figure


def _image_axes(ax, title: str):
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    return ax.imshow(np.zeros((28, 28)), cmap="binary", vmin=0, vmax=1, interpolation="nearest")


def _first_images(images, labels, limit: int = 50):
    """Check images (and their labels, one each), then keep the first ``limit`` of both."""
    images = check_images("images", images)
    if labels is not None:
        sized = hasattr(labels, "__len__") and not isinstance(labels, str)
        if not sized or len(labels) != len(images):
            got = len(labels) if sized else repr(labels)
            raise ValueError(f"labels must have one entry per image ({len(images)}), got {got}")
        labels = [str(label) for label in labels][:limit]
    return images[:limit], labels


def _picker(description: str, count: int, labels: Sequence[str] | None, value: int):
    names = [f"{i}: {labels[i]}" if labels is not None else f"image {i}" for i in range(count)]
    return widgets.Dropdown(options=list(zip(names, range(count), strict=True)), value=value,
                            description=description)


def _slider(description: str, value: float, low: float, high: float, step: float):
    return widgets.FloatSlider(value=value, min=low, max=high, step=step,
                               description=description, continuous_update=True,
                               readout_format=".2f")


def noise_explorer(autoencoder, images, *, labels: Sequence[str] | None = None,
                   noise_level: float = 0.3, max_noise: float = 1.0, seed: int = 42) -> Explorer:
    """Slide the noise level on a test image: noisy input, denoised output, clean target.

    Introduced in 05_denoising_autoencoders.
    """
    images, labels = _first_images(images, labels)
    max_noise = check_float("max_noise", max_noise, minimum=0.0, maximum=5.0, open_min=True)
    noise_level = check_float("noise_level", noise_level, minimum=0.0, maximum=max_noise)
    check_autoencoder("autoencoder", autoencoder)
    noise = explore.unit_noise(images.shape, seed=seed)
    controls = {"noise_level": _slider("noise level", noise_level, 0.0, max_noise, 0.02),
                "image": _picker("test image", len(images), labels, 0)}
    figure = _figure(7.0, 2.6)
    names = ("noisy", "denoised", "clean")
    titles = ("noisy input", "denoised output", "clean target")
    artists = [_image_axes(figure.add_subplot(1, 3, i + 1), t) for i, t in enumerate(titles)]
    figure.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.02, wspace=0.08)

    def update():
        index = controls["image"].value
        panel = explore.noise_panel(autoencoder, images[index], noise[index],
                                    controls["noise_level"].value)
        return render_noise(artists, panel, names)

    return Explorer(controls, figure, update, artists)


def render_noise(artists, panel: explore.NoisePanel, names) -> tuple[dict, str]:
    """Put a ``NoisePanel`` into the image artists; return the arrays shown and a readout."""
    if not isinstance(panel, explore.NoisePanel):
        raise TypeError(f"panel must be an ae.explore.NoisePanel, got {type(panel).__name__}")
    names = check_texts("names", names, length=3)
    if isinstance(artists, str) or not isinstance(artists, Sequence) or len(artists) != 3 or (
            not all(isinstance(artist, AxesImage) for artist in artists)):
        raise TypeError(f"artists must be 3 image artists (from ax.imshow), one per name, "
                        f"got {artists!r:.60}")
    shown = dict(zip(names, (panel.noisy, panel.denoised, panel.clean), strict=True))
    for artist, array in zip(artists, shown.values(), strict=True):
        artist.set_data(array)
    return shown, (f"PSNR against the clean image: noisy input <b>{panel.psnr_noisy:.1f} dB"
                   f"</b>, denoised output <b>{panel.psnr_denoised:.1f} dB</b> (MSE "
                   f"{panel.mse_noisy:.4f} vs {panel.mse_denoised:.4f})")


def sparsity_explorer(models, images, *, num_images: int = 4) -> Explorer:
    """Slide the sparsity target across trained models: activations and reconstructions.

    ``models`` maps each target sparsity to its trained autoencoder (from the
    cache); everything is measured once here, so a move only swaps arrays. The
    histogram shows every activation (all units, all images) on a log scale, so the
    rare strong activations of a sparse code stay visible beside the many weak ones.
    Introduced in 06_sparse_autoencoders.
    """
    summaries = explore.summarise_sparse_models(models, images, num_images=num_images)
    num_images = len(summaries[0].originals)
    bins = explore.ACTIVATION_BINS
    floor = 1e-5  # empty bins drawn at the floor of the log scale
    shares = [np.maximum(s.activation_share, floor) for s in summaries]
    controls = {"target": widgets.SelectionSlider(
        options=[(f"{s.target:g}", s.target) for s in summaries], value=summaries[0].target,
        description="target", continuous_update=True)}
    figure = _figure(9.0, 3.6)
    grid = figure.add_gridspec(2, num_images + 2, width_ratios=[1.4, 1.4] + [1] * num_images)
    hist_ax = figure.add_subplot(grid[:, :2])
    stairs = hist_ax.stairs(shares[0], bins, fill=True, color=PALETTE[1], baseline=floor)
    hist_ax.set(xlim=(0, 1), ylim=(floor, 1.0), yscale="log",
                xlabel="activation (every unit, every image)", ylabel="share of activations")
    target_line = hist_ax.axvline(0, color=PALETTE[3], linestyle="--", linewidth=2)
    measured_line = hist_ax.axvline(0, color=PALETTE[0], linewidth=2)
    hist_ax.set_title("all activations", fontsize=11)
    artists = [[_image_axes(figure.add_subplot(grid[row, 2 + col]), "") for col in
                range(num_images)] for row in range(2)]
    artists[0][0].axes.set_title("input", fontsize=10)
    artists[1][0].axes.set_title("output", fontsize=10)
    figure.subplots_adjust(left=0.1, right=0.99, top=0.88, bottom=0.15, wspace=0.1)
    by_target = {s.target: (s, share) for s, share in zip(summaries, shares, strict=True)}

    def update():
        summary, share = by_target[controls["target"].value]
        stairs.set_data(share)
        target_line.set_xdata([summary.target] * 2)
        measured_line.set_xdata([summary.measured] * 2)
        for row, arrays in zip(artists, (summary.originals, summary.reconstructions),
                               strict=True):
            for artist, array in zip(row, arrays, strict=True):
                artist.set_data(array)
        shown = {"histogram": share.astype(np.float32), "originals": summary.originals,
                 "reconstructions": summary.reconstructions}
        return shown, (f"target <b>{summary.target:g}</b> (dashed), mean activation "
                       f"<b>{summary.measured:.3f}</b> (solid); {summary.near_zero:.0%} of "
                       f"activations below 0.1, {summary.above_half:.2%} above 0.5; "
                       f"<b>{summary.active_per_image:.1f}</b> units above 0.5 per image")

    panel = Explorer(controls, figure, update, [stairs, target_line, measured_line,
                                                *artists[0], *artists[1]],
                     state=lambda: controls["target"].value)
    panel.draw_every_state("target")
    return panel


def latent_explorer(decoder, *, value_range: float = 3.0, seed: int = 42) -> Explorer:
    """One slider per coding dimension drives the decoded image; reset and random buttons.

    Introduced in 07_variational_autoencoders.
    """
    size = explore.codings_size(decoder)
    value_range = check_float("value_range", value_range, minimum=0.0, maximum=10.0,
                              open_min=True)
    rng = np.random.default_rng(check_seed("seed", seed))
    controls = {f"z{i}": _slider(f"z{i}", 0.0, -value_range, value_range, 0.1)
                for i in range(size)}
    controls["reset"] = widgets.Button(description="reset")
    controls["random"] = widgets.Button(description="random sample")
    figure = _figure(6.0, 3.2)
    artist = _image_axes(figure.add_subplot(1, 2, 1), "decoded image")
    bar_ax = figure.add_subplot(1, 2, 2)
    bars = bar_ax.bar(np.arange(size), np.zeros(size), color=PALETTE[1])
    bar_ax.set(ylim=(-value_range, value_range), xlabel="coding dimension", ylabel="value",
               title="codings")
    bar_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    figure.subplots_adjust(left=0.02, right=0.97, top=0.88, bottom=0.16, wspace=0.25)
    sliders = [controls[f"z{i}"] for i in range(size)]

    def update():
        codings = np.array([s.value for s in sliders], dtype=np.float32)
        image = explore.decode(decoder, codings)
        artist.set_data(image)
        for bar, value in zip(bars, codings, strict=True):
            bar.set_height(value)
        return {"decoded": image, "codings": codings}, "codings: " + ", ".join(
            f"{v:+.1f}" for v in codings)

    explorer = Explorer(controls, figure, update, [artist, *bars])

    def set_all(values):
        with explorer.hold():
            for slider, value in zip(sliders, values, strict=True):
                slider.value = float(np.clip(np.round(value, 1), -value_range, value_range))

    controls["reset"].on_click(lambda _: set_all(np.zeros(size)))
    controls["random"].on_click(lambda _: set_all(rng.normal(size=size)))
    return explorer


def interpolation_explorer(encoder, decoder, images, *, labels: Sequence[str] | None = None,
                           first: int = 0, second: int = 1, alpha: float = 0.5) -> Explorer:
    """Choose two images and slide between them, in codings space and in pixel space.

    Introduced in 07_variational_autoencoders.
    """
    images, labels = _first_images(images, labels)
    if len(images) < 2:
        raise ValueError(f"images must hold at least 2 images, got {len(images)}")
    first = check_int("first", first, minimum=0, maximum=len(images) - 1)
    second = check_int("second", second, minimum=0, maximum=len(images) - 1)
    alpha = check_float("alpha", alpha, minimum=0.0, maximum=1.0)
    check_encoder("encoder", encoder)
    check_decoder("decoder", decoder)
    check_chain(encoder, decoder)
    codings = explore.encode(encoder, images)  # once: a move only decodes one vector
    controls = {"alpha": _slider("alpha", alpha, 0.0, 1.0, 0.05),
                "first": _picker("image A", len(images), labels, first),
                "second": _picker("image B", len(images), labels, second)}
    figure = _figure(8.0, 2.4)
    names = ("image_a", "codings_level", "pixel_level", "image_b")
    titles = ("image A", "codings blend", "pixel blend", "image B")
    artists = [_image_axes(figure.add_subplot(1, 4, i + 1), t) for i, t in enumerate(titles)]
    figure.subplots_adjust(left=0.02, right=0.98, top=0.86, bottom=0.02, wspace=0.08)

    def update():
        a, b, mix = controls["first"].value, controls["second"].value, controls["alpha"].value
        by_codes, by_pixels = explore.interpolation_panel(decoder, codings[a], codings[b],
                                                          images[a], images[b], mix)
        shown = dict(zip(names, (images[a], by_codes, by_pixels, images[b]), strict=True))
        for artist, array in zip(artists, shown.values(), strict=True):
            artist.set_data(array)
        return shown, f"blend = {1 - mix:.2f} &times; A + {mix:.2f} &times; B"

    return Explorer(controls, figure, update, artists)


def _count(name: str, value: int | None, default: int, available: int, *, minimum: int) -> int:
    """Return ``value`` checked against the items available, or ``default`` capped by them."""
    if value is None:
        return check_int(f"{name} (here the number of images)", min(default, available),
                         minimum=minimum)
    return check_int(name, value, minimum=minimum, maximum=available)


def _class_colours(labels, count: int) -> np.ndarray:
    """Return one RGBA colour per point: its class's colour in the workbook's palette."""
    from matplotlib.colors import to_rgba

    labels = np.asarray(labels)
    if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer) or (
            count and labels.min() < 0):
        raise ValueError(f"labels must hold one class index (an integer >= 0) per image "
                         f"({count}), got shape {labels.shape} of {labels.dtype}")
    return np.array([to_rgba(PALETTE[label % len(PALETTE)], 0.6) for label in labels])


def _raster(points: np.ndarray, colours: np.ndarray, reach: float, pixels: int = 200,
            dot: int = 2) -> np.ndarray:
    """Paint points into an RGB image covering [-reach, reach] on both axes, drawn once.

    Swapping one image is far cheaper per slider move than redrawing a scatter of a
    thousand markers (about 1 ms against 25 ms on 2 cores).
    """
    picture = np.zeros((pixels, pixels, 4), dtype=np.float32)  # transparent: grid, circles
    cells = np.floor((np.asarray(points, dtype=np.float64) + reach) / (2 * reach) * pixels)
    inside = np.all((cells >= 0) & (cells < pixels - dot + 1), axis=1)
    for (x, y), colour in zip(cells[inside].astype(int), colours[inside], strict=True):
        row = pixels - dot - y + 1  # image rows run downwards, the second axis upwards
        picture[max(row, 0):row + dot, x:x + dot] = (*colour[:3], 1.0)
    return picture


def _map_axes(ax, reach: float):
    ax.set(xlim=(-reach, reach), ylim=(-reach, reach))
    return ax.imshow(np.zeros((2, 2, 4), dtype=np.float32),
                     extent=(-reach, reach, -reach, reach), interpolation="nearest",
                     aspect="equal", zorder=0)


def _mosaic_axes(ax, title: str, shape: tuple[int, int]):
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    return ax.imshow(np.ones((*shape, 3), dtype=np.float32), interpolation="nearest")


def beta_explorer(models, images, labels, *, num_points: int | None = None) -> Explorer:
    """Slide the KL weight across trained VAEs: map, KL per dimension, samples, reconstructions.

    ``models`` maps each KL weight, as a multiple of 1/784, to its trained VAE (from
    the cache); every model is measured once here, so a move only swaps arrays.
    Introduced in 07_variational_autoencoders.
    """
    images = check_images("images", images)
    num_points = _count("num_points", num_points, 1000, len(images), minimum=2)
    colours = _class_colours(labels, len(images))[:num_points]
    summaries = explore.summarise_vaes(models, images[:num_points])
    samples = {s.multiple: explore.mosaic(s.samples[:8], num_cols=4) for s in summaries}
    rebuilt = {s.multiple: explore.mosaic(np.concatenate([s.originals[:4],
                                                          s.reconstructions[:4]]), num_cols=4)
               for s in summaries}
    controls = {"kl_weight": widgets.SelectionSlider(
        options=[(f"{s.multiple:g}x", s.multiple) for s in summaries],
        value=1.0 if 1.0 in models else summaries[0].multiple,
        description="KL weight", continuous_update=True)}
    figure = _figure(10.0, 3.8)
    grid = figure.add_gridspec(2, 3, width_ratios=[1.15, 1.0, 1.25])
    map_ax = figure.add_subplot(grid[:, 0])
    reach = max(4.0, max(float(np.percentile(np.abs(s.map_points), 99)) for s in summaries))
    maps = {s.multiple: _raster(s.map_points, colours, reach) for s in summaries}
    scatter = _map_axes(map_ax, reach)
    circles = _ellipses(map_ax, (0.0, 0.0), (1.0, 1.0), 0.0, (1, 2, 3))  # prior: 1-3 sigma
    map_ax.set(xlabel="most used dimension", ylabel="second most used")
    map_ax.set_title("means (dashed: prior 1-3 sigma)", fontsize=10)
    bar_ax = figure.add_subplot(grid[:, 1])
    size = len(summaries[0].kl_per_dim)
    bars = bar_ax.bar(np.arange(size), np.zeros(size), color=PALETTE[1])
    bar_ax.axhline(0.1, color=PALETTE[0], linestyle="--", linewidth=1)
    bar_ax.set(ylim=(0, 1.05 * max(float(s.kl_per_dim.max()) for s in summaries)),
               xlabel="coding dimension", ylabel="mean KL (nats)")
    bar_ax.set_title("KL per dimension", fontsize=10)
    bar_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    sample_artist = _mosaic_axes(figure.add_subplot(grid[0, 2]), "samples from N(0, I)",
                                 samples[summaries[0].multiple].shape[:2])
    rebuilt_artist = _mosaic_axes(figure.add_subplot(grid[1, 2]), "inputs / reconstructions",
                                  rebuilt[summaries[0].multiple].shape[:2])
    figure.subplots_adjust(left=0.07, right=0.99, top=0.92, bottom=0.13, wspace=0.3,
                           hspace=0.25)
    by_multiple = {s.multiple: s for s in summaries}

    def update():
        summary = by_multiple[controls["kl_weight"].value]
        scatter.set_data(maps[summary.multiple])
        for bar, value in zip(bars, summary.kl_per_dim, strict=True):
            bar.set_height(value)
        sample_artist.set_data(samples[summary.multiple])
        rebuilt_artist.set_data(rebuilt[summary.multiple])
        shown = {"map": summary.map_points, "kl_per_dim": summary.kl_per_dim.astype(np.float32),
                 "samples": samples[summary.multiple], "reconstructions": rebuilt[summary.multiple]}
        first, second = summary.map_dims
        return shown, (f"KL weight <b>{summary.multiple:g} &times; 1/784</b>: "
                       f"<b>{summary.active_dims}</b> of {size} dimensions active (KL &gt; 0.1), "
                       f"KL {summary.mean_kl:.1f} nats per image, reconstruction MSE "
                       f"<b>{summary.reconstruction_mse:.4f}</b>; map: dimensions {first} "
                       f"and {second}")

    panel = Explorer(controls, figure, update, [scatter, *circles, *bars, sample_artist,
                                               rebuilt_artist],
                     state=lambda: controls["kl_weight"].value)
    panel.draw_every_state("kl_weight")  # 5 models: about 0.1 s once, then 0.2 ms a move
    return panel


def latent_map_explorer(plain, vae, images, labels, *, num_points: int | None = None) -> Explorer:
    """Pick a point on the 2-D map of a plain autoencoder or a VAE; see what it decodes to.

    ``plain`` and ``vae`` are trained models with 2-D codings (from
    ``ae.train_autoencoder``). Both maps are drawn in standard units (centre and
    spread of each model's codings), so the sliders name comparable spots on both.
    Introduced in 07_variational_autoencoders.
    """
    images = check_images("images", images)
    num_points = _count("num_points", num_points, 1000, len(images), minimum=2)
    colours = _class_colours(labels, len(images))[:num_points]
    parts = {}
    for key, model in (("plain", plain), ("vae", vae)):
        encoder, _ = explore._trained_parts(key, model)
        check_decoder(f"{key}.decoder", model.decoder)
        if codings_size(model.decoder) != 2:
            raise ValueError(f"{key} must have 2-D codings for a latent map, got "
                             f"{codings_size(model.decoder)}-D codings")
        latent = explore.latent_map(encoder, images[:num_points])
        parts[key] = (latent, _raster((latent.points - latent.centre) / latent.scale, colours,
                                      3.5), model.decoder)
    controls = {"model": widgets.ToggleButtons(
                    options=[("plain autoencoder", "plain"), ("VAE", "vae")], value="vae",
                    description="model"),
                "u": _slider("u", 0.0, -3.0, 3.0, 0.1),
                "v": _slider("v", 0.0, -3.0, 3.0, 0.1)}
    figure = _figure(7.5, 3.6)
    map_ax = figure.add_subplot(1, 2, 1)
    scatter = _map_axes(map_ax, 3.5)
    marker = map_ax.plot([0], [0], marker="+", markersize=18, markeredgewidth=3,
                         color="black")[0]
    map_ax.set(xlabel="u (standard units)", ylabel="v (standard units)")
    map_ax.set_title("codings of validation images", fontsize=10)
    artist = _image_axes(figure.add_subplot(1, 2, 2), "decoded at the cross")
    figure.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.14, wspace=0.15)

    shown_map = []  # the model whose map is in the static background; [] before the first draw

    def update():
        latent, standard, decoder = parts[controls["model"].value]
        u, v = controls["u"].value, controls["v"].value
        coding = explore.map_coding(latent, u, v)
        image = explore.decode(decoder, coding)
        if explorer and shown_map != [controls["model"].value]:
            # The map changes only with the toggle: each model's map is drawn into a static
            # background once, so a move redraws just the cross and the decoded image.
            shown_map[:] = [controls["model"].value]
            scatter.set_data(standard)
            explorer[0].recall_background(controls["model"].value)
        marker.set_data([u], [v])
        artist.set_data(image)
        name = "VAE" if controls["model"].value == "vae" else "plain autoencoder"
        return {"decoded": image, "coding": coding}, (
            f"{name}: coding ({coding[0]:+.2f}, {coding[1]:+.2f}), u = {u:+.1f}, v = {v:+.1f} "
            f"standard units from the centre of its map")

    explorer: list[Explorer] = []
    scatter.set_data(parts["vae"][1])
    shown_map.append("vae")
    panel = Explorer(controls, figure, update, [marker, artist])
    for key in ("plain", "vae"):  # the vae's map last: it is the one shown first
        scatter.set_data(parts[key][1])
        panel.refresh_background()
        panel.remember_background(key)
    explorer.append(panel)
    return panel


def threshold_explorer(scores, is_anomaly, images, *, threshold: float | None = None,
                       num_items: int = 5, bins: int = 60) -> Explorer:
    """Slide the anomaly threshold: precision, recall, confusion counts, items beside it.

    ``scores`` holds one anomaly score per image (a reconstruction error),
    ``is_anomaly`` whether each really is one. Frames in the picture are green where
    the threshold judges the item right, red where it is wrong. Introduced in
    08_applications.
    """
    images = check_images("images", images)
    ranked = explore.rank_scores(scores, is_anomaly)
    if len(ranked.order) != len(images):
        raise ValueError(f"images must hold one image per score ({len(ranked.order)}), got "
                         f"{len(images)}")
    num_items = check_int("num_items", num_items, minimum=1, maximum=8)
    bins = check_int("bins", bins, minimum=5, maximum=500)
    flags = np.asarray(is_anomaly).astype(bool)
    low, high = ranked.sorted_scores[0], ranked.sorted_scores[-1]
    edges = np.geomspace(max(low, 1e-6), high, bins + 1)
    start = float(np.median(ranked.sorted_scores)) if threshold is None else check_float(
        "threshold", threshold, minimum=float(edges[0]), maximum=float(edges[-1]))
    controls = {"threshold": widgets.FloatLogSlider(
        value=start, base=10, min=np.log10(edges[0]), max=np.log10(edges[-1]),
        step=(np.log10(edges[-1]) - np.log10(edges[0])) / 200, description="threshold",
        continuous_update=True, readout_format=".4f")}
    figure = _figure(10.0, 3.4)
    grid = figure.add_gridspec(1, 2, width_ratios=[1.3, 1.0])
    hist_ax = figure.add_subplot(grid[0])
    for chosen, name, colour in ((~flags, "normal", PALETTE[1]), (flags, "anomaly", PALETTE[0])):
        counts = np.histogram(np.asarray(scores)[chosen], bins=edges)[0]
        hist_ax.stairs(counts, edges, color=colour, linewidth=2, label=name)
    line = hist_ax.axvline(start, color="black", linestyle="--", linewidth=2)
    hist_ax.set(xscale="log", xlabel="reconstruction error (MSE, log scale)", ylabel="items")
    hist_ax.legend(loc="upper right", fontsize=9)
    empty = explore.mosaic(np.zeros((2 * num_items, 28, 28), dtype=np.float32),
                           num_cols=num_items)
    picture = _mosaic_axes(figure.add_subplot(grid[1]),
                           "just below (kept) / just above (flagged)",
                           empty.shape[:2])
    figure.subplots_adjust(left=0.08, right=0.99, top=0.9, bottom=0.16, wspace=0.15)
    blank = np.zeros((28, 28), dtype=np.float32)

    def row(indices, flagged: bool):
        tiles = [images[i] for i in indices] + [blank] * (num_items - len(indices))
        frames = [bool(flags[i]) == flagged for i in indices] + [None] * (num_items - len(
            indices))
        return tiles, frames

    def update():
        view = explore.threshold_view(ranked, controls["threshold"].value, num_items=num_items)
        below, below_frames = row(view.below, False)
        above, above_frames = row(view.above, True)
        tiles = explore.mosaic(np.stack(below + above), num_cols=num_items,
                               frames=below_frames + above_frames)
        line.set_xdata([view.threshold] * 2)
        picture.set_data(tiles)
        c = view.counts
        precision = "n/a" if np.isnan(view.precision) else f"{view.precision:.1%}"
        return {"items": tiles, "counts": np.array([c["tp"], c["fp"], c["fn"], c["tn"]])}, (
            f"threshold {view.threshold:.4f}: precision <b>{precision}</b>, recall "
            f"<b>{view.recall:.1%}</b>; flagged {c['tp']} anomalies and {c['fp']} normal items, "
            f"missed {c['fn']} anomalies, kept {c['tn']} normal items")

    return Explorer(controls, figure, update, [line, picture])


def retrieval_explorer(encoder, images, labels, *, k: int = 6, num_queries: int | None = None,
                       class_names: Sequence[str] | None = None) -> Explorer:
    """Pick a query image; see its nearest items by codings and by pixels.

    Every image is both a possible result and (the first ``num_queries``) a possible
    query. Green frames share the query's class, red ones do not. Introduced in
    08_applications.
    """
    images = check_images("images", images)
    labels = np.asarray(labels)
    _class_colours(labels, len(images))  # the same label checks
    k = check_int("k", k, minimum=1, maximum=min(12, len(images) - 1))
    num_queries = _count("num_queries", num_queries, 50, len(images), minimum=1)
    if class_names is not None:
        class_names = check_texts("class_names", class_names)
        if len(class_names) <= labels.max():
            raise ValueError(f"class_names must name every label (0 to {labels.max()}), got "
                             f"{len(class_names)} names")
    check_encoder("encoder", encoder)
    codings = explore.encode(encoder, images).reshape(len(images), -1)
    pixels = images.reshape(len(images), -1)
    queries = np.arange(num_queries)
    # Every query's neighbours, searched once: a move only swaps pictures.
    neighbours = [nearest_neighbours(features, features[:num_queries], k=k, exclude=queries)
                  for features in (codings, pixels)]
    names = None if class_names is None else [class_names[label] for label in labels]
    controls = {"query": _picker("query", num_queries, names, 0)}
    figure = _figure(9.0, 2.8)
    grid = figure.add_gridspec(1, 2, width_ratios=[1.0, k])
    query_artist = _image_axes(figure.add_subplot(grid[0]), "query")
    empty = explore.mosaic(np.zeros((2 * k, 28, 28), dtype=np.float32), num_cols=k)
    results = _mosaic_axes(figure.add_subplot(grid[1]),
                           "top: nearest by codings, bottom: nearest by pixels", empty.shape[:2])
    figure.subplots_adjust(left=0.01, right=0.99, top=0.86, bottom=0.02, wspace=0.05)

    def update():
        query = controls["query"].value
        by_codings, by_pixels = neighbours[0][query], neighbours[1][query]
        found = np.concatenate([by_codings, by_pixels])
        tiles = explore.mosaic(images[found], num_cols=k,
                               frames=[bool(labels[i] == labels[query]) for i in found])
        query_artist.set_data(images[query])
        results.set_data(tiles)
        same = [int(np.sum(labels[f] == labels[query])) for f in (by_codings, by_pixels)]
        return {"query": images[query], "results": tiles, "found": found}, (
            f"same class as the query: <b>{same[0]} of {k}</b> by codings, <b>{same[1]} of "
            f"{k}</b> by pixels")

    return Explorer(controls, figure, update, [query_artist, results])


def trajectory_explorer(frames, reference, *, labels: Sequence[str], fields=None,
                        extent: float = 3.0) -> Explorer:
    """Step through snapshots of 2-D points (a GAN's samples, reverse diffusion) over the data.

    ``frames`` holds one (n, 2) array per snapshot and ``labels`` a name for each (its
    training step, say); ``reference`` is the real data, drawn grey. With ``fields``
    (one grid x grid array in [0, 1] per frame, over [-extent, extent]^2) the
    background shows them: a GAN discriminator's probability "real". Every frame is drawn
    once when the panel is built. Introduced in 09_gans_and_diffusion.
    """
    if isinstance(frames, np.ndarray) or not isinstance(frames, Sequence) or not frames:
        raise TypeError("frames must be a non-empty list of (n, 2) arrays, one per snapshot")
    frames = [check_array(f"frames[{i}]", f, ndim=2, trailing_shape=(2,))
              for i, f in enumerate(frames)]
    reference = check_array("reference", reference, ndim=2, trailing_shape=(2,))
    labels = check_texts("labels", labels, length=len(frames))
    extent = check_float("extent", extent, minimum=0.0, open_min=True, maximum=1e6)
    if fields is not None:
        if isinstance(fields, np.ndarray) or not isinstance(fields, Sequence) or len(
                fields) != len(frames):
            raise TypeError(f"fields must be a list of one square array per frame "
                            f"({len(frames)}), got {type(fields).__name__}")
        fields = [check_array(f"fields[{i}]", f, ndim=2, value_range=(0.0, 1.0))
                  for i, f in enumerate(fields)]
        if any(f.shape[0] != f.shape[1] for f in fields):
            raise ValueError("fields must hold square grids (grid x grid)")
    controls = {"snapshot": widgets.SelectionSlider(
        options=[(label, i) for i, label in enumerate(labels)], value=0,
        description="snapshot", continuous_update=True)}
    figure = _figure(5.0, 4.6)
    ax = figure.add_subplot(1, 1, 1)
    field_artist = None
    animated = []
    if fields is not None:
        field_artist = ax.imshow(fields[0], origin="lower", cmap="PuOr", vmin=0, vmax=1,
                                 extent=(-extent, extent, -extent, extent), alpha=0.8)
        animated.append(field_artist)
    ax.plot(*reference[:2000].T, ".", color="#777777", markersize=2, label="real data")
    points = ax.plot(*frames[0].T, ".", color=PALETTE[0], markersize=3, label="generated")[0]
    animated.append(points)
    ax.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal")
    ax.legend(loc="upper right", fontsize=9, markerscale=3)
    figure.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.08)

    def update():
        index = controls["snapshot"].value
        points.set_data(*frames[index].T)
        shown = {"points": frames[index]}
        text = f"snapshot <b>{labels[index]}</b>"
        if field_artist is not None:
            field_artist.set_data(fields[index])
            shown["field"] = fields[index]
            real = np.mean(fields[index] > 0.5)
            text += f"; the discriminator calls {real:.0%} of the plane real"
        return shown, text

    panel = Explorer(controls, figure, update, animated,
                     state=lambda: controls["snapshot"].value)
    panel.draw_every_state("snapshot")
    return panel


def diffusion_explorer(images, schedule, *, labels: Sequence[str] | None = None,
                       seed: int = 42) -> Explorer:
    """Slide the forward diffusion step t: an image with its noise, and the signal-to-noise ratio.

    Images are scaled to [-1, 1] (where diffusion models work) and one fixed noise image
    per picture is mixed in: x_t = sqrt(a_t) x_0 + sqrt(1 - a_t) noise, shown clipped back
    to [0, 1]. Introduced in 09_gans_and_diffusion.
    """
    images, labels = _first_images(images, labels)
    schedule = check_schedule(schedule)
    total = len(schedule.betas)
    noise = np.random.default_rng(check_seed("seed", seed)).normal(
        size=images.shape).astype(np.float32)
    controls = {"step": widgets.IntSlider(value=0, min=0, max=total - 1, step=1,
                                          description="step t", continuous_update=True),
                "image": _picker("image", len(images), labels, 0)}
    figure = _figure(8.5, 3.0)
    grid = figure.add_gridspec(1, 3, width_ratios=[1.0, 1.0, 1.5])
    clean_artist = _image_axes(figure.add_subplot(grid[0]), "clean image x_0")
    noisy_artist = _image_axes(figure.add_subplot(grid[1]), "noisy image x_t")
    snr_ax = figure.add_subplot(grid[2])
    snr_ax.plot(np.arange(total), schedule.signal_to_noise, color=PALETTE[1])
    snr_ax.set(yscale="log", xlabel="step t", ylabel="signal-to-noise ratio")
    marker = snr_ax.plot([0], [schedule.signal_to_noise[0]], "o", color=PALETTE[0],
                         markersize=9)[0]
    figure.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.18, wspace=0.55)

    def update():
        step, index = controls["step"].value, controls["image"].value
        scaled = 2.0 * images[index] - 1.0
        noisy = diffuse(scaled[None], np.array([step]), noise[index][None], schedule)[0]
        shown_noisy = np.clip((noisy + 1.0) / 2.0, 0.0, 1.0)
        clean_artist.set_data(images[index])
        noisy_artist.set_data(shown_noisy)
        marker.set_data([step], [schedule.signal_to_noise[step]])
        keep, ratio = schedule.alphas_cumprod[step], schedule.signal_to_noise[step]
        return {"clean": images[index], "noisy": shown_noisy}, (
            f"step {step}: signal kept sqrt(a) = <b>{np.sqrt(keep):.3f}</b>, noise std "
            f"sqrt(1 - a) = <b>{np.sqrt(1 - keep):.3f}</b>, signal-to-noise ratio "
            f"{ratio:.3g} ({10 * np.log10(ratio):+.1f} dB)")

    return Explorer(controls, figure, update, [clean_artist, noisy_artist, marker],
                    state=lambda: (controls["step"].value, controls["image"].value))
