"""Maintainer tool: launch links and classroom slides, kept in step across every notebook.

    python -m tools.launch                      # rewrite badges, refresh slide metadata
    python -m tools.launch --repository me/fork # switch the slug, then rewrite

The slug is data in one place, ``[tool.workbook] repository`` in pyproject.toml;
every badge and every Colab install line in ``notebooks/`` and README.md is
derived from it, and the install is pinned to the release tag
``v<aehelpers.__version__>``. Nothing here rewrites Python source. Slide metadata
makes ``jupyter nbconvert --to slides`` give a deck: a slide per section, a
vertical slide per figure, questions revealed as fragments.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
SLUG = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_GITHUB_PATH = r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+"
# Every place a notebook names the repository, with the text that replaces it.
PATTERNS = (
    (re.compile(rf"colab\.research\.google\.com/github/{_GITHUB_PATH}/blob/main/"),
     "colab.research.google.com/github/{slug}/blob/main/"),
    (re.compile(rf"mybinder\.org/v2/gh/{_GITHUB_PATH}/main"), "mybinder.org/v2/gh/{slug}/main"),
    (re.compile(rf"git\+https://github\.com/{_GITHUB_PATH}(?=[\s\"'@]|$)"),
     "git+https://github.com/{slug}"),
)


# The first cell of every chapter. On Colab it installs aehelpers pinned to the release
# tag v<aehelpers.__version__> (tag that commit when you bump the version), never a
# moving branch; it can also keep the model cache on the learner's Google Drive.
COLAB_CELL = """\
# On Colab only: install the workbook's helper package, pinned to a release (elsewhere it is
# already installed). Set KEEP_MODELS_ON_DRIVE = True to keep trained models on your Google
# Drive: a later Colab session then loads them instead of training again.
import sys

KEEP_MODELS_ON_DRIVE = False
if "google.colab" in sys.modules:
    %pip install -q git+https://github.com/{slug}@{tag}
    if KEEP_MODELS_ON_DRIVE:
        import aehelpers as ae

        ae.notebook.use_drive_cache()  # Colab asks for permission to mount your Drive"""


def release_tag() -> str:
    """Return the git tag the Colab install pins: ``v`` plus ``aehelpers.__version__``."""
    text = (ROOT / "aehelpers" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([0-9][0-9A-Za-z.+-]*)"$', text, flags=re.M)
    if not found:
        raise ValueError("aehelpers/__init__.py has no __version__ = \"X.Y.Z\"")
    return f"v{found.group(1)}"


def colab_cell(repository: str, tag: str | None = None) -> str:
    """Return the source of the Colab setup cell for ``repository`` at release ``tag``."""
    return COLAB_CELL.format(slug=check_slug(repository), tag=tag or release_tag())


def repository(pyproject: Path = PYPROJECT) -> str:
    """Return the slug from ``[tool.workbook] repository`` in pyproject.toml, checked."""
    text = Path(pyproject).read_text(encoding="utf-8")
    section = re.search(r"^\[tool\.workbook\]\s*$(.*?)(?=^\[|\Z)", text, flags=re.M | re.S)
    found = section and re.search(r'^repository\s*=\s*"([^"]*)"', section.group(1), flags=re.M)
    if not found:
        raise ValueError(f"{pyproject} has no [tool.workbook] repository = \"owner/name\"")
    return check_slug(found.group(1))


def set_repository(slug: str, pyproject: Path = PYPROJECT) -> None:
    """Write ``slug`` as ``[tool.workbook] repository`` in pyproject.toml (data, not code)."""
    check_slug(slug)
    text = Path(pyproject).read_text(encoding="utf-8")
    updated = re.sub(r'(^\[tool\.workbook\]\s*\nrepository\s*=\s*)"[^"]*"',
                     lambda m: f'{m.group(1)}"{slug}"', text, count=1, flags=re.M)
    if updated == text and repository(pyproject) != slug:
        raise ValueError(f"could not find [tool.workbook] repository in {pyproject}")
    Path(pyproject).write_text(updated, encoding="utf-8")


def check_slug(repository: str) -> str:
    """Return ``repository`` if it looks like ``owner/name``, else raise ValueError."""
    if not isinstance(repository, str) or not SLUG.match(repository):
        raise ValueError(f"repository must look like 'owner/name', got {repository!r}")
    return repository


def colab_url(notebook: str, repository: str | None = None) -> str:
    """Return the Colab link that opens ``notebook`` (a file name in notebooks/)."""
    slug = check_slug(repository or globals()["repository"]())
    return f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/{notebook}"


def binder_url(notebook: str, repository: str | None = None) -> str:
    """Return the Binder link that opens ``notebook`` in JupyterLab."""
    slug = check_slug(repository or globals()["repository"]())
    return f"https://mybinder.org/v2/gh/{slug}/main?urlpath=lab/tree/notebooks/{notebook}"


def nbgitpuller_url(hub: str, notebook: str = "00_start_here.ipynb",
                    repository: str | None = None, branch: str = "main") -> str:
    """Return the JupyterHub link that clones (or updates) the workbook and opens ``notebook``.

    ``hub`` is the hub's address, such as ``https://hub.example.edu``; nbgitpuller must
    be installed in the students' image.
    """
    from urllib.parse import quote, urlencode

    slug = check_slug(repository or globals()["repository"]())
    if not isinstance(hub, str) or not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", hub):
        raise ValueError(f"hub must be the hub's address such as 'https://hub.example.edu', "
                         f"got {hub!r}")
    folder = slug.split("/")[1]
    query = urlencode({"repo": f"https://github.com/{slug}", "branch": branch,
                       "urlpath": f"lab/tree/{folder}/notebooks/{notebook}"}, quote_via=quote)
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def rewrite_text(text: str, repository: str) -> str:
    """Return ``text`` with every repository reference pointing at ``repository``."""
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement.format(slug=repository), text)
    return text


def slide_type(cell) -> str:
    """Return the reveal.js slide type a workbook cell gets in classroom mode."""
    source = cell.source.lstrip()
    if cell.cell_type == "markdown":
        if source.startswith(("# ", "## ")):  # a title or a section heading
            return "slide"
        if "Check your understanding" in source or "<details>" in source:
            return "fragment"
        return "-"
    if "nbval-skip" in cell.get("metadata", {}).get("tags", []):
        return "skip"  # the Colab install cell has no place in a lecture
    has_figure = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
    return "subslide" if has_figure else "-"


def split_at_headings(nb) -> bool:
    """Start a new markdown cell at every section heading, so each section is its own slide."""
    cells, changed = [], False
    for cell in nb.cells:
        parts = (re.split(r"\n(?=#{1,3} )", cell.source) if cell.cell_type == "markdown"
                 else [cell.source])
        parts = [p.strip("\n") for p in parts if p.strip()]
        if len(parts) <= 1:
            cells.append(cell)
            continue
        changed = True
        for part in parts:
            cells.append(nbformat.v4.new_markdown_cell(part))
    nb.cells = cells
    return changed


def sync_notebooks(folder: Path, repository: str) -> list[Path]:
    """Rewrite badges, install lines and slide metadata in ``folder``; return the changed."""
    check_slug(repository)
    changed = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        dirty = split_at_headings(nb)
        for cell in nb.cells:
            new = rewrite_text(cell.source, repository)
            if cell.cell_type == "code" and "google.colab" in cell.source:
                new = colab_cell(repository)
            if new != cell.source:
                cell.source, dirty = new, True
            wanted = slide_type(cell)
            if cell.metadata.get("slideshow", {}).get("slide_type") != wanted:
                cell.metadata["slideshow"] = {"slide_type": wanted}
                dirty = True
        # One kernel for all chapters; no stale widget state for GitHub to choke on.
        if nb.metadata.get("kernelspec") != KERNELSPEC or "widgets" in nb.metadata:
            nb.metadata["kernelspec"] = dict(KERNELSPEC)
            nb.metadata.pop("widgets", None)
            dirty = True
        if dirty:
            nbformat.write(nb, path)
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rewrite every notebook's launch links.")
    parser.add_argument("--repository", help="new GitHub slug owner/name (default: keep)")
    parser.add_argument("--notebooks", default=str(ROOT / "notebooks"))
    parser.add_argument("--hub", help="print the nbgitpuller link for this JupyterHub and stop")
    args = parser.parse_args(argv)
    if args.hub:
        print(nbgitpuller_url(args.hub, repository=args.repository))
        return 0
    slug = check_slug(args.repository or repository())
    if slug != repository():
        set_repository(slug)
    changed = sync_notebooks(Path(args.notebooks), slug)
    readme = Path(args.notebooks).parent / "README.md"
    if readme.exists():
        readme.write_text(rewrite_text(readme.read_text(), slug))
    print(f"{len(changed)} notebook(s) rewritten for {slug}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
