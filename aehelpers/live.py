"""The live training view: loss curves and reconstructions of fixed images, redrawn each epoch.

In a running kernel one picture updates in place (an IPython display handle),
the idea of d2l's ``Animator``; the saved notebook keeps its last state, a
static picture, beside the compact epoch lines. ``setup_notebook`` plugs it
into ``ae.training.fit``; ``live_training=False`` (or ``AE_LIVE_VIEW=0``)
turns it off. Introduced in 02_stacked_autoencoders.
"""

from __future__ import annotations

import base64
import io
import os
import time

import keras
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from aehelpers._validate import check_float, check_images, check_int, check_model
from aehelpers.models import IMAGE_SHAPE, io_shapes
from aehelpers.plots import PALETTE

ENV_VAR = "AE_LIVE_VIEW"
_DPI = 72


def in_kernel() -> bool:
    """Return True inside a Jupyter kernel (where a display can update in place)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


class TrainingView(keras.callbacks.Callback):
    """Redraw the loss curves and a row of reconstructions as a model trains.

    ``images`` are a few fixed validation images (none: curves only, for
    models that do not rebuild images). ``seconds`` totals the time spent
    drawing, so its cost can be measured against training time. The picture is
    drawn after the first epoch and the last, and in between whenever the drawing
    so far, plus the next picture and the final one, stays within ``max_share`` of
    the training time (``None``: after every epoch). Short epochs are therefore
    drawn less often, and long ones every time.
    """

    def __init__(self, epochs: int, *, images=None, num_images: int = 6, title: str = "",
                 max_share: float | None = 0.03):
        super().__init__()
        self.epochs = check_int("epochs", epochs, minimum=1, maximum=10_000)
        self.max_share = None if max_share is None else check_float(
            "max_share", max_share, minimum=0.0, maximum=1.0, open_min=True)
        num_images = check_int("num_images", num_images, minimum=1, maximum=12)
        self.images = None if images is None else check_images("images", images)[:num_images]
        self.title = title
        self.history: dict[str, list[float]] = {}
        self.seconds = 0.0
        self._started = 0.0
        self._cost = 0.0  # the last picture's drawing time
        self._drawn = 0  # the epoch the picture shows
        self._handle = None
        self._figure = self._lines = self._artists = None

    def on_train_begin(self, logs=None):
        """Show a line of text at once; the first picture comes after the first epoch."""
        from IPython.display import display

        self._started = time.perf_counter()
        self._handle = display({"text/plain": f"<training view: epoch 0/{self.epochs}>"},
                               raw=True, display_id=True)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        done = epoch + 1
        elapsed = time.perf_counter() - self._started
        affordable = (self.max_share is None
                      or self.seconds + 2 * self._cost <= self.max_share * elapsed)
        if done == 1 or done >= self.epochs or affordable:
            self._draw(done)

    def on_train_end(self, logs=None):
        """Draw the final state if training stopped early and that epoch is not shown yet."""
        done = len(self.history.get("loss", []))
        if done != self._drawn:
            self._draw(done)

    def _draw(self, done: int) -> None:
        start = time.perf_counter()
        if self._figure is None:
            self._build()
        self._redraw(done)
        self._drawn = done
        if self._handle is not None:
            self._handle.update(self._bundle(), raw=True)
        self._cost = time.perf_counter() - start
        self.seconds += self._cost

    def _build(self) -> None:
        self._figure = Figure(figsize=(9.0, 2.6), dpi=_DPI)
        FigureCanvasAgg(self._figure)
        columns = 1 if self.images is None else 1 + len(self.images)
        grid = self._figure.add_gridspec(2, columns, width_ratios=[3.2] + [1] * (columns - 1))
        curves = self._figure.add_subplot(grid[:, 0])
        curves.set(xlabel="epoch", ylabel="loss", xlim=(0.5, self.epochs + 0.5))
        curves.grid(alpha=0.3)
        self._lines = {}
        # The colours and styles of plots.plot_history, so the live and the final plot agree.
        for key, color, style in (("loss", PALETTE[0], "-"), ("val_loss", PALETTE[1], "--")):
            (self._lines[key],) = curves.plot([], [], style, color=color, marker="o",
                                              markersize=3, label=key)
        self._curves = curves
        self._artists = []
        if self.images is not None:
            for column, image in enumerate(self.images, start=1):
                top = self._figure.add_subplot(grid[0, column])
                top.imshow(image, cmap="binary", vmin=0, vmax=1)
                bottom = self._figure.add_subplot(grid[1, column])
                self._artists.append(bottom.imshow(np.zeros(IMAGE_SHAPE), cmap="binary",
                                                   vmin=0, vmax=1))
                for ax in (top, bottom):
                    ax.set_axis_off()
            self._figure.axes[1].set_title("inputs", fontsize=9, loc="left")
            self._figure.axes[2].set_title("reconstructions", fontsize=9, loc="left")
        self._figure.subplots_adjust(left=0.11, right=0.99, top=0.85, bottom=0.25, wspace=0.05,
                                     hspace=0.4)
        self._redraw(0)

    def _redraw(self, done: int) -> None:
        for key, line in self._lines.items():
            values = self.history.get(key, [])
            line.set_data(np.arange(1, len(values) + 1), values)
        drawn = [line for key, line in self._lines.items() if self.history.get(key)]
        if drawn:  # a legend for the curves there are (no val_loss without validation data)
            self._curves.legend(handles=drawn, fontsize=9, loc="upper right")
        every = [v for key in self._lines for v in self.history.get(key, [])]
        if every:
            low, high = min(every), max(every)
            pad = 0.05 * (high - low or high or 1.0)
            self._curves.set_ylim(low - pad, high + pad)
        self._curves.set_title(f"{self.title + ': ' if self.title else ''}epoch {done}/"
                               f"{self.epochs}", fontsize=10, loc="left")
        if self._artists and self.model is not None and done:
            outputs = keras.ops.convert_to_numpy(self.model(self.images, training=False))
            for artist, output in zip(self._artists, np.clip(outputs, 0.0, 1.0), strict=True):
                artist.set_data(output)

    def _bundle(self) -> dict:
        buffer = io.BytesIO()
        self._figure.savefig(buffer, format="png", dpi=_DPI)
        return {"image/png": base64.b64encode(buffer.getvalue()).decode(),
                "text/plain": f"<training view: epoch {len(self.history.get('loss', []))}"
                              f"/{self.epochs}>"}


def view_for(model: keras.Model, epochs: int, validation_images) -> TrainingView | None:
    """Return a view for ``model`` when one is wanted: in a kernel, unless turned off."""
    check_model("model", model)
    check_int("epochs", epochs, minimum=1, maximum=10_000)
    if os.environ.get(ENV_VAR, "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    if not in_kernel():
        return None
    inputs, outputs = io_shapes(model)
    rebuilds_images = inputs == [IMAGE_SHAPE] and outputs == [IMAGE_SHAPE]
    images = validation_images if rebuilds_images and validation_images is not None else None
    return TrainingView(epochs, images=images)
