"""Launch links follow the one repository slug; every notebook is a usable slide deck.

Slides offline: the nbconvert deck loads reveal.js and MathJax from CDNs, so the
offline path is RISE (``jupyterlab_rise``), which the Jupyter server serves
itself. The manual browser check is ``tests/browser/check_offline_slides.py``.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from tools import launch

REPOSITORY = launch.repository()

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Scripts and style sheets an nbconvert deck fetches (badges and links are not assets).
ASSET_URL = re.compile(r"""["'](https?://[^"'\s]+?\.(?:m?js|css)(?:\?[^"'\s]*)?)["']""")
CDN_HOSTS = ("unpkg.com", "cdnjs.cloudflare.com", "cdn.jsdelivr.net")
CANONICAL_FIX = ('.venv/bin/python -c "import sys, nbformat; from nbformat.v4 import upgrade; '
                 '[nbformat.write(upgrade(nb, 4, nb.nbformat_minor), p) for p in sys.argv[1:] '
                 'for nb in [nbformat.read(p, 4)]]" notebooks/*.ipynb')


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
        # the README says this deck needs the internet, and for which hosts
        hosts = {urlparse(url).hostname for url in ASSET_URL.findall(body)}
        assert hosts == {"unpkg.com", "cdnjs.cloudflare.com"}, hosts


def test_offline_slides_ship_reveal_and_mathjax():
    """RISE serves reveal.js and MathJax from the Jupyter server itself: no CDN, no internet."""
    assert "jupyterlab_rise" in re.findall(r"^([\w.-]+)", (ROOT / "requirements.txt").read_text(),
                                           flags=re.M)
    rise = pytest.importorskip("jupyterlab_rise", reason="this stack has no JupyterLab")
    folder = Path(rise.__file__).parent
    bundles = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                        for p in (folder / "static").glob("*.js"))
    assert re.search(r"reveal\.js \d+\.\d+", bundles), "reveal.js is not bundled"
    assert "@jupyterlab/mathjax-extension" in bundles and "mjx-container" in bundles, \
        "MathJax 3 is not bundled"
    # RISE's server sets fullMathjaxUrl to a CDN copy of MathJax 2; the bundle must not use it.
    assert "fullMathjaxUrl" not in bundles
    assert [host for host in CDN_HOSTS if host in bundles] == []
    page = (folder / "templates" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)=["']https?:""", page)


def test_offline_slides_are_switched_on():
    """The server extension serves /rise/<notebook>; the lab extension adds the button and Alt+R."""
    pytest.importorskip("jupyterlab_rise", reason="this stack has no JupyterLab")
    from jupyter_core.paths import jupyter_config_path, jupyter_path

    configs = [Path(d) / "jupyter_server_config.d" / "jupyterlab_rise.json"
               for d in jupyter_config_path()]
    assert any(json.loads(c.read_text())["ServerApp"]["jpserver_extensions"]["jupyterlab_rise"]
               for c in configs if c.is_file())
    assert any((Path(d) / "jupyterlab-rise" / "package.json").is_file()
               for d in jupyter_path("labextensions"))


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_saving_an_unchanged_notebook_rewrites_nothing(path):
    """Opening a chapter, or saving it unchanged (RISE saves before a slideshow), leaves git clean.

    jupyter_server saves with ``nbformat.write(nb, f, version=NO_CONVERT)``
    (services/contents/fileio.py), and JupyterLab 4 writes the newest minor format.
    """
    nb = nbformat.read(path, as_version=4)
    assert (nb.nbformat, nb.nbformat_minor) == (nbformat.v4.nbformat, nbformat.v4.nbformat_minor), \
        f"old format; fix: {CANONICAL_FIX}"
    saved = io.StringIO()
    nbformat.write(nb, saved, version=nbformat.NO_CONVERT)
    assert path.read_bytes() == saved.getvalue().encode("utf-8"), \
        f"not as Jupyter saves it; fix: {CANONICAL_FIX}"


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
