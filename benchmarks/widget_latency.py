"""Measure each explorer's latency: slider value change to finished redraw, over 200 moves.

    python benchmarks/widget_latency.py [--moves 200]

Setting ``slider.value`` from Python runs the same observer a browser move
triggers: compute, update the artists, render the PNG and replace the Output
widget's picture (all synchronous). The models are small untrained ones of the
chapters' sizes: latency depends on their size, not on their weights. Prints a
Markdown table (median and 95th percentile, ms) and writes it to
benchmarks/results/widget_latency.md. Budget (DESIGN.md section 7): median
<= 16 ms, 95th percentile <= 33 ms on a 2-core CPU. Chapter 08's panels search and
score the full 10,000-image test set, as the chapter does.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("AE_PROFILE", "ci")

import numpy as np  # noqa: E402

import aehelpers as ae  # noqa: E402

# DESIGN.md section 7: one frame at 60 Hz (median) and at 30 Hz (95th percentile).
BUDGET_MEDIAN_MS, BUDGET_P95_MS = 16.0, 33.0


def explorers(images, test):
    """Return ``(name, explorer, slider name, values to cycle through)`` for each explorer.

    ``test`` is the full test set (images and labels): chapter 08's panels search and
    score all of it.
    """
    *_, denoiser = ae.models.build_denoising_autoencoder()
    sparse = {t: ae.models.build_sparse_kl_autoencoder(target_sparsity=t)
              for t in (0.02, 0.05, 0.1, 0.2, 0.3)}
    encoder, decoder, _ = ae.models.build_variational_autoencoder()
    noise_levels = np.round(np.linspace(0.0, 1.0, 51), 2)
    vaes = {m: ae.models.build_variational_autoencoder(kl_weight=m / 784)
            for m in ae.registry.KL_MULTIPLES}
    plain = ae.models.build_stacked_autoencoder(**ae.registry.MAP_PLAIN)
    vae_2d = ae.models.build_variational_autoencoder(**ae.registry.MAP_VAE)
    stacked = ae.models.build_stacked_autoencoder()
    test_images, test_labels = test
    scores = np.random.default_rng(0).lognormal(-4, 0.5, len(test_images))
    flags = test_labels == 8
    map_explorer = ae.widgets.latent_map_explorer(plain, vae_2d, images[:1000],
                                                  np.arange(1000) % 10)
    threshold = ae.widgets.threshold_explorer(scores, flags, test_images)
    toy = ae.generators.ring_of_gaussians(1000, seed=0)
    frames = [toy + np.random.default_rng(i).normal(scale=1.0 / (i + 1), size=toy.shape)
              for i in range(10)]
    fields = [np.random.default_rng(i).random((41, 41)) for i in range(10)]
    return [
        ("trajectory_explorer", ae.widgets.trajectory_explorer(
            [f[:500] for f in frames], toy, labels=[f"step {i}" for i in range(10)],
            fields=fields), "snapshot", list(range(10))),
        ("diffusion_explorer", ae.widgets.diffusion_explorer(
            test_images[:12], ae.generators.noise_schedule(50)), "step", list(range(50))),
        ("beta_explorer", ae.widgets.beta_explorer(vaes, images[:1000], np.arange(1000) % 10),
         "kl_weight", list(ae.registry.KL_MULTIPLES)),
        ("latent_map_explorer", map_explorer, "u", np.round(np.linspace(-3, 3, 61), 1)),
        ("latent_map_explorer", map_explorer, "model", ["plain", "vae"]),
        ("threshold_explorer", threshold, "threshold",
         np.geomspace(np.exp(-5), np.exp(-3), 50)),
        ("retrieval_explorer", ae.widgets.retrieval_explorer(stacked.encoder, test_images,
                                                             test_labels), "query", range(50)),
        ("noise_explorer", ae.widgets.noise_explorer(denoiser, images[:12]), "noise_level",
         noise_levels),
        ("sparsity_explorer", ae.widgets.sparsity_explorer(sparse, images), "target",
         [0.02, 0.05, 0.1, 0.2, 0.3]),
        ("latent_explorer", ae.widgets.latent_explorer(decoder), "z3",
         np.round(np.linspace(-3, 3, 61), 1)),
        ("interpolation_explorer", ae.widgets.interpolation_explorer(encoder, decoder,
                                                                     images[:12]),
         "alpha", np.round(np.linspace(0, 1, 21), 2)),
    ]


def measure(explorer, slider_name, values, moves, *, first_visits=False):
    """Return the latencies in ms of ``moves`` slider moves, each to a new value.

    A panel that keeps the picture of each state it has drawn (``Explorer(state=...)``)
    shows a revisited state at once; ``first_visits`` forgets them before every move, so
    each move is timed as the first visit to its state.
    """
    slider = explorer.controls[slider_name]
    times = []
    for move in range(moves + 5):  # the first few warm up caches and traced graphs
        value = values[move % len(values)]
        if value == slider.value:
            value = values[(move + 1) % len(values)]
        if first_visits:
            explorer._drawn.clear()
        start = time.perf_counter()
        slider.value = value
        elapsed = time.perf_counter() - start
        if move >= 5:
            times.append(1000.0 * elapsed)
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200)
    args = parser.parse_args()
    ae.setup_notebook(verbose=False)
    images = ae.load_fashion_mnist(profile="ci").x_train[:2000]
    full = ae.load_fashion_mnist(profile="class")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"{datetime.date.today()}, {platform.machine()} with {os.cpu_count()} cores, "
             f"load average {load:.1f} at start, {args.moves} moves per explorer, "
             f"budget median <= {BUDGET_MEDIAN_MS:g} ms, 95th <= {BUDGET_P95_MS:g} ms.", "",
             "| explorer | slider | median (ms) | 95th percentile (ms) | within budget |",
             "|---|---|---|---|---|"]
    runs = []
    for name, explorer, slider_name, values in explorers(images, (full.x_test, full.y_test)):
        if explorer._state is not None:
            # Such panels draw every state when they are built; this row is that cost.
            runs.append((f"{name} (drawing a state)", explorer, slider_name, values, True))
        runs.append((name, explorer, slider_name, values, False))
    for name, explorer, slider_name, values, first_visits in runs:
        times = measure(explorer, slider_name, values, args.moves, first_visits=first_visits)
        median, p95 = np.median(times), np.percentile(times, 95)
        ok = median <= BUDGET_MEDIAN_MS and p95 <= BUDGET_P95_MS
        lines.append(f"| {name} | {slider_name} | {median:.1f} | {p95:.1f} | "
                     f"{'yes' if ok else 'no'} |")
    table = "\n".join(lines)
    print(table)
    out = Path(__file__).resolve().parent / "results" / "widget_latency.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(f"# Widget latency\n\n{table}\n")


if __name__ == "__main__":
    main()
