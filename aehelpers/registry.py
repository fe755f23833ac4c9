"""The one list of the workbook's models: builder, profile key and how each one trains.

Profiles, training, the cache front end (:mod:`aehelpers.zoo`), the benchmarks
and the tests all read :data:`MODELS`; no other module spells the names out.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from aehelpers import models
from aehelpers._validate import (
    check_callable,
    check_choice,
    check_float,
    check_metrics,
    check_name,
)
from aehelpers.profiles import PROFILE_KEYS

TRAINERS = ("fit", "greedy")


@dataclass(frozen=True)
class ModelSpec:
    """How one named model is built and trained."""

    name: str
    builder: Callable[..., models.Autoencoder]
    profile_key: str  # which TrainSettings of the profile it trains with
    trainer: str = "fit"  # "fit": end to end; "greedy": one shallow autoencoder at a time
    metrics: tuple[str, ...] = ()  # extra metrics to log (the penalised models log MSE alone)
    chapter: str = ""
    published_loss: float | None = None  # the book's validation loss (DESIGN.md section 9)
    # True where variants trained as one Keras model (ae.train_autoencoders) were tested to
    # reach, bit for bit, the weights each reaches alone: each is then cached as if alone.
    trains_together: bool = False
    # Benchmarked configurations: (label, builder arguments); default: the model as it is.
    variants: tuple[tuple[str, dict], ...] = ()

    def benchmark_variants(self) -> tuple[tuple[str, dict], ...]:
        """Return the (label, arguments) pairs the benchmarks train for this model."""
        return self.variants or ((self.name, {}),)

    @property
    def loss_key(self) -> str:
        """The history key of the validation loss to compare with the book's."""
        return "val_mse" if "mse" in self.metrics else "val_loss"

    def __post_init__(self):
        check_name("name", self.name)  # it names cache files
        check_callable("builder", self.builder, usage="builder(**arguments)", num_args=0)
        check_choice("profile_key", self.profile_key, PROFILE_KEYS)
        check_choice("trainer", self.trainer, TRAINERS)
        object.__setattr__(self, "metrics", check_metrics("metrics", self.metrics))
        if not isinstance(self.chapter, str):
            raise TypeError(f"chapter must be a string, got {type(self.chapter).__name__}")
        if self.published_loss is not None:
            # A validation MSE of [0, 1] pixels (plus the VAE's small KL term): in (0, 1].
            object.__setattr__(self, "published_loss", check_float(
                "published_loss", self.published_loss, minimum=0.0, maximum=1.0, open_min=True))
        for index, variant in enumerate(self.variants):
            if not (isinstance(variant, tuple) and len(variant) == 2
                    and isinstance(variant[0], str) and isinstance(variant[1], dict)):
                raise TypeError(f"variants[{index}] must be a pair (label, builder arguments "
                                f"dict), got {variant!r}")

    def arguments(self, overrides: dict) -> dict:
        """Return the builder's keyword arguments with defaults filled in (tuples as lists).

        Equal models then share one cache key however they were asked for; an
        argument the builder does not take is a ``TypeError`` naming it.
        """
        parameters = inspect.signature(self.builder).parameters
        accepted = [k for k, p in parameters.items() if p.kind is p.KEYWORD_ONLY]
        unknown = sorted(set(overrides) - set(accepted))
        if unknown:
            raise TypeError(f"unexpected argument(s) {unknown} for model {self.name!r}; "
                            f"it accepts {accepted}")
        full = {k: parameters[k].default for k in accepted}
        full.update(overrides)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in full.items()}


# Chapter 07's 2-D latent maps: the VAE with two coding dimensions, and a plain autoencoder
# of the same shape whose codings, like the VAE's means, are linear (any sign).
MAP_VAE = MappingProxyType({"codings_size": 2})
MAP_PLAIN = MappingProxyType({"hidden_units": (150, 100), "codings_size": 2,
                              "coding_activation": "linear"})
# Chapter 07's beta panel: the KL weight as a multiple of the default 1/784.
KL_MULTIPLES = (0.1, 0.5, 1.0, 2.0, 8.0)
# Chapter 08's compression curve: codings sizes of the stacked autoencoder (30 is chapter 02's).
COMPRESSION_SIZES = (2, 8, 30, 64)


def _spec(name, builder, chapter, **kwargs) -> tuple[str, ModelSpec]:
    return name, ModelSpec(name, builder, kwargs.pop("profile_key", name), chapter=chapter,
                           **kwargs)


MODELS = MappingProxyType(dict([
    _spec("linear", models.build_linear_autoencoder, "01_representations_and_pca"),
    _spec("stacked", models.build_stacked_autoencoder, "02_stacked_autoencoders",
          published_loss=0.0132, trains_together=True,
          variants=(("stacked", {}), ("plain_2d", dict(MAP_PLAIN)),
                    *((f"stacked_{n}", {"codings_size": n}) for n in COMPRESSION_SIZES
                      if n != 30))),
    _spec("tied", models.build_tied_autoencoder, "03_pretraining_tied_greedy",
          published_loss=0.0133),
    _spec("greedy", models.build_greedy_autoencoder, "03_pretraining_tied_greedy",
          trainer="greedy"),
    _spec("conv", models.build_conv_autoencoder, "04_convolutional_autoencoders",
          published_loss=0.0121),
    _spec("denoising", models.build_denoising_autoencoder, "05_denoising_autoencoders",
          published_loss=0.0166,
          variants=(("denoising_gaussian", {"corruption": "gaussian"}),
                    ("denoising_dropout", {"corruption": "dropout"}))),
    _spec("sparse_l1", models.build_sparse_l1_autoencoder, "06_sparse_autoencoders",
          metrics=("mse",), published_loss=0.0111),
    _spec("sparse_kl", models.build_sparse_kl_autoencoder, "06_sparse_autoencoders",
          metrics=("mse",), published_loss=0.0099, trains_together=True),
    # Total loss: MSE + KL/784, as the book reports it.
    _spec("vae", models.build_variational_autoencoder, "07_variational_autoencoders",
          published_loss=0.0311, trains_together=True,
          variants=(("vae", {}), ("vae_2d", dict(MAP_VAE)),
                    *((f"vae_kl_{m:g}x", {"kl_weight": m / models.NUM_PIXELS})
                      for m in KL_MULTIPLES if m != 1.0))),
]))


# Chapter 09's image generators and the classifier whose features compare them: each name
# with the profile key it trains by (built and trained in aehelpers.generators, which sits
# above this module).
GENERATORS = MappingProxyType({"dcgan": "gan", "diffusion": "diffusion",
                               "feature_classifier": "features"})


def get_spec(name: str) -> ModelSpec:
    """Return the registry entry of model ``name``, or raise listing the valid names.

    Introduced in 02_stacked_autoencoders.
    """
    return MODELS[check_choice("name", name, tuple(MODELS))]
