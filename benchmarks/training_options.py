"""Time one training epoch of a dense and a convolutional autoencoder under speed options.

    python benchmarks/training_options.py [--repeats 3]
    TF_ENABLE_ONEDNN_OPTS=0 python benchmarks/training_options.py   # oneDNN off

For the stacked (dense) and the convolutional autoencoder, at batch 32, 128
and 256, trains two epochs on 12,288 class-profile images (whole batches and
whole 16-step calls at every batch size, so nothing retraces) after a warm-up
call, times the second epoch alone (no per-call set-up) and scales it to one
55,000-image epoch; median of --repeats runs:

- ``numpy``: ``fit`` on NumPy arrays, one step per call (Keras's default);
- ``tf.data``: a shuffled, batched, prefetched ``tf.data.Dataset``;
- ``jit``: NumPy input with ``jit_compile=True`` (XLA);
- ``steps16``: NumPy input with ``steps_per_execution=16`` (what aehelpers uses);
- ``bf16``: as ``steps16``, built under the ``mixed_bfloat16`` policy (bfloat16 maths,
  float32 weights; this CPU has AVX-512 BF16 and AMX). ``--options`` picks a subset.

These are the measurements behind the choices in aehelpers.models
(STEPS_PER_EXECUTION) and aehelpers.notebook (oneDNN left on, no XLA). The
table goes to stdout and to benchmarks/results/training_options[_onednn_0].md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

import aehelpers as ae  # noqa: E402

OPTIONS = ("numpy", "tf.data", "jit", "steps16", "bf16")
BATCHES = (32, 128, 256)
EPOCH = 55_000


def seconds_per_epoch(builder, x, batch: int, option: str) -> float:
    """Return the seconds one 55k-image epoch takes with ``option``, scaled from ``x``."""
    import tensorflow as tf

    keras.backend.clear_session()
    ae.set_seed(1)
    keras.mixed_precision.set_global_policy("mixed_bfloat16" if option == "bf16" else "float32")
    try:
        *_, model = builder()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.compile(loss="mse", optimizer=keras.optimizers.Nadam(1e-3),
                  jit_compile=option == "jit",
                  steps_per_execution=16 if option in ("steps16", "bf16") else 1)
    timer = ae.training.EpochTimer()
    if option == "tf.data":
        def inputs(data):
            return (tf.data.Dataset.from_tensor_slices((data, data)).shuffle(len(data))
                    .batch(batch).prefetch(tf.data.AUTOTUNE))
        model.fit(inputs(x[:batch * 16]), epochs=1, verbose=0)  # warm-up: trace the graph
        model.fit(inputs(x), epochs=2, verbose=0, callbacks=[timer])
    else:
        model.fit(x[:batch * 16], x[:batch * 16], batch_size=batch, epochs=1, verbose=0)
        model.fit(x, x, batch_size=batch, epochs=2, verbose=0, callbacks=[timer])
    return timer.seconds[-1] * EPOCH / len(x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=["stacked", "conv"],
                        choices=["stacked", "conv"])
    parser.add_argument("--options", nargs="+", default=list(OPTIONS), choices=OPTIONS)
    parser.add_argument("--batches", nargs="+", type=int, default=list(BATCHES))
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    ae.setup_notebook(verbose=False)
    x = ae.load_fashion_mnist(profile="class").x_train[:12_288]
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "on (default)")
    builders = {"stacked": ae.models.build_stacked_autoencoder,
                "conv": ae.models.build_conv_autoencoder}
    builders = {name: builders[name] for name in args.models}
    lines = [f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
             f"TensorFlow with oneDNN {onednn}; seconds per {EPOCH:,}-image epoch (scaled "
             f"from {len(x):,} images), median of {args.repeats} run(s). Command: "
             f"`python benchmarks/training_options.py --repeats {args.repeats} "
             f"--models {' '.join(args.models)} --options {' '.join(args.options)} "
             f"--batches {' '.join(map(str, args.batches))}`.", "",
             "| model | batch | " + " | ".join(args.options) + " |",
             "|---|---|" + "---|" * len(args.options)]
    for name, builder in builders.items():
        for batch in args.batches:
            cells = []
            for option in args.options:
                runs = [seconds_per_epoch(builder, x, batch, option)
                        for _ in range(args.repeats)]
                cells.append(f"{statistics.median(runs):.1f}")
            lines.append(f"| {name} | {batch} | " + " | ".join(cells) + " |")
            print(lines[-1], flush=True)
    table = "\n".join(lines) + "\n"
    print(table)
    suffix = "" if onednn == "on (default)" else f"_onednn_{onednn}"
    if list(args.options) != list(OPTIONS):
        suffix += "_" + "_".join(o.replace(".", "") for o in args.options)
    (Path(__file__).parent / "results" / f"training_options{suffix}.md").write_text(table)


if __name__ == "__main__":
    main()
