"""The opt-in Google Drive model cache for Colab, with a stand-in for google.colab.drive."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

import aehelpers as ae
from aehelpers.notebook import SetupError, use_drive_cache


@pytest.fixture
def fake_colab(tmp_path, monkeypatch):
    """A google.colab.drive whose mount makes MyDrive under the mount point, as Colab's does."""
    mounts = []

    def mount(mount_point):
        mounts.append(mount_point)
        target = tmp_path / "drive-root"
        target.mkdir(exist_ok=True)
        Path(mount_point).mkdir(parents=True, exist_ok=True)
        (Path(mount_point) / "MyDrive").symlink_to(target, target_is_directory=True)

    drive = types.SimpleNamespace(mount=mount)
    colab = types.ModuleType("google.colab")
    colab.drive = drive
    google = types.ModuleType("google")
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(tmp_path / "session-cache"))
    return mounts, tmp_path / "drive-root"


def test_drive_cache_survives_a_new_session(fake_colab, tmp_path, capsys):
    mounts, drive_root = fake_colab
    path = use_drive_cache(mount_point=str(tmp_path / "content" / "drive"))
    assert mounts == [str(tmp_path / "content" / "drive")]
    assert path == tmp_path / "content" / "drive" / "MyDrive" / "aehelpers-cache"
    assert ae.cache.cache_dir() == path and path.is_dir()
    assert "Google Drive" in capsys.readouterr().out
    # Something cached now lands on the Drive, where a later session finds it.
    key = ae.cache.make_key("experiment", {"n": 1})
    assert ae.cache.save_result(key, {"n": 1}, {"accuracy": 0.75})
    assert (drive_root / "aehelpers-cache" / f"{key}.result.json").is_file()
    assert ae.cache.load_result(key, {"n": 1}) == {"accuracy": 0.75}


def test_drive_cache_holds_models_between_sessions(fake_colab, tmp_path):
    import keras

    use_drive_cache("course/models", mount_point=str(tmp_path / "mnt"))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    request = {"epochs": 1}
    key = ae.cache.make_key("tiny", request)
    assert ae.cache.save(key, model, request, {"loss": [0.5]})
    fresh = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert ae.cache.load(key, fresh, request) == {"loss": [0.5]}
    for saved, loaded in zip(model.get_weights(), fresh.get_weights(), strict=True):
        np.testing.assert_array_equal(saved, loaded)
    assert (fake_colab[1] / "course" / "models" / f"{key}.json").is_file()


@pytest.mark.parametrize("folder", ["", "/etc", "../outside", "a/../../b", 3])
def test_drive_folder_must_stay_inside_the_drive(fake_colab, tmp_path, folder):
    with pytest.raises(ValueError, match="folder must be a folder name inside your Drive"):
        use_drive_cache(folder, mount_point=str(tmp_path / "mnt"))
    assert fake_colab[0] == [], "nothing is mounted after a refused argument"


def test_mount_point_must_be_absolute(fake_colab):
    with pytest.raises(ValueError, match="mount_point must be an absolute path"):
        use_drive_cache(mount_point="content/drive")


def test_outside_colab_the_error_says_so(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "google.colab", None)  # import fails, as off Colab
    monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(tmp_path))
    with pytest.raises(SetupError, match="Google Colab only"):
        use_drive_cache()
    assert ae.cache.cache_dir() == tmp_path, "the cache folder is left as it was"
