"""Builders for every autoencoder in the workbook, each returning (encoder, decoder, autoencoder).

All models are Keras 3 native and round-trip through ``.keras`` files with
``safe_mode=True``. Decoders end in a linear layer and train on MSE, as in the book.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras
import numpy as np
from keras import layers

from aehelpers._validate import check_array, check_choice, check_float, check_int
from aehelpers.layers import (
    PACKAGE,
    DenseTranspose,
    KLSparsityPenalty,
    L1ActivityPenalty,
    Sampling,
    latent_loss,
)
from aehelpers.profiles import COSINE_FLOOR, Profile, get_profile

IMAGE_SHAPE = (28, 28)
NUM_PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]


def _check_units(name: str, units: Sequence[int]) -> tuple[int, ...]:
    if isinstance(units, int | str) or not isinstance(units, Sequence) or not units:
        raise TypeError(f"{name} must be a non-empty sequence of integers, got {units!r}")
    return tuple(check_int(f"{name}[{i}]", u, minimum=1, maximum=4096)
                 for i, u in enumerate(units))


# Run this many training steps per call into TensorFlow: same maths, far less Python
# overhead per batch (a stacked-AE epoch on 2 cores: 8.8 s -> 4.7 s at batch 32,
# 3.5 s -> 2.1 s at batch 128; benchmarks/training_options.py).
STEPS_PER_EXECUTION = 16


def _learning_rate(key: str, learning_rate, profile):
    """Return the optimizer's learning rate: an explicit float, else the profile's (schedule)."""
    if learning_rate is not None:
        return check_float("learning_rate", learning_rate, minimum=0.0, maximum=10.0,
                           open_min=True)
    run_profile = get_profile(profile)
    settings = run_profile.training(key)
    if settings.schedule == "constant":
        return settings.learning_rate
    steps = settings.epochs * math.ceil(run_profile.train_size / settings.batch_size)
    return keras.optimizers.schedules.CosineDecay(settings.learning_rate, decay_steps=steps,
                                                  alpha=COSINE_FLOOR)


def _compile(model, key: str, *, learning_rate, profile, optimizer="nadam", metrics=None,
             loss="mse"):
    rate = _learning_rate(key, learning_rate, profile)
    optimizers = {"nadam": keras.optimizers.Nadam, "sgd": keras.optimizers.SGD}
    model.compile(loss=loss, optimizer=optimizers[optimizer](learning_rate=rate),
                  metrics=metrics, steps_per_execution=STEPS_PER_EXECUTION)
    return model


def _dense_decoder(hidden_units: tuple[int, ...], codings_size: int) -> keras.Sequential:
    return keras.Sequential(
        [keras.Input((codings_size,)),
         *[layers.Dense(u, activation="relu") for u in reversed(hidden_units)],
         layers.Dense(NUM_PIXELS), layers.Reshape(IMAGE_SHAPE)], name="decoder")


def _dense_autoencoder(key: str, *, hidden_units, codings_size, coding_activation="relu",
                       corruption=(), penalty=(), learning_rate=None, profile=None,
                       metrics=None):
    hidden_units = _check_units("hidden_units", hidden_units)
    codings_size = check_int("codings_size", codings_size, minimum=1, maximum=4096)
    encoder = keras.Sequential(
        [keras.Input(IMAGE_SHAPE), layers.Flatten(), *corruption,
         *[layers.Dense(u, activation="relu") for u in hidden_units],
         layers.Dense(codings_size, activation=coding_activation), *penalty], name="encoder")
    decoder = _dense_decoder(hidden_units, codings_size)
    autoencoder = keras.Sequential([encoder, decoder], name=f"{key}_autoencoder")
    _compile(autoencoder, key, learning_rate=learning_rate, profile=profile, metrics=metrics)
    return encoder, decoder, autoencoder


def build_linear_autoencoder(*, input_dim: int = 3, codings_size: int = 2,
                             learning_rate: float | None = None,
                             profile: str | Profile | None = None):
    """Build a linear autoencoder (no activations, MSE, plain SGD): PCA in disguise.

    Introduced in 01_representations_and_pca.
    """
    input_dim = check_int("input_dim", input_dim, minimum=2)
    codings_size = check_int("codings_size", codings_size, minimum=1, maximum=input_dim)
    encoder = keras.Sequential([keras.Input((input_dim,)), layers.Dense(codings_size)],
                               name="encoder")
    decoder = keras.Sequential([keras.Input((codings_size,)), layers.Dense(input_dim)],
                               name="decoder")
    autoencoder = keras.Sequential([encoder, decoder], name="linear_autoencoder")
    _compile(autoencoder, "linear", learning_rate=learning_rate, profile=profile,
             optimizer="sgd")
    return encoder, decoder, autoencoder


def build_stacked_autoencoder(*, hidden_units: Sequence[int] = (100,), codings_size: int = 30,
                              learning_rate: float | None = None,
                              profile: str | Profile | None = None):
    """Build the stacked (deep) autoencoder 784-100-30-100-784.

    Introduced in 02_stacked_autoencoders.
    """
    return _dense_autoencoder("stacked", hidden_units=hidden_units, codings_size=codings_size,
                              learning_rate=learning_rate, profile=profile)


def build_denoising_autoencoder(*, corruption: str = "gaussian", noise_level: float = 0.2,
                                dropout_rate: float = 0.5, hidden_units: Sequence[int] = (100,),
                                codings_size: int = 30, learning_rate: float | None = None,
                                profile: str | Profile | None = None):
    """Build a stacked autoencoder that corrupts its inputs while training.

    ``corruption`` is ``"gaussian"`` (noise of std ``noise_level``) or
    ``"dropout"`` (inputs zeroed with probability ``dropout_rate``). Both
    layers are inactive at inference. Introduced in 05_denoising_autoencoders.
    """
    check_choice("corruption", corruption, ("gaussian", "dropout"))
    noise_level = check_float("noise_level", noise_level, minimum=0.0, maximum=5.0)
    dropout_rate = check_float("dropout_rate", dropout_rate, minimum=0.0, maximum=1.0,
                               open_max=True)
    layer = (layers.GaussianNoise(noise_level) if corruption == "gaussian"
             else layers.Dropout(dropout_rate))
    return _dense_autoencoder("denoising", hidden_units=hidden_units, codings_size=codings_size,
                              corruption=(layer,), learning_rate=learning_rate, profile=profile)


def build_sparse_l1_autoencoder(*, codings_size: int = 300, l1_weight: float = 1e-4,
                                hidden_units: Sequence[int] = (100,),
                                learning_rate: float | None = None,
                                profile: str | Profile | None = None):
    """Build a sparse autoencoder: a large sigmoid coding layer with an L1 activity penalty.

    Introduced in 06_sparse_autoencoders.
    """
    penalty = L1ActivityPenalty(check_float("l1_weight", l1_weight, minimum=0.0))
    return _dense_autoencoder("sparse_l1", hidden_units=hidden_units, codings_size=codings_size,
                              coding_activation="sigmoid", penalty=(penalty,),
                              learning_rate=learning_rate, profile=profile, metrics=["mse"])


def build_sparse_kl_autoencoder(*, target_sparsity: float = 0.1, sparsity_weight: float = 5e-3,
                                codings_size: int = 300, hidden_units: Sequence[int] = (100,),
                                learning_rate: float | None = None,
                                profile: str | Profile | None = None):
    """Build a sparse autoencoder whose units' mean activation is pulled to ``target_sparsity``.

    Introduced in 06_sparse_autoencoders.
    """
    target_sparsity = check_float("target_sparsity", target_sparsity, minimum=0.0, maximum=1.0,
                                  open_min=True, open_max=True)
    sparsity_weight = check_float("sparsity_weight", sparsity_weight, minimum=0.0)
    penalty = KLSparsityPenalty(weight=sparsity_weight, target=target_sparsity)
    return _dense_autoencoder("sparse_kl", hidden_units=hidden_units, codings_size=codings_size,
                              coding_activation="sigmoid", penalty=(penalty,),
                              learning_rate=learning_rate, profile=profile, metrics=["mse"])


def build_conv_autoencoder(*, filters: Sequence[int] = (16, 32, 64), codings_size: int = 30,
                           learning_rate: float | None = None,
                           profile: str | Profile | None = None):
    """Build the convolutional autoencoder: 28x28x1 -> 14x14x16 -> 7x7x32 -> 3x3x64 -> 30.

    Introduced in 04_convolutional_autoencoders.
    """
    filters = _check_units("filters", filters)
    if len(filters) != 3:
        raise ValueError(f"filters must hold 3 integers (one per pooling stage), got {filters}")
    codings_size = check_int("codings_size", codings_size, minimum=1, maximum=4096)
    stages = []
    for count in filters:
        stages += [layers.Conv2D(count, 3, padding="same", activation="relu"),
                   layers.MaxPooling2D(2)]
    encoder = keras.Sequential(
        [keras.Input(IMAGE_SHAPE), layers.Reshape((*IMAGE_SHAPE, 1)), *stages,
         layers.Conv2D(codings_size, 3, padding="same", activation="relu"),
         layers.GlobalAveragePooling2D()], name="encoder")
    decoder = keras.Sequential(
        [keras.Input((codings_size,)), layers.Dense(3 * 3 * filters[0]),
         layers.Reshape((3, 3, filters[0])),
         # 3 -> 7 needs "valid" padding; the next two double 7 -> 14 -> 28.
         layers.Conv2DTranspose(filters[1], 3, strides=2, activation="relu"),
         layers.Conv2DTranspose(filters[0], 3, strides=2, padding="same", activation="relu"),
         layers.Conv2DTranspose(1, 3, strides=2, padding="same"),
         layers.Reshape(IMAGE_SHAPE)], name="decoder")
    autoencoder = keras.Sequential([encoder, decoder], name="conv_autoencoder")
    _compile(autoencoder, "conv", learning_rate=learning_rate, profile=profile)
    return encoder, decoder, autoencoder


@keras.saving.register_keras_serializable(package=PACKAGE)
class TiedAutoencoder(keras.Model):
    """A stacked autoencoder whose decoder reuses the encoder's kernels, transposed.

    Built from its sizes, so a saved model reloads with its weights still tied.
    Introduced in 03_pretraining_tied_greedy.
    """

    def __init__(self, hidden_units=(100, 30), image_shape=IMAGE_SHAPE, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = _check_units("hidden_units", hidden_units)
        self.image_shape = tuple(image_shape)
        denses = [layers.Dense(u, activation="relu") for u in self.hidden_units]
        self.encoder = keras.Sequential(
            [keras.Input(self.image_shape), layers.Flatten(), *denses], name="encoder")
        # W_L = W_{N-L+1}^T: the first decoder layer reuses the last encoder kernel.
        tied = [DenseTranspose(d, activation="relu") for d in reversed(denses[1:])]
        self.decoder = keras.Sequential(
            [keras.Input((self.hidden_units[-1],)), *tied, DenseTranspose(denses[0]),
             layers.Reshape(self.image_shape)], name="decoder")

    def call(self, inputs, training=None):
        return self.decoder(self.encoder(inputs, training=training), training=training)

    def get_config(self):
        return {**super().get_config(), "hidden_units": list(self.hidden_units),
                "image_shape": list(self.image_shape)}


def build_tied_autoencoder(*, hidden_units: Sequence[int] = (100, 30),
                           learning_rate: float | None = None,
                           profile: str | Profile | None = None):
    """Build a stacked autoencoder with tied weights (``DenseTranspose``).

    Introduced in 03_pretraining_tied_greedy.
    """
    autoencoder = TiedAutoencoder(hidden_units=hidden_units, name="tied_autoencoder")
    autoencoder(np.zeros((1, *IMAGE_SHAPE), dtype="float32"))  # build it
    _compile(autoencoder, "tied", learning_rate=learning_rate, profile=profile)
    return autoencoder.encoder, autoencoder.decoder, autoencoder


@keras.saving.register_keras_serializable(package=PACKAGE)
class VariationalAutoencoder(keras.Model):
    """Encoder -> (mu, gamma, codings) -> decoder, trained on MSE + ``kl_weight`` x latent loss.

    ``fit`` reports ``reconstruction_loss`` and ``kl_loss`` beside the total
    ``loss``. Introduced in 07_variational_autoencoders.
    """

    def __init__(self, encoder, decoder, *, kl_weight: float = 1.0 / NUM_PIXELS, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.kl_weight = check_float("kl_weight", kl_weight, minimum=0.0)
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    def call(self, inputs, training=None):
        mean, log_var, codings = self.encoder(inputs, training=training)
        # A real (not symbolic) loss, added each call, read back in compute_loss.
        self.add_loss(self.kl_weight * keras.ops.mean(latent_loss(mean, log_var)))
        return self.decoder(codings, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction = keras.ops.mean(keras.ops.square(y - y_pred))
        kl = keras.ops.sum(self.losses)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return reconstruction + kl

    def get_config(self):
        return {**super().get_config(), "kl_weight": self.kl_weight,
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for part in ("encoder", "decoder"):
            config[part] = keras.saving.deserialize_keras_object(config[part])
        return cls(**config)


def build_variational_autoencoder(*, codings_size: int = 10,
                                  hidden_units: Sequence[int] = (150, 100),
                                  kl_weight: float = 1.0 / NUM_PIXELS, seed: int | None = None,
                                  learning_rate: float | None = None,
                                  profile: str | Profile | None = None):
    """Build a variational autoencoder (the latent loss is scaled by 1/784 as in the book).

    The encoder returns ``[mean, log_var, codings]``. Introduced in 07_variational_autoencoders.
    """
    hidden_units = _check_units("hidden_units", hidden_units)
    codings_size = check_int("codings_size", codings_size, minimum=1, maximum=1024)
    inputs = keras.Input(IMAGE_SHAPE)
    z = layers.Flatten()(inputs)
    for units in hidden_units:
        z = layers.Dense(units, activation="relu")(z)
    mean = layers.Dense(codings_size, name="codings_mean")(z)
    log_var = layers.Dense(codings_size, name="codings_log_var")(z)
    codings = Sampling(seed=seed, name="sampling")([mean, log_var])
    encoder = keras.Model(inputs, [mean, log_var, codings], name="encoder")
    decoder = _dense_decoder(hidden_units, codings_size)
    autoencoder = VariationalAutoencoder(encoder, decoder, kl_weight=kl_weight,
                                         name="variational_autoencoder")
    autoencoder(np.zeros((1, *IMAGE_SHAPE), dtype="float32"))  # build it
    # No compiled loss: compute_loss above owns both terms.
    _compile(autoencoder, "vae", learning_rate=learning_rate, profile=profile, loss=None)
    return encoder, decoder, autoencoder


def decode_codings(decoder: keras.Model, codings) -> np.ndarray:
    """Decode chosen codings into images clipped to [0, 1].

    Introduced in 07_variational_autoencoders.
    """
    if not isinstance(decoder, keras.Model):
        raise TypeError(f"decoder must be a keras.Model, got {type(decoder).__name__}")
    codings_size = decoder.inputs[0].shape[-1]
    codings = check_array("codings", codings, ndim=2, trailing_shape=(codings_size,))
    return np.clip(keras.ops.convert_to_numpy(decoder(codings, training=False)), 0.0, 1.0)


def generate_images(decoder: keras.Model, num_images: int = 12, *, seed: int = 42) -> np.ndarray:
    """Decode ``num_images`` codings drawn from N(0, I): new images from a VAE.

    Introduced in 07_variational_autoencoders.
    """
    num_images = check_int("num_images", num_images, minimum=1, maximum=10_000)
    if not isinstance(decoder, keras.Model):
        raise TypeError(f"decoder must be a keras.Model, got {type(decoder).__name__}")
    codings_size = decoder.inputs[0].shape[-1]
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    return decode_codings(decoder, rng.normal(size=(num_images, codings_size)))


BUILDERS = {
    "linear": build_linear_autoencoder,
    "stacked": build_stacked_autoencoder,
    "tied": build_tied_autoencoder,
    "conv": build_conv_autoencoder,
    "denoising": build_denoising_autoencoder,
    "sparse_l1": build_sparse_l1_autoencoder,
    "sparse_kl": build_sparse_kl_autoencoder,
    "vae": build_variational_autoencoder,
}


def split_autoencoder(autoencoder: keras.Model) -> tuple[keras.Model, keras.Model]:
    """Return ``(encoder, decoder)`` of any autoencoder built here, also after loading."""
    if hasattr(autoencoder, "encoder") and hasattr(autoencoder, "decoder"):
        return autoencoder.encoder, autoencoder.decoder
    if isinstance(autoencoder, keras.Sequential) and len(autoencoder.layers) == 2:
        return autoencoder.layers[0], autoencoder.layers[1]
    raise TypeError("autoencoder must be built by aehelpers.models (an encoder then a decoder)")


def train_greedy_layerwise(x_train, x_valid, *, hidden_units: Sequence[int] = (100, 30),
                           learning_rate: float | None = None,
                           profile: str | Profile | None = None, verbose: bool = True):
    """Train a stacked autoencoder one shallow autoencoder at a time, then stack the pieces.

    Phase k learns to reconstruct the codings of phase k-1 (phase 1: the
    pixels). Returns ``(encoder, decoder, autoencoder, history)`` where the
    history keys are prefixed ``phase1_``, ``phase2_`` ...
    Introduced in 03_pretraining_tied_greedy.
    """
    from aehelpers.training import fit, predict

    hidden_units = _check_units("hidden_units", hidden_units)
    x_train = check_array("x_train", x_train, ndim=3, trailing_shape=IMAGE_SHAPE)
    x_valid = check_array("x_valid", x_valid, ndim=3, trailing_shape=IMAGE_SHAPE)
    inputs_train = x_train.reshape(len(x_train), -1)
    inputs_valid = x_valid.reshape(len(x_valid), -1)
    encoder_layers, decoder_layers, history = [], [], {}
    for phase, units in enumerate(hidden_units, start=1):
        size = inputs_train.shape[1]
        coder = layers.Dense(units, activation="relu", name=f"greedy_encoder_{phase}")
        # Phase 1 rebuilds pixels (linear, as the stacked decoder); later phases
        # rebuild ReLU codings, which are never negative.
        uncoder = layers.Dense(size, activation=None if phase == 1 else "relu",
                               name=f"greedy_decoder_{phase}")
        shallow = keras.Sequential([keras.Input((size,)), coder, uncoder],
                                   name=f"greedy_phase_{phase}")
        _compile(shallow, "greedy", learning_rate=learning_rate, profile=profile)
        if verbose:
            print(f"Phase {phase}: {size} -> {units} -> {size}")
        phase_history = fit(shallow, inputs_train, model_key="greedy", profile=profile,
                            validation_data=(inputs_valid,), verbose=verbose)
        history.update({f"phase{phase}_{k}": v for k, v in phase_history.items()})
        encoder_layers.append(coder)
        decoder_layers.insert(0, uncoder)
        inputs_train = predict(keras.Sequential([keras.Input((size,)), coder]), inputs_train)
        inputs_valid = predict(keras.Sequential([keras.Input((size,)), coder]), inputs_valid)
    encoder = keras.Sequential([keras.Input(IMAGE_SHAPE), layers.Flatten(), *encoder_layers],
                               name="encoder")
    decoder = keras.Sequential([keras.Input((hidden_units[-1],)), *decoder_layers,
                                layers.Reshape(IMAGE_SHAPE)], name="decoder")
    autoencoder = keras.Sequential([encoder, decoder], name="greedy_autoencoder")
    _compile(autoencoder, "greedy", learning_rate=learning_rate, profile=profile)
    return encoder, decoder, autoencoder, history
