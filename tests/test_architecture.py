"""The package's imports point one way, and the list of models exists once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "aehelpers"
ROOT = PACKAGE.parent

# DESIGN.md section 4, bottom up: a module may import only those before it.
ORDER = ["_validate", "profiles", "data", "layers", "metrics", "models", "registry", "training",
         "cache", "zoo", "plots", "diagrams", "live", "explore", "generators", "widgets",
         "exercises",
         "notebook"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0] if parts[0] != "__init__" else "__init__"


def _imports(path: Path) -> set[str]:
    """Every aehelpers module imported anywhere in the file, inside functions too."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "aehelpers":
                if len(parts) > 1:
                    found.add(parts[1])
                else:  # from aehelpers import x, y: submodules or package attributes
                    found.update(alias.name for alias in node.names if alias.name in ORDER)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "aehelpers" and len(parts) > 1:
                    found.add(parts[1])
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        if name != "__init__":
            graph.setdefault(name, set()).update(_imports(path) - {name})
    return graph


def test_every_module_is_placed_in_the_layer_order():
    assert set(_graph()) == set(ORDER)


@pytest.mark.parametrize("module", ORDER)
def test_imports_point_one_way(module):
    allowed = set(ORDER[:ORDER.index(module)])
    upward = _graph()[module] - allowed
    assert not upward, f"{module} imports {sorted(upward)}, which sit above it in DESIGN.md 4"


def test_there_is_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in graph.get(node, ()):
            assert state.get(nxt) != 1, f"import cycle: {' -> '.join(trail + [nxt])}"
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])


def test_the_model_list_is_written_once():
    from aehelpers.registry import MODELS

    # Any other file that spells out several model names as string literals in one
    # collection is a second copy of the list.
    names = set(MODELS) - {"linear"}  # "linear" is also a plain word
    offenders = []
    # profiles.py lists training regimes (PROFILE_KEYS): "classifier" is one, and several
    # models may share one; each registry entry names its regime, checked in test_profiles.
    for path in [*PACKAGE.rglob("*.py"), *(ROOT / "benchmarks").glob("*.py")]:
        if path.name in ("registry.py", "profiles.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
                items = node.keys if isinstance(node, ast.Dict) else node.elts
                literals = {i.value for i in items if isinstance(i, ast.Constant)}
                if len(literals & names) >= 4:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"model names listed outside the registry: {offenders}"


def test_nothing_rewrites_python_source():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"__file__.*write_text|write_text\(.*\.py", text), path
