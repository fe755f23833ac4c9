"""Classroom launch paths: the pinned Colab install with its Drive option, Binder's runtime.txt."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

import aehelpers as ae
from tools import launch

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def colab_source(path: Path) -> str:
    cells = [c for c in nbformat.read(path, as_version=4).cells
             if c.cell_type == "code" and "google.colab" in c.source]
    assert len(cells) == 1 and "nbval-skip" in cells[0].metadata.get("tags", [])
    return cells[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_colab_install_is_pinned_to_the_release_tag(path):
    source = colab_source(path)
    pins = re.findall(r"git\+https://github\.com/([\w.-]+/[\w.-]+)@(\S+)", source)
    assert pins == [(launch.repository(), f"v{ae.__version__}")], "run python -m tools.launch"
    assert source == launch.colab_cell(launch.repository())


def run_colab_cell(source: str, *, keep_on_drive: bool, monkeypatch, tmp_path):
    """Run the cell as Colab would: magics turned into calls, google.colab importable."""
    calls = []
    shell = types.SimpleNamespace(run_line_magic=lambda name, line: calls.append((name, line)))
    drive = types.SimpleNamespace(mount=lambda point: calls.append(("mount", point)))
    colab = types.ModuleType("google.colab")
    colab.drive = drive
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setattr(ae.notebook, "DRIVE_MOUNT", str(tmp_path / "drive"))
    (tmp_path / "drive" / "MyDrive").mkdir(parents=True)
    monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(tmp_path / "session"))
    code = TransformerManager().transform_cell(source)
    code = code.replace("KEEP_MODELS_ON_DRIVE = False", f"KEEP_MODELS_ON_DRIVE = {keep_on_drive}")
    exec(compile(code, "<colab cell>", "exec"), {"get_ipython": lambda: shell})
    return calls


def test_colab_cell_installs_the_pinned_release_and_leaves_the_cache_alone(monkeypatch,
                                                                           tmp_path):
    calls = run_colab_cell(colab_source(NOTEBOOKS[0]), keep_on_drive=False,
                           monkeypatch=monkeypatch, tmp_path=tmp_path)
    url = f"git+https://github.com/{launch.repository()}@v{ae.__version__}"
    assert calls == [("pip", f"install -q {url}")]
    assert ae.cache.cache_dir() == tmp_path / "session"


def test_colab_cell_opt_in_moves_the_cache_to_drive(monkeypatch, tmp_path):
    calls = run_colab_cell(colab_source(NOTEBOOKS[3]), keep_on_drive=True,
                           monkeypatch=monkeypatch, tmp_path=tmp_path)
    assert [name for name, _ in calls] == ["pip", "mount"]
    assert ae.cache.cache_dir() == tmp_path / "drive" / "MyDrive" / "aehelpers-cache"
    assert ae.cache.cache_dir().is_dir()


def test_release_tag_follows_the_package_version():
    assert launch.release_tag() == f"v{ae.__version__}"


def test_binder_runtime_pins_a_supported_python():
    text = (ROOT / "runtime.txt").read_text().strip()
    found = re.fullmatch(r"python-3\.(\d+)", text)
    assert found, f"runtime.txt must read python-3.X for repo2docker, got {text!r}"
    floor = re.search(r'requires-python = ">=3\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    assert int(found.group(1)) >= int(floor.group(1))
    # Binder installs requirements.txt, which installs this package itself.
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()


def test_nbgitpuller_link_clones_the_repository_and_opens_a_chapter():
    from urllib.parse import parse_qs, urlparse

    url = launch.nbgitpuller_url("https://hub.example.edu/", "03_pretraining_tied_greedy.ipynb",
                                 repository="someone/workbook")
    parts = urlparse(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https", "hub.example.edu", "/hub/user-redirect/git-pull")
    assert parse_qs(parts.query) == {
        "repo": ["https://github.com/someone/workbook"], "branch": ["main"],
        "urlpath": ["lab/tree/workbook/notebooks/03_pretraining_tied_greedy.ipynb"]}
    for hub in ("hub.example.edu", "ftp://hub", "https://hub example"):
        with pytest.raises(ValueError, match="hub must be the hub's address"):
            launch.nbgitpuller_url(hub)
