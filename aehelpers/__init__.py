"""Helpers behind the Autoencoder Workbook.

Submodules load on first use (``ae.models``, ``ae.plots`` ...), so
``import aehelpers as ae`` stays fast and does not import TensorFlow before
``ae.setup_notebook()`` has quietened its logs.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "cache",
    "data",
    "diagrams",
    "exercises",
    "explore",
    "generators",
    "layers",
    "live",
    "metrics",
    "models",
    "notebook",
    "plots",
    "profiles",
    "registry",
    "training",
    "widgets",
    "zoo",
)
# Names re-exported at the top level for the setup cell of every notebook.
_SHORTCUTS = {
    "setup_notebook": "notebook",
    "set_seed": "notebook",
    "get_profile": "profiles",
    "load_fashion_mnist": "data",
    "CLASS_NAMES": "data",
    "train_autoencoder": "zoo",
    "train_autoencoders": "zoo",
    "remember": "zoo",
}

__all__ = ["__version__", *_SUBMODULES, *_SHORTCUTS]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _SHORTCUTS:
        module = importlib.import_module(f"{__name__}.{_SHORTCUTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'aehelpers' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
