"""Count each image model's training FLOPs per epoch and measure the GFLOP/s it achieves.

    python benchmarks/model_flops.py                       # class profile, median of 3 epochs
    python benchmarks/model_flops.py --repeats 3 --models stacked conv

FLOPs are counted from the built Keras model's layers, per example, forward:
``Dense`` and ``DenseTranspose`` 2 x in x out; ``Conv2D`` 2 x kh x kw x cin x cout
x out_h x out_w; ``Conv2DTranspose`` 2 x kh x kw x cin x cout x in_h x in_w (each
input position scatters one kh x kw x cout patch). A training step counts 3 x
forward (the forward product and the two backward ones, for the inputs' and the
weights' gradients). Elementwise work (biases, activations, pooling, noise, the
loss, the penalties, the optimizer's update) is not counted. An epoch is the
profile's training images (55,000 in class); the validation pass (forward only,
the profile's validation images) is a separate column, neither timed nor in the rate.

Timing: each model is built, compiled with ``ae.training.compile_autoencoder``
(the profile's optimizer and batch size, ``steps_per_execution`` as aehelpers
sets it) and trained with ``ae.training.fit`` on the real training images; a
warm-up (``ae.training.warm_up``: one full call of steps and one partial batch)
traces the step functions first, then ``--repeats`` consecutive epochs are timed
(epoch begin to epoch end, no validation) and their median is kept. Greedy layer-wise training
is timed phase by phase, each phase on its own inputs (pixels, then codings).

Beside each model, the same run measures what bounds it:

* the float32 matmul peak: TensorFlow multiplying two 2048 x 2048 matrices (what
  Keras's Dense layers run), median of --repeats, before and after the models;
* the time per step at peak: the step's FLOPs over that peak;
* the floor: the time per step of a model of the same input shape, batch and
  optimizer with (almost) no arithmetic (input -> 1 unit -> output), i.e. the
  per-step cost of everything but the model's layers.

The bound column says "compute" when the arithmetic at peak fills at least half
of the measured step, "overhead" when the floor does, and "layers" otherwise: the
time the layers add beyond the floor (their small matrix products, their
elementwise work, the optimizer on their weights) runs well below the matmul peak.
The table goes to stdout and to benchmarks/results/model_flops.md (--out),
rewritten after every model.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import shlex
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import aehelpers as ae  # noqa: E402
from aehelpers.layers import DenseTranspose  # noqa: E402
from aehelpers.registry import MODELS as REGISTRY  # noqa: E402
from aehelpers.training import EpochTimer  # noqa: E402

# label -> (registry entry, builder arguments): every registered model that trains on
# Fashion-MNIST images. The linear autoencoder (chapter 01) trains on 600 synthetic 3-D
# points instead: 24 FLOPs per example, nothing to measure here.
MODELS = {label: (spec, kwargs) for spec in REGISTRY.values() if spec.name != "linear"
          for label, kwargs in spec.benchmark_variants()}
# By default each model as its chapter trains it: the variant named like the model, or
# every variant where none is (the two corruptions of the denoising autoencoder).
DEFAULT_MODELS = [label for label, (spec, _) in MODELS.items()
                  if label == spec.name or spec.name not in MODELS]
TRAIN_FACTOR = 3  # a training step: forward + two backward products per layer
MATMUL_SIZE = 2048
MATMUL_CALLS = 8
COMPUTE, OVERHEAD, LAYERS = "compute", "overhead", "layers"
OUT = Path(__file__).parent / "results" / "model_flops.md"


# --- counting ---------------------------------------------------------------------------

def _spatial(shape, data_format: str) -> tuple[int, int]:
    """Return (height, width) of a 4-D shape (batch first) in ``data_format``."""
    return tuple(shape[1:3]) if data_format == "channels_last" else tuple(shape[2:4])


def layer_flops(layer: keras.layers.Layer) -> int:
    """Return one layer's forward FLOPs per example (multiply and add counted as 2).

    Only matrix products count: Dense, DenseTranspose, Conv2D and Conv2DTranspose;
    layers without a kernel (reshapes, pooling, dropout, noise, sampling, penalties)
    count 0. Any other layer with a kernel raises, so nothing is left out unseen.
    """
    if isinstance(layer, keras.layers.Conv2DTranspose):
        kh, kw, cout, cin = layer.kernel.shape
        h, w = _spatial(layer.input.shape, layer.data_format)
        return 2 * kh * kw * cin * cout * h * w  # per input position
    if isinstance(layer, keras.layers.Conv2D):
        kh, kw, cin_per_group, cout = layer.kernel.shape
        h, w = _spatial(layer.output.shape, layer.data_format)
        return 2 * kh * kw * cin_per_group * cout * h * w  # per output position
    if isinstance(layer, keras.layers.Dense | DenseTranspose):
        kernel = layer.dense.kernel if isinstance(layer, DenseTranspose) else layer.kernel
        n_in, n_out = kernel.shape
        positions = math.prod(layer.output.shape[1:-1])  # 1 for flat inputs
        return 2 * n_in * n_out * positions
    if hasattr(layer, "kernel"):
        raise ValueError(f"no FLOP formula for layer {layer.name!r} "
                         f"({type(layer).__name__}), which has a kernel")
    return 0


def leaf_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Return the layers of ``model``, nested models (encoder, decoder) opened up."""
    leaves = []
    for layer in model.layers:
        leaves += leaf_layers(layer) if isinstance(layer, keras.Model) else [layer]
    return leaves


def forward_flops(model: keras.Model) -> int:
    """Return ``model``'s forward FLOPs per example: its layers' matrix products."""
    return sum(layer_flops(layer) for layer in leaf_layers(model))


def training_flops(model: keras.Model, examples: int) -> int:
    """Return the FLOPs of one training pass over ``examples`` (3 x forward per example)."""
    return TRAIN_FACTOR * forward_flops(model) * examples


# --- measuring --------------------------------------------------------------------------

def matmul_peak(repeats: int, size: int = MATMUL_SIZE) -> tuple[float, float]:
    """Return the median GFLOP/s of float32 size x size matmuls: (TensorFlow, NumPy)."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    a, b = (rng.random((size, size), dtype=np.float32) for _ in range(2))
    ta, tb = tf.constant(a), tf.constant(b)
    flops = 2 * size ** 3 * MATMUL_CALLS
    rates = {"tf": [], "numpy": []}
    for _ in range(repeats + 1):  # the first round warms up
        start = time.perf_counter()
        for _ in range(MATMUL_CALLS):
            product = tf.linalg.matmul(ta, tb)
        product.numpy()
        rates["tf"].append(flops / (time.perf_counter() - start) / 1e9)
        start = time.perf_counter()
        for _ in range(MATMUL_CALLS):
            a @ b
        rates["numpy"].append(flops / (time.perf_counter() - start) / 1e9)
    return statistics.median(rates["tf"][1:]), statistics.median(rates["numpy"][1:])


def seconds_per_epoch(model: keras.Model, x: np.ndarray, *, model_key: str, profile,
                      repeats: int) -> list[float]:
    """Train ``model`` as aehelpers does; return the seconds of ``repeats`` epochs on ``x``."""
    ae.training.compile_autoencoder(model, model_key=model_key, profile=profile)
    ae.training.warm_up(model, x, model_key=model_key, profile=profile)
    timer = EpochTimer()
    ae.training.fit(model, x, model_key=model_key, profile=profile, epochs=repeats,
                    verbose=False, callbacks=[timer])
    return timer.seconds


def floor_model(shape: tuple[int, ...]) -> keras.Model:
    """A model of input and output ``shape`` with almost no arithmetic (one hidden unit)."""
    size = math.prod(shape)
    return keras.Sequential([keras.Input(shape), keras.layers.Flatten(), keras.layers.Dense(1),
                             keras.layers.Dense(size), keras.layers.Reshape(shape)],
                            name="floor")


@dataclass
class Row:
    label: str
    batch: int
    steps: int  # per epoch
    forward: int  # FLOPs per example
    train_flops: int  # per epoch
    valid_flops: int  # per validation pass, forward only
    seconds: list[float]  # per epoch
    floor_seconds: list[float]  # the floor model's, per epoch

    @property
    def epoch(self) -> float:
        return statistics.median(self.seconds)

    def step_ms(self) -> float:
        return self.epoch / self.steps * 1e3

    def floor_ms(self) -> float:
        return statistics.median(self.floor_seconds) / self.steps * 1e3

    def rate(self) -> float:
        return self.train_flops / self.epoch / 1e9

    def peak_ms(self, peak: float) -> float:
        return self.train_flops / self.steps / (peak * 1e9) * 1e3


def bound(step_ms: float, peak_ms: float, floor_ms: float) -> str:
    """Name what bounds a step, from its measured time, arithmetic at peak and floor."""
    if peak_ms >= step_ms / 2:
        return f"{COMPUTE}: arithmetic at peak is {peak_ms / step_ms:.0%} of the step"
    if floor_ms >= step_ms / 2:
        return f"{OVERHEAD}: the floor is {floor_ms / step_ms:.0%} of the step"
    layers = max(step_ms - floor_ms, 1e-9)
    return f"{LAYERS}: the step beyond the floor runs at {peak_ms / layers:.0%} of peak"


def table(rows: list[Row], peaks: dict, header: str) -> str:
    peak = statistics.median(peaks["tf"])
    lines = [header, "",
             "| model | batch | steps/epoch | fwd MFLOP/example | train GFLOP/epoch | "
             "valid GFLOP | s/epoch | GFLOP/s | % of peak | ms/step | ms/step at peak | "
             "floor ms/step | bound |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        step, at_peak, floor = row.step_ms(), row.peak_ms(peak), row.floor_ms()
        lines.append(
            f"| {row.label} | {row.batch} | {row.steps} | {row.forward / 1e6:.3f} | "
            f"{row.train_flops / 1e9:.1f} | {row.valid_flops / 1e9:.2f} | {row.epoch:.2f} | "
            f"{row.rate():.1f} | {row.rate() / peak:.1%} | {step:.2f} | {at_peak:.2f} | "
            f"{floor:.2f} | {bound(step, at_peak, floor)} |")
    lines += ["", f"Peak: TensorFlow float32 {MATMUL_SIZE}x{MATMUL_SIZE} matmul, median "
              f"{peak:.0f} GFLOP/s (before the models {peaks['tf'][0]:.0f}, after "
              + (f"{peaks['tf'][1]:.0f}" if len(peaks["tf"]) > 1 else "not yet measured")
              + f"); NumPy {statistics.median(peaks['numpy']):.0f} GFLOP/s. The linear "
              "autoencoder (chapter 01, 600 synthetic 3-D points) is left out."]
    return "\n".join(lines) + "\n"


def _phases(spec, kwargs, x: np.ndarray):
    """Yield (label suffix, model, inputs) per training phase: one for most models.

    Greedy layer-wise training (``ae.training.train_greedy_layerwise``) trains one
    shallow autoencoder per phase, phase k on the codings of phase k-1.
    """
    parts = spec.builder(**kwargs)
    if spec.trainer != "greedy":
        yield "", parts.autoencoder, x
        return
    inputs = x.reshape(len(x), -1)
    coders = [layer for layer in parts.encoder.layers
              if layer.name.startswith("greedy_encoder_")]
    for phase, coder in enumerate(coders, start=1):
        uncoder = parts.decoder.get_layer(f"greedy_decoder_{phase}")
        size = inputs.shape[1]
        shallow = keras.Sequential([keras.Input((size,)), coder, uncoder],
                                   name=f"greedy_phase_{phase}")
        yield f" phase {phase} ({size}-{coder.units}-{size})", shallow, inputs
        coding = keras.Sequential([keras.Input((size,)), coder])
        inputs = ae.training.predict(coding, inputs)


def measure(label: str, profile, data, repeats: int, floors: dict) -> list[Row]:
    """Count and time model ``label`` (one row per training phase)."""
    spec, kwargs = MODELS[label]
    settings = profile.training(spec.profile_key)
    steps = math.ceil(profile.train_size / settings.batch_size)
    keras.backend.clear_session(free_memory=False)
    ae.set_seed(42)
    rows = []
    for suffix, model, x in _phases(spec, kwargs, data.x_train):
        forward = forward_flops(model)
        seconds = seconds_per_epoch(model, x, model_key=spec.profile_key, profile=profile,
                                    repeats=repeats)
        key = (x.shape[1:], settings.batch_size, settings.optimizer)
        if key not in floors:
            floors[key] = seconds_per_epoch(floor_model(x.shape[1:]), x,
                                            model_key=spec.profile_key, profile=profile,
                                            repeats=repeats)
        rows.append(Row(label + suffix, settings.batch_size, steps, forward,
                        TRAIN_FACTOR * forward * profile.train_size,
                        forward * profile.valid_size, seconds, floors[key]))
        print(f"{rows[-1].label}: {statistics.median(seconds):.2f} s/epoch, "
              f"{rows[-1].rate():.1f} GFLOP/s", file=sys.stderr, flush=True)
    return rows


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed epochs per model (median kept) and matmul rounds")
    parser.add_argument("--models", nargs="+", default=DEFAULT_MODELS, choices=list(MODELS))
    parser.add_argument("--profile", default="class", help="run profile (sizes, batch sizes)")
    parser.add_argument("--out", type=Path, default=OUT, help="Markdown file to write")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    load = os.getloadavg()
    command = shlex.join(["python", "benchmarks/model_flops.py",
                          *(sys.argv[1:] if argv is None else argv)])
    ae.setup_notebook(verbose=False)
    import tensorflow as tf

    profile = ae.get_profile(args.profile)
    data = ae.load_fashion_mnist(profile=profile)
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    header = (
        f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"{memory:.0f} GiB, load average at start {load[0]:.2f} / {load[1]:.2f} / "
        f"{load[2]:.2f} (1/5/15 min), TensorFlow {tf.__version__}, Keras "
        f"{keras.__version__}. Command: `{command}`.\n\n"
        f"Profile {profile.name}: {profile.train_size:,} real Fashion-MNIST training images "
        f"per epoch, the profile's batch size, {ae.training.STEPS_PER_EXECUTION} steps per "
        f"call; seconds are the median of {args.repeats} consecutive epochs after a warm-up "
        f"call (no validation). FLOPs: matrix products only (Dense, DenseTranspose, Conv2D, "
        f"Conv2DTranspose; multiply-add = 2), training = {TRAIN_FACTOR} x forward; "
        f"elementwise ops, pooling, the loss and the optimizer are not counted. \"valid "
        f"GFLOP\" is the forward pass over the {profile.valid_size:,} validation images, "
        f"not timed and not in the rate. \"floor\": a same-shaped model with one hidden "
        f"unit, timed the same way (the per-step cost of everything but the layers).")
    tf_peak, np_peak = matmul_peak(args.repeats)
    peaks = {"tf": [tf_peak], "numpy": [np_peak]}
    print(f"matmul peak: TensorFlow {tf_peak:.0f}, NumPy {np_peak:.0f} GFLOP/s",
          file=sys.stderr, flush=True)
    rows: list[Row] = []
    floors: dict = {}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for label in args.models:
        rows += measure(label, profile, data, args.repeats, floors)
        args.out.write_text(table(rows, peaks, header))
    tf_peak, np_peak = matmul_peak(args.repeats)
    peaks["tf"].append(tf_peak)
    peaks["numpy"].append(np_peak)
    text = table(rows, peaks, header)
    args.out.write_text(text)
    print(text)
    return text


if __name__ == "__main__":
    main()
