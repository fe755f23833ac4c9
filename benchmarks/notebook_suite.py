"""Run every notebook top to bottom in one run profile; time it and measure the kernel's memory.

    python benchmarks/notebook_suite.py --profile class --cold --then-warm --write  # outputs
    python benchmarks/notebook_suite.py --profile ci --cold --repeats 3   # time the CI suite
    python benchmarks/notebook_suite.py --profile class --cells NB...      # where time goes

Prints a Markdown table (wall seconds and peak kernel RSS per notebook) and
writes it to benchmarks/results/notebooks_<profile>[_cold|_warm].md. With
--cold every repeat starts from an empty model cache in a temporary folder
(the first run of a fresh clone, as in CI); --then-warm runs the suite a
second time on the filled cache (a chapter reopened). Seconds are medians
over the repeats, memory the highest peak. With --write the notebooks executed
last (in the first, cold pass) replace the ones in notebooks/ (that is how the
committed outputs are made); without it nothing in notebooks/ changes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import tempfile
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

    def current(self) -> int:
        """Resident memory of the process tree now."""
        try:
            return self.process.memory_info().rss + sum(
                c.memory_info().rss for c in self.process.children(recursive=True))
        except psutil.Error:
            return 0

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_notebook(path: Path, write: bool, cells: list | None = None) -> tuple[float, int]:
    """Run ``path``; return its seconds and peak kernel RSS. With ``cells`` (a list), append
    (index, first line, seconds, RSS after the cell, peak so far) for every code cell."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=1800, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        monitor = PeakMemory(client.km.provisioner.process.pid)
        try:
            for index, cell in enumerate(nb.cells):
                cell_start = time.perf_counter()
                client.execute_cell(cell, index)
                if cells is not None and cell.cell_type == "code":
                    cells.append((index, cell.source.split("\n", 1)[0][:60],
                                  time.perf_counter() - cell_start, monitor.current(),
                                  monitor.peak))
        finally:
            peak = monitor.stop()
    seconds = time.perf_counter() - start
    if write:
        nbformat.write(nb, path)
    return seconds, peak


def _table(args, state: str, flags: str, seconds: dict, peaks: dict) -> str:
    rows = [f"| {stem} | {statistics.median(s):.1f} | {peaks[stem] / 2**20:.0f} |"
            for stem, s in seconds.items()]
    total = sum(statistics.median(s) for s in seconds.values())
    return (f"Profile `{args.profile}`, {datetime.date.today()}, {platform.machine()} with "
            f"{os.cpu_count()} cores and {psutil.virtual_memory().total / 2**30:.0f} GiB; "
            f"{state}; median of {args.repeats} run(s). Command: `python "
            f"benchmarks/notebook_suite.py --profile {args.profile}{flags} "
            f"--repeats {args.repeats}`.\n\n"
            "| notebook | wall seconds | peak kernel RSS (MiB) |\n|---|---|---|\n"
            + "\n".join(rows) + f"\n| **total** | **{total:.1f}** | |\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci", choices=["ci", "class", "book"])
    parser.add_argument("--write", action="store_true", help="save outputs into notebooks/")
    parser.add_argument("--cold", action="store_true",
                        help="start every repeat from an empty temporary model cache")
    parser.add_argument("--then-warm", action="store_true",
                        help="with --cold: run the suite again on the filled cache, timed apart")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--cells", action="store_true",
                        help="also report each code cell's seconds and the kernel's memory "
                             "after it (cells over 1 s or 50 MiB), to find where a chapter "
                             "spends; written to results/notebook_cells_<profile>.md")
    parser.add_argument("notebooks", nargs="*", help="default: every notebooks/NN_*.ipynb")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.then_warm and not args.cold:
        parser.error("--then-warm needs --cold")
    os.environ["AE_PROFILE"] = args.profile
    paths = [Path(p).resolve() for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    passes = ["cold", "warm"] if args.then_warm else ["cold" if args.cold else ""]
    seconds = {p: {path.stem: [] for path in paths} for p in passes}
    peaks = {p: {path.stem: 0 for path in paths} for p in passes}
    cache = os.environ.get("AEHELPERS_CACHE_DIR", "~/.cache/aehelpers")
    cell_lines = []
    for repeat in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="aecache_") as empty:
            if args.cold:
                os.environ["AEHELPERS_CACHE_DIR"] = empty
            for kind in passes:
                for path in paths:
                    write = args.write and repeat == args.repeats - 1 and kind == passes[0]
                    cells = [] if args.cells else None
                    wall, peak = run_notebook(path, write, cells)
                    cell_lines += _cell_rows(f"{path.stem} ({kind or 'as found'}, run "
                                             f"{repeat + 1})", cells or [])
                    seconds[kind][path.stem].append(wall)
                    peaks[kind][path.stem] = max(peaks[kind][path.stem], peak)
                    print(f"run {repeat + 1} {kind}: {path.stem} {wall:.1f} s, "
                          f"{peak / 2**20:.0f} MiB", flush=True)
    states = {"": f"the model cache as found ({cache})",
              "cold": "an empty model cache at every repeat",
              "warm": "run right after the cold run, every model in the cache"}
    flags = " --cold --then-warm" if args.then_warm else " --cold" if args.cold else ""
    for kind in passes:
        table = _table(args, states[kind], flags, seconds[kind], peaks[kind])
        print(table)
        name = f"notebooks_{args.profile}{'_' + kind if kind else ''}.md"
        (ROOT / "benchmarks" / "results" / name).write_text(table)
    if args.cells:
        text = ("Code cells that took over 1 s or grew the kernel by over 50 MiB. Command: "
                f"`python benchmarks/notebook_suite.py --profile {args.profile}{flags} --cells`"
                f" ({datetime.date.today()}).\n\n| notebook | cell | first line | seconds | "
                "RSS after (MiB) | peak so far (MiB) |\n|---|---|---|---|---|---|\n"
                + "\n".join(cell_lines) + "\n")
        print(text)
        (ROOT / "benchmarks" / "results" / f"notebook_cells_{args.profile}.md").write_text(text)


def _cell_rows(label: str, cells: list) -> list[str]:
    rows, before = [], 0
    for index, first, seconds, rss, peak in cells:
        if seconds > 1 or rss - before > 50 * 2**20:
            first = first.replace("|", "\\|")
            rows.append(f"| {label} | {index} | `{first}` | {seconds:.1f} | {rss / 2**20:.0f} | "
                        f"{peak / 2**20:.0f} |")
        before = rss
    return rows


if __name__ == "__main__":
    main()
