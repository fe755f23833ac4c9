"""Train chapter 06's five KL-sparse autoencoders one after another, then as one Keras model.

    python benchmarks/joint_training.py [--repeats 3] [--epochs 2]

Each of the five models (targets 0.02 ... 0.3) is built from the same seed and
trained on the class profile's 55,000 images with its batch size and 16 steps
per call. "one after another" fits each model on its own (five traced steps,
five feeds); "as one model" is ``ae.training.fit_together``, what chapter 06
uses: one Keras model holds the five, so one step feeds a batch once and
updates all five (its loss is the sum of the five, whose weights are
disjoint, so each model gets its own gradient). Seconds include tracing, as a
chapter's first run does; the two ways alternate, median of --repeats. The
final reconstruction MSE of each model on 5,000 validation images is printed
beside, so a faster way that trained differently would show. Table to stdout
and to benchmarks/results/joint_training.md.
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
import numpy as np  # noqa: E402

import aehelpers as ae  # noqa: E402

TARGETS = (0.02, 0.05, 0.1, 0.2, 0.3)


def build_all() -> list:
    models = []
    for target in TARGETS:
        keras.utils.set_random_seed(42)  # every model starts as train_autoencoder's would
        model = ae.models.build_sparse_kl_autoencoder(target_sparsity=target).autoencoder
        models.append(ae.training.compile_autoencoder(model, model_key="sparse_kl",
                                                      profile="class", metrics=("mse",)))
    return models


def one_after_another(x, epochs: int) -> list:
    models = build_all()
    for model in models:
        ae.training.fit(model, x, model_key="sparse_kl", profile="class", epochs=epochs,
                        verbose=False)
    return models


def as_one_model(x, epochs: int) -> list:
    models = build_all()
    ae.training.fit_together(models, x, model_key="sparse_kl", profile="class",
                             epochs=epochs, verbose=False)
    return models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    if args.repeats < 1 or args.epochs < 1:
        parser.error("--repeats and --epochs must be at least 1")
    ae.setup_notebook(verbose=False, live_training=False)
    data = ae.load_fashion_mnist(profile="class")
    ways = {"one after another": one_after_another, "as one model": as_one_model}
    seconds = {way: [] for way in ways}
    losses = {}
    load = os.getloadavg()[0]
    for _ in range(args.repeats):
        for way, train in ways.items():
            keras.backend.clear_session()
            start = time.perf_counter()
            models = train(data.x_train, args.epochs)
            seconds[way].append(time.perf_counter() - start)
            losses[way] = [ae.training.reconstruction_mse(m, data.x_valid) for m in models]
    lines = [f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, load "
             f"average {load:.1f} at start; the five KL-sparse models of chapter 06, "
             f"{args.epochs} epoch(s) each on 55,000 images, seconds including tracing, "
             f"median of {args.repeats}. Command: `python benchmarks/joint_training.py "
             f"--repeats {args.repeats} --epochs {args.epochs}`.", "",
             "| way | seconds (median) | all runs | validation MSE per target "
             f"({', '.join(map(str, TARGETS))}) |", "|---|---|---|---|"]
    for way in ways:
        runs = ", ".join(f"{s:.1f}" for s in seconds[way])
        mse = ", ".join(f"{m:.4f}" for m in losses[way])
        lines.append(f"| {way} | {statistics.median(seconds[way]):.1f} | {runs} | {mse} |")
    ratio = statistics.median(seconds["as one model"]) / statistics.median(
        seconds["one after another"])
    lines += ["", f"Time as one model / one after another: {ratio:.2f}. Largest relative "
              "difference in validation MSE: "
              f"{np.max(np.abs(np.subtract(*losses.values())) / losses['one after another']):.1%}."]
    table = "\n".join(lines) + "\n"
    print(table)
    (Path(__file__).parent / "results" / "joint_training.md").write_text(table)


if __name__ == "__main__":
    main()
