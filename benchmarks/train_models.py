"""Train every autoencoder of the workbook in one run profile and print a Markdown table.

    python benchmarks/train_models.py --profile class [--models stacked conv] [--repeats 3]

The table also goes to benchmarks/results/training_<profile>.md. Seconds are
wall-clock medians over --repeats runs (no cache); the loss is the median final
validation loss (reconstruction MSE for the sparse models, MSE + KL/784 for the VAE).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import aehelpers as ae  # noqa: E402

# name, builder kwargs, the book's published validation loss (DESIGN.md section 9)
MODELS = {
    "stacked": ("stacked", {}, 0.0132),
    "tied": ("tied", {}, 0.0133),
    "greedy": ("greedy", {}, None),
    "conv": ("conv", {}, 0.0121),
    "denoising_gaussian": ("denoising", {"corruption": "gaussian"}, 0.0166),
    "denoising_dropout": ("denoising", {"corruption": "dropout"}, 0.0166),
    "sparse_l1": ("sparse_l1", {}, 0.0111),
    "sparse_kl": ("sparse_kl", {}, 0.0099),
    "vae": ("vae", {}, 0.0311),
}
# The sparse models' val_loss includes the penalty; compare reconstructions only.
LOSS_KEY = {"sparse_l1": "val_mse", "sparse_kl": "val_mse"}


def run(profile_name: str, names: list[str], repeats: int) -> str:
    ae.setup_notebook(verbose=False)
    profile = ae.get_profile(profile_name)
    data = ae.load_fashion_mnist(profile=profile)
    baseline = ae.metrics.mse(data.x_valid, np.broadcast_to(data.x_train.mean(axis=0),
                                                            data.x_valid.shape))
    rows = []
    for label in names:
        name, kwargs, book = MODELS[label]
        seconds, losses = [], []
        for _ in range(repeats):
            result = ae.training.train_autoencoder(name, data, profile=profile, use_cache=False,
                                                   verbose=False, **kwargs)
            seconds.append(result.seconds)
            if name == "greedy":  # its history is per phase: measure the stacked result
                reconstructions = ae.training.predict(result.autoencoder, data.x_valid)
                losses.append(ae.metrics.mse(data.x_valid, reconstructions))
            else:
                losses.append(result.history[LOSS_KEY.get(name, "val_loss")][-1])
        settings = profile.training(name)
        loss = statistics.median(losses)
        rows.append(f"| {label} | {settings.epochs} | {settings.batch_size} | "
                    f"{statistics.median(seconds):.1f} | {loss:.4f} | "
                    f"{'' if book is None else f'{book:.4f}'} | "
                    f"{'' if book is None else f'{loss / book:.2f}'} |")
        print(rows[-1], file=sys.stderr, flush=True)
    import tensorflow as tf

    header = (f"Profile `{profile.name}`, {datetime.date.today()}, {platform.machine()} with "
              f"{os.cpu_count()} cores, TensorFlow {tf.__version__}, median of {repeats} run(s). "
              f"Predicting the mean image gives validation MSE {baseline:.4f}.\n\n"
              "| model | epochs | batch | seconds | val loss | book val loss | ratio |\n"
              "|---|---|---|---|---|---|---|\n")
    return header + "\n".join(rows) + "\n"


if __name__ == "__main__":
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default=None, help="ci, class or book (default: $AE_PROFILE)")
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    table = run(args.profile, args.models, args.repeats)
    print(table)
    out = Path(__file__).parent / "results" / f"training_{ae.get_profile(args.profile).name}.md"
    out.write_text(table)
