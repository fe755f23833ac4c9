"""Run profiles: one knob (``AE_PROFILE``) that sets data sizes, epochs and batch sizes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from aehelpers._validate import check_choice, check_float, check_int, check_name

PROFILE_ENV_VAR = "AE_PROFILE"
SCHEDULES = ("constant", "cosine")
OPTIMIZERS = ("nadam", "sgd", "momentum")  # momentum: SGD with momentum 0.9
# The training regimes a profile sets; each model of aehelpers.registry names one.
PROFILE_KEYS = ("linear", "stacked", "tied", "greedy", "conv", "denoising", "sparse_l1",
                "sparse_kl", "vae", "classifier", "toy_gan", "toy_diffusion", "latent_diffusion",
                "gan", "diffusion", "features")
COSINE_FLOOR = 0.05
DEFAULT_PROFILE = "class"
# The most a profile can ask for: Fashion-MNIST's 55k/5k/10k split (aehelpers.data).
MAX_SIZES = {"train_size": 55_000, "valid_size": 5_000, "test_size": 10_000}


@dataclass(frozen=True)
class TrainSettings:
    """How one model trains in a profile."""

    epochs: int
    batch_size: int
    learning_rate: float
    # "constant", or "cosine": decay from learning_rate to COSINE_FLOOR times it over the
    # profile's epochs, which lets fewer epochs reach the same loss (benchmarks/train_models.py).
    schedule: str = "constant"
    optimizer: str = "nadam"

    def __post_init__(self):
        # Frozen: checked values (plain int and float) are stored with object.__setattr__.
        object.__setattr__(self, "epochs", check_int("epochs", self.epochs, minimum=1,
                                                     maximum=10_000))
        object.__setattr__(self, "batch_size", check_int("batch_size", self.batch_size,
                                                         minimum=1, maximum=1_000_000))
        object.__setattr__(self, "learning_rate", check_float(
            "learning_rate", self.learning_rate, minimum=0.0, maximum=10.0, open_min=True))
        check_choice("schedule", self.schedule, SCHEDULES)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)


@dataclass(frozen=True)
class Profile:
    """Data sizes and training settings shared by every chapter."""

    name: str
    description: str
    train_size: int
    valid_size: int
    test_size: int
    settings: MappingProxyType = field(repr=False)

    def __post_init__(self):
        check_name("name", self.name)
        if not isinstance(self.description, str):
            raise TypeError(f"description must be a string, got {type(self.description).__name__}")
        for size, maximum in MAX_SIZES.items():
            object.__setattr__(self, size, check_int(size, getattr(self, size), minimum=1,
                                                     maximum=maximum))
        object.__setattr__(self, "settings", _checked_settings(self.settings))

    def training(self, model: str) -> TrainSettings:
        """Return the training settings of ``model`` (a key such as ``"stacked"``)."""
        if model not in self.settings:
            raise ValueError(f"model_key must be one of {sorted(self.settings)}, got {model!r}")
        return self.settings[model]

    def fingerprint(self) -> dict:
        """Return everything about the profile that changes a trained model (for cache keys)."""
        return {
            "name": self.name,
            "sizes": [self.train_size, self.valid_size, self.test_size],
            "settings": {k: [v.epochs, v.batch_size, v.learning_rate, v.schedule, v.optimizer]
                         for k, v in sorted(self.settings.items())},
        }


def _checked_settings(settings: object) -> MappingProxyType:
    """Return ``settings`` read-only if it holds one TrainSettings per profile key."""
    if not isinstance(settings, Mapping):
        raise TypeError(f"settings must be a dict {{profile key: TrainSettings}}, got "
                        f"{type(settings).__name__}")
    missing = [key for key in PROFILE_KEYS if key not in settings]
    unknown = sorted(set(settings) - set(PROFILE_KEYS), key=str)
    if missing or unknown:
        raise ValueError(f"settings must have exactly the keys {list(PROFILE_KEYS)}; missing "
                         f"{missing}, unknown {unknown}")
    wrong = [key for key in PROFILE_KEYS if not isinstance(settings[key], TrainSettings)]
    if wrong:
        raise TypeError(f"settings[{wrong[0]!r}] must be a TrainSettings, got "
                        f"{type(settings[wrong[0]]).__name__}")
    return MappingProxyType({key: settings[key] for key in PROFILE_KEYS})


def _settings(default: TrainSettings, **overrides: TrainSettings) -> MappingProxyType:
    unknown = set(overrides) - set(PROFILE_KEYS)
    if unknown:
        raise ValueError(f"unknown profile keys {sorted(unknown)}")
    return MappingProxyType({key: overrides.get(key, default) for key in PROFILE_KEYS})


# The linear autoencoder trains on 600 synthetic 3-D points in every profile: it
# is tiny, and the PCA comparison needs it converged, so it never shrinks. Plain SGD
# (20 epochs) ended 49-91% above PCA's loss over 3 seeds: the thin third direction gives
# a weak gradient. Momentum 0.9 for 60 epochs ends 0.1-4% above it over 5 seeds (0.3% for
# the chapter's seed 42), measured with the chapter's cells.
_LINEAR = TrainSettings(epochs=60, batch_size=32, learning_rate=0.1, optimizer="momentum")

# Chapter 09's 2-D toys (4,096 ring points; 51,200 noisy pairs for the diffusion toy): a
# few seconds each in class and book (the book has no toys), a smoke test in ci.
_TOY_GAN = TrainSettings(20, 128, 5e-3)
_TOY_DIFFUSION = TrainSettings(10, 256, 2e-3)
_TOY_GAN_CI = TrainSettings(2, 128, 5e-3)
_TOY_DIFFUSION_CI = TrainSettings(1, 256, 2e-3)
# Chapter 09's diffusion in the VAE's latent space (5 noisy pairs per training image): about
# 20 s in class.
_LATENT = TrainSettings(5, 512, 2e-3)
_LATENT_CI = TrainSettings(1, 512, 2e-3)

PROFILES = MappingProxyType({
    "ci": Profile(
        name="ci",
        description="tests and CI: 3,000 training images, 2 epochs",
        train_size=3_000, valid_size=500, test_size=500,
        settings=_settings(TrainSettings(2, 128, 3e-3), linear=_LINEAR,
                           classifier=TrainSettings(5, 32, 3e-3), toy_gan=_TOY_GAN_CI,
                           toy_diffusion=_TOY_DIFFUSION_CI, latent_diffusion=_LATENT_CI,
                           gan=TrainSettings(1, 128, 1e-3),
                           diffusion=TrainSettings(1, 128, 3e-3)),
    ),
    "class": Profile(
        name="class",
        description="classroom: full 55k/5k/10k data, 6-10 epochs per model",
        train_size=55_000, valid_size=5_000, test_size=10_000,
        settings=_settings(
            TrainSettings(10, 128, 2e-3), linear=_LINEAR,
            tied=TrainSettings(6, 128, 3e-3, "cosine"),
            conv=TrainSettings(6, 128, 3e-3),
            denoising=TrainSettings(6, 128, 3e-3, "cosine"),
            vae=TrainSettings(8, 256, 4e-3, "cosine"),
            greedy=TrainSettings(6, 128, 2e-3),
            classifier=TrainSettings(30, 32, 1e-3), toy_gan=_TOY_GAN,
            toy_diffusion=_TOY_DIFFUSION, latent_diffusion=_LATENT,
            # Chapter 09's image generators: about two minutes each here (2 cores).
            gan=TrainSettings(3, 128, 1e-3),
            diffusion=TrainSettings(2, 128, 2e-3),
            features=TrainSettings(3, 128, 2e-3),
        ),
    ),
    "book": Profile(
        name="book",
        description="the book's settings: full data, Nadam, batch 32",
        train_size=55_000, valid_size=5_000, test_size=10_000,
        settings=_settings(
            TrainSettings(10, 32, 1e-3), linear=_LINEAR,
            stacked=TrainSettings(20, 32, 1e-3),
            vae=TrainSettings(25, 128, 1e-3),
            classifier=TrainSettings(30, 32, 1e-3), toy_gan=_TOY_GAN,
            toy_diffusion=_TOY_DIFFUSION, latent_diffusion=_LATENT,
            # A long budget, to see what more training buys: the book's DCGAN budget
            # (50 epochs at batch 32), and 100 epochs of the diffusion model.
            gan=TrainSettings(50, 32, 2e-4),
            diffusion=TrainSettings(100, 32, 1e-3),
        ),
    ),
})


def get_profile(name: str | Profile | None = None) -> Profile:
    """Return the run profile ``name``, else ``$AE_PROFILE``, else ``class``.

    Introduced in 00_start_here.
    """
    if isinstance(name, Profile):
        return name
    source = ""
    if name is None:
        name = os.environ.get(PROFILE_ENV_VAR, "").strip() or DEFAULT_PROFILE
        if os.environ.get(PROFILE_ENV_VAR, "").strip():
            source = f" (set by ${PROFILE_ENV_VAR})"
    if not isinstance(name, str):
        raise TypeError(f"profile name must be a string or a Profile, got {type(name).__name__}")
    key = name.strip().lower()
    if key not in PROFILES:
        # Names both the argument (a profile's name) and what it means, for every caller.
        raise ValueError(f"unknown run profile {name!r}{source}: profile name must be one of "
                         f"{', '.join(PROFILES)}")
    return PROFILES[key]
