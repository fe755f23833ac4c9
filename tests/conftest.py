"""Shared test setup: the ``ci`` profile, quiet TensorFlow, fixtures for data and a temp cache."""

from __future__ import annotations

import os
from pathlib import Path

# Before anything imports TensorFlow (notebook kernels inherit this environment too).
os.environ.setdefault("AE_PROFILE", "ci")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "fashion-mnist"
if "AEHELPERS_DATA_DIR" not in os.environ and SHARED_DATA.is_dir():
    os.environ["AEHELPERS_DATA_DIR"] = str(SHARED_DATA)


@pytest.fixture(scope="session")
def data():
    """Fashion-MNIST in the ``ci`` profile."""
    import aehelpers as ae

    return ae.load_fashion_mnist(profile="ci")


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """A fresh, empty model cache folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(folder))
    return folder


@pytest.fixture()
def images():
    """A small deterministic batch of images in [0, 1]."""
    return np.random.default_rng(0).random((16, 28, 28)).astype("float32")


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    import keras

    import aehelpers as ae

    # free_memory=False skips a full gc.collect(), which costs 0.2-0.6 s per test with
    # TensorFlow loaded; names and seeds still start afresh, and memory is freed as usual.
    keras.backend.clear_session(free_memory=False)
    ae.set_seed(42)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def pytest_collection_modifyitems(session, config, items):
    """Run the browser test last: it is the slowest, and the notebooks warm its model cache."""
    items.sort(key=lambda item: "browser" in item.path.parts)
