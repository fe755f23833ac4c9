"""Maintainer tool: measure how the public API of ``aehelpers`` reacts to bad input.

    python -m tools.bad_input_sweep                  # Markdown table, totals, non-clear cases
    python -m tools.bad_input_sweep --json cases.json
    python -m tools.bad_input_sweep --only 'exercises.*'   # one part of the package

Every public function and class defined in an ``aehelpers`` module (``_validate``
excluded; ``aehelpers.exercises`` defines nothing itself, so its checks are read
from the submodules that define them) gets *bad calls*: good values for every
argument but one, which gets a bad value. The bad values come from a catalogue
(:data:`KINDS`), chosen per parameter by its name (:data:`NAME_KINDS`), where
that is ambiguous per callable (:data:`KIND_OVERRIDES`). Good values for the
other arguments come from :data:`GOOD` (small untrained models, random images).

Categories of bad values:

* images: uint8 0-255, float 0-255, NaN, inf, wrong rank (one 28x28 image where a
  batch is needed, or 4-D), 32x32, a string, an empty batch;
* numbers: negative, zero, huge, NaN, inf, a bool, a string, a float for an int;
* probabilities and targets: -0.1, 1.5, 0 and 1 for open intervals, arrays with
  entries outside [0, 1];
* models: a string, None, the wrong kind of Keras model (an encoder for an
  autoencoder, a decoder for an encoder, a VAE encoder with 3 outputs), a model
  for 32x32 inputs;
* choices and names: unknown names ("gan", profile "fast"), path characters ("../x");
* bases (principal angles): zero, rank-deficient, mismatched dimensions;
* paths: a missing folder, a truncated file, an unreadable file (skipped, with a
  note, when running as root, where chmod 000 does not stop reads);
* plus, per parameter, the obvious misuse of arrays, dicts, sequences and callables.

Outcomes of a bad call:

* ``clear``: a ValueError, TypeError or ``FriendlyError`` (``DatasetError``
  included) raised from a frame in a file under ``aehelpers/``, whose message
  names the parameter;
* ``deep trace``: any other exception (raised in TensorFlow, Keras, NumPy,
  Matplotlib..., of another type, or with a message that does not name the parameter);
* ``silently wrong``: the call returned.

A few catalogue values are valid for some parameters (a missing cache folder,
0 where an answer may be 0): :data:`ALLOWLIST` names them. (Seeds are not among
them: every seed accepts 0 to 2**32 - 1, and 10**12 must be refused.) Such a
call is not counted when it returns; when it raises it is counted, since a valid
value rejected is worth a look too. Boolean flags and free-text titles are not probed.
The sweep writes its model cache and damaged data folders to a scratch folder it deletes.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import functools
import importlib
import inspect
import io
import json
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

MODULES = ("cache", "data", "diagrams", "explore", "generators", "layers", "live", "metrics",
           "models",
           "notebook", "plots",
           "profiles", "registry", "training", "widgets", "zoo", "exercises.applications",
           "exercises.feedback", "exercises.gans_diffusion",
           "exercises.generative", "exercises.predictions", "exercises.predictions_generative",
           "exercises.pretraining_conv", "exercises.representations")
# Plain records, exception classes and protocol internals: no validation to probe (their
# users build them from checked values); listed under the table, not called.
RECORDS = {"data.DatasetError", "data.FashionMNIST", "explore.NoisePanel",
           "explore.SparseSummary", "explore.LatentMap", "explore.VaeSummary",
           "explore.ThresholdView", "explore.RankedScores", "generators.NoiseSchedule",
           "generators.RingCoverage", "generators.TrainedGenerator",
           "models.Autoencoder",
           "notebook.SetupError",
           "zoo.TrainedModel", "zoo.Measured", "exercises.feedback.Feedback",
           # The cache protocol's building block: train_autoencoder and train_generator call it
           # with a checked name, the request training_request built, and closures of their
           # own; a learner never does. (training_request is probed: it is where both
           # trainers check data and seed, so its errors are the ones a learner sees.)
           "zoo.run_cached",
           # The exercise protocol's building blocks: the checks call them with values they
           # have already checked, and a learner never does.
           "exercises.feedback.is_placeholder", "exercises.feedback.placeholder",
           "exercises.feedback.respond", "exercises.feedback.check_prediction"}
PACKAGE_DIR = Path(__file__).resolve().parents[1] / "aehelpers"
CLEAR, DEEP, SILENT = "clear", "deep trace", "silently wrong"
VALID, SKIPPED = "valid (allowlisted)", "skipped"
CLEAR_SESSION_EVERY = 25


class SkipCase(Exception):
    """A bad value that cannot be produced here (the reason is reported)."""


@dataclass(frozen=True)
class Bad:
    """One bad value: a short key (for the allowlist), a description, and how to make it."""

    key: str
    description: str
    make: Callable[[Fixtures], object]


def const(value) -> Callable[[Fixtures], object]:
    return lambda fx: value


def _spoil(array: np.ndarray, value: float) -> np.ndarray:
    array = np.array(array, dtype=np.float32)
    array.flat[3] = value
    return array


# --- Good values ------------------------------------------------------------------------


class Fixtures:
    """Good argument values: models built once, arrays copied fresh for every call."""

    def __init__(self, folder: Path):
        self.folder = folder
        rng = np.random.default_rng(0)
        self._images = rng.random((8, 28, 28)).astype("float32")
        self._train = rng.random((64, 28, 28)).astype("float32")
        self._valid = rng.random((16, 28, 28)).astype("float32")
        self._images32 = rng.random((8, 32, 32)).astype("float32")
        self._noise = rng.normal(size=(8, 28, 28)).astype("float32")

    images = property(lambda self: self._images.copy())
    images_b = property(lambda self: self._images[::-1].copy())
    train = property(lambda self: self._train.copy())
    valid = property(lambda self: self._valid.copy())
    images32 = property(lambda self: self._images32.copy())
    noise = property(lambda self: self._noise.copy())

    @functools.cached_property
    def stacked(self):
        return self.fresh_stacked()

    def fresh_stacked(self):
        from aehelpers import models

        return models.build_stacked_autoencoder(hidden_units=(16,), codings_size=4)

    def fresh_greedy(self):
        from aehelpers import models

        return models.build_greedy_autoencoder(hidden_units=(16, 4))

    @functools.cached_property
    def vae(self):
        from aehelpers import models

        return models.build_variational_autoencoder(codings_size=3, hidden_units=(16,), seed=0)

    @functools.cached_property
    def plain_2d(self):
        from aehelpers import models

        return models.build_stacked_autoencoder(hidden_units=(16,), codings_size=2,
                                                coding_activation="linear")

    @functools.cached_property
    def vae_2d(self):
        from aehelpers import models

        return models.build_variational_autoencoder(codings_size=2, hidden_units=(16,), seed=0)

    scores = property(lambda self: np.linspace(0.01, 0.08, 8))
    flags = property(lambda self: np.arange(8) % 2 == 0)
    labels = property(lambda self: np.arange(8) % 3)

    @functools.cached_property
    def conv(self):
        from aehelpers import models

        return models.build_conv_autoencoder(filters=(4, 8, 8), codings_size=30)

    @functools.cached_property
    def tied(self):
        from aehelpers import models

        return models.build_tied_autoencoder(hidden_units=(16, 4))

    @functools.cached_property
    def linear(self):
        from aehelpers import models

        return models.build_linear_autoencoder()

    @functools.cached_property
    def wide(self):
        """An autoencoder for 32x32 images: the right kind of model, the wrong input shape."""
        import keras

        return keras.Sequential([keras.Input((32, 32)), keras.layers.Flatten(),
                                 keras.layers.Dense(8), keras.layers.Dense(32 * 32),
                                 keras.layers.Reshape((32, 32))], name="wide_autoencoder")

    @functools.cached_property
    def denoiser(self):
        from aehelpers import generators

        return generators.build_image_denoiser(filters=(4, 8, 8))

    @functools.cached_property
    def diffusion(self):
        from aehelpers import generators

        return generators.build_image_diffusion(filters=(4, 8, 8), steps=10)

    @functools.cached_property
    def dcgan(self):
        from aehelpers import generators

        return generators.build_dcgan(filters=(8, 4))

    @functools.cached_property
    def toy_gan(self):
        from aehelpers import generators

        return generators.build_toy_gan(hidden_units=(8,))

    @functools.cached_property
    def feature_classifier(self):
        from aehelpers import generators

        return generators.build_feature_classifier(hidden_units=(16, 8))

    @functools.cached_property
    def wide_feature_classifier(self):
        """A classifier with a "features" layer, for 32x32 images."""
        import keras

        return keras.Sequential([keras.Input((32, 32)), keras.layers.Flatten(),
                                 keras.layers.Dense(8, name="features"),
                                 keras.layers.Dense(10)], name="wide_feature_classifier")

    def diffusion_around(self, denoiser):
        """A DiffusionModel around ``denoiser``; skipped once DiffusionModel refuses it."""
        from aehelpers import generators

        try:
            return generators.DiffusionModel(denoiser, generators.noise_schedule(10))
        except (TypeError, ValueError) as error:
            raise SkipCase(f"DiffusionModel refuses that denoiser now ({error})"[:120]) from None

    @functools.cached_property
    def classifier(self):
        import keras

        return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                                 keras.layers.Dense(10, activation="softmax")])

    @property
    def data(self):
        from aehelpers.data import FashionMNIST

        labels = np.arange(64, dtype=np.uint8) % 10
        return FashionMNIST(self.train, labels, self.valid, labels[:16], self.images, labels[:8])

    @functools.cached_property
    def cache_entry(self) -> tuple[str, object, dict]:
        from aehelpers import cache

        request = {"sweep": 1}
        key = cache.make_key("stacked", request)
        cache.save(key, self.stacked.autoencoder, request, {"loss": [1.0]})
        return key, self.stacked.autoencoder, request

    @functools.cached_property
    def result_entry(self) -> tuple[str, dict]:
        from aehelpers import cache

        request = {"sweep": 1}
        key = cache.make_key("experiment", request)
        cache.save_result(key, request, {"accuracy": [0.5, 0.75]})
        return key, request

    def compiled_stacked(self):
        """A compiled, untrained stacked autoencoder (the architecture of ``stacked``)."""
        from aehelpers import training

        return training.compile_autoencoder(self.fresh_stacked().autoencoder,
                                            model_key="stacked", profile="ci")

    def trained_stacked(self):
        """A compiled stacked autoencoder that has trained one step (no fresh optimizer)."""
        model = self.compiled_stacked()
        model.fit(self.train[:8], self.train[:8], batch_size=8, epochs=1, verbose=0)
        return model

    def noise_render(self) -> dict:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from aehelpers import explore

        figure = Figure()
        FigureCanvasAgg(figure)
        artists = [figure.add_subplot(1, 3, i + 1).imshow(np.zeros((28, 28))) for i in range(3)]
        panel = explore.noise_panel(self.stacked.autoencoder, self._images[0], self._noise[0],
                                    0.1)
        return {"artists": artists, "panel": panel, "names": ("noisy", "denoised", "clean")}

    def explorer(self) -> dict:
        import ipywidgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure()
        FigureCanvasAgg(figure)
        return {"controls": {"level": ipywidgets.FloatSlider()}, "figure": figure,
                "update": lambda: ({}, ""), "animated": []}

    # Paths for the data_dir and folder categories.

    def _official(self) -> Path:
        folder = os.environ.get("AEHELPERS_DATA_DIR", "").strip()
        if not folder or not Path(folder).is_dir():
            raise SkipCase("AEHELPERS_DATA_DIR does not point at the official files")
        return Path(folder)

    def _copy_official(self, name: str) -> Path:
        target = self.folder / name
        if not target.exists():
            shutil.copytree(self._official(), target)
        return target

    def missing_folder(self) -> str:
        return str(self.folder / "no-such-folder")

    def truncated_folder(self) -> str:
        folder = self._copy_official("truncated")
        victim = folder / "train-labels-idx1-ubyte.gz"
        victim.write_bytes(victim.read_bytes()[:1000])
        return str(folder)

    def unreadable_folder(self) -> str:
        folder = self._copy_official("unreadable")
        victim = folder / "train-labels-idx1-ubyte.gz"
        victim.chmod(0)
        try:
            with open(victim, "rb"):
                raise SkipCase("running as root: chmod 000 does not stop reads")
        except PermissionError:
            return str(folder)

    def regular_file(self) -> str:
        path = self.folder / "a-file.txt"
        path.write_text("not a folder")
        return str(path)


def _greedy_args(fx: Fixtures) -> dict:
    return {"parts": fx.fresh_greedy(), "x_train": fx.train, "x_valid": fx.valid,
            "profile": "ci", "verbose": False}


def _train_args(fx: Fixtures) -> dict:
    return {"name": "stacked", "data": fx.data, "profile": "ci", "use_cache": False,
            "verbose": False, "seed": 0,
            "builder_kwargs": {"hidden_units": (16,), "codings_size": 4}}


def _profile_args(fx: Fixtures) -> dict:
    from aehelpers.profiles import PROFILES

    ci = PROFILES["ci"]
    return {"name": "custom", "description": "a custom profile", "train_size": 100,
            "valid_size": 10, "test_size": 10, "settings": ci.settings}


# Good keyword arguments per callable ("module.name"); parameters with a default may be left out.
def _fresh_axes():
    from matplotlib.figure import Figure

    return Figure().add_subplot()


def _latent(fx):
    from aehelpers import explore

    return explore.latent_map(fx.vae_2d.encoder, fx.images)


def _ranked(fx):
    from aehelpers import explore

    return explore.rank_scores(fx.scores, fx.flags)


def _schedule(fx):
    from aehelpers import generators

    return generators.noise_schedule(10)


def _toy_denoiser(fx):
    from aehelpers import generators

    return generators.build_toy_denoiser(hidden_units=(8,))


def _gan_parts(fx):
    import keras

    return {"generator": keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)]),
            "discriminator": keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]),
            "latent_size": 2}


def _forward_step(clean, step, noise, schedule):
    from aehelpers import generators

    return generators.diffuse(clean, np.full(len(clean), step), noise, schedule)


def _measure():
    """A measurement for ae.remember: JSON data, as it must return."""
    return {"accuracy": [0.5, 0.75]}


def _restart_args(fx: Fixtures) -> dict:
    model = fx.compiled_stacked()
    return {"model": model, "weights": model.get_weights()}


def _train_generator_args(fx: Fixtures) -> dict:
    return {"name": "feature_classifier", "data": fx.data, "profile": "ci", "use_cache": False,
            "verbose": False, "seed": 0, "builder_kwargs": {"hidden_units": (16, 8)}}


def _ci_profile():
    from aehelpers.profiles import get_profile

    return get_profile("ci")


GOOD: dict[str, Callable[[Fixtures], dict]] = {
    "generators.ring_of_gaussians": lambda fx: {"num_points": 16},
    "generators.ring_coverage": lambda fx: {"points": fx.images[:, 0, :2]},
    "generators.build_dcgan": lambda fx: {"filters": (8, 4)},
    "generators.to_signed": lambda fx: {"images": fx.images},
    "generators.to_images": lambda fx: {"signed": fx.images * 2 - 1},
    "generators.build_image_denoiser": lambda fx: {"filters": (4, 8, 8)},
    "generators.DiffusionModel": lambda fx: {"denoiser": fx.denoiser,
                                             "schedule": _schedule(fx)},
    "generators.build_image_diffusion": lambda fx: {"filters": (4, 8, 8), "steps": 10},
    "generators.sample_diffusion": lambda fx: {"model": fx.diffusion, "num_images": 4,
                                               "sampling_steps": 3},
    "generators.sample_gan": lambda fx: {"gan": fx.dcgan, "num_images": 4},
    "generators.build_feature_classifier": lambda fx: {"hidden_units": (16, 8)},
    "generators.image_features": lambda fx: {"classifier": fx.feature_classifier,
                                             "images": fx.images},
    "generators.train_generator": _train_generator_args,
    "metrics.frechet_distance": lambda fx: {"features_a": fx.images[:, 0],
                                            "features_b": fx.images_b[:, 0]},
    "zoo.training_request": lambda fx: {"data": fx.data, "profile": _ci_profile(), "seed": 0},
    "exercises.gans_diffusion.check_forward_step": lambda fx: {
        "function": _forward_step, "images": fx.images, "schedule": _schedule(fx), "step": 3,
        "verbose": False},
    "exercises.gans_diffusion.check_matching_step": lambda fx: {
        "step": 3, "schedule": _schedule(fx), "noise_level": 0.2, "verbose": False},
    "exercises.gans_diffusion.check_sampling_steps_prediction": lambda fx: {
        "prediction": "lower", "model": fx.diffusion, "classifier": fx.feature_classifier,
        "real_images": fx.images, "few": 2, "many": 4, "num_images": 8, "verbose": False},
    "widgets.trajectory_explorer": lambda fx: {"frames": [np.zeros((4, 2)), np.ones((4, 2))],
                                               "reference": np.zeros((3, 2)),
                                               "labels": ["a", "b"]},
    "widgets.diffusion_explorer": lambda fx: {"images": fx.images, "schedule": _schedule(fx)},
    "generators.GAN": _gan_parts,
    "generators.build_toy_gan": lambda fx: {"hidden_units": (8,)},
    "generators.GANSnapshots": lambda fx: {"every": 4},
    "generators.noise_schedule": lambda fx: {"steps": 10},
    "generators.check_schedule": lambda fx: {"schedule": _schedule(fx)},
    "generators.diffuse": lambda fx: {"clean": fx.images[:, 0, :2], "steps": np.arange(8),
                                      "noise": fx.images_b[:, 0, :2],
                                      "schedule": _schedule(fx)},
    "generators.denoising_pairs": lambda fx: {"clean": fx.images[:, 0, :2],
                                              "schedule": _schedule(fx), "num_pairs": 16},
    "generators.build_toy_denoiser": lambda fx: {"hidden_units": (8,)},
    "generators.reverse_diffusion": lambda fx: {"denoiser": _toy_denoiser(fx),
                                                "schedule": _schedule(fx), "num_points": 8},
    "data.without_class": lambda fx: {"data": fx.data, "label": 3},
    "metrics.roc_curve": lambda fx: {"scores": fx.scores, "is_anomaly": fx.flags},
    "metrics.roc_auc": lambda fx: {"scores": fx.scores, "is_anomaly": fx.flags},
    "metrics.check_scores": lambda fx: {"scores": fx.scores, "is_anomaly": fx.flags},
    "metrics.confusion_at_threshold": lambda fx: {"scores": fx.scores, "is_anomaly": fx.flags,
                                                  "threshold": 0.05},
    "metrics.nearest_neighbours": lambda fx: {"database": fx.images[:, 0], "queries":
                                              fx.images[:2, 0], "k": 3},
    "metrics.precision_at_k": lambda fx: {"features": fx.images[:, 0], "labels": fx.labels,
                                          "k": 3},
    "explore.latent_map": lambda fx: {"encoder": fx.vae_2d.encoder, "images": fx.images},
    "explore.map_coding": lambda fx: {"latent": _latent(fx), "u": 0.5, "v": -0.5},
    "explore.decoded_grid": lambda fx: {"decoder": fx.vae_2d.decoder, "latent": _latent(fx),
                                        "steps": 3},
    "explore.mosaic": lambda fx: {"images": fx.images, "num_cols": 4},
    "explore.summarise_vae": lambda fx: {"multiple": 1.0, "model": fx.vae, "images": fx.images},
    "explore.summarise_vaes": lambda fx: {"models": {1.0: fx.vae}, "images": fx.images},
    "explore.reconstruction_errors": lambda fx: {"autoencoder": fx.stacked.autoencoder,
                                                 "images": fx.images},
    "explore.rank_scores": lambda fx: {"scores": fx.scores, "is_anomaly": fx.flags},
    "explore.threshold_view": lambda fx: {"ranked": _ranked(fx), "threshold": 0.05},
    "explore.retrieve": lambda fx: {"query": 1, "features": fx.images[:, 0]},
    "plots.log_axis": lambda fx: {"ax": _fresh_axes(), "which": "x", "ticks": [1, 10]},
    "plots.plot_gaussian_contours": lambda fx: {"mean": np.zeros(2), "covariance": np.eye(2)},
    "widgets.beta_explorer": lambda fx: {"models": {1.0: fx.vae}, "images": fx.images,
                                         "labels": fx.labels},
    "widgets.latent_map_explorer": lambda fx: {"plain": fx.plain_2d, "vae": fx.vae_2d,
                                               "images": fx.images, "labels": fx.labels},
    "widgets.threshold_explorer": lambda fx: {"scores": fx.scores, "is_anomaly": fx.flags,
                                              "images": fx.images},
    "widgets.retrieval_explorer": lambda fx: {"encoder": fx.stacked.encoder,
                                              "images": fx.images, "labels": fx.labels, "k": 2},
    "exercises.applications.check_precision_at_k": lambda fx: {
        "function": lambda f, y, k: 0.5, "features": fx.images[:, 0], "labels": fx.labels,
        "k": 2},
    "exercises.applications.check_recall_threshold": lambda fx: {
        "scores": fx.scores, "is_anomaly": fx.flags, "threshold": 0.02},
    "exercises.applications.check_retrieval_size_prediction": lambda fx: {
        "prediction": "same", "small_encoder": fx.stacked.encoder,
        "large_encoder": fx.stacked.encoder, "images": fx.images, "labels": fx.labels, "k": 2,
        "max_items": 8},
    "cache.fingerprint": lambda fx: {"arrays": [fx.images]},
    "cache.make_key": lambda fx: {"name": "stacked", "request": {"epochs": 2}},
    "cache.load": lambda fx: dict(zip(("key", "model", "request"), fx.cache_entry,
                                      strict=True)),
    "cache.save": lambda fx: {"key": fx.cache_entry[0], "model": fx.stacked.autoencoder,
                              "request": {"sweep": 1}, "history": {"loss": [1.0]}},
    "cache.as_json_data": lambda fx: {"value": {"accuracy": [0.5, 0.75]}},
    "cache.load_result": lambda fx: dict(zip(("key", "request"), fx.result_entry, strict=True)),
    "cache.save_result": lambda fx: {"key": fx.result_entry[0], "request": {"sweep": 1},
                                     "result": {"accuracy": [0.5, 0.75]}},
    "zoo.remember": lambda fx: {"name": "sweep_experiment", "measure": _measure,
                                "code": (_bernoulli_kl,), "verbose": False,
                                "inputs": {"images": fx.images, "model": fx.stacked.encoder,
                                           "sizes": (20, 100), "seed": 0}},
    "training.restart": _restart_args,
    "data.load_fashion_mnist": lambda fx: {"profile": "ci"},
    "live.TrainingView": lambda fx: {"epochs": 2, "images": fx.images},
    "live.view_for": lambda fx: {"model": fx.stacked.autoencoder, "epochs": 2,
                                 "validation_images": fx.images},
    "data.add_gaussian_noise": lambda fx: {"images": fx.images, "noise_level": 0.1},
    "explore.call_traced": lambda fx: {"model": fx.stacked.autoencoder, "batch": fx.images},
    "explore.decode": lambda fx: {"decoder": fx.stacked.decoder, "codings": np.zeros(4)},
    "explore.decode_codings": lambda fx: {"decoder": fx.stacked.decoder,
                                          "codings": np.zeros((8, 4))},
    "explore.generate_images": lambda fx: {"decoder": fx.stacked.decoder, "num_images": 4},
    "explore.encode": lambda fx: {"encoder": fx.stacked.encoder, "images": fx.images},
    "explore.unit_noise": lambda fx: {"shape": (8, 28, 28)},
    "explore.add_noise": lambda fx: {"clean": fx.images, "noise": fx.noise, "noise_level": 0.1},
    "explore.noise_panel": lambda fx: {"autoencoder": fx.stacked.autoencoder,
                                       "clean": fx.images[0], "noise": fx.noise[0],
                                       "noise_level": 0.1},
    "explore.summarise_sparse_model": lambda fx: {"target": 0.1, "model": fx.stacked,
                                                  "images": fx.images},
    "explore.summarise_sparse_models": lambda fx: {"models": {0.1: fx.stacked},
                                                   "images": fx.images},
    "explore.with_coordinate": lambda fx: {"codings": np.zeros(4), "index": 1, "value": 0.5},
    "explore.interpolate": lambda fx: {"start": np.zeros(4), "end": np.ones(4), "alpha": 0.5},
    "explore.interpolation_panel": lambda fx: {
        "decoder": fx.stacked.decoder, "codings_a": np.zeros(4), "codings_b": np.ones(4),
        "image_a": fx.images[0], "image_b": fx.images[1], "alpha": 0.5},
    "layers.DenseTranspose": lambda fx: {"dense": fx.stacked.encoder.layers[-1]},
    "layers.bernoulli_kl_tensor": lambda fx: {"target": 0.1,
                                              "mean_activation": np.full(4, 0.2, "float32")},
    "layers.latent_loss": lambda fx: {"mean": np.zeros((8, 4), "float32"),
                                      "log_var": np.zeros((8, 4), "float32")},
    "metrics.mse": lambda fx: {"reference": fx.images, "other": fx.images_b},
    "metrics.psnr": lambda fx: {"clean": fx.images, "other": fx.images_b},
    "metrics.mean_activation": lambda fx: {"codings": fx.images[:, 0]},
    "metrics.fraction_near_zero": lambda fx: {"codings": fx.images[:, 0]},
    "metrics.bernoulli_kl": lambda fx: {"target": 0.1, "mean_activations": np.full(4, 0.2)},
    "metrics.gaussian_kl": lambda fx: {"mean": np.zeros((8, 4)), "log_var": np.zeros((8, 4))},
    "metrics.gaussian_kl_sigma_form": lambda fx: {"mean": np.zeros((8, 4)),
                                                  "sigma": np.ones((8, 4))},
    "metrics.principal_angles": lambda fx: {"basis_a": np.eye(3)[:2],
                                            "basis_b": np.array([[1.0, 1, 0], [0, 0, 1]])},
    "models.io_shapes": lambda fx: {"model": fx.stacked.autoencoder},
    "models.check_autoencoder": lambda fx: {"name": "model", "model": fx.stacked.autoencoder},
    "models.check_encoder": lambda fx: {"name": "model", "model": fx.stacked.encoder},
    "models.check_decoder": lambda fx: {"name": "model", "model": fx.stacked.decoder},
    "models.codings_size": lambda fx: {"decoder": fx.stacked.decoder},
    "models.check_chain": lambda fx: {"encoder": fx.stacked.encoder,
                                      "decoder": fx.stacked.decoder},
    "models.build_stacked_autoencoder": lambda fx: {"hidden_units": (16,), "codings_size": 4},
    "models.build_greedy_autoencoder": lambda fx: {"hidden_units": (16, 4)},
    "models.build_denoising_autoencoder": lambda fx: {"hidden_units": (16,), "codings_size": 4},
    "models.build_sparse_l1_autoencoder": lambda fx: {"hidden_units": (16,), "codings_size": 8},
    "models.build_sparse_kl_autoencoder": lambda fx: {"hidden_units": (16,), "codings_size": 8},
    "models.build_conv_autoencoder": lambda fx: {"filters": (4, 8, 8), "codings_size": 4},
    "models.TiedAutoencoder": lambda fx: {"hidden_units": (16, 4)},
    "models.build_tied_autoencoder": lambda fx: {"hidden_units": (16, 4)},
    "models.VariationalAutoencoder": lambda fx: {"encoder": fx.vae.encoder,
                                                 "decoder": fx.vae.decoder},
    "models.build_variational_autoencoder": lambda fx: {"codings_size": 3,
                                                        "hidden_units": (16,)},
    "plots.plot_image_grid": lambda fx: {"images": fx.images},
    "plots.plot_reconstructions": lambda fx: {"model": fx.stacked.autoencoder,
                                              "images": fx.images},
    "plots.plot_history": lambda fx: {"history": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]}},
    "plots.plot_codings_2d": lambda fx: {
        "points_2d": fx.images[:, 0, :2], "labels": np.arange(8) % 3,
        "class_names": ("a", "b", "c"), "images": fx.images},
    "plots.plot_activation_histogram": lambda fx: {"codings": fx.images[:, 0]},
    "profiles.TrainSettings": lambda fx: {"epochs": 2, "batch_size": 32,
                                          "learning_rate": 1e-3},
    "profiles.Profile": _profile_args,
    "registry.ModelSpec": lambda fx: {"name": "stacked",
                                      "builder": _stacked_builder(),
                                      "profile_key": "stacked"},
    "registry.get_spec": lambda fx: {"name": "stacked"},
    "training.EpochPrinter": lambda fx: {"epochs": 10},
    "training.learning_rate_for": lambda fx: {"model_key": "stacked", "profile": "ci"},
    "training.compile_autoencoder": lambda fx: {"model": fx.fresh_stacked().autoencoder,
                                                "model_key": "stacked", "profile": "ci"},
    "training.fit": lambda fx: {"model": fx.fresh_stacked().autoencoder, "x_train": fx.train,
                                "model_key": "stacked", "profile": "ci", "epochs": 1,
                                "batch_size": 32, "verbose": False},
    "training.time_epoch": lambda fx: {"model": fx.fresh_stacked().autoencoder,
                                       "x_train": fx.train, "model_key": "stacked",
                                       "profile": "ci", "fraction": 0.5},
    "training.warm_up": lambda fx: {"model": fx.compiled_stacked(), "x_train": fx.train,
                                    "model_key": "stacked", "profile": "ci"},
    "training.timed_examples": lambda fx: {"num_examples": 1000, "batch_size": 32,
                                           "fraction": 0.5},
    "training.predict": lambda fx: {"model": fx.stacked.autoencoder, "inputs": fx.images},
    "training.reconstruction_mse": lambda fx: {"autoencoder": fx.stacked.autoencoder,
                                               "images": fx.images},
    "training.train_greedy_layerwise": _greedy_args,
    "widgets.Explorer": lambda fx: fx.explorer(),
    "widgets.noise_explorer": lambda fx: {"autoencoder": fx.stacked.autoencoder,
                                          "images": fx.images},
    "widgets.render_noise": lambda fx: fx.noise_render(),
    "widgets.sparsity_explorer": lambda fx: {"models": {0.1: fx.stacked, 0.2: fx.stacked},
                                             "images": fx.images},
    "widgets.latent_explorer": lambda fx: {"decoder": fx.vae.decoder},
    "widgets.interpolation_explorer": lambda fx: {"encoder": fx.stacked.encoder,
                                                  "decoder": fx.stacked.decoder,
                                                  "images": fx.images},
    "zoo.train_autoencoder": _train_args,
    "zoo.train_autoencoders": lambda fx: {
        "name": "sparse_kl", "data": fx.data, "profile": "ci", "use_cache": False,
        "verbose": False, "seed": 0,
        "variants": [{"target_sparsity": 0.05}, {"target_sparsity": 0.1}]},
    "training.fit_together": lambda fx: {
        "models": [fx.compiled_stacked(), fx.compiled_stacked()], "x_train": fx.train,
        "model_key": "stacked", "profile": "ci", "epochs": 1, "verbose": False},
    "exercises.generative.check_crossover_noise_level": lambda fx: {
        "autoencoder": fx.stacked.autoencoder, "images": fx.images, "answer": 0.1,
        "verbose": False},
    "exercises.generative.check_denoising_noise_level": lambda fx: {
        "autoencoder": fx.stacked.autoencoder, "images": fx.images, "noise_level": 0.1,
        "verbose": False},
    "exercises.generative.check_bernoulli_kl": lambda fx: {"function": _bernoulli_kl,
                                                           "verbose": False},
    "exercises.generative.check_closest_sparsity_target": lambda fx: {
        "models": {0.1: fx.stacked}, "images": fx.images, "answer": 0.1, "verbose": False},
    "exercises.generative.check_latent_loss": lambda fx: {"function": _latent_loss,
                                                          "verbose": False},
    "exercises.generative.check_brightness_axis": lambda fx: {
        "decoder": fx.stacked.decoder, "axis": 0, "verbose": False},
    "exercises.pretraining_conv.check_tied_parameter_count": lambda fx: {
        "count": 1000, "verbose": False},
    "exercises.pretraining_conv.check_frozen_classifier": lambda fx: {
        "classifier": fx.classifier, "encoder": fx.stacked.encoder, "verbose": False},
    "exercises.pretraining_conv.check_tied_decoder": lambda fx: {
        "encoder": fx.tied.encoder, "decoder": fx.tied.decoder, "verbose": False},
    "exercises.pretraining_conv.check_transpose_output_sizes": lambda fx: {
        "sizes": {(7, "same"): 14}, "verbose": False},
    "exercises.pretraining_conv.check_small_conv_autoencoder": lambda fx: {
        "encoder": fx.conv.encoder, "decoder": fx.conv.decoder, "verbose": False},
    "exercises.predictions.check_capacity_prediction": lambda fx: {
        "prediction": "lower", "model": fx.linear.autoencoder, "baseline": fx.linear.autoencoder,
        "points": fx.images[:, 0, :3], "verbose": False},
    "exercises.predictions.check_flip_prediction": lambda fx: {
        "prediction": 2.0, "autoencoder": fx.stacked.autoencoder, "images": fx.images,
        "verbose": False},
    "exercises.predictions.check_tied_ratio_prediction": lambda fx: {
        "prediction": 0.5, "tied": fx.tied.autoencoder, "untied": fx.stacked.autoencoder,
        "verbose": False},
    "exercises.predictions.check_filter_doubling_prediction": lambda fx: {
        "prediction": 3.0, "doubled": fx.conv.autoencoder, "original": fx.conv.autoencoder,
        "verbose": False},
    "exercises.predictions_generative.check_masking_prediction": lambda fx: {
        "prediction": "better", "autoencoder": fx.stacked.autoencoder, "images": fx.images,
        "verbose": False},
    "exercises.predictions_generative.check_active_units_prediction": lambda fx: {
        "prediction": 3.0, "encoder": fx.stacked.encoder, "images": fx.images,
        "verbose": False},
    "exercises.predictions_generative.check_sampling_prediction": lambda fx: {
        "prediction": "lower", "encoder": fx.vae.encoder, "decoder": fx.vae.decoder,
        "images": fx.images, "verbose": False},
    "exercises.representations.check_profile_lookup": lambda fx: {
        "name": "ci", "train_size": 3000, "stacked_epochs": 2, "verbose": False},
    "exercises.representations.check_class_counts": lambda fx: {
        "counts": np.full(10, 10), "labels": np.arange(100) % 10, "verbose": False},
    "exercises.representations.check_reconstruction_mse": lambda fx: {
        "value": 0.1, "inputs": fx.images, "reconstructions": fx.images_b, "verbose": False},
    "exercises.representations.check_pca_basis": lambda fx: {
        "basis": np.eye(3)[:2], "data": fx.images[:, :, :3].reshape(-1, 3), "verbose": False},
    "exercises.representations.check_parameter_count": lambda fx: {
        "count": 1000, "verbose": False},
    "exercises.representations.check_beats_pca": lambda fx: {
        "autoencoder": fx.stacked.autoencoder, "x_train": fx.train, "x_valid": fx.images,
        "verbose": False},
}


def _stacked_builder():
    from aehelpers import models

    return models.build_stacked_autoencoder


def _bernoulli_kl(p, q):
    return p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))


def _latent_loss(mean, log_var):
    return -0.5 * np.sum(1 + log_var - np.exp(log_var) - mean**2, axis=-1)


# --- The catalogue of bad values ----------------------------------------------------------


def _images() -> list[Bad]:
    return [
        Bad("uint8", "uint8 images 0-255", lambda fx: (fx.images * 255).astype(np.uint8)),
        Bad("0-255", "float images in 0-255", lambda fx: fx.images * 255),
        Bad("nan", "images with NaN", lambda fx: _spoil(fx.images, np.nan)),
        Bad("inf", "images with inf", lambda fx: _spoil(fx.images, np.inf)),
        Bad("single", "one 28x28 image where a batch is needed", lambda fx: fx.images[0]),
        Bad("4-D", "a 4-D batch (8, 28, 28, 1)", lambda fx: fx.images[..., None]),
        Bad("32x32", "32x32 images", lambda fx: fx.images32),
        Bad("string", "a string", const("images.png")),
        Bad("empty", "an empty batch (0, 28, 28)", lambda fx: fx.images[:0]),
    ]


def _images_or_single() -> list[Bad]:
    return [bad for bad in _images() if bad.key != "single"]


def _image() -> list[Bad]:
    return [
        Bad("uint8", "a uint8 image 0-255", lambda fx: (fx.images[0] * 255).astype(np.uint8)),
        Bad("0-255", "a float image in 0-255", lambda fx: fx.images[0] * 255),
        Bad("nan", "an image with NaN", lambda fx: _spoil(fx.images[0], np.nan)),
        Bad("inf", "an image with inf", lambda fx: _spoil(fx.images[0], np.inf)),
        Bad("batch", "a batch (8, 28, 28) where one image is needed", lambda fx: fx.images),
        Bad("32x32", "a 32x32 image", lambda fx: fx.images32[0]),
        Bad("string", "a string", const("image.png")),
        Bad("empty", "an empty array", const(np.zeros(0, "float32"))),
    ]


def _count() -> list[Bad]:
    return [
        Bad("negative", "negative (-1)", const(-1)),
        Bad("zero", "zero", const(0)),
        Bad("huge", "huge (10**12)", const(10**12)),
        Bad("nan", "NaN", const(float("nan"))),
        Bad("inf", "inf", const(float("inf"))),
        Bad("bool", "a bool (True)", const(True)),
        Bad("string", "a string ('8')", const("8")),
        Bad("float", "a float (3.0) for an int", const(3.0)),
    ]


def _index() -> list[Bad]:
    return [bad for bad in _count() if bad.key not in ("zero", "inf")]


def _seed() -> list[Bad]:
    return [bad for bad in _count() if bad.key not in ("zero", "inf")]


def _nonneg_float() -> list[Bad]:
    return [
        Bad("negative", "negative (-0.5)", const(-0.5)),
        Bad("huge", "huge (1e12)", const(1e12)),
        Bad("nan", "NaN", const(float("nan"))),
        Bad("inf", "inf", const(float("inf"))),
        Bad("bool", "a bool (True)", const(True)),
        Bad("string", "a string ('0.1')", const("0.1")),
    ]


def _positive_float() -> list[Bad]:
    return [*_nonneg_float(), Bad("zero", "zero", const(0.0))]


def _finite_float() -> list[Bad]:
    return [bad for bad in _nonneg_float() if bad.key in ("nan", "inf", "bool", "string")]


def _probability() -> list[Bad]:
    return [
        Bad("below", "below 0 (-0.1)", const(-0.1)),
        Bad("above", "above 1 (1.5)", const(1.5)),
        Bad("zero", "exactly 0", const(0.0)),
        Bad("one", "exactly 1", const(1.0)),
        *_finite_float(),
    ]


def _prob_array() -> list[Bad]:
    return [
        Bad("out-of-range", "entries outside [0, 1] ([-0.1, 0.5, 1.5, 0.2])",
            const(np.array([-0.1, 0.5, 1.5, 0.2], "float32"))),
        Bad("nan", "an array with NaN", const(np.array([0.1, np.nan, 0.2, 0.2], "float32"))),
        Bad("string", "a string", const("0.2")),
        Bad("empty", "an empty array", const(np.zeros(0, "float32"))),
    ]


def _targets() -> list[Bad]:
    return [
        Bad("uint8", "uint8 targets 0-255", lambda fx: (fx.train * 255).astype(np.uint8)),
        Bad("out-of-range", "targets with entries in [-1, 2]", lambda fx: fx.train * 3 - 1),
        Bad("nan", "targets with NaN", lambda fx: _spoil(fx.train, np.nan)),
        Bad("length", "targets of another length (32 for 64 inputs)", lambda fx: fx.train[:32]),
        Bad("32x32", "32x32 targets", lambda fx: np.resize(fx.images32, (64, 32, 32))),
        Bad("string", "a string", const("targets")),
    ]


def _model() -> list[Bad]:
    return [
        Bad("string", "a string", const("autoencoder")),
        Bad("none", "None", const(None)),
        Bad("array", "a NumPy array", lambda fx: fx.images),
    ]


def _image_model() -> list[Bad]:
    return [*_model(), Bad("32x32", "a model for 32x32 inputs", lambda fx: fx.wide)]


def _autoencoder() -> list[Bad]:
    return [
        *_model()[:2],
        Bad("encoder", "an encoder where an autoencoder is expected",
            lambda fx: fx.stacked.encoder),
        Bad("decoder", "a decoder where an autoencoder is expected",
            lambda fx: fx.stacked.decoder),
        Bad("vae-encoder", "a VAE encoder (3 outputs)", lambda fx: fx.vae.encoder),
        Bad("32x32", "an autoencoder for 32x32 images", lambda fx: fx.wide),
    ]


def _encoder() -> list[Bad]:
    return [
        *_model()[:2],
        Bad("autoencoder", "an autoencoder where an encoder is expected",
            lambda fx: fx.stacked.autoencoder),
        Bad("decoder", "a decoder where an encoder is expected", lambda fx: fx.stacked.decoder),
        Bad("32x32", "a model for 32x32 images", lambda fx: fx.wide),
    ]


def _decoder() -> list[Bad]:
    return [
        *_model()[:2],
        Bad("encoder", "an encoder where a decoder is expected", lambda fx: fx.stacked.encoder),
        Bad("autoencoder", "an autoencoder where a decoder is expected",
            lambda fx: fx.stacked.autoencoder),
        Bad("vae-encoder", "a VAE encoder (3 outputs)", lambda fx: fx.vae.encoder),
        Bad("linear", "a decoder of 3-D points (2 -> 3 values)", lambda fx: fx.linear.decoder),
    ]


def _paired_decoder() -> list[Bad]:
    return [*_decoder(), Bad("other-size", "a decoder for 3 codings (the encoder gives 4)",
                             lambda fx: fx.vae.decoder)]


def _vae_decoder() -> list[Bad]:
    """Decoders for a VAE whose (good) encoder gives 3 codings."""
    return [*_decoder(), Bad("other-size", "a decoder for 4 codings (the encoder gives 3)",
                             lambda fx: fx.stacked.decoder)]


def _vae_encoder() -> list[Bad]:
    return [
        *_model()[:2],
        Bad("one-output", "an encoder with one output (not mean, log_var, codings)",
            lambda fx: fx.stacked.encoder),
        Bad("decoder", "a decoder where an encoder is expected", lambda fx: fx.vae.decoder),
    ]


def _trained() -> list[Bad]:
    from aehelpers.models import Autoencoder

    return [
        *_model()[:2],
        Bad("keras", "a Keras model (no .encoder)", lambda fx: fx.stacked.autoencoder),
        Bad("swapped", "an Autoencoder with encoder and autoencoder swapped",
            lambda fx: Autoencoder(fx.stacked.autoencoder, fx.stacked.decoder,
                                   fx.stacked.encoder)),
    ]


def _parts() -> list[Bad]:
    from aehelpers.models import Autoencoder

    return [
        *_model()[:2],
        Bad("stacked", "a stacked (not greedy) Autoencoder", lambda fx: fx.fresh_stacked()),
        Bad("nones", "an Autoencoder of None values", const(Autoencoder(None, None, None))),
        Bad("keras", "a Keras model", lambda fx: fx.fresh_greedy().autoencoder),
    ]


def _model_dict() -> list[Bad]:
    return [
        Bad("empty", "an empty dict", const({})),
        Bad("list", "a list of models", lambda fx: [fx.stacked]),
        Bad("string", "a string", const("models")),
        Bad("string-values", "a dict of strings", const({0.1: "model"})),
        Bad("out-of-range", "a target key outside (0, 1) (1.5)", lambda fx: {1.5: fx.stacked}),
        Bad("keras", "a dict of Keras models (no .encoder)",
            lambda fx: {0.1: fx.stacked.autoencoder}),
    ]


def _fm_data() -> list[Bad]:
    def replace(**fields):
        return lambda fx: fx.data._replace(**{k: f(fx) for k, f in fields.items()})

    return [
        Bad("string", "a string", const("fashion-mnist")),
        Bad("none", "None", const(None)),
        Bad("dict", "a dict without x_train", const({"images": 1})),
        Bad("uint8", "x_train as uint8 0-255",
            replace(x_train=lambda fx: (fx.train * 255).astype(np.uint8))),
        Bad("nan", "x_valid with NaN", replace(x_valid=lambda fx: _spoil(fx.valid, np.nan))),
        Bad("empty", "an empty x_train", replace(x_train=lambda fx: fx.train[:0])),
        Bad("32x32", "32x32 x_train", replace(x_train=lambda fx: fx.images32)),
    ]


def _name_choices(unknown: str) -> list[Bad]:
    return [
        Bad("unknown", f"an unknown name ({unknown!r})", const(unknown)),
        Bad("path", "a name with path characters ('../x')", const("../x")),
        Bad("empty", "an empty string", const("")),
        Bad("none", "None", const(None)),
        Bad("int", "an int (3)", const(3)),
    ]


def _profile() -> list[Bad]:
    return [bad for bad in _name_choices("fast") if bad.key != "none"]


def _cache_name() -> list[Bad]:
    return [
        *[bad for bad in _name_choices("Bad Name") if bad.key != "unknown"],
        Bad("spaces", "a name with spaces and capitals", const("Bad Name")),
        Bad("long", "a 65-character name", const("x" * 65)),
    ]


def _cache_key() -> list[Bad]:
    return [
        Bad("path", "a key with path characters ('../x')", const("../x")),
        Bad("not-a-key", "a model name, not a key ('stacked')", const("stacked")),
        Bad("none", "None", const(None)),
        Bad("absent", "a well-formed key with no entry", const("stacked-" + "0" * 24)),
    ]


def _data_dir() -> list[Bad]:
    return [
        Bad("missing", "a missing folder", lambda fx: fx.missing_folder()),
        Bad("truncated", "a folder with a truncated file", lambda fx: fx.truncated_folder()),
        Bad("unreadable", "a folder with an unreadable file (chmod 000)",
            lambda fx: fx.unreadable_folder()),
        Bad("file", "a regular file instead of a folder", lambda fx: fx.regular_file()),
        Bad("int", "an int (3)", const(3)),
    ]


def _folder() -> list[Bad]:
    return [bad for bad in _data_dir() if bad.key in ("missing", "file", "int")]


def _codings() -> list[Bad]:
    return [
        Bad("nan", "codings with NaN", const(np.array([[0.1, np.nan, 0.2, 0.3]] * 8))),
        Bad("inf", "codings with inf", const(np.array([[0.1, np.inf, 0.2, 0.3]] * 8))),
        Bad("1-D", "a 1-D vector where a batch is needed", const(np.zeros(4))),
        Bad("3-D", "a 3-D array", const(np.zeros((8, 4, 2)))),
        Bad("string", "a string", const("codings")),
        Bad("empty", "an empty batch (0, 4)", const(np.zeros((0, 4)))),
    ]


def _decoder_codings() -> list[Bad]:
    """Codings for a decoder, whose input fixes their width."""
    return [*_codings(), Bad("width", "codings of the wrong width (5)", const(np.zeros((8, 5))))]


def _vector() -> list[Bad]:
    return [
        Bad("nan", "a vector with NaN", const(np.array([0.1, np.nan, 0.2, 0.3]))),
        Bad("inf", "a vector with inf", const(np.array([0.1, np.inf, 0.2, 0.3]))),
        Bad("length", "a vector of the wrong length (5)", const(np.zeros(5))),
        Bad("2-D", "a 2-D batch where one vector is needed", const(np.zeros((8, 4)))),
        Bad("string", "a string", const("codings")),
        Bad("empty", "an empty vector", const(np.zeros(0))),
    ]


def _any_vector() -> list[Bad]:
    """A vector whose length is free (no decoder fixes it)."""
    return [bad for bad in _vector() if bad.key != "length"]


def _pair_array() -> list[Bad]:
    return [
        Bad("nan", "an array with NaN", lambda fx: _spoil(np.ones((8, 4)), np.nan)),
        Bad("inf", "an array with inf", lambda fx: _spoil(np.ones((8, 4)), np.inf)),
        Bad("mismatch", "a shape unlike the other argument's (3, 5)", const(np.zeros((3, 5)))),
        Bad("string", "a string", const("array")),
        Bad("empty", "an empty array", const(np.zeros(0))),
    ]


def _psnr_images() -> list[Bad]:
    return [bad for bad in _images() if bad.key in ("uint8", "0-255", "nan", "string")] + [
        Bad("mismatch", "images unlike the other argument's (32x32)", lambda fx: fx.images32)]


def _log_var() -> list[Bad]:
    return [*_pair_array(), Bad("huge", "huge log-variances (1e3)", const(np.full((8, 4), 1e3)))]


def _sigma() -> list[Bad]:
    return [
        Bad("negative", "negative sigmas", const(-np.ones((8, 4)))),
        Bad("zero", "zero sigmas", const(np.zeros((8, 4)))),
        *[bad for bad in _pair_array() if bad.key in ("nan", "mismatch", "string")],
    ]


def _basis() -> list[Bad]:
    return [
        Bad("zero", "a zero basis", const(np.zeros((2, 3)))),
        Bad("rank", "a rank-deficient basis (two equal rows)",
            const(np.array([[1.0, 2, 3], [1, 2, 3]]))),
        Bad("dims", "vectors of another dimension (4)", const(np.eye(4)[:2])),
        Bad("1-D", "a 1-D vector", const(np.array([1.0, 0, 0]))),
        Bad("too-many", "more rows than dimensions (4 x 3)", const(np.ones((4, 3)))),
        Bad("nan", "a basis with NaN", const(np.array([[1.0, np.nan, 0], [0, 1, 0]]))),
        Bad("string", "a string", const("basis")),
    ]


def _points() -> list[Bad]:
    return [
        Bad("nan", "points with NaN", lambda fx: _spoil(np.ones((20, 3)), np.nan)),
        Bad("one-row", "a single point", const(np.ones((1, 3)))),
        Bad("1-D", "a 1-D array", const(np.ones(3))),
        Bad("dims", "4-D points (the basis is 3-D)", const(np.ones((20, 4)))),
        Bad("string", "a string", const("points")),
    ]


def _points_2d() -> list[Bad]:
    return [
        Bad("columns", "3 columns", const(np.zeros((8, 3)))),
        Bad("nan", "points with NaN", lambda fx: _spoil(np.zeros((8, 2)), np.nan)),
        Bad("string", "a string", const("points")),
        Bad("empty", "no points (0, 2)", const(np.zeros((0, 2)))),
    ]


def _noise() -> list[Bad]:
    return [
        Bad("nan", "noise with NaN", lambda fx: _spoil(fx.noise, np.nan)),
        Bad("32x32", "32x32 noise", lambda fx: fx.images32),
        Bad("string", "a string", const("noise")),
        Bad("empty", "an empty array", const(np.zeros(0, "float32"))),
    ]


def _validation_data() -> list[Bad]:
    return [
        Bad("string", "a string", const("valid")),
        Bad("3-tuple", "a 3-tuple", lambda fx: (fx.valid, fx.valid, fx.valid)),
        Bad("uint8", "(uint8 images 0-255,)", lambda fx: ((fx.valid * 255).astype(np.uint8),)),
        Bad("nan", "(images with NaN,)", lambda fx: (_spoil(fx.valid, np.nan),)),
        Bad("length", "(images, targets of another length)", lambda fx: (fx.valid, fx.images)),
        Bad("32x32", "(32x32 images,)", lambda fx: (fx.images32,)),
    ]


def _labels() -> list[Bad]:
    return [
        Bad("negative", "a negative label", const(np.array([-1, 0, 1, 2, 0, 1, 2, 0]))),
        Bad("out-of-range", "label 10 (no such class)", const(np.array([10, 0, 1, 2] * 2))),
        Bad("float", "float labels", const(np.arange(8) / 2)),
        Bad("length", "one label too many", const(np.arange(9) % 3)),
        Bad("string", "a string", const("labels")),
        Bad("empty", "no labels", const(np.zeros(0, int))),
    ]


def _class_labels() -> list[Bad]:
    """Labels for check_class_counts, whose good labels are 100 entries in 0..9."""
    return [
        Bad("negative", "a negative label", const(np.r_[-1, np.arange(99) % 10])),
        Bad("out-of-range", "label 10 (no such class)", const(np.r_[10, np.arange(99) % 10])),
        Bad("float", "float labels", const(np.arange(100) % 10 / 2)),
        Bad("string", "a string", const("labels")),
        Bad("empty", "no labels", const(np.zeros(0, int))),
    ]


def _label_names() -> list[Bad]:
    return [
        Bad("length", "one label too few", const([f"item {i}" for i in range(7)])),
        Bad("string", "a string", const("labels")),
        Bad("int", "an int", const(3)),
    ]


def _counts() -> list[Bad]:
    return [
        Bad("length", "9 counts for 10 classes", const(np.full(9, 10))),
        Bad("string", "a string", const("counts")),
        Bad("fraction", "non-integer counts", const(np.full(10, 9.5))),
        Bad("negative", "negative counts", const(np.r_[-10, np.full(9, 10)])),
        Bad("nan", "a NaN count", const(np.r_[np.nan, np.full(9, 10.0)])),
    ]


def _units() -> list[Bad]:
    return [
        Bad("empty", "an empty tuple", const(())),
        Bad("negative", "a negative entry", const((16, -4))),
        Bad("zero", "a zero entry", const((16, 0))),
        Bad("int", "a bare int", const(16)),
        Bad("string", "a string", const("16")),
        Bad("float", "float entries", const((16.0, 4.0))),
        Bad("huge", "a huge entry (10**6)", const((10**6, 4))),
        Bad("nested", "a nested list", const([[16, 4]])),
    ]


def _shape() -> list[Bad]:
    return [
        Bad("negative", "a negative dimension", const((-1, 28, 28))),
        Bad("string", "a string", const("8x28x28")),
        Bad("huge", "a huge shape (10**6, 10**6)", const((10**6, 10**6))),
        Bad("float", "float dimensions", const((8.5, 28, 28))),
    ]


def _image_shape() -> list[Bad]:
    return [
        Bad("string", "a string", const("28x28")),
        Bad("1-D", "one dimension (28,)", const((28,))),
        Bad("negative", "a negative dimension", const((-28, 28))),
        Bad("zero", "a zero dimension", const((0, 28))),
    ]


def _history() -> list[Bad]:
    return [
        Bad("empty", "an empty dict", const({})),
        Bad("string", "a string", const("history")),
        Bad("list", "a list of numbers", const([1.0, 0.5])),
        Bad("string-values", "a dict of strings", const({"loss": "abc"})),
    ]


def _keys() -> list[Bad]:
    return [
        Bad("string", "a string ('loss') for a list", const("loss")),
        Bad("unknown", "an unknown key", const(["nope"])),
        Bad("empty", "an empty list", const([])),
    ]


def _titles() -> list[Bad]:
    return [
        Bad("length", "one title too few", const([str(i) for i in range(7)])),
        Bad("int", "an int", const(3)),
    ]


def _class_names() -> list[Bad]:
    return [
        Bad("short", "fewer names than classes", const(("a",))),
        Bad("string", "a string of letters", const("abc")),
    ]


def _ax() -> list[Bad]:
    return [Bad("string", "a string instead of Axes", const("ax"))]


def _function() -> list[Bad]:
    return [
        Bad("string", "a string", const("p * log(p / q)")),
        Bad("none", "None", const(None)),
        Bad("signature", "a function of one argument", const(lambda p: p)),
    ]


def _sizes() -> list[Bad]:
    return [
        Bad("empty", "an empty dict", const({})),
        Bad("list", "a list", const([((7, "same"), 14)])),
        Bad("padding", "an unknown padding", const({(7, "full"): 14})),
        Bad("negative", "a negative prediction", const({(7, "same"): -14})),
        Bad("zero-width", "a zero width", const({(0, "same"): 0})),
    ]


def _anything_else(what: str) -> list[Bad]:
    return [Bad("string", f"a string for {what}", const("x")), Bad("none", "None", const(None))]


def _fingerprint_arrays() -> list[Bad]:
    return [
        Bad("string", "a string", const(["images"])),
        Bad("none", "None", const([None])),
        Bad("object", "a ragged object array", const([np.array([[1], [1, 2]], dtype=object)])),
    ]


def _json_result() -> list[Bad]:
    """Results to cache: JSON data only (numbers, strings, lists, string-keyed dicts)."""
    return [
        Bad("array", "a NumPy array", lambda fx: fx.images[0, 0]),
        Bad("object", "an object", const(object())),
        Bad("int-keys", "a dict with int keys", const({20: 0.5})),
        Bad("nan", "NaN", const(float("nan"))),
        Bad("inf-inside", "a list holding inf", const([0.5, float("inf")])),
        Bad("set-inside", "a dict holding a set", const({"sizes": {20, 100}})),
    ]


def _measure_function() -> list[Bad]:
    """What ae.remember calls as measure(): a function of no arguments returning JSON data."""
    return [
        Bad("string", "a string", const("experiment()")),
        Bad("none", "None", const(None)),
        Bad("signature", "a function of one argument", const(lambda seed: [seed])),
        Bad("partial", "a functools.partial (no stable source)",
            const(functools.partial(_bernoulli_kl, 0.1, 0.2))),
        Bad("returns-array", "a function returning a NumPy array",
            const(lambda: np.zeros(3))),
        Bad("returns-nan", "a function returning NaN", const(lambda: {"loss": float("nan")})),
    ]


def _code_functions() -> list[Bad]:
    return [
        Bad("function", "one function, not a tuple", const(_bernoulli_kl)),
        Bad("none", "None", const(None)),
        Bad("strings", "a tuple of names", const(("compare",))),
        Bad("builtin", "a tuple holding a builtin (no source)", const((len,))),
    ]


def _remember_inputs() -> list[Bad]:
    """Keyword inputs of ae.remember (merged into the good ones)."""
    return [
        Bad("object", "an object as an input", const({"images": object()})),
        Bad("strings", "an array of strings", const({"images": np.array(["a", "b"])})),
        Bad("dict", "a dict as an input", const({"settings": {"epochs": 2}})),
        Bad("tuple-object", "a tuple holding an object", const({"sizes": (20, object())})),
    ]


def _variants() -> list[Bad]:
    """ae.train_autoencoders' variants: a list of dicts of builder arguments, all different."""
    return [
        Bad("empty", "an empty list", const([])),
        Bad("dict", "one dict for a list", const({"target_sparsity": 0.1})),
        Bad("numbers", "a list of targets for a list of dicts", const([0.05, 0.1])),
        Bad("same", "the same model twice (defaults spelled out)",
            const([{}, {"target_sparsity": 0.1}])),
        Bad("unknown-argument", "an argument the builder does not take",
            const([{"target": 0.1}])),
        Bad("out-of-range", "a target of 1.5", const([{"target_sparsity": 1.5}])),
    ]


def _together_models() -> list[Bad]:
    """ae.training.fit_together's models: compiled autoencoders of the same images."""
    return [
        Bad("empty", "an empty list", const([])),
        Bad("model", "one model for a list", lambda fx: fx.compiled_stacked()),
        Bad("uncompiled", "an uncompiled model in the list",
            lambda fx: [fx.compiled_stacked(), fx.fresh_stacked().autoencoder]),
        Bad("twice", "one model listed twice",
            lambda fx: [fx.compiled_stacked()] * 2),
        Bad("encoder", "a compiled encoder in the list", lambda fx: [
            fx.compiled_stacked(), _compiled(fx.fresh_stacked().encoder)]),
        Bad("string", "a string in the list", lambda fx: [fx.compiled_stacked(), "model"]),
    ]


def _compiled(model):
    model.compile(loss="mse")
    return model


def _restart_model() -> list[Bad]:
    return [
        *_model(),
        Bad("uncompiled", "an uncompiled model", lambda fx: fx.fresh_stacked().autoencoder),
        Bad("trained", "a model that trained before its first restart",
            lambda fx: fx.trained_stacked()),
    ]


def _weights() -> list[Bad]:
    """Weights for the good model (a stacked autoencoder, 16 hidden units, 4 codings)."""

    def good(fx):
        return fx.stacked.autoencoder.get_weights()

    return [
        Bad("short", "one array too few", lambda fx: good(fx)[:-1]),
        Bad("transposed", "the first kernel transposed",
            lambda fx: [good(fx)[0].T, *good(fx)[1:]]),
        Bad("nan", "a kernel with NaN", lambda fx: [_spoil(good(fx)[0], np.nan), *good(fx)[1:]]),
        Bad("strings", "an array of strings", lambda fx: [good(fx)[0].astype(str),
                                                          *good(fx)[1:]]),
        Bad("none-inside", "None for the first array", lambda fx: [None, *good(fx)[1:]]),
        Bad("dict", "a dict of arrays", lambda fx: dict(enumerate(good(fx)))),
        Bad("string", "a string", const("weights.npz")),
        Bad("none", "None", const(None)),
    ]


def _callbacks() -> list[Bad]:
    return [Bad("string", "a string", const("early_stopping")),
            Bad("list", "a list holding a string", const(["early_stopping"]))]


def _metrics() -> list[Bad]:
    return [Bad("string", "a string ('mse') for a list", const("mse")),
            Bad("unknown", "an unknown metric", const(["nope"]))]


def _builder_kwargs() -> list[Bad]:
    return [
        Bad("typo", "a misspelt builder argument (codings=4)", const({"codings": 4})),
        Bad("training", "a training argument (epochs=3)", const({"epochs": 3})),
        Bad("units", "hidden_units=()", const({"hidden_units": ()})),
        Bad("size", "codings_size=0", const({"codings_size": 0})),
    ]


def _dense() -> list[Bad]:
    import keras

    return [*_model()[:2],
            Bad("conv", "a Conv2D layer", const(keras.layers.Conv2D(4, 3)))]


def _explorer_parts(what: str) -> list[Bad]:
    bads = {
        "controls": [Bad("list", "a list", const([1, 2])), Bad("string", "a string",
                                                              const("controls"))],
        "figure": _anything_else("a figure"),
        "update": [Bad("string", "a string", const("update")),
                   Bad("returns-none", "a function returning None", const(lambda: None))],
        "animated": [Bad("string", "a string", const("artists"))],
        "artists": [Bad("short", "two artists for three arrays",
                        lambda fx: fx.noise_render()["artists"][:2]),
                    Bad("string", "a string", const("artists"))],
        "panel": _anything_else("a panel"),
        "names": [Bad("short", "two names for three arrays", const(("a", "b"))),
                  Bad("string", "a string", const("names"))],
    }
    return bads[what]


def _choice() -> list[Bad]:
    return [bad for bad in _name_choices("nope") if bad.key != "empty"]


def _activation() -> list[Bad]:
    return [bad for bad in _choice() if bad.key != "none"]


def _scores() -> list[Bad]:
    return [
        Bad("nan", "a score of NaN", lambda fx: _spoil(fx.scores, np.nan)),
        Bad("2-D", "a 2-D array", const(np.zeros((8, 2)))),
        Bad("string", "a string", const("scores")),
        Bad("empty", "no scores", const(np.zeros(0))),
    ]


def _flags() -> list[Bad]:
    return [
        Bad("length", "one flag too many", const(np.arange(9) % 2 == 0)),
        Bad("one-class", "every item an anomaly", const(np.ones(8, bool))),
        Bad("float", "fractions (0.5) for flags", const(np.full(8, 0.5))),
        Bad("string", "a string", const("flags")),
    ]


def _features() -> list[Bad]:
    return [
        Bad("nan", "features with NaN", lambda fx: _spoil(fx.images[:, 0], np.nan)),
        Bad("1-D", "a 1-D vector", const(np.zeros(8))),
        Bad("string", "a string", const("features")),
        Bad("empty", "no rows", const(np.zeros((0, 4)))),
    ]


def _item_labels() -> list[Bad]:
    return [
        Bad("length", "one label too many", const(np.arange(9) % 3)),
        Bad("string", "a string", const("labels")),
        Bad("2-D", "a 2-D array", const(np.zeros((8, 2), int))),
    ]


def _record(what: str) -> list[Bad]:
    return [Bad("tuple", f"a plain tuple for {what}", const((0, 1, 2))),
            Bad("string", "a string", const(what))]


def _vae_dict() -> list[Bad]:
    return [
        Bad("empty", "an empty dict", const({})),
        Bad("list", "a list of models", lambda fx: [fx.vae]),
        Bad("negative-key", "a KL multiple of -1", lambda fx: {-1.0: fx.vae}),
        Bad("not-vae", "a plain autoencoder for a VAE", lambda fx: {1.0: fx.stacked}),
        Bad("keras", "a Keras model (no .encoder)", lambda fx: {1.0: fx.vae.autoencoder}),
    ]


def _map_model() -> list[Bad]:
    return [
        *_model()[:2],
        Bad("wide-codings", "a model with 4-D codings", lambda fx: fx.stacked),
        Bad("keras", "a Keras model (no .encoder)", lambda fx: fx.vae_2d.autoencoder),
    ]


def _units3() -> list[Bad]:
    """Layer sizes for three stages (the image denoiser's 28x28, 14x14 and 7x7)."""
    return [
        Bad("empty", "an empty tuple", const(())),
        Bad("short", "two entries for three stages", const((8, 8))),
        Bad("negative", "a negative entry", const((8, -4, 8))),
        Bad("zero", "a zero entry", const((8, 0, 8))),
        Bad("int", "a bare int", const(8)),
        Bad("string", "a string", const("8")),
        Bad("float", "float entries", const((8.0, 4.0, 8.0))),
        Bad("huge", "a huge entry (10**6)", const((10**6, 4, 4))),
        Bad("nested", "a nested list", const([[8, 4, 4]])),
    ]


def _unit_interval() -> list[Bad]:
    """A float in [0, 1] where both ends are valid."""
    return [bad for bad in _probability() if bad.key not in ("zero", "one")]


def _fraction() -> list[Bad]:
    """A share in (0, 1]: none of it is no share, all of it is."""
    return [bad for bad in _probability() if bad.key != "one"]


def _signed() -> list[Bad]:
    return [
        Bad("0-255", "values far outside [-1, 1] (images in 0-255)", lambda fx: fx.images * 255),
        Bad("nan", "an array with NaN", lambda fx: _spoil(fx.images, np.nan)),
        Bad("inf", "an array with inf", lambda fx: _spoil(fx.images, np.inf)),
        Bad("string", "a string", const("images")),
        Bad("empty", "an empty array", const(np.zeros(0, "float32"))),
    ]


def _denoiser() -> list[Bad]:
    return [*_model(), Bad("autoencoder", "a 28x28 autoencoder (a denoiser takes 28x28x2)",
                           lambda fx: fx.stacked.autoencoder)]


def _diffusion_model() -> list[Bad]:
    return [
        *_model(),
        Bad("denoiser", "the bare denoiser (not a DiffusionModel)", lambda fx: fx.denoiser),
        Bad("gan", "a GAN", lambda fx: fx.dcgan),
        Bad("wrong-denoiser", "a DiffusionModel around a 28x28 autoencoder",
            lambda fx: fx.diffusion_around(fx.stacked.autoencoder)),
    ]


def _gan() -> list[Bad]:
    return [
        *_model(),
        Bad("generator", "the generator alone (not a GAN)", lambda fx: fx.dcgan.generator),
        Bad("diffusion", "a DiffusionModel", lambda fx: fx.diffusion),
        Bad("toy", "a toy GAN of 2-D points (not images)", lambda fx: fx.toy_gan),
    ]


def _feature_classifier() -> list[Bad]:
    return [
        *_model(),
        Bad("no-features", "a classifier without a 'features' layer", lambda fx: fx.classifier),
        Bad("autoencoder", "an autoencoder", lambda fx: fx.stacked.autoencoder),
        Bad("32x32", "a classifier with a 'features' layer for 32x32 images",
            lambda fx: fx.wide_feature_classifier),
    ]


def _feature_rows() -> list[Bad]:
    """Feature vectors, one per row, beside another set of 8 rows of 28 features."""
    return [
        Bad("nan", "features with NaN", lambda fx: _spoil(fx.images[:, 0], np.nan)),
        Bad("inf", "features with inf", lambda fx: _spoil(fx.images[:, 0], np.inf)),
        Bad("1-D", "a 1-D vector", const(np.zeros(8))),
        Bad("3-D", "a 3-D array (images, not features)", lambda fx: fx.images),
        Bad("one-row", "a single feature vector (1, 28)", lambda fx: fx.images[:1, 0]),
        Bad("columns", "another number of features (8, 5)", const(np.zeros((8, 5)))),
        Bad("string", "a string", const("features")),
        Bad("empty", "no rows (0, 28)", const(np.zeros((0, 28)))),
    ]


def _labelled_data() -> list[Bad]:
    """Fashion-MNIST data for a model trained on the labels too."""
    def labels(make):
        return lambda fx: fx.data._replace(y_train=make(fx))

    return [
        *_fm_data(),
        Bad("label-range", "y_train with label 10 (no such class)",
            labels(lambda fx: np.r_[10, np.arange(63) % 10].astype(np.uint8))),
        Bad("label-length", "y_train of another length (32 labels for 64 images)",
            labels(lambda fx: np.arange(32, dtype=np.uint8) % 10)),
        Bad("label-float", "float y_train (0.5)", labels(lambda fx: np.full(64, 0.5))),
        Bad("label-none", "y_train None", labels(lambda fx: None)),
    ]


def _step_function() -> list[Bad]:
    """The learner's forward step, called as function(clean, step, noise, schedule)."""
    return [
        *_function(),
        Bad("returns-string", "a function returning a string",
            const(lambda clean, step, noise, schedule: "x_t")),
        Bad("returns-one", "a function returning one image, not the batch",
            const(lambda clean, step, noise, schedule: clean[0])),
    ]


KINDS: dict[str, Callable[[], list[Bad]]] = {
    "units3": _units3, "unit_interval": _unit_interval, "fraction": _fraction, "signed": _signed,
    "denoiser": _denoiser, "diffusion_model": _diffusion_model, "gan": _gan,
    "feature_classifier": _feature_classifier, "feature_rows": _feature_rows,
    "labelled_data": _labelled_data, "step_function": _step_function,
    "scores": _scores, "flags": _flags, "features": _features, "item_labels": _item_labels,
    "latent": lambda: _record("a latent map"), "ranked": lambda: _record("ranked scores"),
    "vae_dict": _vae_dict, "map_model": _map_model,
    "schedule": lambda: _record("a noise schedule"),
    "frames_list": lambda: [Bad("array", "one array for a list of frames",
                                const(np.zeros((2, 4, 2)))),
                            Bad("empty", "no frames", const([])),
                            Bad("columns", "3-column frames", const([np.zeros((4, 3))] * 2))],
    "steps": lambda: [Bad("out-of-range", "step 10 of a 10-step schedule", const(np.full(8, 10))),
                      Bad("float", "float steps", const(np.full(8, 0.5))),
                      Bad("length", "one step too few", const(np.arange(7)))],
    "ticks": lambda: [Bad("zero", "a tick at 0 on a log axis", const([0, 10])),
                      Bad("string", "a string", const("ticks"))],
    "covariance": lambda: [Bad("asymmetric", "a non-symmetric matrix",
                               const(np.array([[1.0, 0.5], [0.0, 1.0]]))),
                           Bad("singular", "a singular matrix", const(np.zeros((2, 2)))),
                           Bad("3x3", "a 3x3 matrix", const(np.eye(3)))],
    "frames": lambda: [Bad("length", "one frame too few", const([True] * 7)),
                       Bad("string", "a string", const("green"))],
    "images": _images, "images_or_single": _images_or_single, "image": _image,
    "count": _count, "index": _index, "seed": _seed, "nonneg_float": _nonneg_float,
    "positive_float": _positive_float, "finite_float": _finite_float,
    "probability": _probability, "prob_array": _prob_array, "targets": _targets,
    "model": _model, "image_model": _image_model, "autoencoder": _autoencoder,
    "encoder": _encoder, "decoder": _decoder, "paired_decoder": _paired_decoder,
    "vae_encoder": _vae_encoder, "vae_decoder": _vae_decoder, "trained": _trained, "parts": _parts,
    "model_dict": _model_dict, "fm_data": _fm_data,
    "model_name": lambda: _name_choices("gan"), "profile": _profile,
    "model_key": lambda: _name_choices("sparse"), "choice": _choice, "activation": _activation,
    "cache_name": _cache_name, "cache_key": _cache_key, "data_dir": _data_dir,
    "folder": _folder, "codings": _codings, "decoder_codings": _decoder_codings,
    "vector": _vector, "any_vector": _any_vector, "pair_array": _pair_array,
    "psnr_images": _psnr_images, "log_var": _log_var, "sigma": _sigma, "basis": _basis,
    "points": _points, "points_2d": _points_2d, "noise": _noise,
    "validation_data": _validation_data, "labels": _labels, "class_labels": _class_labels,
    "label_names": _label_names, "counts": _counts, "units": _units, "shape": _shape,
    "image_shape": _image_shape, "history": _history, "keys": _keys, "titles": _titles,
    "class_names": _class_names, "ax": _ax, "function": _function, "sizes": _sizes,
    "fingerprint_arrays": _fingerprint_arrays, "callbacks": _callbacks, "metrics": _metrics,
    "builder_kwargs": _builder_kwargs, "dense": _dense,
    "json_result": _json_result, "measure": _measure_function, "code": _code_functions,
    "remember_inputs": _remember_inputs, "restart_model": _restart_model, "weights": _weights,
    "variants": _variants, "together_models": _together_models,
    "request": lambda: _anything_else("a dict"), "record": lambda: _anything_else("a dict"),
    "builder": lambda: _anything_else("a builder function"),
    "settings": lambda: [*_anything_else("a mapping"), Bad("empty", "an empty dict",
                                                            const({}))],
    "spec_metrics": lambda: [Bad("string", "a string ('mse') for a tuple", const("mse"))],
    **{name: functools.partial(_explorer_parts, name)
       for name in ("controls", "figure", "update", "animated", "artists", "panel", "names")},
}

# Which catalogue each parameter name draws from; None: not probed (flags, free text, labels).
NAME_KINDS: dict[str, str | None] = {
    "images": "images", "x_train": "images", "x_valid": "images", "batch": "images",
    "clean": "images_or_single", "image_a": "image", "image_b": "image",
    "seed": "seed", "index": "index", "axis": "index", "first": "index", "second": "index",
    **dict.fromkeys(("num_points", "num_images", "num_cols", "num_thumbnails", "codings_size",
                     "input_dim", "epochs", "batch_size", "max_images", "max_train_images",
                     "max_params", "num_classes", "kernel_size", "strides", "max_lines",
                     "train_size", "valid_size", "test_size", "stacked_epochs", "count",
                     "num_examples"),
                    "count"),
    **dict.fromkeys(("noise_level", "l1_weight", "sparsity_weight", "kl_weight", "weight",
                     "threshold", "min_psnr", "tolerance", "noise"), "nonneg_float"),
    **dict.fromkeys(("learning_rate", "data_range", "step", "value_range", "max_noise",
                     "max_angle", "scale"), "positive_float"),
    **dict.fromkeys(("target", "target_sparsity", "dropout_rate", "alpha", "answer", "goal"),
                    "probability"),
    "value": "finite_float", "fraction": "fraction",
    "autoencoder": "autoencoder", "encoder": "encoder", "decoder": "decoder",
    "model": "model", "classifier": "model", "parts": "parts", "models": "model_dict",
    "name": "model_name", "profile": "profile", "model_key": "model_key",
    "profile_key": "model_key", "corruption": "choice", "trainer": "choice",
    "schedule": "choice", "optimizer": "choice", "activation": "activation",
    "data_dir": "data_dir", "folder": "folder", "key": "cache_key", "request": "request",
    "hidden_units": "units", "filters": "units", "layer_sizes": "units",
    "basis_a": "basis", "basis_b": "basis", "basis": "basis",
    "codings": "codings", "codings_a": "vector", "codings_b": "vector",
    "reference": "pair_array", "other": "pair_array", "start": "pair_array",
    "end": "pair_array", "mean": "pair_array", "log_var": "pair_array", "sigma": "sigma",
    "inputs": "pair_array", "reconstructions": "pair_array",
    "mean_activations": "prob_array", "mean_activation": "prob_array",
    "y_train": "targets", "validation_data": "validation_data", "callbacks": "callbacks",
    "metrics": "metrics", "labels": "labels", "counts": "counts", "shape": "shape",
    "image_shape": "image_shape", "history": "history", "keys": "keys", "titles": "titles",
    "class_names": "class_names", "ax": "ax", "function": "function", "sizes": "sizes",
    "points_2d": "points_2d", "arrays": "fingerprint_arrays", "dense": "dense",
    "builder": "builder", "settings": "settings", "builder_kwargs": "builder_kwargs",
    "data": "fm_data", "scores": "scores", "is_anomaly": "flags", "features": "features",
    "database": "features", "queries": "features", "k": "count", "latent": "latent",
    "ranked": "ranked", "ticks": "ticks", "covariance": "covariance", "frames": "frames",
    "num_queries": "count", "num_samples": "count", "bins": "count", "chunk": "count",
    "levels": None, "color": None, "which": "choice", "exclude": None, "query": "index",
    **{name: name for name in ("controls", "figure", "update", "animated", "artists",
                               "panel", "names")},
    **dict.fromkeys(("verbose", "quiet", "clip", "per_image", "log_scale", "use_cache",
                     "title", "description", "chapter", "kwargs", "show_answer"), None),
}

# Where a parameter name means something else in one callable.
KIND_OVERRIDES: dict[str, dict[str, str | None]] = {
    "widgets.trajectory_explorer": {"frames": "frames_list", "reference": "points_2d",
                                    "labels": "label_names", "fields": None,
                                    "extent": "positive_float"},
    "widgets.diffusion_explorer": {"schedule": "schedule", "labels": "label_names"},
    "generators.GAN": {"generator": "model", "discriminator": "model", "latent_size": "count"},
    "generators.ring_of_gaussians": {"modes": "count", "radius": "positive_float",
                                     "spread": "nonneg_float"},
    "generators.build_toy_gan": {"latent_size": "count"},
    "generators.GANSnapshots": {"every": "count", "grid": "count", "extent": "positive_float"},
    "generators.check_schedule": {"schedule": "schedule"},
    "generators.noise_schedule": {"steps": "count", "beta_start": "probability",
                                  "beta_end": "probability"},
    "generators.diffuse": {"clean": "pair_array", "noise": "pair_array", "steps": "steps",
                           "schedule": "schedule"},
    "generators.denoising_pairs": {"clean": "features", "schedule": "schedule",
                                   "num_pairs": "count"},
    "generators.reverse_diffusion": {"denoiser": "model", "schedule": "schedule",
                                     "keep_every": "count"},
    "generators.ring_coverage": {"points": "points_2d", "modes": "count",
                                 "radius": "positive_float", "spread": "positive_float"},
    "generators.build_dcgan": {"latent_size": "count"},
    "generators.to_images": {"signed": "signed"},
    "generators.build_image_denoiser": {"filters": "units3"},
    "generators.DiffusionModel": {"denoiser": "denoiser", "schedule": "schedule",
                                  "target": "choice"},
    "generators.build_image_diffusion": {"steps": "count", "beta_end": "probability",
                                         "filters": "units3", "target": "choice"},
    "generators.sample_diffusion": {"model": "diffusion_model", "sampling_steps": "count",
                                    "randomness": "unit_interval", "keep_every": "count"},
    "generators.sample_gan": {"gan": "gan"},
    "generators.image_features": {"classifier": "feature_classifier"},
    "generators.train_generator": {"data": "labelled_data"},
    "metrics.frechet_distance": {"features_a": "feature_rows", "features_b": "feature_rows"},
    # profile is a Profile that the trainers got from get_profile, which checks it.
    "zoo.training_request": {"profile": None, "fields": None},
    "exercises.gans_diffusion.check_forward_step": {"function": "step_function",
                                                    "schedule": "schedule", "step": "index"},
    "exercises.gans_diffusion.check_matching_step": {"step": "index", "schedule": "schedule",
                                                     "noise_level": "positive_float"},
    "exercises.gans_diffusion.check_sampling_steps_prediction": {
        "prediction": "choice", "model": "diffusion_model", "classifier": "feature_classifier",
        "real_images": "images", "few": "count", "many": "count"},
    "data.without_class": {"label": "index"},
    "metrics.precision_at_k": {"labels": "item_labels"},
    "explore.map_coding": {"u": "finite_float", "v": "finite_float"},
    "explore.decoded_grid": {"steps": "count", "span": "positive_float"},
    "explore.mosaic": {"border": "count"},
    "explore.summarise_vae": {"multiple": "positive_float", "model": "trained"},
    "explore.summarise_vaes": {"models": "vae_dict"},
    "explore.retrieve": {"query": "index"},
    "plots.log_axis": {"which": "choice"},
    "plots.plot_gaussian_contours": {"mean": "vector"},
    "widgets.beta_explorer": {"models": "vae_dict", "labels": "item_labels"},
    "widgets.latent_map_explorer": {"plain": "map_model", "vae": "map_model",
                                    "labels": "item_labels"},
    "widgets.retrieval_explorer": {"labels": "item_labels"},
    "exercises.applications.check_precision_at_k": {"labels": "item_labels"},
    "exercises.applications.check_recall_threshold": {"threshold": "nonneg_float",
                                                       "recall": "probability",
                                                       "slack": "probability"},
    "exercises.applications.check_retrieval_size_prediction": {
        "prediction": "choice", "small_encoder": "encoder", "large_encoder": "encoder",
        "labels": "item_labels"},
    "cache.make_key": {"name": "cache_name"},
    "cache.save": {"history": "record"},
    "cache.save_result": {"result": "json_result"},
    "zoo.remember": {"name": "cache_name", "measure": "measure", "code": "code",
                     "inputs": "remember_inputs"},
    "training.restart": {"model": "restart_model", "weights": "weights"},
    "training.fit_together": {"models": "together_models"},
    "zoo.train_autoencoders": {"variants": "variants"},
    "data.add_gaussian_noise": {"images": "images_or_single"},
    "data.make_3d_dataset": {"noise": "nonneg_float"},
    "explore.add_noise": {"noise": "noise"},
    "explore.noise_panel": {"noise": "noise"},
    "explore.call_traced": {"model": "image_model"},
    "explore.decode": {"codings": "vector"},
    "explore.decode_codings": {"codings": "decoder_codings"},
    "explore.with_coordinate": {"codings": "any_vector"},
    "explore.summarise_sparse_model": {"model": "trained"},
    "metrics.psnr": {"clean": "psnr_images"},
    "metrics.gaussian_kl": {"log_var": "log_var"},
    "models.check_autoencoder": {"name": None, "model": "autoencoder"},
    "models.check_encoder": {"name": None, "model": "encoder"},
    "models.check_decoder": {"name": None, "model": "decoder"},
    "models.VariationalAutoencoder": {"encoder": "vae_encoder", "decoder": "vae_decoder"},
    "plots.plot_image_grid": {"images": "images_or_single"},
    "plots.plot_reconstructions": {"model": "autoencoder"},
    "profiles.get_profile": {"name": "profile"},
    "profiles.Profile": {"name": "cache_name"},
    "registry.ModelSpec": {"name": "cache_name", "metrics": "spec_metrics"},
    "training.fit": {"model": "autoencoder"},
    "training.time_epoch": {"model": "autoencoder"},
    "training.warm_up": {"model": "autoencoder"},
    "training.predict": {"model": "image_model", "inputs": "images"},
    "widgets.noise_explorer": {"labels": "label_names"},
    "widgets.interpolation_explorer": {"labels": "label_names", "decoder": "paired_decoder"},
    "exercises.generative.check_closest_sparsity_target": {"models": "model_dict"},
    "exercises.pretraining_conv.check_tied_decoder": {"decoder": "paired_decoder"},
    "exercises.pretraining_conv.check_small_conv_autoencoder": {"decoder": "paired_decoder"},
    "exercises.representations.check_profile_lookup": {"name": "profile"},
    "exercises.representations.check_class_counts": {"labels": "class_labels"},
    "exercises.predictions.check_capacity_prediction": {
        "prediction": "choice", "model": "model", "baseline": "model", "points": "points"},
    "exercises.predictions.check_flip_prediction": {"prediction": "positive_float"},
    "exercises.predictions.check_tied_ratio_prediction": {
        "prediction": "nonneg_float", "tied": "model", "untied": "model"},
    "exercises.predictions.check_filter_doubling_prediction": {
        "prediction": "nonneg_float", "doubled": "model", "original": "model"},
    "exercises.predictions_generative.check_masking_prediction": {
        "prediction": "choice", "rate": "probability"},
    "exercises.predictions_generative.check_active_units_prediction": {
        "prediction": "nonneg_float"},
    "exercises.predictions_generative.check_sampling_prediction": {
        "prediction": "choice", "encoder": "vae_encoder", "decoder": "vae_decoder"},
    "exercises.representations.check_pca_basis": {"data": "points"},
}

# The learner's answers in exercise checks: None there is the placeholder, a valid input.
ANSWERS = {"prediction", "answer", "count", "counts", "value", "basis", "function", "sizes",
           "train_size", "stacked_epochs", "noise_level", "axis", "classifier", "decoder",
           "encoder", "autoencoder", "models"}

# (callable pattern, parameter, bad key): values that are valid there. Kept small on purpose.
ALLOWLIST = {
    ("generators.GANSnapshots", "every", "huge"): "one snapshot, at the start: valid",
    ("generators.reverse_diffusion", "keep_every", "zero"): "keep no steps: documented",
    ("generators.reverse_diffusion", "keep_every", "huge"): "keep only the start: valid",
    ("generators.sample_diffusion", "keep_every", "zero"): "keep no estimates: documented",
    ("generators.sample_diffusion", "keep_every", "huge"): "keep no estimates: valid",
    ("generators.image_features", "batch_size", "huge"): "one batch for all images: valid",
    ("metrics.confusion_at_threshold", "threshold", "negative"): "flags every item: valid",
    ("metrics.confusion_at_threshold", "threshold", "huge"): "flags no item: valid",
    ("metrics.nearest_neighbours", "chunk", "huge"): "one block for all queries: valid",
    ("*", "max_items", "huge"): "an upper bound",
    ("exercises.applications.check_recall_threshold", "threshold", "huge"):
        "a wrong answer, but valid input",
    ("exercises.applications.check_recall_threshold", "recall", "one"): "catch every anomaly",
    ("exercises.applications.check_recall_threshold", "slack", "zero"): "no slack: valid",
    ("exercises.applications.check_recall_threshold", "slack", "one"): "double: valid",
    ("explore.mosaic", "border", "zero"): "no frame is a valid choice",
    ("explore.threshold_view", "threshold", "negative"): "flags every item: valid",
    ("explore.threshold_view", "threshold", "huge"): "flags no item: valid",
    ("explore.threshold_view", "num_items", "zero"): "no neighbours shown: valid",
    ("*", "num_thumbnails", "zero"): "0 thumbnails is a documented choice",
    ("*", "num_thumbnails", "huge"): "an upper bound on thumbnails",
    ("*", "num_cols", "huge"): "clamped to the number of images",
    ("*", "max_images", "huge"): "an upper bound",
    ("*", "max_train_images", "huge"): "an upper bound",
    ("*", "max_params", "huge"): "an upper bound",
    ("*", "max_codings_size", "huge"): "an upper bound",
    ("exercises.*", "prediction", "huge"): "a prediction: wrong, but valid input",
    ("*", "max_lines", "huge"): "an upper bound",
    ("*", "data_range", "huge"): "any positive data range is valid",
    ("metrics.fraction_near_zero", "threshold", "huge"): "any threshold is valid",
    ("layers.*Penalty", "weight", "huge"): "no documented upper bound",
    ("exercises.*", "hidden_units", "huge"): "only counted: any layer size is valid",
    ("exercises.*", "layer_sizes", "huge"): "only counted: any layer size is valid",
    ("exercises.*", "kernel_size", "huge"): "only fed to compute_output_shape",
    ("exercises.*", "strides", "huge"): "only fed to compute_output_shape",
    ("exercises.*", "num_classes", "huge"): "only compared with the classifier's outputs",
    ("exercises.*", "codings_size", "huge"): "only compared with the encoder's outputs",
    ("exercises.*", "count", "zero"): "an answer: wrong, but valid input",
    ("exercises.*", "count", "huge"): "an answer: wrong, but valid input",
    ("exercises.*", "train_size", "zero"): "an answer: wrong, but valid input",
    ("exercises.*", "train_size", "huge"): "an answer: wrong, but valid input",
    ("exercises.*", "stacked_epochs", "zero"): "an answer: wrong, but valid input",
    ("exercises.*", "stacked_epochs", "huge"): "an answer: wrong, but valid input",
    ("*", "alpha", "zero"): "alpha lies in [0, 1]",
    ("*", "alpha", "one"): "alpha lies in [0, 1]",
    ("*", "goal", "zero"): "goal lies in [0, 1]",
    ("*", "goal", "one"): "goal lies in [0, 1]",
    ("*.check_crossover_noise_level", "answer", "zero"): "answer lies in [0, 1]",
    ("*.check_crossover_noise_level", "answer", "one"): "answer lies in [0, 1]",
    ("plots.plot_activation_histogram", "target", "zero"): "target lies in [0, 1]",
    ("plots.plot_activation_histogram", "target", "one"): "target lies in [0, 1]",
    ("explore.summarise_sparse_model", "threshold", "zero"): "threshold lies in [0, 1]",
    ("explore.summarise_sparse_model", "threshold", "one"): "threshold lies in [0, 1]",
    ("models.build_denoising_autoencoder", "dropout_rate", "zero"): "dropout lies in [0, 1)",
    ("cache.*", "folder", "missing"): "no cache yet: nothing to list or sweep",
    ("cache.*", "key", "absent"): "a key with no entry yet: load misses, save writes",
    ("cache.as_json_data", "value", "bool"): "True is JSON data",
    ("cache.as_json_data", "value", "string"): "a string is JSON data",
}


# --- Running the calls ----------------------------------------------------------------------


@dataclass
class Case:
    """One bad call and what happened."""

    target: str
    parameter: str
    value: str
    outcome: str
    error_type: str = ""
    message: str = ""
    detail: str = ""


@dataclass
class Target:
    """One public callable."""

    name: str
    obj: Callable
    kinds: dict[str, str]


def public_callables() -> list[Target]:
    """Every public function and class defined in the modules of :data:`MODULES`."""
    targets = []
    for module_name in MODULES:
        module = importlib.import_module(f"aehelpers.{module_name}")
        for name, obj in vars(module).items():
            if (name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj))
                    or obj.__module__ != module.__name__):
                continue
            qualname = f"{module_name}.{name}"
            targets.append(Target(qualname, obj, _kinds(qualname, obj)))
    return targets


def _kinds(qualname: str, obj) -> dict[str, str]:
    """Map each probed parameter of ``obj`` to its catalogue kind."""
    if qualname in RECORDS:
        return {}
    overrides = KIND_OVERRIDES.get(qualname, {})
    kinds = {}
    for name, parameter in inspect.signature(obj).parameters.items():
        kind = overrides.get(name, NAME_KINDS.get(name, _kind_from_annotation(parameter)))
        if kind is not None:
            kinds[name] = kind
    return kinds


def _kind_from_annotation(parameter: inspect.Parameter) -> str | None:
    annotation = str(parameter.annotation)
    if annotation.startswith("int"):
        return "count"
    if annotation.startswith("float"):
        return "nonneg_float"
    return "model" if "keras.Model" in annotation else None


def _assemble(obj, good: dict, parameter: str, value) -> tuple[list, dict]:
    """Return the positional and keyword arguments with ``parameter`` set to ``value``."""
    args, kwargs = [], {}
    for name, spec in inspect.signature(obj).parameters.items():
        chosen = value if name == parameter else good.get(name, inspect.Parameter.empty)
        if spec.kind is spec.VAR_POSITIONAL:
            args = list(chosen if chosen is not inspect.Parameter.empty else [])
        elif spec.kind is spec.VAR_KEYWORD:
            base = dict(good.get(name, {}))
            kwargs.update({**base, **value} if name == parameter else base)
        elif chosen is not inspect.Parameter.empty:
            kwargs[name] = chosen
    return args, kwargs


def _names(parameter: str, value, obj=None) -> list[str]:
    """The names a clear message may use for ``parameter``: builder kwargs and the keyword
    arguments of a ``**`` parameter (``remember(..., images=...)``) name themselves."""
    if parameter == "builder_kwargs":
        return list(value)
    if obj is not None and isinstance(value, dict) and any(
            name == parameter and p.kind is p.VAR_KEYWORD
            for name, p in inspect.signature(obj).parameters.items()):
        return [parameter, *value]
    return [parameter]


def _mentions(message: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message) is not None


def _raising_file(error: BaseException) -> str:
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename if tb is not None else "?"


def _in_package(filename: str) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(PACKAGE_DIR)
    except (OSError, ValueError):
        return False


def _library(filename: str) -> str:
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    return Path(filename).name


def classify(error: BaseException, names: list[str]) -> tuple[str, str]:
    """Return the outcome of a call that raised ``error``, and why it is not clear."""
    from aehelpers._validate import FriendlyError

    where = _raising_file(error)
    reasons = []
    if not isinstance(error, ValueError | TypeError | FriendlyError):
        reasons.append(f"{type(error).__name__} is not a ValueError/TypeError/FriendlyError")
    if not _in_package(where):
        reasons.append(f"raised inside {_library(where)}")
    if not any(_mentions(str(error), name) for name in names):
        reasons.append(f"message does not name {' or '.join(names)}")
    return (DEEP, "; ".join(reasons)) if reasons else (CLEAR, "")


def _describe_result(result) -> str:
    if isinstance(result, np.ndarray):
        flags = ", contains NaN/inf" if result.dtype.kind == "f" and not np.isfinite(
            result).all() else ""
        return f"returned ndarray {result.dtype} {result.shape}{flags}"
    if isinstance(result, float) and not np.isfinite(result):
        return f"returned {result}"
    text = repr(result)
    return f"returned {type(result).__name__}" + (f" {text}" if len(text) <= 40 else "")


def _defaults(fx: Fixtures) -> dict:
    return {}


def _allowed(target: str, parameter: str, key: str) -> bool:
    if target.startswith("exercises.") and key == "none" and parameter in ANSWERS:
        return True  # None is the placeholder an exercise starts from: the check says what to put
    return any(fnmatch.fnmatch(target, pattern) and parameter == name and key == bad_key
               for pattern, name, bad_key in ALLOWLIST)


def run_case(fx: Fixtures, target: Target, parameter: str, bad: Bad) -> Case:
    """Call ``target`` with ``bad`` for ``parameter`` and good values elsewhere; classify it."""
    import matplotlib.pyplot as plt

    case = Case(target.name, parameter, bad.description, SKIPPED)
    try:
        value = bad.make(fx)
        good = GOOD.get(target.name, _defaults)(fx)
    except SkipCase as skip:
        case.detail = str(skip)
        return case
    except Exception as error:  # a fixture the package no longer builds: report, go on
        case.detail = f"could not build the arguments ({type(error).__name__}: {error})"[:200]
        return case
    args, kwargs = _assemble(target.obj, good, parameter, value)
    with (contextlib.redirect_stdout(io.StringIO()),
          warnings.catch_warnings(record=True) as caught):
        warnings.simplefilter("always")
        try:
            result = target.obj(*args, **kwargs)
        except Exception as error:  # every exception is a measured outcome
            case.outcome, case.detail = classify(error, _names(parameter, value, target.obj))
            case.error_type, case.message = type(error).__name__, str(error)[:100]
            if _allowed(target.name, parameter, bad.key):
                case.detail = "; ".join(filter(None, [case.detail, "an allowlisted value"]))
        else:
            allowed = _allowed(target.name, parameter, bad.key)
            case.outcome = VALID if allowed else SILENT
            case.detail = _describe_result(result) + _warned(caught)
    plt.close("all")
    return case


def _warned(caught) -> str:
    if not caught:
        return ""
    return f"; warned {caught[0].category.__name__}: {str(caught[0].message)[:80]}"


def missing_good(targets: list[Target]) -> list[str]:
    """Callables with a required parameter that :data:`GOOD` does not fill."""
    missing = []
    for target in targets:
        if target.kinds and target.name not in GOOD and _required(target):
            missing.append(f"{target.name} ({', '.join(_required(target))})")
    return missing


def _required(target: Target) -> list[str]:
    return [name for name, p in inspect.signature(target.obj).parameters.items()
            if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def sweep(fx: Fixtures, targets: list[Target]) -> list[Case]:
    import keras

    cases = []
    for target in targets:
        if not target.kinds or (target.name not in GOOD and _required(target)):
            continue  # a record, or reported by missing_good
        for parameter, kind in target.kinds.items():
            for bad in KINDS[kind]():
                cases.append(run_case(fx, target, parameter, bad))
                if len(cases) % CLEAR_SESSION_EVERY == 0:
                    keras.backend.clear_session()
    return cases


# --- Reporting --------------------------------------------------------------------------------


def _counted(cases: list[Case]) -> list[Case]:
    return [case for case in cases if case.outcome in (CLEAR, DEEP, SILENT)]


def report(targets: list[Target], cases: list[Case]) -> str:
    counted = _counted(cases)
    lines = ["| callable | bad calls | clear | deep trace | silently wrong |",
             "|---|---:|---:|---:|---:|"]
    probed = []
    for target in targets:
        mine = [case for case in counted if case.target == target.name]
        if not mine:
            continue
        probed.append(target.name)
        tally = [sum(case.outcome == outcome for case in mine)
                 for outcome in (CLEAR, DEEP, SILENT)]
        lines.append(f"| {target.name} | {len(mine)} | " + " | ".join(map(str, tally)) + " |")
    tally = {outcome: sum(case.outcome == outcome for case in counted)
             for outcome in (CLEAR, DEEP, SILENT)}
    lines += ["", f"TOTAL: {len(counted)} bad calls across {len(probed)} public names: "
                  f"{tally[CLEAR]} clear, {tally[DEEP]} deep trace, {tally[SILENT]} silently wrong"]
    lines += _notes(targets, cases, probed)
    lines += ["", "## Non-clear cases", ""]
    lines += [_case_line(case) for case in counted if case.outcome != CLEAR]
    return "\n".join(lines)


def _notes(targets: list[Target], cases: list[Case], probed: list[str]) -> list[str]:
    unprobed = [t.name for t in targets if t.name not in probed]
    records = [name for name in unprobed if name in RECORDS]
    no_args = [name for name in unprobed if name not in RECORDS]
    notes = ["", f"Not probed: plain records and exceptions ({', '.join(records) or 'none'}); "
                 f"no probed arguments ({', '.join(no_args) or 'none'})."]
    valid = [c for c in cases if c.outcome == VALID]
    if valid:
        notes.append(f"Accepted as valid (allowlisted, not counted): {len(valid)} calls.")
    notes += [f"Skipped: {c.target}({c.parameter} = {c.value}): {c.detail}."
              for c in cases if c.outcome == SKIPPED]
    return notes


def _case_line(case: Case) -> str:
    what = (f"{case.error_type}: {case.message!r}" if case.error_type else "returned")
    why = f" [{case.detail}]" if case.detail else ""
    return f"- `{case.target}` `{case.parameter}` = {case.value}: **{case.outcome}**, {what}{why}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write every case to this JSON file")
    parser.add_argument("--only", metavar="PATTERN", default="*",
                        help="probe only callables matching this pattern, e.g. 'exercises.*'")
    options = parser.parse_args(argv)
    os.environ.setdefault("AE_PROFILE", "ci")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory(prefix="bad-input-sweep-") as scratch:
        # Models, cache writes and damaged data folders stay in the scratch folder.
        os.environ["AEHELPERS_CACHE_DIR"] = str(Path(scratch) / "cache")
        os.environ.pop("AEHELPERS_SHARED_CACHE_DIR", None)
        _quiet_frameworks()
        targets = [target for target in public_callables()
                   if fnmatch.fnmatch(target.name, options.only)]
        missing = missing_good(targets)
        cases = sweep(Fixtures(Path(scratch)), targets)
    print(report(targets, cases))
    if missing:
        print("\nNo good arguments in GOOD for: " + "; ".join(missing), file=sys.stderr)
    if options.json:
        options.json.write_text(json.dumps([asdict(case) for case in cases], indent=1))
    return 1 if missing else 0


def _quiet_frameworks() -> None:
    """Import Keras quietly and keep its full tracebacks, so the raising frame is the real one."""
    import aehelpers

    aehelpers.setup_notebook(seed=0, verbose=False)
    import keras
    import tensorflow as tf

    keras.config.disable_traceback_filtering()
    tf.debugging.disable_traceback_filtering()


if __name__ == "__main__":
    sys.exit(main())
