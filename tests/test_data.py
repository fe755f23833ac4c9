import os
import shutil
import urllib.error
from pathlib import Path

import keras
import numpy as np
import pytest

import aehelpers as ae
from aehelpers import data as data_module
from aehelpers.data import FILES, DatasetError

SHARED_FOLDER = Path(os.environ["AEHELPERS_DATA_DIR"]).resolve()


def test_ci_profile_shapes_dtypes_and_ranges(data):
    assert data.x_train.shape == (3_000, 28, 28)
    assert data.x_valid.shape == (500, 28, 28) and data.x_test.shape == (500, 28, 28)
    for images in (data.x_train, data.x_valid, data.x_test):
        assert images.dtype == np.float32 and images.min() == 0.0 and images.max() == 1.0
    for labels in (data.y_train, data.y_valid, data.y_test):
        assert labels.dtype == np.uint8 and set(np.unique(labels)) <= set(range(10))
    assert len(ae.CLASS_NAMES) == 10 and ae.CLASS_NAMES[9] == "Ankle boot"


def test_class_profile_uses_the_books_split():
    full = ae.load_fashion_mnist(profile="class")
    assert [len(a) for a in full] == [55_000, 55_000, 5_000, 5_000, 10_000, 10_000]
    # The validation set is the *last* 5,000 training images.
    raw = data_module._read_folder(str(data_module.Path(
        __import__("os").environ["AEHELPERS_DATA_DIR"]).resolve()))
    np.testing.assert_array_equal(full.x_valid[0] * 255, raw[0][55_000].astype(np.float32))
    assert np.bincount(full.y_train, minlength=10).min() > 5_000


def test_loaded_arrays_are_private_copies(data):
    first = ae.load_fashion_mnist(profile="ci")
    first.x_train[0] = 0.5
    assert not np.allclose(ae.load_fashion_mnist(profile="ci").x_train[0], 0.5)


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    """A copy of the official files that a test may damage."""
    source = data_module.Path(__import__("os").environ["AEHELPERS_DATA_DIR"])
    target = tmp_path / "fashion"
    shutil.copytree(source, target)
    monkeypatch.delenv("AEHELPERS_DATA_DIR")
    data_module._read_folder.cache_clear()
    yield target
    data_module._read_folder.cache_clear()


def _listing(folder):
    return sorted((p.name, p.stat().st_size) for p in folder.iterdir())


def test_explicit_folder_wins(folder):
    assert ae.load_fashion_mnist(folder, profile="ci").x_train.shape == (3_000, 28, 28)


def test_missing_folder(tmp_path):
    with pytest.raises(DatasetError, match="does not exist.*train-images"):
        ae.load_fashion_mnist(tmp_path / "nowhere", profile="ci")


def test_missing_file_names_it(folder):
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    before = _listing(folder)
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte.gz is missing"):
        ae.load_fashion_mnist(folder, profile="ci")
    assert _listing(folder) == before  # nothing written or half-written


def test_truncated_file_is_reported(folder):
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    before = _listing(folder)
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte.gz is truncated"):
        ae.load_fashion_mnist(folder, profile="ci")
    assert _listing(folder) == before


def test_wrong_file_of_the_right_size_is_reported(folder):
    path = folder / "train-labels-idx1-ubyte.gz"
    payload = bytearray(path.read_bytes())
    payload[100] ^= 0xFF
    path.write_bytes(bytes(payload))
    with pytest.raises(DatasetError, match="not the official file.*SHA-256"):
        ae.load_fashion_mnist(folder, profile="ci")


def test_offline_without_files_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("AEHELPERS_DATA_DIR", raising=False)

    def offline():
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", offline)
    with pytest.raises(DatasetError, match="not on this computer") as info:
        ae.load_fashion_mnist(profile="ci")
    message = str(info.value)
    assert info.value.__cause__ is None  # no urllib traceback chained
    # Where to get the files, and both ways to point a running JupyterLab at them.
    assert "github.com/zalandoresearch/fashion-mnist" in message
    assert "%env AEHELPERS_DATA_DIR=" in message and "restart JupyterLab" in message
    assert all(name in message for name in FILES)
    # In Jupyter the message is all that shows: one line, no frames above it.
    assert info.value._render_traceback_() == [f"DatasetError: {message}"]


def test_truncated_file_in_keras_cache_names_it_and_the_fix(monkeypatch, tmp_path):
    monkeypatch.delenv("AEHELPERS_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    folder = tmp_path / "keras" / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b truncated")

    def broken():
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", broken)
    with pytest.raises(DatasetError, match="damaged") as info:
        ae.load_fashion_mnist(profile="ci")
    assert str(folder / "train-images-idx3-ubyte.gz") in str(info.value)
    assert "Delete it" in str(info.value)


def test_unreadable_file_names_it_and_the_fix(monkeypatch, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in FILES:
        (folder / name).symlink_to(SHARED_FOLDER / name)
    real_read = Path.read_bytes

    def refuse(self):
        if self.name == "t10k-labels-idx1-ubyte.gz":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)  # root ignores chmod, so simulate it
    with pytest.raises(DatasetError, match=r"t10k-labels-idx1-ubyte.gz cannot be read "
                                           r"\(Permission denied\).*chmod a\+r"):
        ae.data._read_folder.__wrapped__(str(folder))


def test_keras_loader_is_used_without_a_folder(monkeypatch):
    monkeypatch.delenv("AEHELPERS_DATA_DIR", raising=False)
    fake = np.zeros((60_000, 28, 28), np.uint8), np.zeros(60_000, np.uint8)
    small = np.full((10_000, 28, 28), 255, np.uint8), np.ones(10_000, np.uint8)
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", lambda: (fake, small))
    loaded = ae.load_fashion_mnist(profile="ci")
    assert loaded.x_test.max() == 1.0 and loaded.x_train.max() == 0.0


def test_bad_arguments():
    with pytest.raises(TypeError, match="data_dir"):
        ae.load_fashion_mnist(42)
    with pytest.raises(ValueError, match="profile name must be one of"):
        ae.load_fashion_mnist(profile="huge")


def test_official_checksums_are_listed():
    assert set(FILES) == {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                          "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}


def test_make_3d_dataset_is_deterministic_and_planar():
    points = ae.data.make_3d_dataset(60, seed=1)
    assert points.shape == (60, 3) and points.dtype == np.float32
    np.testing.assert_array_equal(points, ae.data.make_3d_dataset(60, seed=1))
    spread = np.linalg.svd(points - points.mean(0), compute_uv=False)
    assert spread[2] < 0.3 * spread[1]  # close to a plane
    with pytest.raises(ValueError, match="num_points"):
        ae.data.make_3d_dataset(2)
    with pytest.raises(ValueError, match="noise"):
        ae.data.make_3d_dataset(noise=-0.1)


def test_add_gaussian_noise(images):
    np.testing.assert_array_equal(ae.data.add_gaussian_noise(images, 0.0), images)
    half = np.full((500, 28, 28), 0.5, np.float32)
    noisy = ae.data.add_gaussian_noise(half, 0.1, seed=3)
    assert abs(float(np.std(noisy - half)) - 0.1) < 0.005
    np.testing.assert_array_equal(noisy, ae.data.add_gaussian_noise(half, 0.1, seed=3))
    assert ae.data.add_gaussian_noise(images[0], 0.3).shape == (28, 28)
    assert ae.data.add_gaussian_noise(images, 2.0).max() <= 1.0
    with pytest.raises(ValueError, match=r"noise_level must be in \[0, 5\]"):
        ae.data.add_gaussian_noise(images, -0.2)
    with pytest.raises(ValueError, match="images"):
        ae.data.add_gaussian_noise(images[:, :10], 0.2)
    with pytest.raises(ValueError, match="images values"):
        ae.data.add_gaussian_noise(images * 255, 0.2)
    with pytest.raises(TypeError, match="noise_level"):
        ae.data.add_gaussian_noise(images, "0.2")
