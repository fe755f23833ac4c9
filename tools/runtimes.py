"""Maintainer tool: write the measured runtimes into the chapters' headers and chapter 00's map.

    python -m tools.runtimes   # after notebook_suite.py --profile class --cold --then-warm

Reads benchmarks/results/notebooks_class_cold.md and notebooks_class_warm.md (written by
the notebook suite) and rewrites, in plain words for learners, each chapter's
"**Runtime:**" line and the runtime column of the chapter map in 00_start_here. The
benchmark command itself stays out of the chapters (it is in benchmarks/README.md).

Chapters that reuse earlier chapters' models (08, 09) take longer when opened first. If
benchmarks/results/notebooks_class_cold_alone.md exists (the suite's cold table for those
chapters run on their own, e.g. ``notebook_suite.py --profile class --cold
notebooks/08_*.ipynb notebooks/09_*.ipynb``, saved under that name), a chapter it lists
whose time there is clearly longer also gets that time, "if opened on its own".
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
MACHINE = "`class` profile, measured on a 2-core laptop-class CPU"
# A chapter "trains its models" when the warm run is clearly shorter than the cold one.
WARM_SHARE = 0.8


def read_table(path: Path) -> dict[str, float]:
    """Return {notebook stem: wall seconds} from one notebook-suite results table."""
    rows = re.findall(r"^\| (\d\d_\w+) \| ([\d.]+) \|", path.read_text(), flags=re.M)
    if not rows:
        raise SystemExit(f"no notebook rows in {path}: run benchmarks/notebook_suite.py first")
    return {name: float(seconds) for name, seconds in rows}


def spoken(seconds: float) -> str:
    """Say a duration as a learner would plan with it: '15 s', '1.5 minutes'."""
    if seconds < 55:
        return f"{max(5, 5 * round(seconds / 5))} s"
    minutes = max(1.0, round(seconds / 30) / 2)
    return f"{minutes:g} minute" + ("" if minutes == 1 else "s")


# "Clearly longer" opened on its own: by more than this share.
ALONE_SHARE = 1.2


def _alone(cold: float, alone: float | None) -> str:
    return "" if alone is None or alone <= ALONE_SHARE * cold else spoken(alone)


def runtime_line(cold: float, warm: float, alone: float | None = None) -> str:
    extra = (f" (about {_alone(cold, alone)} if opened before the chapters whose models it "
             f"reuses)" if _alone(cold, alone) else "")
    if warm < WARM_SHARE * cold:
        return (f"**Runtime:** about {spoken(cold)} the first time, when it trains its "
                f"models{extra}; about {spoken(warm)} once they are in the model cache "
                f"({MACHINE}).")
    return f"**Runtime:** about {spoken(cold)}{extra} ({MACHINE})."


def map_cell(cold: float, warm: float, alone: float | None = None) -> str:
    first = spoken(cold) + (f" (about {_alone(cold, alone)} alone)" if _alone(cold, alone)
                            else "")
    if warm < WARM_SHARE * cold:
        return f"about {first} first, about {spoken(warm)} cached"
    return f"about {first}"


def main() -> int:
    cold = read_table(RESULTS / "notebooks_class_cold.md")
    warm = read_table(RESULTS / "notebooks_class_warm.md")
    alone_table = RESULTS / "notebooks_class_cold_alone.md"
    alone = read_table(alone_table) if alone_table.exists() else {}
    changed = 0
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if path.stem not in cold or path.stem not in warm:
            print(f"{path.name}: not in the results, left as it is", file=sys.stderr)
            continue
        nb = nbformat.read(path, as_version=4)
        before = nbformat.writes(nb)
        line = runtime_line(cold[path.stem], warm[path.stem], alone.get(path.stem))
        intro = nb.cells[0]
        intro.source = re.sub(r"^\*\*Runtime:\*\*.*$", line, intro.source, flags=re.M)
        if path.stem.startswith("00_"):
            for cell in nb.cells:
                if cell.cell_type == "markdown" and "| chapter | what you do |" in cell.source:
                    cell.source = _rewrite_map(cell.source, cold, warm, alone)
        if nbformat.writes(nb) != before:
            nbformat.write(nb, path)
            changed += 1
    print(f"{changed} notebook(s) updated from {RESULTS.relative_to(ROOT)}")
    return 0


def _rewrite_map(source: str, cold: dict[str, float], warm: dict[str, float],
                 alone: dict[str, float]) -> str:
    lines = []
    for line in source.split("\n"):
        match = re.match(r"^\| (\d\d) ([^|]+)\|([^|]+)\|[^|]+\|$", line)
        stem = next((name for name in cold if match and name.startswith(match.group(1) + "_")),
                    None)
        if stem and stem in warm:
            line = (f"| {match.group(1)} {match.group(2).strip()} | {match.group(3).strip()} | "
                    f"{map_cell(cold[stem], warm[stem], alone.get(stem))} |")
        lines.append(line)
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
