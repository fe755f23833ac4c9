"""The trained-model cache: weights and history only, never an architecture to deserialize.

Each entry is two files named by its key: ``KEY.weights.npz`` (the arrays of
``model.get_weights()``, read with ``allow_pickle=False``) and ``KEY.json`` (a
manifest: what was trained, the weights' shapes and SHA-256, and the history).
The caller rebuilds the model and hands it in; weights load only if the
manifest matches what is asked for, so no file can hand back another model or
run code. Files are written under a temporary name and renamed; leftovers of
an interrupted write are swept. A read-only shared cache (a class's, filled
once by the teacher) is read first; the private one is written.

Experiment results (numbers a chapter measured, such as accuracies over several
draws) are cached too, as one JSON file ``KEY.result.json`` holding the request
and the result: plain numbers, strings, lists and string-keyed dicts, nothing
that could run code.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aehelpers._validate import check_folder, check_mapping, check_model, check_name

CACHE_ENV_VAR = "AEHELPERS_CACHE_DIR"
SHARED_CACHE_ENV_VAR = "AEHELPERS_SHARED_CACHE_DIR"
FORMAT = 2  # bump when the file layout changes: older entries are then retrained
_KEY = re.compile(r"^[a-z0-9_]{1,64}-[0-9a-f]{24}$")
_TEMPORARY = re.compile(r"^\.tmp-(\d+)-[0-9a-f]{32}-")
STALE_SECONDS = 600  # a temporary file this old belongs to a write that will never finish


def cache_dir() -> Path:
    """Return the private model cache folder: ``$AEHELPERS_CACHE_DIR`` or ``~/.cache/aehelpers``.

    Introduced in 00_start_here.
    """
    return Path(os.environ.get(CACHE_ENV_VAR, "").strip() or Path.home() / ".cache" / "aehelpers")


def shared_cache_dir() -> Path | None:
    """Return the read-only shared cache folder (``$AEHELPERS_SHARED_CACHE_DIR``), if set."""
    folder = os.environ.get(SHARED_CACHE_ENV_VAR, "").strip()
    return Path(folder) if folder else None


def fingerprint(*arrays: np.ndarray) -> str:
    """Return a short hash of the arrays' dtypes, shapes and bytes (what the model saw)."""
    digest = hashlib.blake2b(digest_size=16)
    for index, array in enumerate(arrays):
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
            kind = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
            raise TypeError(f"arrays[{index}] must be a NumPy array of numbers, got {kind}")
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def make_key(name: str, request: dict) -> str:
    """Return the file stem for model ``name`` trained as ``request`` describes."""
    check_name("name", name)
    check_mapping("request", request)
    payload = json.dumps({"format": FORMAT, "name": name, "request": request}, sort_keys=True,
                         default=repr)
    return f"{name}-{hashlib.sha256(payload.encode()).hexdigest()[:24]}"


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"key must be a key made by make_key, got {key!r}")
    return key


def _path(folder: Path, key: str, suffix: str) -> Path:
    """The file ``KEY<suffix>`` in ``folder``, never outside it, whatever the key says."""
    path = folder / f"{_check_key(key)}{suffix}"
    if path.resolve().parent != folder.resolve():
        raise ValueError(f"key {key!r} would leave the cache folder {folder}")
    return path


def _paths(folder: Path, key: str) -> tuple[Path, Path]:
    return _path(folder, key, ".weights.npz"), _path(folder, key, ".json")


def load(key: str, model, request: dict) -> dict | None:
    """Load cached weights for ``key`` into ``model``; return the history, or None if absent.

    A present but unusable entry (corrupt, from another model or request,
    weights that do not fit ``model``) warns and returns None, so the caller retrains.
    """
    _check_key(key)
    check_model("model", model)
    check_mapping("request", request)
    for folder in (shared_cache_dir(), cache_dir()):
        if folder is None:
            continue
        weights_path, manifest_path = _paths(folder, key)
        if not manifest_path.exists():
            continue
        try:
            return _load_entry(key, model, request, weights_path, manifest_path)
        except Exception as error:  # any unusable entry is retrained, never trusted
            warnings.warn(f"Cached model {manifest_path.name} in {folder} is unusable "
                          f"({type(error).__name__}: {error}); retraining it.", stacklevel=3)
    return None


def _load_entry(key, model, request, weights_path: Path, manifest_path: Path) -> dict:
    manifest = json.loads(manifest_path.read_text())
    wanted = json.loads(json.dumps(request, sort_keys=True, default=repr))
    if manifest.get("key") != key or manifest.get("request") != wanted:
        raise ValueError("its manifest describes another model or training request")
    payload = weights_path.read_bytes()
    if hashlib.sha256(payload).hexdigest() != manifest.get("weights_sha256"):
        raise ValueError("its weights file does not match the manifest's SHA-256")
    with np.load(weights_path, allow_pickle=False) as stored:
        arrays = [stored[f"w{i:04d}"] for i in range(len(stored.files))]
    current = model.get_weights()
    shapes = [list(a.shape) for a in current]
    if [list(a.shape) for a in arrays] != shapes or manifest.get("shapes") != shapes:
        raise ValueError("its weights do not fit the rebuilt model")
    model.set_weights(arrays)
    return manifest.get("history", {})


def save(key: str, model, request: dict, history: dict) -> bool:
    """Write ``model``'s weights and ``history`` under ``key``; return False (and warn) on failure.

    A cache that cannot be written never costs the caller the trained model.
    """
    _check_key(key)
    check_model("model", model)
    check_mapping("request", request)
    check_mapping("history", history)
    folder = cache_dir()
    try:
        weights_path, manifest_path = _paths(folder, key)
        folder.mkdir(parents=True, exist_ok=True)
        sweep(folder)
        arrays = model.get_weights()
        _atomic_write(weights_path, lambda tmp: _save_arrays(tmp, arrays))
        manifest = {"key": key, "request": request, "history": history,
                    "shapes": [list(a.shape) for a in arrays],
                    "weights_sha256": hashlib.sha256(weights_path.read_bytes()).hexdigest(),
                    "saved": time.strftime("%Y-%m-%d %H:%M:%S")}
        text = json.dumps(manifest, sort_keys=True, default=repr)
        _atomic_write(manifest_path, lambda tmp: tmp.write_text(text))
        return True
    except OSError as error:
        warnings.warn(f"Could not write the trained model to the cache folder {folder} "
                      f"({type(error).__name__}: {error.strerror or error}). The model is "
                      f"trained and returned, but a rerun will train it again; set "
                      f"{CACHE_ENV_VAR} to a writable folder to keep it.", stacklevel=3)
        return False


def as_json_data(value, where: str = "value"):
    """Return ``value`` as JSON data (numbers, strings, lists, string-keyed dicts), else raise.

    NumPy numbers become plain ones and tuples lists, so a result reads back as it was saved.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        number = value.item() if isinstance(value, np.generic) else value
        if isinstance(number, float) and not np.isfinite(number):
            raise ValueError(f"{where} must hold finite numbers, got {number}")
        return number
    if isinstance(value, list | tuple):
        return [as_json_data(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"{where} must be a dict with string keys, got keys "
                            f"{sorted(map(repr, value))[:3]}")
        return {k: as_json_data(item, f"{where}[{k!r}]") for k, item in value.items()}
    hint = " (turn arrays into lists with .tolist())" if isinstance(value, np.ndarray) else ""
    raise TypeError(f"{where} must hold numbers, strings, lists and string-keyed dicts, "
                    f"got {type(value).__name__}{hint}")


def load_result(key: str, request: dict):
    """Return the result cached under ``key`` for ``request``, or None if there is none.

    The shared cache is read first. An unusable file (corrupt, or made for another
    request) warns and returns None, so the caller measures again.
    """
    _check_key(key)
    check_mapping("request", request)
    wanted = json.loads(json.dumps(request, sort_keys=True, default=repr))
    for folder in (shared_cache_dir(), cache_dir()):
        if folder is None:
            continue
        path = _path(folder, key, ".result.json")
        if not path.exists():
            continue
        try:
            entry = json.loads(path.read_text())
            if entry.get("key") != key or entry.get("request") != wanted:
                raise ValueError("it was measured for another request")
            return as_json_data(entry["result"], "result")
        except Exception as error:  # never trust an unusable entry: measure again
            warnings.warn(f"Cached result {path.name} in {folder} is unusable "
                          f"({type(error).__name__}: {error}); measuring it again.",
                          stacklevel=3)
    return None


def save_result(key: str, request: dict, result) -> bool:
    """Write ``result`` (JSON data) under ``key``; return False (and warn) if unwritable."""
    _check_key(key)
    check_mapping("request", request)
    text = json.dumps({"key": key, "request": request, "result": as_json_data(result, "result"),
                       "saved": time.strftime("%Y-%m-%d %H:%M:%S")}, sort_keys=True, default=repr)
    folder = cache_dir()
    try:
        path = _path(folder, key, ".result.json")
        folder.mkdir(parents=True, exist_ok=True)
        sweep(folder)
        _atomic_write(path, lambda tmp: tmp.write_text(text))
        return True
    except OSError as error:
        warnings.warn(f"Could not write the result to the cache folder {folder} "
                      f"({type(error).__name__}: {error.strerror or error}); a rerun will "
                      f"measure it again.", stacklevel=3)
        return False


def _save_arrays(path: Path, arrays: list) -> None:
    with open(path, "wb") as handle:
        np.savez(handle, **{f"w{i:04d}": np.asarray(a) for i, a in enumerate(arrays)})
        handle.flush()
        os.fsync(handle.fileno())


def _atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    temporary = path.with_name(f".tmp-{os.getpid()}-{uuid.uuid4().hex}-{path.name}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def sweep(folder: Path | None = None) -> int:
    """Delete temporary files left by interrupted writes (a dead writer, or stale); return count."""
    folder = cache_dir() if folder is None else check_folder("folder", folder)
    removed = 0
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        match = _TEMPORARY.match(path.name)
        if not match:
            continue
        try:
            stale = time.time() - path.stat().st_mtime > STALE_SECONDS
            if stale or not _alive(int(match.group(1))):
                path.unlink()
                removed += 1
        except OSError:
            continue  # another process swept it first, or it is not ours to remove
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def entries(folder: Path | None = None) -> list[Path]:
    """Return the manifests of the cached models in ``folder`` (default: the private cache)."""
    folder = cache_dir() if folder is None else check_folder("folder", folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if not p.name.endswith(".result.json"))
