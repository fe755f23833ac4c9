"""Keras-3-native layers: tied dense, VAE sampling, and sparsity penalties.

The penalties call ``add_loss`` themselves instead of using Keras's
``activity_regularizer``: how Keras scales activity-regularizer losses by the
batch size changed within Keras 3 (keras-team/keras#22018), and a penalty must
mean the same on every version we support.
"""

from __future__ import annotations

import numbers

import keras
import numpy as np
from keras import ops

from aehelpers._validate import check_array, check_float, check_pair, check_seed

PACKAGE = "aehelpers"


class _Untracked:
    """A box Keras's attribute tracking does not look inside."""

    def __init__(self, layer):
        self.layer = layer


@keras.saving.register_keras_serializable(package=PACKAGE)
class DenseTranspose(keras.layers.Layer):
    """A dense layer that reuses the transposed kernel of ``dense`` with its own biases.

    Introduced in 03_pretraining_tied_greedy.
    """

    def __init__(self, dense: keras.layers.Dense, activation=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(dense, keras.layers.Dense):
            raise TypeError(f"dense must be a keras.layers.Dense, got {type(dense).__name__}")
        # Held in a plain box so Keras does not track the Dense as a sublayer: its
        # kernel belongs to the encoder, and this layer's own weights are its biases.
        self._tied = _Untracked(dense)
        try:
            self.activation = keras.activations.get(activation)
        except ValueError:
            raise ValueError(f"activation must be None, a function or a Keras activation name "
                             f"such as 'relu' or 'sigmoid', got {activation!r}") from None

    @property
    def dense(self) -> keras.layers.Dense:
        """The Dense layer whose kernel this layer reuses, transposed."""
        return self._tied.layer

    def build(self, input_shape):
        if not self.dense.built:
            raise ValueError(f"dense layer {self.dense.name!r} must be built (called once) "
                             "before the DenseTranspose that shares its kernel")
        units = self.dense.kernel.shape[1]
        if input_shape[-1] is not None and input_shape[-1] != units:
            raise ValueError(f"DenseTranspose expects inputs with {units} features "
                             f"(the units of {self.dense.name!r}), got {input_shape[-1]}")
        # The output size is the *input* size of the tied layer: its kernel's first axis.
        self.bias = self.add_weight(name="bias", shape=(self.dense.kernel.shape[0],),
                                    initializer="zeros")

    def call(self, inputs):
        outputs = ops.matmul(inputs, ops.transpose(self.dense.kernel)) + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.dense.kernel.shape[0])

    def get_config(self):
        # Saving a tied model goes through TiedAutoencoder, which rebuilds the tie;
        # this config lets a lone DenseTranspose still be saved (with its own copy).
        return {**super().get_config(),
                "dense": keras.saving.serialize_keras_object(self.dense),
                "activation": keras.activations.serialize(self.activation)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["dense"] = keras.saving.deserialize_keras_object(config["dense"])
        return cls(**config)


@keras.saving.register_keras_serializable(package=PACKAGE)
class Sampling(keras.layers.Layer):
    """Draw codings ``mu + exp(gamma / 2) * eps`` from ``[mu, gamma]``, eps ~ N(0, I).

    Introduced in 07_variational_autoencoders.
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = None if seed is None else check_seed("seed", seed)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = inputs
        epsilon = keras.random.normal(ops.shape(log_var), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * epsilon

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package=PACKAGE)
class KLSparsityPenalty(keras.layers.Layer):
    """Pass activations through; add ``weight * sum_j KL(target || mean activation_j)``.

    The mean is taken per unit over the batch, and both Bernoulli-KL terms are
    used. Introduced in 06_sparse_autoencoders.
    """

    def __init__(self, weight: float = 5e-3, target: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.weight = check_float("weight", weight, minimum=0.0)
        self.target = check_float("target", target, minimum=0.0, maximum=1.0,
                                  open_min=True, open_max=True)

    def penalty(self, activations):
        """Return the penalty for a batch of activations (without adding it)."""
        mean_activation = ops.mean(activations, axis=0)
        return self.weight * ops.sum(bernoulli_kl_tensor(self.target, mean_activation))

    def call(self, inputs):
        # Added in evaluation too, so loss and val_loss measure the same objective.
        self.add_loss(self.penalty(inputs))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "weight": self.weight, "target": self.target}


@keras.saving.register_keras_serializable(package=PACKAGE)
class L1ActivityPenalty(keras.layers.Layer):
    """Pass activations through; add ``weight * mean over the batch of sum_j |a_j|``.

    Per example, as Keras 2 did for ``ActivityRegularization(l1=...)``, so the
    book's ``l1=1e-4`` means what it meant there. Introduced in 06_sparse_autoencoders.
    """

    def __init__(self, weight: float = 1e-4, **kwargs):
        super().__init__(**kwargs)
        self.weight = check_float("weight", weight, minimum=0.0)

    def penalty(self, activations):
        """Return the penalty for a batch of activations (without adding it)."""
        per_example = ops.sum(ops.abs(ops.reshape(activations, (ops.shape(activations)[0], -1))),
                              axis=1)
        return self.weight * ops.mean(per_example)

    def call(self, inputs):
        # Added in evaluation too, so loss and val_loss measure the same objective.
        self.add_loss(self.penalty(inputs))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


# Tensor versions of two formulas; aehelpers.metrics holds the NumPy references.
_EPSILON = 1e-7


def _host(value) -> bool:
    """Whether ``value`` is a plain Python or NumPy value (checked), not a tensor (left alone)."""
    return isinstance(value, numbers.Number | str | bytes | list | tuple | np.ndarray) or (
        value is None)


def bernoulli_kl_tensor(target, mean_activation):
    """Return ``p log(p/q) + (1-p) log((1-p)/(1-q))`` per unit, safe as q nears 0 or 1.

    Plain numbers and NumPy arrays are checked; tensors (inside a model) are not.
    """
    if _host(target):
        target = check_float("target", target, minimum=0.0, maximum=1.0, open_min=True,
                             open_max=True)
    if isinstance(mean_activation, numbers.Number | str | bytes):
        mean_activation = check_float("mean_activation", mean_activation, minimum=0.0,
                                      maximum=1.0)
    elif _host(mean_activation):
        mean_activation = check_array("mean_activation", mean_activation,
                                      value_range=(0.0, 1.0))
    q = ops.clip(mean_activation, _EPSILON, 1.0 - _EPSILON)
    return target * ops.log(target / q) + (1.0 - target) * ops.log((1.0 - target) / (1.0 - q))


def latent_loss(mean, log_var):
    """Return the VAE latent loss per example, ``-0.5 * sum(1 + gamma - exp(gamma) - mu^2)``.

    Plain NumPy arrays are checked; tensors (inside a model) are not.
    Introduced in 07_variational_autoencoders.
    """
    if _host(mean) or _host(log_var):
        mean, log_var = check_pair(("mean", "log_var"), mean, log_var, ndim=(1, 2))
    return -0.5 * ops.sum(1.0 + log_var - ops.exp(log_var) - ops.square(mean), axis=-1)
