"""Peak memory of one training run: Keras's own fit(x, x) against ae.training.fit(x).

    python benchmarks/fit_memory.py [--repeats 2] [--epochs 1]

Each way runs in a fresh Python process (peak RSS only ever grows, so two ways in
one process would hide the second): import the workbook, load the class profile's
55,000 training images, build the stacked autoencoder from seed 42, compile it
with ``ae.training.compile_autoencoder`` and train it for --epochs with
validation. "keras fit(x, x)" hands Keras the NumPy array as inputs and as
targets, which Keras converts one by one; "ae.training.fit" converts it once and
passes the one tensor twice. The table gives the peak resident memory (MiB) after
loading the data and at the end, the seconds of the fit, and the final validation
loss, so a saving that trained differently would show. Alternating, median of
--repeats. Table to stdout and to benchmarks/results/fit_memory.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

WAYS = ("keras fit(x, x)", "ae.training.fit")


def one_run(way: str, epochs: int) -> dict:
    """Train once the given way in this process; return its measurements."""
    import resource
    import time

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import aehelpers as ae

    def peak_mib() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ae.setup_notebook(verbose=False, live_training=False)
    data = ae.load_fashion_mnist(profile="class")
    ae.set_seed(42)
    *_, model = ae.models.build_stacked_autoencoder()
    ae.training.compile_autoencoder(model, model_key="stacked", profile="class")
    before = peak_mib()
    start = time.perf_counter()
    if way == WAYS[0]:
        history = model.fit(data.x_train, data.x_train, epochs=epochs, batch_size=128,
                            validation_data=(data.x_valid, data.x_valid), verbose=0).history
    else:
        history = ae.training.fit(model, data.x_train, model_key="stacked", profile="class",
                                  epochs=epochs, validation_data=(data.x_valid,),
                                  verbose=False)
    return {"before": before, "peak": peak_mib(), "seconds": time.perf_counter() - start,
            "val_loss": history["val_loss"][-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--one", choices=WAYS, help=argparse.SUPPRESS)  # a child process
    args = parser.parse_args()
    if args.repeats < 1 or args.epochs < 1:
        parser.error("--repeats and --epochs must be at least 1")
    if args.one:
        print(json.dumps(one_run(args.one, args.epochs)))
        return
    runs = {way: [] for way in WAYS}
    load = os.getloadavg()[0]
    for _ in range(args.repeats):
        for way in WAYS:
            child = subprocess.run([sys.executable, __file__, "--one", way, "--epochs",
                                    str(args.epochs)], capture_output=True, text=True,
                                   check=True)
            runs[way].append(json.loads(child.stdout.strip().splitlines()[-1]))
    lines = [f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, load "
             f"average {load:.1f} at start; the stacked autoencoder on 55,000 images, "
             f"{args.epochs} epoch(s) at batch 128 with validation, each run in a fresh "
             f"process, median of {args.repeats}. Command: `python benchmarks/fit_memory.py "
             f"--repeats {args.repeats} --epochs {args.epochs}`.", "",
             "| way | peak MiB before the fit | peak MiB after | fit seconds | final val_loss |",
             "|---|---|---|---|---|"]
    for way, measured in runs.items():
        def median(field, measured=measured):
            return statistics.median(m[field] for m in measured)
        losses = sorted({f"{m['val_loss']:.6f}" for m in measured})
        lines.append(f"| {way} | {median('before'):.0f} | {median('peak'):.0f} | "
                     f"{median('seconds'):.1f} | {', '.join(losses)} |")
    saved = (statistics.median(m["peak"] for m in runs[WAYS[0]])
             - statistics.median(m["peak"] for m in runs[WAYS[1]]))
    lines += ["", f"Peak saved by converting the images once: {saved:.0f} MiB."]
    table = "\n".join(lines) + "\n"
    print(table)
    (Path(__file__).parent / "results" / "fit_memory.md").write_text(table)


if __name__ == "__main__":
    main()
