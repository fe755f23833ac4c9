"""How much chapter 08's measurements move with the training seed.

    python benchmarks/applications_seeds.py [--profile class] [--seeds 0 1 2]

Trains chapter 08's anomaly detector (the stacked autoencoder without bags) and
chapter 02's stacked autoencoder once per seed, then measures what the chapter
reports: the AUC of the reconstruction error for bags and for upside-down items
against the normal test items, and precision@10 of the 30 codings on the test set.
Prints mean, standard deviation and range over the seeds (the chapter's own run is
seed 42), and writes the table to benchmarks/results/applications_seeds_<profile>.md.
Models go to the usual cache, so a rerun only measures.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import aehelpers as ae  # noqa: E402


def measure(data, seed: int, profile: str) -> dict[str, float]:
    """Return the chapter's three measurements for models trained with ``seed``."""
    bag = ae.CLASS_NAMES.index("Bag")
    detector = ae.train_autoencoder("stacked", ae.data.without_class(data, bag), seed=seed,
                                    profile=profile, verbose=False)
    normal = data.x_test[data.y_test != bag]
    anomalies = {"bags": data.x_test[data.y_test == bag],
                 "upside-down items": normal[::-1][:1000, ::-1, :]}
    normal_scores = ae.explore.reconstruction_errors(detector.autoencoder, normal)
    found = {}
    for name, images in anomalies.items():
        scores = ae.explore.reconstruction_errors(detector.autoencoder, images)
        flags = np.r_[np.zeros(len(normal_scores), bool), np.ones(len(scores), bool)]
        found[f"AUC, {name}"] = ae.metrics.roc_auc(np.r_[normal_scores, scores], flags)
    stacked = ae.train_autoencoder("stacked", data, seed=seed, profile=profile, verbose=False)
    found["precision@10, codings"] = ae.metrics.precision_at_k(
        ae.explore.encode(stacked.encoder, data.x_test), data.y_test, k=10)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="class", choices=["ci", "class", "book"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 0, 1, 2, 3])
    args = parser.parse_args()
    ae.setup_notebook(verbose=False)
    data = ae.load_fashion_mnist(profile=args.profile)
    runs = [measure(data, seed, args.profile) for seed in args.seeds]
    lines = [f"{datetime.date.today()}, {platform.machine()} with {os.cpu_count()} cores, "
             f"profile `{args.profile}`, seeds {', '.join(map(str, args.seeds))}. Command: "
             f"`python benchmarks/applications_seeds.py --profile {args.profile} --seeds "
             f"{' '.join(map(str, args.seeds))}`.", "",
             "| measure | mean | std | min | max | per seed |", "|---|---|---|---|---|---|"]
    for key in runs[0]:
        values = np.array([run[key] for run in runs])
        lines.append(f"| {key} | {values.mean():.3f} | {values.std(ddof=1):.3f} | "
                     f"{values.min():.3f} | {values.max():.3f} | "
                     f"{', '.join(f'{v:.3f}' for v in values)} |")
    table = "\n".join(lines)
    print(table)
    out = Path(__file__).resolve().parent / "results" / f"applications_seeds_{args.profile}.md"
    out.write_text(f"# Chapter 08 across training seeds\n\n{table}\n")


if __name__ == "__main__":
    main()
