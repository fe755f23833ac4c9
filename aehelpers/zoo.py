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


class TrainedModel(NamedTuple):
    """A trained (or cached) model with its parts and its training history."""

    encoder: keras.Model
    decoder: keras.Model
    autoencoder: keras.Model
    history: dict
    seconds: float
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
    seed = check_seed("seed", seed)
    for attribute in ("x_train", "x_valid"):
        if not hasattr(data, attribute):
            raise TypeError(f"data must come from ae.load_fashion_mnist (with {attribute}), "
                            f"got {type(data).__name__}")
    x_train = check_images("data.x_train", data.x_train)
    x_valid = check_images("data.x_valid", data.x_valid)
    run_profile = get_profile(profile)
    request = {"arguments": arguments, "seed": seed, "trainer": spec.trainer,
               "profile_key": spec.profile_key, "metrics": list(spec.metrics),
               "profile": run_profile.fingerprint(), "data": cache.fingerprint(x_train, x_valid),
               "aehelpers": __version__, "keras": keras.__version__}
    key = cache.make_key(name, request)
    start = time.perf_counter()
    # Built once, freshly seeded: cache.load sets weights only after every check passed,
    # so on a miss these untouched parts are exactly what training would start from.
    parts = _build(spec, arguments, seed)
    if use_cache:
        history = cache.load(key, parts.autoencoder, request)
        if history is not None:
            _compile(spec, parts, run_profile)
            if verbose:
                print(f"Loaded the trained {name} model from the cache.")
            return TrainedModel(*parts, history, 0.0, True)
    history = _train(spec, parts, x_train, x_valid, run_profile, verbose)
    seconds = time.perf_counter() - start
    if use_cache:
        cache.save(key, parts.autoencoder, request, history)
    return TrainedModel(*parts, history, seconds, False)


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
