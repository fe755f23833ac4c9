"""``train_autoencoder``: look a model up in the registry, load it from the cache or train it.

Introduced in 02_stacked_autoencoders.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import keras

from aehelpers import __version__, cache
from aehelpers._validate import check_images, check_seed
from aehelpers.profiles import Profile, get_profile
from aehelpers.registry import ModelSpec, get_spec
from aehelpers.training import compile_autoencoder, fit, train_greedy_layerwise

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
    request = training_request(data, run_profile, seed, arguments=arguments,
                               trainer=spec.trainer, profile_key=spec.profile_key,
                               metrics=list(spec.metrics))
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
    if use_cache:
        stored = cache.load(key, model, request)
        if stored is not None:
            if verbose:
                print(f"Loaded the trained {name} model from the cache.")
            history = dict(stored)
            return built, history, float(history.pop(_SECONDS, 0.0)), True
    history = train(built)
    seconds = time.perf_counter() - start
    if use_cache:
        cache.save(key, model, request, {**history, _SECONDS: seconds})
    return built, history, seconds, False


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
