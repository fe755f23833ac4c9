"""Fashion-MNIST loading (checked against the official checksums) and small datasets."""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from aehelpers._validate import FriendlyError, check_float, check_images, check_int, check_seed
from aehelpers.profiles import Profile, get_profile

DATA_ENV_VAR = "AEHELPERS_DATA_DIR"

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# Official files: name -> (SHA-256, header bytes, shape after the header).
FILES = {
    "train-images-idx3-ubyte.gz": (
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 16, (60_000, 28, 28)),
    "train-labels-idx1-ubyte.gz": (
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 8, (60_000,)),
    "t10k-images-idx3-ubyte.gz": (
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 16, (10_000, 28, 28)),
    "t10k-labels-idx1-ubyte.gz": (
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 8, (10_000,)),
}
VALID_SIZE = 5_000  # the last 5,000 training images, as the book splits them


OFFICIAL_PAGE = "https://github.com/zalandoresearch/fashion-mnist#get-the-data"


class DatasetError(FriendlyError):
    """Fashion-MNIST could not be loaded; the message says why and how to fix it."""


def _how_to_point_at(folder: str = "/path/to/folder") -> str:
    return (f"Download the four files ({', '.join(FILES)}) from {OFFICIAL_PAGE} into one "
            f"folder, then either run `%env {DATA_ENV_VAR}={folder}` in a notebook cell and "
            f"rerun this cell, or restart JupyterLab with {DATA_ENV_VAR}={folder} set.")


class FashionMNIST(NamedTuple):
    """Images as float32 in [0, 1] with shape (n, 28, 28), labels as uint8."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_valid: np.ndarray
    y_valid: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_fashion_mnist(data_dir: str | os.PathLike | None = None, *,
                       profile: str | Profile | None = None) -> FashionMNIST:
    """Return Fashion-MNIST split 55k/5k/10k (smaller in the ``ci`` profile).

    Files come from ``data_dir``, else ``$AEHELPERS_DATA_DIR``, else Keras's
    own loader (its cache, or a download). Introduced in 00_start_here.
    """
    run_profile = get_profile(profile)
    where = "data_dir"  # named in every error about the folder, with where it came from
    if data_dir is None and os.environ.get(DATA_ENV_VAR, "").strip():
        data_dir, where = os.environ[DATA_ENV_VAR].strip(), f"data_dir, set by ${DATA_ENV_VAR}"
    if data_dir is not None:
        if not isinstance(data_dir, str | os.PathLike):
            raise TypeError(f"data_dir must be a path to a folder, got {type(data_dir).__name__}")
        folder = str(Path(data_dir).expanduser().resolve())
        train_x, train_y, test_x, test_y = _read_folder(folder, where)
    else:
        train_x, train_y, test_x, test_y = _load_with_keras()
    split = len(train_x) - VALID_SIZE
    n_train = min(run_profile.train_size, split)
    n_valid = min(run_profile.valid_size, VALID_SIZE)
    n_test = min(run_profile.test_size, len(test_x))
    return FashionMNIST(
        x_train=_scale(train_x[:n_train]), y_train=train_y[:n_train].copy(),
        x_valid=_scale(train_x[split:split + n_valid]),
        y_valid=train_y[split:split + n_valid].copy(),
        x_test=_scale(test_x[:n_test]), y_test=test_y[:n_test].copy(),
    )


def _scale(images: np.ndarray) -> np.ndarray:
    return images.astype(np.float32) / 255.0


@functools.lru_cache(maxsize=2)
def _read_folder(folder: str, where: str = "data_dir") -> tuple[np.ndarray, ...]:
    path = Path(folder)
    if not path.is_dir():
        problem = "is a file, not a folder" if path.exists() else "does not exist"
        raise DatasetError(
            f"The Fashion-MNIST folder {folder} ({where}) {problem}. "
            f"{_how_to_point_at(folder)} Online, you can instead leave data_dir out, unset "
            f"{DATA_ENV_VAR} and let Keras download the files.")
    arrays = [_read_idx(path / name, *spec, where=where) for name, spec in FILES.items()]
    for array in arrays:
        array.setflags(write=False)  # shared between calls through the cache
    return tuple(arrays)


def _read_idx(path: Path, sha256: str, header: int, shape: tuple[int, ...], *,
              where: str = "data_dir") -> np.ndarray:
    fix = (f"Download the official file {path.name} from {OFFICIAL_PAGE} into "
           f"{path.parent} (its SHA-256 must be {sha256}).")
    if not path.is_file():
        raise DatasetError(f"Fashion-MNIST file {path.name} is missing from {path.parent} "
                           f"({where}). {fix}")
    try:
        payload = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"Fashion-MNIST file {path} cannot be read ({error.strerror}). Make "
                           f"it readable (chmod a+r {path}) or copy the four files to a folder "
                           f"you can read and point data_dir or {DATA_ENV_VAR} at it.") from None
    digest = hashlib.sha256(payload).hexdigest()
    if digest != sha256:
        raise DatasetError(f"Fashion-MNIST file {path} is truncated or not the official file "
                           f"({len(payload):,} bytes, SHA-256 {digest[:12]}..., in {where}). "
                           f"{fix}")
    raw = gzip.decompress(payload)
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _load_with_keras() -> tuple[np.ndarray, ...]:
    import keras  # deferred: TensorFlow is slow to import

    try:
        (train_x, train_y), (test_x, test_y) = keras.datasets.fashion_mnist.load_data()
    except Exception as error:  # urllib, HTTP, gzip and file errors
        broken = _broken_keras_files()
        if broken:
            names = ", ".join(str(path) for path in broken)
            raise DatasetError(
                f"Keras's copy of Fashion-MNIST is damaged ({names}: truncated or not the "
                f"official file). Delete {'it' if len(broken) == 1 else 'them'} and rerun this "
                f"cell online so Keras downloads a fresh copy, or: {_how_to_point_at()}"
                ) from None
        raise DatasetError(
            f"Fashion-MNIST is not on this computer and could not be downloaded "
            f"({type(error).__name__}). {_how_to_point_at()}") from None
    return train_x, train_y, test_x, test_y


def _keras_dataset_folder() -> Path:
    home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(home) / "datasets" / "fashion-mnist"


def _broken_keras_files() -> list[Path]:
    """Return the files of Keras's own Fashion-MNIST copy that fail their SHA-256 check."""
    broken = []
    for name, (sha256, _, _) in FILES.items():
        path = _keras_dataset_folder() / name
        try:
            if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
                broken.append(path)
        except OSError:
            broken.append(path)
    return broken


def without_class(data: FashionMNIST, label: int) -> FashionMNIST:
    """Return ``data`` with class ``label`` removed from the training and validation sets.

    The test set stays whole, so the left-out class can be scored there as an anomaly.
    Introduced in 08_applications.
    """
    if not isinstance(data, FashionMNIST):
        raise TypeError(f"data must come from ae.load_fashion_mnist, got {type(data).__name__}")
    label = check_int("label", label, minimum=0, maximum=len(CLASS_NAMES) - 1)
    for split in ("train", "valid"):
        images = check_images(f"data.x_{split}", getattr(data, f"x_{split}"))
        if np.shape(getattr(data, f"y_{split}")) != (len(images),):
            raise ValueError(f"data.y_{split} must hold one label per image of data.x_{split} "
                             f"({len(images)}), got shape {np.shape(getattr(data, f'y_{split}'))}")
    keep_train, keep_valid = data.y_train != label, data.y_valid != label
    return data._replace(x_train=data.x_train[keep_train], y_train=data.y_train[keep_train],
                         x_valid=data.x_valid[keep_valid], y_valid=data.y_valid[keep_valid])


def make_3d_dataset(num_points: int = 600, *, noise: float = 0.1, seed: int = 42) -> np.ndarray:
    """Return ``num_points`` float32 3-D points lying close to a tilted plane.

    Introduced in 01_representations_and_pca.
    """
    num_points = check_int("num_points", num_points, minimum=3, maximum=1_000_000)
    noise = check_float("noise", noise, minimum=0.0, maximum=10.0)
    seed = check_seed("seed", seed)
    rng = np.random.default_rng(seed)
    # Two latent factors with clearly different spreads, so PCA's axes are well defined.
    latent = rng.normal(size=(num_points, 2)) * np.array([1.0, 0.4])
    plane = np.array([[0.8, 0.3, 0.5], [-0.2, 0.9, 0.3]])
    points = latent @ plane + np.array([0.2, -0.1, 0.3]) + noise * rng.normal(size=(num_points, 3))
    return points.astype(np.float32)


def add_gaussian_noise(images: np.ndarray, noise_level: float, *, seed: int = 42,
                       clip: bool = True) -> np.ndarray:
    """Return ``images`` plus Gaussian noise of standard deviation ``noise_level``.

    Introduced in 05_denoising_autoencoders.
    """
    batch = check_images("images", images, allow_single=True)
    noise_level = check_float("noise_level", noise_level, minimum=0.0, maximum=5.0)
    seed = check_seed("seed", seed)
    noisy = batch + noise_level * np.random.default_rng(seed).normal(size=batch.shape)
    if clip:
        noisy = np.clip(noisy, 0.0, 1.0)
    noisy = noisy.astype(np.float32)
    return noisy if np.ndim(images) == 3 else noisy[0]
