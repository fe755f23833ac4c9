"""Run profiles: one knob (``AE_PROFILE``) that sets data sizes, epochs and batch sizes."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import MappingProxyType

PROFILE_ENV_VAR = "AE_PROFILE"
SCHEDULES = ("constant", "cosine")
OPTIMIZERS = ("nadam", "sgd")
# The training regimes a profile sets; each model of aehelpers.registry names one.
PROFILE_KEYS = ("linear", "stacked", "tied", "greedy", "conv", "denoising", "sparse_l1",
                "sparse_kl", "vae", "classifier")
COSINE_FLOOR = 0.05
DEFAULT_PROFILE = "class"


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
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")


@dataclass(frozen=True)
class Profile:
    """Data sizes and training settings shared by every chapter."""

    name: str
    description: str
    train_size: int
    valid_size: int
    test_size: int
    settings: MappingProxyType = field(repr=False)

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


def _settings(default: TrainSettings, **overrides: TrainSettings) -> MappingProxyType:
    unknown = set(overrides) - set(PROFILE_KEYS)
    if unknown:
        raise ValueError(f"unknown profile keys {sorted(unknown)}")
    return MappingProxyType({key: overrides.get(key, default) for key in PROFILE_KEYS})


# The linear autoencoder trains on 600 synthetic 3-D points in every profile: it
# is tiny, and the PCA comparison needs it converged, so it never shrinks.
# (Few epochs over more points: Keras's per-epoch overhead dwarfs 3-D maths.)
_LINEAR = TrainSettings(epochs=20, batch_size=32, learning_rate=0.1, optimizer="sgd")

PROFILES = MappingProxyType({
    "ci": Profile(
        name="ci",
        description="tests and CI: 3,000 training images, 2 epochs",
        train_size=3_000, valid_size=500, test_size=500,
        settings=_settings(TrainSettings(2, 128, 3e-3), linear=_LINEAR,
                           classifier=TrainSettings(5, 32, 3e-3)),
    ),
    "class": Profile(
        name="class",
        description="classroom: full 55k/5k/10k data, about a minute per model",
        train_size=55_000, valid_size=5_000, test_size=10_000,
        settings=_settings(
            TrainSettings(10, 128, 2e-3), linear=_LINEAR,
            tied=TrainSettings(6, 128, 3e-3, "cosine"),
            conv=TrainSettings(6, 128, 3e-3),
            denoising=TrainSettings(6, 128, 3e-3, "cosine"),
            vae=TrainSettings(8, 256, 4e-3, "cosine"),
            greedy=TrainSettings(6, 128, 2e-3),
            classifier=TrainSettings(30, 32, 1e-3),
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
            classifier=TrainSettings(30, 32, 1e-3),
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
        raise TypeError(f"profile name must be a string, got {type(name).__name__}")
    key = name.strip().lower()
    if key not in PROFILES:
        raise ValueError(f"unknown run profile {name!r}{source}; "
                         f"valid profiles are {', '.join(PROFILES)}")
    return PROFILES[key]
