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
from collections.abc import Callable, Sequence
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
    check_callable,
    check_float,
    check_images,
    check_int,
    check_mapping,
    check_seed,
    check_texts,
)
from aehelpers.models import check_autoencoder, check_chain, check_decoder, check_encoder
from aehelpers.plots import PALETTE

_DPI = 72
_SLIDERS = (widgets.FloatSlider, widgets.IntSlider, widgets.SelectionSlider)


class Explorer:
    """A panel: named controls, a figure redrawn on every change, the arrays last shown.

    ``update()`` recomputes, updates the ``animated`` artists and returns the
    arrays shown and a line of text for the readout under the figure. Only
    those artists are redrawn per move, over a cached background (blitting
    with the Agg canvas), which keeps a move within the latency budget of
    DESIGN.md section 7.
    """

    def __init__(self, controls: dict, figure: Figure, update: Callable[[], dict],
                 animated: Sequence):
        _check_parts(controls, figure, update, animated)
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

    def redraw(self) -> None:
        """Recompute, redraw the changing artists, and show the new picture in the panel."""
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

    return Explorer(controls, figure, update, [stairs, target_line, measured_line,
                                               *artists[0], *artists[1]])


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
