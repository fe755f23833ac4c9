"""Chapter 04's timing of an epoch: half an epoch scaled up, against a whole one.

    python benchmarks/epoch_timing.py [--repeats 3]

Chapter 04 times one training epoch of a fresh stacked and a fresh convolutional
autoencoder (class profile, 55,000 images) with ``ae.training.time_epoch``: a
warm-up that traces every training step, then one timed epoch on the first half
of the images (in whole calls of 16 steps), scaled to all of them. This script
checks that shortcut on the same machine in the same run: for each model,
alternating, ``time_epoch`` with ``fraction`` 0.25, 0.5 (the default) and 1.0 (a
whole epoch, after the same warm-up), each on a freshly built model. A part of
an epoch carries the epoch's fixed cost (its data iterator, metrics), which the
scaling multiplies: the smaller the fraction, the larger that error. For the record,
the chapter's earlier way: a warm-up on one batch only, then a whole epoch, which
also times the tracing of the step that one batch did not build. Median of
--repeats, in seconds per 55,000-image epoch. Table to stdout and to
benchmarks/results/epoch_timing.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

import aehelpers as ae  # noqa: E402

MODELS = {"stacked": ("stacked", ae.models.build_stacked_autoencoder),
          "convolutional": ("conv", ae.models.build_conv_autoencoder)}
FRACTIONS = {"quarter epoch, scaled": 0.25, "half epoch, scaled": 0.5, "whole epoch": 1.0}
WAYS = (*FRACTIONS, "whole epoch after one warm-up batch")


def fresh(build) -> keras.Model:
    keras.backend.clear_session()
    ae.set_seed(42)
    *_, model = build()
    return model


def one_batch_warm_up(model, x, key: str, profile) -> float:
    """The chapter's way before: one warm-up batch, then a whole timed epoch."""
    batch = profile.training(key).batch_size
    ae.training.fit(model, x[:batch], model_key=key, profile=profile, epochs=1, verbose=False)
    start = time.perf_counter()
    ae.training.fit(model, x, model_key=key, profile=profile, epochs=1, verbose=False)
    return time.perf_counter() - start


def measure(way: str, build, key: str, x, profile) -> float:
    model = fresh(build)
    if way not in FRACTIONS:
        return one_batch_warm_up(model, x, key, profile)
    return ae.training.time_epoch(model, x, model_key=key, profile=profile,
                                  fraction=FRACTIONS[way])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    ae.setup_notebook(verbose=False, live_training=False)
    profile = ae.get_profile("class")
    data = ae.load_fashion_mnist(profile=profile)
    load = os.getloadavg()[0]
    seconds = {(name, way): [] for name in MODELS for way in WAYS}
    for _ in range(args.repeats):
        for name, (key, build) in MODELS.items():
            for way in WAYS:
                seconds[name, way].append(measure(way, build, key, data.x_train, profile))
    lines = [f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, load "
             f"average {load:.1f} at start; seconds per 55,000-image epoch, class profile, "
             f"median of {args.repeats} (all runs in brackets). Command: `python "
             f"benchmarks/epoch_timing.py --repeats {args.repeats}`.", "",
             "| model | " + " | ".join(WAYS) + " | quarter / whole | half / whole |",
             "|---|" + "---|" * (len(WAYS) + 2)]
    for name in MODELS:
        medians = [statistics.median(seconds[name, way]) for way in WAYS]
        cells = [f"{m:.2f} ({', '.join(f'{s:.2f}' for s in seconds[name, way])})"
                 for m, way in zip(medians, WAYS, strict=True)]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {medians[0] / medians[2]:.2f} | "
                     f"{medians[1] / medians[2]:.2f} |")
    table = "\n".join(lines) + "\n"
    print(table)
    (Path(__file__).parent / "results" / "epoch_timing.md").write_text(table)


if __name__ == "__main__":
    main()
