"""What a reader on GitHub, nbviewer, a PDF or the slides sees in the committed notebooks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                yield index, cell, output


def _text(output) -> str:
    text = output.get("text", "")
    plain = output.get("data", {}).get("text/plain", "")
    return "".join(text) + "".join(plain)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_panel_carries_a_static_picture(path):
    for index, _, output in _outputs(path):
        data = output.get("data", {})
        if WIDGET in data:
            assert "image/png" in data, f"cell {index}: a panel with no picture for readers"
        assert not re.match(r"\s*(HBox|VBox|Output|FloatSlider)\(", _text(output)), (
            f"cell {index}: a raw widget repr")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_feedback_is_one_clean_line_and_no_exercise_passes_as_committed(path):
    for index, cell, output in _outputs(path):
        text = _text(output)
        assert "Feedback(" not in text and "np.False_" not in text and "np.True_" not in text, (
            f"cell {index}: a feedback repr")
        if "ae.exercises.check_" in cell.source:
            assert not text.lstrip().startswith("Correct"), (
                f"cell {index}: an exercise passes unchanged (start from a placeholder)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_errors_progress_bars_or_local_paths(path):
    for index, _, output in _outputs(path):
        assert output.get("output_type") != "error", f"cell {index}: an error output"
        text = _text(output)
        assert "\x08" not in text and not re.search(r"\d+/\d+ \S*\[[=>.\s]+\]", text), (
            f"cell {index}: a progress bar")
        assert not re.search(r"/(root|home/\w+|tmp)/", text), f"cell {index}: a local path"
