"""Automatic feedback behind each chapter's exercises.

Every ``check_...`` function measures the learner's answer, prints what is
right, what is wrong and a hint, and returns a :class:`Feedback`. The checks
live in one module per group of chapters; all are importable from here.
"""

from aehelpers.exercises.feedback import Feedback
from aehelpers.exercises.generative import (
    check_bernoulli_kl,
    check_brightness_axis,
    check_closest_sparsity_target,
    check_crossover_noise_level,
    check_denoising_noise_level,
    check_latent_loss,
)
from aehelpers.exercises.pretraining_conv import (
    check_frozen_classifier,
    check_small_conv_autoencoder,
    check_tied_decoder,
    check_tied_parameter_count,
    check_transpose_output_sizes,
)
from aehelpers.exercises.representations import (
    check_beats_pca,
    check_class_counts,
    check_parameter_count,
    check_pca_basis,
    check_profile_lookup,
    check_reconstruction_mse,
)

__all__ = [
    "Feedback",
    "check_crossover_noise_level",
    "check_denoising_noise_level",
    "check_bernoulli_kl",
    "check_closest_sparsity_target",
    "check_latent_loss",
    "check_brightness_axis",
    "check_tied_parameter_count",
    "check_frozen_classifier",
    "check_tied_decoder",
    "check_transpose_output_sizes",
    "check_small_conv_autoencoder",
    "check_profile_lookup",
    "check_class_counts",
    "check_reconstruction_mse",
    "check_pca_basis",
    "check_parameter_count",
    "check_beats_pca",
]
