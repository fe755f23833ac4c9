"""Measure each explorer's latency: slider value change to finished redraw, over 200 moves.

    python benchmarks/widget_latency.py [--moves 200]

Setting ``slider.value`` from Python runs the same observer a browser move
triggers: compute, update the artists, render the PNG and replace the Output
widget's picture (all synchronous). The models are small untrained ones of the
chapters' sizes: latency depends on their size, not on their weights. Prints a
Markdown table (median and 95th percentile, ms) and writes it to
benchmarks/results/widget_latency.md. Budget (DESIGN.md section 7): median
<= 30 ms, 95th percentile <= 60 ms on a 2-core CPU.
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


def explorers(images):
    """Return ``(name, explorer, slider name, values to cycle through)`` for each explorer."""
    *_, denoiser = ae.models.build_denoising_autoencoder()
    sparse = {t: ae.models.build_sparse_kl_autoencoder(target_sparsity=t)
              for t in (0.02, 0.05, 0.1, 0.2, 0.3)}
    encoder, decoder, _ = ae.models.build_variational_autoencoder()
    noise_levels = np.round(np.linspace(0.0, 1.0, 51), 2)
    return [
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


def measure(explorer, slider_name, values, moves):
    """Return the latencies in ms of ``moves`` slider moves, each to a new value."""
    slider = explorer.controls[slider_name]
    times = []
    for move in range(moves + 5):  # the first few warm up caches and traced graphs
        value = values[move % len(values)]
        if value == slider.value:
            value = values[(move + 1) % len(values)]
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
    images = ae.load_fashion_mnist(profile="ci").x_test[:2000]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"{datetime.date.today()}, {platform.machine()} with {os.cpu_count()} cores, "
             f"load average {load:.1f} at start, {args.moves} moves per explorer, "
             f"budget median <= {BUDGET_MEDIAN_MS:g} ms, 95th <= {BUDGET_P95_MS:g} ms.", "",
             "| explorer | slider | median (ms) | 95th percentile (ms) | within budget |",
             "|---|---|---|---|---|"]
    for name, explorer, slider_name, values in explorers(images):
        times = measure(explorer, slider_name, values, args.moves)
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
