"""Train every autoencoder of chapters 01-07 in two run profiles and print a Markdown table.

    python benchmarks/train_models.py                       # class vs book, 1 run each
    python benchmarks/train_models.py --repeats 3 --reference-repeats 2
    python benchmarks/train_models.py --profiles ci --models stacked conv

Every model trains from scratch (no cache), alternating between the profiles
so that both see the same machine load; seconds are wall-clock medians over
the repeats, the loss is the median final validation loss (reconstruction
MSE for the sparse models, MSE + KL/784 for the VAE, the stacked result for
greedy training). The time ratio divides the first profile's median by the
second's, measured in this same run. The table goes to stdout and to
benchmarks/results/training_<profiles>.md, rewritten after every model so
an interrupted run keeps what it measured.
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
from aehelpers.registry import MODELS as REGISTRY  # noqa: E402

# label -> (registry entry, builder arguments): every registered image model, as benchmarked.
MODELS = {label: (spec, kwargs) for spec in REGISTRY.values() if spec.name != "linear"
          for label, kwargs in spec.benchmark_variants()}


def train_once(label: str, profile, data) -> tuple[float, int, float]:
    """Train model ``label`` from scratch; return (seconds, epochs run, final val loss)."""
    spec, kwargs = MODELS[label]
    result = ae.train_autoencoder(spec.name, data, profile=profile, use_cache=False,
                                  verbose=False, **kwargs)
    if spec.trainer == "greedy":  # one history per phase: count every epoch, score the stack
        epochs = sum(len(v) for k, v in result.history.items() if k.endswith("_loss")
                     and not k.endswith("val_loss"))
        loss = ae.training.reconstruction_mse(result.autoencoder, data.x_valid)
    else:
        epochs = len(result.history["loss"])
        loss = result.history[spec.loss_key][-1]
    return result.seconds, epochs, float(loss)


def _ratio(a: float | None, b: float | None) -> str:
    return "" if a is None or b is None else f"{a / b:.2f}"


def table(profiles, rows: dict, repeats: list[int], baseline: float) -> str:
    import keras
    import tensorflow as tf

    names = [p.name for p in profiles]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    runs = ", ".join(f"{n}: median of {r}" for n, r in zip(names, repeats, strict=True))
    lines = [f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
             f"{memory:.0f} GiB, TensorFlow {tf.__version__}, Keras {keras.__version__}"
             f" ({runs} run(s) from scratch). Command: `python benchmarks/train_models.py "
             f"--profiles {' '.join(names)} --repeats {repeats[0]}"
             + (f" --reference-repeats {repeats[1]}`" if len(repeats) > 1 else "`") + ".", ""]
    head = ["model"]
    for n in names:
        head += [f"{n} epochs x batch", f"{n} s", f"{n} s/epoch", f"{n} val loss"]
    head += ["published"]
    if len(names) == 2:
        head += [f"time {names[0]}/{names[1]}", f"loss {names[0]}/{names[1]}",
                 f"loss {names[0]}/published"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, per_profile in rows.items():
        book = MODELS[label][0].published_loss
        cells = [label]
        medians = []
        for profile in profiles:
            seconds, epochs, losses = per_profile.get(profile.name, ([], [], []))
            if not seconds:
                cells += ["", "", "", ""]
                medians.append((None, None))
                continue
            s, loss = statistics.median(seconds), statistics.median(losses)
            settings = profile.training(MODELS[label][0].profile_key)
            cells += [f"{settings.epochs} x {settings.batch_size}", f"{s:.1f}",
                      f"{s / epochs[0]:.1f}", f"{loss:.4f}"]
            medians.append((s, loss))
        cells.append("" if book is None else f"{book:.4f}")
        if len(names) == 2:
            (s0, l0), (s1, l1) = medians
            cells += [_ratio(s0, s1), _ratio(l0, l1), _ratio(l0, book)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"Predicting the mean training image gives validation MSE {baseline:.4f}."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", nargs="+", default=["class", "book"],
                        help="one or two run profiles; ratios compare the first to the second")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--repeats", type=int, default=1, help="runs of the first profile")
    parser.add_argument("--reference-repeats", type=int, default=None,
                        help="runs of the second profile (default: --repeats)")
    args = parser.parse_args(argv)
    if not 1 <= len(args.profiles) <= 2:
        parser.error("--profiles takes one or two profile names")
    if args.repeats < 1 or (args.reference_repeats or 1) < 1:
        parser.error("--repeats and --reference-repeats must be at least 1")
    ae.setup_notebook(verbose=False)
    profiles = [ae.get_profile(p) for p in args.profiles]
    repeats = [args.repeats, args.reference_repeats or args.repeats][:len(profiles)]
    datasets = {p.name: ae.load_fashion_mnist(profile=p) for p in profiles}
    first = datasets[profiles[0].name]
    baseline = ae.metrics.mse(first.x_valid, np.broadcast_to(first.x_train.mean(axis=0),
                                                             first.x_valid.shape))
    out = Path(__file__).parent / "results" / f"training_{'_'.join(args.profiles)}.md"
    rows: dict = {}
    for label in args.models:
        rows[label] = {p.name: ([], [], []) for p in profiles}
        for run in range(max(repeats)):
            for profile, count in zip(profiles, repeats, strict=True):
                if run >= count:
                    continue
                seconds, epochs, loss = train_once(label, profile, datasets[profile.name])
                for store, value in zip(rows[label][profile.name], (seconds, epochs, loss),
                                        strict=True):
                    store.append(value)
                print(f"{label} {profile.name} run {run + 1}: {seconds:.1f} s, {epochs} epochs, "
                      f"val loss {loss:.4f}", file=sys.stderr, flush=True)
        text = table(profiles, rows, repeats, baseline)
        out.write_text(text)
    print(text)
    return text


if __name__ == "__main__":
    main()
