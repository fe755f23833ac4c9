"""``train_autoencoder``: look a model up in the registry, load it from the cache or train it.

Introduced in 02_stacked_autoencoders.
"""

from __future__ import annotations

import inspect
import math
import time
import warnings
from collections.abc import Callable
from typing import NamedTuple

import keras
import numpy as np

from aehelpers import __version__, cache
from aehelpers._validate import check_bool, check_images, check_name, check_seed, naming
from aehelpers.profiles import Profile, get_profile
from aehelpers.registry import MODELS, ModelSpec, get_spec
from aehelpers.training import compile_autoencoder, fit, fit_together, train_greedy_layerwise

_SECONDS = "_training_seconds"  # stored beside the history in a cache entry


class TrainedModel(NamedTuple):
    """A trained (or cached) model with its parts and its training history."""

    encoder: keras.Model
    decoder: keras.Model
    autoencoder: keras.Model
    history: dict
    seconds: float  # training time; for a cached model, that of the run that trained it
    from_cache: bool


def train_autoencoder(name: str, data, *, profile: str | Profile | None = None,
                      use_cache: bool = True, verbose: bool = True, seed: int = 42,
                      **builder_kwargs) -> TrainedModel:
    """Build model ``name`` (see ``ae.registry.MODELS``), then load it from the cache or train it.

    The cache key covers the name, the builder's arguments, the seed, the
    profile's settings, a fingerprint of ``data.x_train`` and ``data.x_valid``,
    and the aehelpers and Keras versions. Introduced in 02_stacked_autoencoders.
    """
    spec = get_spec(name)
    arguments = spec.arguments(builder_kwargs)
    run_profile = get_profile(profile)
    request = _request(spec, arguments, data, run_profile, seed)
    x_train, x_valid = data.x_train, data.x_valid  # checked by training_request
    # Built once, freshly seeded: cache.load sets weights only after every check passed,
    # so on a miss these untouched parts are exactly what training would start from.
    parts, history, seconds, from_cache = run_cached(
        name, request, lambda: _build(spec, arguments, request["seed"]),
        lambda built: _train(spec, built, x_train, x_valid, run_profile, verbose),
        model_of=lambda built: built.autoencoder, use_cache=use_cache, verbose=verbose)
    if from_cache:
        _compile(spec, parts, run_profile)
    return TrainedModel(*parts, history, seconds, from_cache)


def _request(spec: ModelSpec, arguments: dict, data, profile: Profile, seed: int) -> dict:
    """The cache request of one registry model: one place, so both trainers share its key."""
    return training_request(data, profile, seed, arguments=arguments, trainer=spec.trainer,
                            profile_key=spec.profile_key, metrics=list(spec.metrics))


def training_request(data, profile: Profile, seed: int, **fields) -> dict:
    """Check ``data`` and return the cache request: ``fields`` plus everything a model depends on.

    That is the seed, the profile's settings, a fingerprint of ``data.x_train`` and
    ``data.x_valid``, and the aehelpers and Keras versions.
    """
    seed = check_seed("seed", seed)
    for attribute in ("x_train", "x_valid"):
        if not hasattr(data, attribute):
            raise TypeError(f"data must come from ae.load_fashion_mnist (with {attribute}), "
                            f"got {type(data).__name__}")
    x_train = check_images("data.x_train", data.x_train)
    x_valid = check_images("data.x_valid", data.x_valid)
    return {**fields, "seed": seed, "profile": profile.fingerprint(),
            "data": cache.fingerprint(x_train, x_valid), "aehelpers": __version__,
            "keras": keras.__version__}


def run_cached(name: str, request: dict, build, train, *, model_of=None, use_cache: bool = True,
               verbose: bool = True) -> tuple:
    """Build, then load ``name`` from the cache under ``request`` or ``train`` and save it.

    ``build()`` returns what ``train(built)`` trains (and returns the history of);
    ``model_of(built)`` is the Keras model whose weights are cached (default: ``built``).
    Returns (built, history, seconds, from_cache); for a cached model, ``seconds`` is the
    training time stored with it (0.0 for entries saved before it was stored).
    """
    key = cache.make_key(name, request)
    start = time.perf_counter()
    built = build()
    model = built if model_of is None else model_of(built)
    stored = _load(name, key, model, request, use_cache=use_cache, verbose=verbose)
    if stored is not None:
        return built, *stored, True
    history = train(built)
    seconds = time.perf_counter() - start
    if use_cache:
        cache.save(key, model, request, {**history, _SECONDS: seconds})
    return built, history, seconds, False


def _load(name: str, key: str, model: keras.Model, request: dict, *, use_cache: bool,
          verbose: bool) -> tuple[dict, float] | None:
    """Load ``model``'s weights from the cache; return (history, seconds), or None on a miss."""
    stored = cache.load(key, model, request) if use_cache else None
    if stored is None:
        return None
    if verbose:
        print(f"Loaded the trained {name} model from the cache.")
    history = dict(stored)
    return history, float(history.pop(_SECONDS, 0.0))


def train_autoencoders(name: str, data, variants, *, profile: str | Profile | None = None,
                       use_cache: bool = True, verbose: bool = True,
                       seed: int = 42) -> list[TrainedModel]:
    """``train_autoencoder(name, data, **arguments)`` for every dict in ``variants``, faster.

    Models found in the cache are loaded; the others train together, as one Keras model
    (``ae.training.fit_together``): each step feeds a batch once and updates them all, which
    shares the fixed cost of a step. Only models tested to reach, bit for bit, the weights
    each reaches alone can (``ae.registry.MODELS[name].trains_together``); each is cached
    under ``train_autoencoder``'s key, and its ``seconds`` is its share of the joint run.
    Introduced in 06_sparse_autoencoders.
    """
    spec = get_spec(name)
    if not spec.trains_together:
        able = [n for n, s in MODELS.items() if s.trains_together]
        raise ValueError(f"model {name!r} cannot train together with others (not tested to "
                         f"match train_autoencoder's models bit for bit); train each with "
                         f"ae.train_autoencoder, or use one of {able}")
    if not isinstance(variants, list | tuple) or not variants or not all(
            isinstance(v, dict) for v in variants):
        raise TypeError(f"variants must be a non-empty list of dicts of builder arguments, "
                        f"such as [{{'target_sparsity': 0.05}}, {{'target_sparsity': 0.1}}], "
                        f"got {variants!r:.80}")
    check_bool("use_cache", use_cache)
    check_bool("verbose", verbose)
    run_profile = get_profile(profile)
    requests = []
    for index, overrides in enumerate(variants):
        with naming(f"variants[{index}]"):
            arguments = spec.arguments(overrides)
        requests.append((arguments, _request(spec, arguments, data, run_profile, seed)))
    keys = [cache.make_key(name, request) for _, request in requests]
    if len(set(keys)) != len(keys):
        raise ValueError("variants must differ: two of them describe the same model")
    start = time.perf_counter()
    results, missing = [], []
    for index, ((arguments, request), key) in enumerate(zip(requests, keys, strict=True)):
        with naming(f"variants[{index}]"):
            parts = _build(spec, arguments, request["seed"])
        stored = _load(name, key, parts.autoencoder, request, use_cache=use_cache,
                       verbose=verbose)
        if stored is None:
            missing.append(len(results))
        else:
            _compile(spec, parts, run_profile)
        results.append((parts, stored))
    if missing:
        members = [results[i][0] for i in missing]
        for parts in members:
            _compile(spec, parts, run_profile)
        if verbose:
            print(f"Training {len(members)} {name} models together (the first one's losses "
                  f"below):")
        histories = fit_together([parts.autoencoder for parts in members], data.x_train,
                                 model_key=spec.profile_key, profile=run_profile,
                                 validation_data=(data.x_valid,), verbose=verbose)
        share = (time.perf_counter() - start) / len(members)
        for i, history in zip(missing, histories, strict=True):
            if use_cache:
                cache.save(keys[i], results[i][0].autoencoder, requests[i][1],
                           {**history, _SECONDS: share})
            results[i] = (results[i][0], (history, share))
    return [TrainedModel(*parts, history, seconds, i not in missing)
            for i, (parts, (history, seconds)) in enumerate(results)]


class Measured(NamedTuple):
    """What ``remember`` returns: the result, the seconds measuring it took, and whence it came."""

    result: object
    seconds: float  # for a cached result, those of the run that measured it
    from_cache: bool


def remember(name: str, measure: Callable[[], object], *, code: tuple = (),
             use_cache: bool = True, verbose: bool = True, **inputs) -> Measured:
    """Run ``measure()`` once and cache its result; later calls with the same inputs read it.

    For experiments that train many small models and keep only numbers (accuracies
    over draws, losses over seeds). The key covers ``name``, the source code of
    ``measure`` and of every function or class in ``code`` (edit one and it measures again),
    each of ``inputs`` (arrays and models by a fingerprint of their contents, other
    values as they are), the profile's settings, and the aehelpers and Keras versions.
    The result must be JSON data: numbers, strings, lists and string-keyed dicts (NumPy
    numbers become plain ones, tuples lists); anything else raises before it is cached.
    Introduced in 02_stacked_autoencoders.
    """
    check_name("name", name)
    _check_function("measure", measure)
    try:
        inspect.signature(measure).bind()
    except TypeError:
        raise TypeError(f"measure must take no arguments (remember calls measure()); yours is "
                        f"{measure.__name__}{inspect.signature(measure)}") from None
    except ValueError:  # no signature to read: the call says
        pass
    if not isinstance(code, tuple | list):
        raise TypeError(f"code must be a tuple of the functions measure calls, got "
                        f"{type(code).__name__}")
    for index, function in enumerate(code):
        _check_function(f"code[{index}]", function, classes=True)
    check_bool("use_cache", use_cache)
    check_bool("verbose", verbose)
    request = {"code": [_source(f) for f in (measure, *code)],
               "inputs": {k: _described(k, v) for k, v in sorted(inputs.items())},
               "profile": get_profile().fingerprint(), "aehelpers": __version__,
               "keras": keras.__version__}
    key = cache.make_key(name, request)
    if use_cache:
        stored = cache.load_result(key, request)
        if _usable(stored):
            if verbose:
                print(f"Read the {name} results from the cache (measured in "
                      f"{stored['seconds']:.0f} s).")
            return Measured(stored["result"], float(stored["seconds"]), True)
        if stored is not None:
            warnings.warn(f"Cached {name} results do not hold a result and its seconds; "
                          f"measuring them again.", stacklevel=2)
    start = time.perf_counter()
    result = measure()
    seconds = time.perf_counter() - start
    try:
        result = cache.as_json_data(result, "result")
    except (TypeError, ValueError) as error:
        raise type(error)(f"measure() must return JSON data to be remembered: {error}") from None
    if use_cache:
        cache.save_result(key, request, {"result": result, "seconds": seconds})
    return Measured(result, seconds, False)


def _check_function(name: str, value, *, classes: bool = False) -> None:
    """Only Python functions (and classes made of them) have source or bytecode that stays
    the same from run to run."""
    if inspect.isfunction(value) or inspect.ismethod(value):
        return
    if classes and inspect.isclass(value) and _methods(value):
        return
    raise TypeError(f"{name} must be a Python function (def or lambda)"
                    f"{' or class' if classes else ''}, got {type(value).__name__} "
                    f"{value!r:.40}")


def _methods(cls) -> list:
    """The Python functions a class defines itself, by name (none for a builtin class)."""
    return [member for _, member in sorted(vars(cls).items()) if inspect.isfunction(member)]


def _usable(stored) -> bool:
    return (isinstance(stored, dict) and set(stored) == {"result", "seconds"}
            and isinstance(stored["seconds"], int | float)
            and not isinstance(stored["seconds"], bool))


def _source(function) -> str:
    function = getattr(function, "__func__", function)  # a bound method: its function
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):  # no source to read (made by exec, in a shell or a kernel)
        if inspect.isclass(function):
            return "".join(_bytecode(method.__code__) for method in _methods(function))
        return _bytecode(function.__code__)


def _bytecode(code) -> str:
    """The instructions, constants and names of ``code`` (nested functions by theirs, not by
    their addresses, which change from run to run)."""
    constants = [_bytecode(c) if inspect.iscode(c) else repr(c) for c in code.co_consts]
    return (cache.fingerprint(np.frombuffer(code.co_code, dtype=np.uint8))
            + repr(constants) + repr(code.co_names))


def _described(name: str, value):
    """An input as the key sees it: arrays and models by their contents' fingerprint."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be an array of numbers, got dtype {value.dtype}")
        return cache.fingerprint(value)
    if isinstance(value, keras.Model):
        return cache.fingerprint(*[np.asarray(w) for w in value.get_weights()])
    if isinstance(value, np.bool_ | np.integer | np.floating):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({value!r})"  # JSON's NaN never equals itself: it would never match
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_described(f"{name}[{i}]", v) for i, v in enumerate(value)]
    raise TypeError(f"{name} must be an array, a Keras model, a number, a string or a tuple "
                    f"of those, got {type(value).__name__}")


def _build(spec: ModelSpec, arguments: dict, seed: int):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)  # Python, NumPy and TensorFlow: same start, same model
    return spec.builder(**arguments)


def _compile(spec: ModelSpec, parts, run_profile: Profile) -> None:
    compile_autoencoder(parts.autoencoder, model_key=spec.profile_key, profile=run_profile,
                        metrics=spec.metrics)


def _train(spec: ModelSpec, parts, x_train, x_valid, run_profile: Profile,
           verbose: bool) -> dict:
    if spec.trainer == "greedy":
        return train_greedy_layerwise(parts, x_train, x_valid, profile=run_profile,
                                      verbose=verbose)
    _compile(spec, parts, run_profile)
    return fit(parts.autoencoder, x_train, model_key=spec.profile_key, profile=run_profile,
               validation_data=(x_valid,), verbose=verbose)
