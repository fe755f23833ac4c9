"""Architectures of every autoencoder in the workbook; no training code lives here.

Each builder returns an :class:`Autoencoder` (encoder, decoder, autoencoder),
uncompiled: ``aehelpers.training`` compiles and trains them with the profile's
settings. Decoders end in a linear layer and train on MSE, as in the book.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import keras
import numpy as np
from keras import layers

from aehelpers._validate import (
    check_choice,
    check_float,
    check_int,
    check_model,
    check_seed,
    check_shape,
)
from aehelpers.layers import (
    PACKAGE,
    DenseTranspose,
    KLSparsityPenalty,
    L1ActivityPenalty,
    Sampling,
    latent_loss,
)

IMAGE_SHAPE = (28, 28)
NUM_PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]


class Autoencoder(NamedTuple):
    """The three models a builder returns; ``autoencoder`` chains ``encoder`` and ``decoder``."""

    encoder: keras.Model
    decoder: keras.Model
    autoencoder: keras.Model


def _shapes(model: keras.Model, tensors) -> list[tuple]:
    return [tuple(t.shape[1:]) for t in (tensors if isinstance(tensors, list | tuple)
                                         else [tensors])]


def io_shapes(model: keras.Model) -> tuple[list[tuple], list[tuple]]:
    """Return the model's input and output shapes without the batch axis ([] where unknown)."""
    check_model("model", model)
    try:
        return _shapes(model, model.inputs), _shapes(model, model.outputs)
    except (AttributeError, TypeError, ValueError):  # a subclassed model: probe it once
        try:
            probe = model(np.zeros((1, *IMAGE_SHAPE), dtype="float32"), training=False)
        except Exception:  # not an image model: leave the checks to the caller
            return [], []
        return [IMAGE_SHAPE], _shapes(model, probe)


def check_autoencoder(name: str, model) -> keras.Model:
    """Return ``model`` if it maps 28x28 images to 28x28 images, else raise naming ``name``."""
    model = check_model(name, model)
    inputs, outputs = io_shapes(model)
    if inputs != [IMAGE_SHAPE] or outputs != [IMAGE_SHAPE]:
        raise TypeError(f"{name} must be an autoencoder mapping 28x28 images to 28x28 images "
                        f"(for example trained.autoencoder), got a model from {inputs} to "
                        f"{outputs}")
    return model


def check_encoder(name: str, model) -> keras.Model:
    """Return ``model`` if it maps 28x28 images to coding vectors, else raise naming ``name``."""
    model = check_model(name, model)
    inputs, outputs = io_shapes(model)
    if inputs != [IMAGE_SHAPE] or any(len(shape) != 1 for shape in outputs):
        raise TypeError(f"{name} must be an encoder mapping 28x28 images to coding vectors "
                        f"(for example trained.encoder), got a model from {inputs} to {outputs}")
    return model


def check_decoder(name: str, model) -> keras.Model:
    """Return ``model`` if it maps coding vectors to 28x28 images, else raise naming ``name``."""
    model = check_model(name, model)
    inputs, outputs = io_shapes(model)
    if len(inputs) != 1 or len(inputs[0]) != 1 or outputs != [IMAGE_SHAPE]:
        raise TypeError(f"{name} must be a decoder mapping coding vectors to 28x28 images "
                        f"(for example trained.decoder), got a model from {inputs} to {outputs}")
    return model


def check_chain(encoder: keras.Model, decoder: keras.Model, *, encoder_name: str = "encoder",
                decoder_name: str = "decoder") -> None:
    """Raise unless ``decoder`` takes exactly the codings ``encoder`` outputs (its last output)."""
    check_model(encoder_name, encoder)
    check_model(decoder_name, decoder)
    (_, outputs), (inputs, _) = io_shapes(encoder), io_shapes(decoder)
    if not outputs or inputs != outputs[-1:]:
        hint = (f" ({encoder_name} returns 28x28 images: is it an autoencoder?)"
                if outputs[-1:] == [IMAGE_SHAPE] else "")
        raise ValueError(f"{decoder_name} must take the codings {encoder_name} outputs (shape "
                         f"{outputs[-1] if outputs else 'unknown'}), but it takes {inputs}{hint}")


def codings_size(decoder: keras.Model) -> int:
    """Return how many codings ``decoder`` takes."""
    return int(io_shapes(check_decoder("decoder", decoder))[0][0][0])


def _check_units(name: str, units: Sequence[int]) -> tuple[int, ...]:
    if isinstance(units, int | str) or not isinstance(units, Sequence) or not units:
        raise TypeError(f"{name} must be a non-empty sequence of integers, got {units!r}")
    return tuple(check_int(f"{name}[{i}]", u, minimum=1, maximum=4096)
                 for i, u in enumerate(units))


def _dense_decoder(hidden_units: tuple[int, ...], codings_size: int) -> keras.Sequential:
    return keras.Sequential(
        [keras.Input((codings_size,)),
         *[layers.Dense(u, activation="relu") for u in reversed(hidden_units)],
         layers.Dense(NUM_PIXELS), layers.Reshape(IMAGE_SHAPE)], name="decoder")


def _chain(name: str, encoder: keras.Model, decoder: keras.Model) -> Autoencoder:
    return Autoencoder(encoder, decoder, keras.Sequential([encoder, decoder], name=name))


def _dense_autoencoder(name: str, *, hidden_units, codings_size, coding_activation="relu",
                       corruption=(), penalty=()) -> Autoencoder:
    hidden_units = _check_units("hidden_units", hidden_units)
    codings_size = check_int("codings_size", codings_size, minimum=1, maximum=4096)
    encoder = keras.Sequential(
        [keras.Input(IMAGE_SHAPE), layers.Flatten(), *corruption,
         *[layers.Dense(u, activation="relu") for u in hidden_units],
         layers.Dense(codings_size, activation=coding_activation), *penalty], name="encoder")
    return _chain(name, encoder, _dense_decoder(hidden_units, codings_size))


def build_linear_autoencoder(*, input_dim: int = 3, codings_size: int = 2) -> Autoencoder:
    """Build a linear autoencoder (no activations; trained on MSE): PCA in disguise.

    Introduced in 01_representations_and_pca.
    """
    input_dim = check_int("input_dim", input_dim, minimum=2, maximum=4096)
    codings_size = check_int("codings_size", codings_size, minimum=1, maximum=input_dim)
    encoder = keras.Sequential([keras.Input((input_dim,)), layers.Dense(codings_size)],
                               name="encoder")
    decoder = keras.Sequential([keras.Input((codings_size,)), layers.Dense(input_dim)],
                               name="decoder")
    return _chain("linear_autoencoder", encoder, decoder)


CODING_ACTIVATIONS = ("relu", "linear")


def build_stacked_autoencoder(*, hidden_units: Sequence[int] = (100,),
                              codings_size: int = 30,
                              coding_activation: str = "relu") -> Autoencoder:
    """Build the stacked (deep) autoencoder 784-100-30-100-784.

    ``coding_activation="linear"`` lets codings take any sign, like a VAE's means
    (chapter 07's 2-D maps). Introduced in 02_stacked_autoencoders.
    """
    coding_activation = check_choice("coding_activation", coding_activation, CODING_ACTIVATIONS)
    return _dense_autoencoder("stacked_autoencoder", hidden_units=hidden_units,
                              codings_size=codings_size, coding_activation=coding_activation)


def build_greedy_autoencoder(*, hidden_units: Sequence[int] = (100, 30)) -> Autoencoder:
    """Build the stack that greedy layer-wise training fills one shallow autoencoder at a time.

    Encoder layer k is ``greedy_encoder_k`` and its mirror ``greedy_decoder_k``;
    ``aehelpers.training.train_greedy_layerwise`` trains each pair in turn.
    Introduced in 03_pretraining_tied_greedy.
    """
    hidden_units = _check_units("hidden_units", hidden_units)
    sizes = (NUM_PIXELS, *hidden_units)
    coders = [layers.Dense(units, activation="relu", name=f"greedy_encoder_{k}")
              for k, units in enumerate(hidden_units, start=1)]
    # Phase 1 rebuilds pixels (linear, as the stacked decoder); later phases rebuild
    # ReLU codings, which are never negative.
    uncoders = [layers.Dense(sizes[k - 1], activation=None if k == 1 else "relu",
                             name=f"greedy_decoder_{k}") for k in range(len(sizes) - 1, 0, -1)]
    encoder = keras.Sequential([keras.Input(IMAGE_SHAPE), layers.Flatten(), *coders],
                               name="encoder")
    decoder = keras.Sequential([keras.Input((hidden_units[-1],)), *uncoders,
                                layers.Reshape(IMAGE_SHAPE)], name="decoder")
    return _chain("greedy_autoencoder", encoder, decoder)


def build_denoising_autoencoder(*, corruption: str = "gaussian", noise_level: float = 0.2,
                                dropout_rate: float = 0.5, hidden_units: Sequence[int] = (100,),
                                codings_size: int = 30) -> Autoencoder:
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
    return _dense_autoencoder("denoising_autoencoder", hidden_units=hidden_units,
                              codings_size=codings_size, corruption=(layer,))


def build_sparse_l1_autoencoder(*, codings_size: int = 300, l1_weight: float = 1e-4,
                                hidden_units: Sequence[int] = (100,)) -> Autoencoder:
    """Build a sparse autoencoder: a large sigmoid coding layer with an L1 activity penalty.

    Introduced in 06_sparse_autoencoders.
    """
    penalty = L1ActivityPenalty(check_float("l1_weight", l1_weight, minimum=0.0, maximum=10.0))
    return _dense_autoencoder("sparse_l1_autoencoder", hidden_units=hidden_units,
                              codings_size=codings_size, coding_activation="sigmoid",
                              penalty=(penalty,))


def build_sparse_kl_autoencoder(*, target_sparsity: float = 0.1, sparsity_weight: float = 5e-3,
                                codings_size: int = 300,
                                hidden_units: Sequence[int] = (100,)) -> Autoencoder:
    """Build a sparse autoencoder whose units' mean activation is pulled to ``target_sparsity``.

    Introduced in 06_sparse_autoencoders.
    """
    target_sparsity = check_float("target_sparsity", target_sparsity, minimum=0.0, maximum=1.0,
                                  open_min=True, open_max=True)
    sparsity_weight = check_float("sparsity_weight", sparsity_weight, minimum=0.0, maximum=10.0)
    penalty = KLSparsityPenalty(weight=sparsity_weight, target=target_sparsity)
    return _dense_autoencoder("sparse_kl_autoencoder", hidden_units=hidden_units,
                              codings_size=codings_size, coding_activation="sigmoid",
                              penalty=(penalty,))


def build_conv_autoencoder(*, filters: Sequence[int] = (16, 32, 64),
                           codings_size: int = 30) -> Autoencoder:
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
         # 3 -> 7 needs "valid" padding: (3 - 1) * 2 + 3 = 7. The next two double 7 -> 14 -> 28.
         layers.Conv2DTranspose(filters[1], 3, strides=2, activation="relu"),
         layers.Conv2DTranspose(filters[0], 3, strides=2, padding="same", activation="relu"),
         layers.Conv2DTranspose(1, 3, strides=2, padding="same"),
         layers.Reshape(IMAGE_SHAPE)], name="decoder")
    return _chain("conv_autoencoder", encoder, decoder)


@keras.saving.register_keras_serializable(package=PACKAGE)
class TiedAutoencoder(keras.Model):
    """A stacked autoencoder whose decoder reuses the encoder's kernels, transposed.

    Built from its sizes, so a rebuilt model is tied again before its weights load.
    Introduced in 03_pretraining_tied_greedy.
    """

    def __init__(self, hidden_units=(100, 30), image_shape=IMAGE_SHAPE, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = _check_units("hidden_units", hidden_units)
        self.image_shape = check_shape("image_shape", image_shape, ndim=2)
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


def build_tied_autoencoder(*, hidden_units: Sequence[int] = (100, 30)) -> Autoencoder:
    """Build a stacked autoencoder with tied weights (``DenseTranspose``).

    Introduced in 03_pretraining_tied_greedy.
    """
    autoencoder = TiedAutoencoder(hidden_units=hidden_units, name="tied_autoencoder")
    autoencoder(np.zeros((1, *IMAGE_SHAPE), dtype="float32"))  # build it
    return Autoencoder(autoencoder.encoder, autoencoder.decoder, autoencoder)


@keras.saving.register_keras_serializable(package=PACKAGE)
class VariationalAutoencoder(keras.Model):
    """Encoder -> (mu, gamma, codings) -> decoder, trained on MSE + ``kl_weight`` x latent loss.

    ``fit`` reports ``reconstruction_loss`` and ``kl_loss`` beside the total
    ``loss``. Introduced in 07_variational_autoencoders.
    """

    def __init__(self, encoder, decoder, *, kl_weight: float = 1.0 / NUM_PIXELS, **kwargs):
        super().__init__(**kwargs)
        self.encoder = _check_vae_encoder(encoder)
        self.decoder = check_decoder("decoder", decoder)
        check_chain(encoder, decoder)
        self.kl_weight = check_float("kl_weight", kl_weight, minimum=0.0, maximum=100.0)
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


def _check_vae_encoder(encoder) -> keras.Model:
    inputs, outputs = io_shapes(check_model("encoder", encoder))
    if inputs != [IMAGE_SHAPE] or len(outputs) != 3 or len(set(outputs)) != 1 or len(
            outputs[0]) != 1:
        raise TypeError(f"encoder must map 28x28 images to [mean, log_var, codings], three "
                        f"vectors of one size, got a model from {inputs} to {outputs}")
    return encoder


def build_variational_autoencoder(*, codings_size: int = 10,
                                  hidden_units: Sequence[int] = (150, 100),
                                  kl_weight: float = 1.0 / NUM_PIXELS,
                                  seed: int | None = None) -> Autoencoder:
    """Build a variational autoencoder (the latent loss is scaled by 1/784 as in the book).

    The encoder returns ``[mean, log_var, codings]``. Introduced in 07_variational_autoencoders.
    """
    hidden_units = _check_units("hidden_units", hidden_units)
    codings_size = check_int("codings_size", codings_size, minimum=1, maximum=1024)
    if seed is not None:
        seed = check_seed("seed", seed)
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
    return Autoencoder(encoder, decoder, autoencoder)
