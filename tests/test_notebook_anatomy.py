"""Every chapter notebook follows the anatomy of DESIGN.md section 3 and STYLE.md."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools.launch import repository

REPOSITORY = repository()

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks found in notebooks/"
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(len(numbers))), f"chapters must be numbered 00, 01, ... {numbers}"


def test_title_promise_and_badges(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    title = first.source.splitlines()[0]
    assert re.match(rf"# {path.name[:2]}\b", title), f"title {title!r} must start with the number"
    colab = (f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/"
             f"notebooks/{path.name}")
    binder = (f"https://mybinder.org/v2/gh/{REPOSITORY}/main?urlpath=lab/tree/"
              f"notebooks/{path.name}")
    assert colab in first.source and binder in first.source
    for line in ("You will learn", "Builds on", "Runtime"):
        assert f"**{line}" in first.source, f"missing the {line!r} line"


def test_setup_cells(notebook):
    _, nb = notebook
    code = [c for c in nb.cells if c.cell_type == "code"]
    colab = [c for c in code if "google.colab" in c.source]
    assert colab and all("nbval-skip" in _tags(c) for c in colab), "Colab cell must be nbval-skip"
    assert sum("ae.setup_notebook(" in c.source for c in code) == 1


def test_sections_questions_summary_exercises(notebook):
    path, nb = notebook
    text = _markdown(nb)
    sections = [m for t in text for m in re.findall(r"^## (\d+)\. ", t, flags=re.M)]
    assert 4 <= len(sections) <= 7, f"want 4-7 numbered sections, got {sections}"
    assert [int(s) for s in sections] == list(range(1, len(sections) + 1))
    joined = "\n".join(text)
    assert "Check your understanding" in joined and "<details>" in joined
    assert re.search(r"^## Summary", joined, flags=re.M)
    assert re.search(r"^## Exercises", joined, flags=re.M)
    later = [p for p in NOTEBOOKS if p.name > path.name]
    if later:
        assert f"({later[0].name})" in text[-1], f"last cell must link to {later[0].name}"
    exercise_code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "ae.exercises.check_" in exercise_code, "exercises must call ae.exercises.check_..."


def test_checked_outputs_and_clean_outputs(notebook):
    _, nb = notebook
    code = [c for c in nb.cells if c.cell_type == "code"]
    checked = [c for c in code if "nbval-check-output" in _tags(c)]
    assert len(checked) >= 3, "at least three cells tagged nbval-check-output"
    for cell in code:
        if "nbval-skip" in _tags(cell):
            continue
        assert cell.execution_count is not None, f"cell not executed:\n{cell.source[:200]}"
        for output in cell.outputs:
            assert output.output_type != "error", f"error output in:\n{cell.source[:200]}"
            text = output.get("text", "") if isinstance(output.get("text", ""), str) else ""
            assert "\x08" not in text and "ETA" not in text, "verbose=1 progress bar"
            assert not re.search(r"/(root|home/\w+|tmp|work)/", text), f"local path in {text!r}"
    assert any(c.outputs for c in checked), "checked cells must carry outputs"


def test_kernel_and_widget_metadata(notebook):
    from tools.launch import KERNELSPEC

    _, nb = notebook
    assert nb.metadata.get("kernelspec") == KERNELSPEC
    assert "widgets" not in nb.metadata, "stale widget state breaks GitHub's renderer"
    assert nb.metadata.get("language_info", {}).get("name") == "python"
