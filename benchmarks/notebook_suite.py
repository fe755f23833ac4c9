"""Run every notebook top to bottom in one run profile; time it and measure the kernel's memory.

    python benchmarks/notebook_suite.py --profile class --write   # regenerate committed outputs
    python benchmarks/notebook_suite.py --profile ci               # time the CI suite only

Prints a Markdown table (wall seconds and peak kernel RSS per notebook) and
writes it to benchmarks/results/notebooks_<profile>.md. With --write the
executed notebooks replace the ones in notebooks/ (that is how the committed
outputs are made); without it nothing in notebooks/ changes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


class PeakMemory:
    """Poll a process tree's resident memory in a thread; keep the peak."""

    def __init__(self, pid: int, interval: float = 0.2):
        self.process, self.interval, self.peak = psutil.Process(pid), interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                rss = self.process.memory_info().rss + sum(
                    c.memory_info().rss for c in self.process.children(recursive=True))
                self.peak = max(self.peak, rss)
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_notebook(path: Path, write: bool) -> tuple[float, int]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=1800, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        monitor = PeakMemory(client.km.provisioner.process.pid)
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        finally:
            peak = monitor.stop()
    seconds = time.perf_counter() - start
    if write:
        nbformat.write(nb, path)
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci", choices=["ci", "class", "book"])
    parser.add_argument("--write", action="store_true", help="save outputs into notebooks/")
    parser.add_argument("notebooks", nargs="*", help="default: every notebooks/NN_*.ipynb")
    args = parser.parse_args()
    os.environ["AE_PROFILE"] = args.profile
    paths = [Path(p).resolve() for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    rows, total = [], 0.0
    for path in paths:
        seconds, peak = run_notebook(path, args.write)
        total += seconds
        rows.append(f"| {path.stem} | {seconds:.1f} | {peak / 2**20:.0f} |")
        print(rows[-1], flush=True)
    table = (f"Profile `{args.profile}`, {datetime.date.today()}, {platform.machine()} with "
             f"{os.cpu_count()} cores and {psutil.virtual_memory().total / 2**30:.0f} GiB; "
             f"model cache as found ({os.environ.get('AEHELPERS_CACHE_DIR', '~/.cache/aehelpers')}"
             f" may be warm).\n\n"
             "| notebook | wall seconds | peak kernel RSS (MiB) |\n|---|---|---|\n"
             + "\n".join(rows) + f"\n| **total** | **{total:.1f}** | |\n")
    print(table)
    (ROOT / "benchmarks" / "results" / f"notebooks_{args.profile}.md").write_text(table)


if __name__ == "__main__":
    main()
