"""Launch links follow the one repository slug; every notebook is a usable slide deck."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tools import launch

REPOSITORY = launch.repository()

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_links_and_install_line_use_the_repository(path):
    text = path.read_text()
    assert launch.colab_url(path.name) in text and launch.binder_url(path.name) in text
    assert launch.rewrite_text(text, REPOSITORY) == text, "a link names another repository"
    colab_cells = [c for c in nbformat.read(path, as_version=4).cells
                   if c.cell_type == "code" and "google.colab" in c.source]
    assert len(colab_cells) == 1
    assert f"git+https://github.com/{REPOSITORY}" in colab_cells[0].source
    assert re.search(r'if "google\.colab" in sys\.modules:', colab_cells[0].source)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_slide_metadata_is_in_step(path):
    nb = nbformat.read(path, as_version=4)
    types = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    assert types == [launch.slide_type(c) for c in nb.cells], "run python -m tools.launch"
    assert types[0] == "slide" and types.count("slide") >= 5 and "fragment" in types


def test_slides_convert(tmp_path):
    from nbconvert import SlidesExporter

    for path in NOTEBOOKS:
        body, _ = SlidesExporter().from_filename(str(path))
        assert body.count("<section") >= 5 and 'class="fragment"' in body


def test_sync_rewrites_every_link_for_a_fork(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder)
    changed = launch.sync_notebooks(folder, "someone/fork-of-workbook")
    assert len(changed) == len(NOTEBOOKS)
    for path in folder.glob("*.ipynb"):
        text = path.read_text()
        assert REPOSITORY not in text and "someone/fork-of-workbook" in text
        json.loads(text)  # still a valid notebook
    assert launch.sync_notebooks(folder, "someone/fork-of-workbook") == []  # idempotent


def test_bad_slugs_are_rejected():
    for slug in ("no-slash", "a/b/c", "", "with space/x"):
        with pytest.raises(ValueError, match="owner/name"):
            launch.check_slug(slug)
