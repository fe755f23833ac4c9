"""Measure what the live training view costs: drawing time against training time.

    python benchmarks/live_view.py [--profile class] [--repeats 3]

Trains the chapters' models with ``ae.training.fit`` twice per repeat, with the
view and without it, alternating, in the given profile on the real data: the
linear autoencoder of chapter 01 (many very short epochs, the worst case for a
per-epoch picture) and the stacked autoencoder of chapter 02. Two measures:

* **drawing share**: the seconds the view spent in its callback (curves, the model
  on its fixed images, the PNG) divided by the training time of the same run; this
  is the view's cost, free of the machine's noise between runs;
* **wall ratio**: the median training time with the view over the median without.

There is no kernel here, so the picture goes to a display handle that drops it;
everything the view computes for a kernel is still computed. Prints a Markdown
table and writes it to benchmarks/results/live_view_<profile>.md. Budget (issue
"Training a learner can watch"): under 5% of training time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

BUDGET = 0.05


class _DroppedHandle:
    def update(self, bundle, raw=False):
        pass


def _drop_display(bundle, raw=False, display_id=False):
    return _DroppedHandle()


def train_once(name: str, data, profile: str, with_view: bool) -> tuple[float, float]:
    """Train ``name`` once; return (training seconds, seconds spent drawing)."""
    import keras

    import aehelpers as ae

    keras.backend.clear_session(free_memory=False)
    ae.set_seed(42)
    if name == "linear":
        *_, model = ae.models.build_linear_autoencoder()
        x, validation = ae.data.make_3d_dataset(), None
    else:
        *_, model = ae.models.build_stacked_autoencoder()
        x, validation = data.x_train, (data.x_valid,)
    epochs = ae.get_profile(profile).training(name).epochs
    view = (ae.live.TrainingView(epochs, images=None if name == "linear" else data.x_valid[:6])
            if with_view else None)
    start = time.perf_counter()
    ae.training.fit(model, x, model_key=name, profile=profile, validation_data=validation,
                    verbose=False, callbacks=[view] if view else None)
    return time.perf_counter() - start, (view.seconds if view else 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="class", choices=("ci", "class", "book"))
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args(argv)
    import IPython.display

    import aehelpers as ae

    IPython.display.display = _drop_display  # the view's handle drops its pictures
    data = ae.load_fashion_mnist(profile=options.profile)
    load = os.getloadavg()[0]
    rows = []
    for name in ("linear", "stacked"):
        plain, shown, shares = [], [], []
        for _ in range(options.repeats):
            seconds, _ = train_once(name, data, options.profile, with_view=False)
            plain.append(seconds)
            seconds, drawing = train_once(name, data, options.profile, with_view=True)
            shown.append(seconds)
            shares.append(drawing / seconds)
        rows.append((name, np.median(plain), np.median(shown), np.median(shares)))
    today = datetime.date.today().isoformat()
    lines = [
        "# Live training view: its cost",
        "",
        f"{today}, {platform.machine()} with {os.cpu_count()} cores, load average {load:.1f} "
        f"at start, profile `{options.profile}`, {options.repeats} runs each way (medians), "
        f"budget: drawing under {BUDGET:.0%} of training time.",
        "",
        "| model | training without view (s) | with view (s) | wall ratio | drawing share "
        "| within budget |",
        "|---|---|---|---|---|---|",
    ]
    for name, plain, shown, share in rows:
        lines.append(f"| {name} | {plain:.1f} | {shown:.1f} | {shown / plain:.3f} | "
                     f"{share:.1%} | {'yes' if share < BUDGET else 'no'} |")
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).resolve().parent / "results" / f"live_view_{options.profile}.md"
    out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
