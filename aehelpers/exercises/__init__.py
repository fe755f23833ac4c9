"""Automatic feedback behind each chapter's exercises.

Every ``check_...`` function follows one protocol (see :mod:`aehelpers.exercises.feedback`):
a placeholder (``None`` or ``...``) gets a line saying what to put there; a first wrong
answer gets a hint that points the way without the expected value; the value comes after
a second wrong try, or at once with ``show_answer=True``. Each check prints one line and
returns a :class:`Feedback`, which displays nothing more.
"""

from aehelpers.exercises.applications import (
    check_precision_at_k,
    check_recall_threshold,
    check_retrieval_size_prediction,
)
from aehelpers.exercises.feedback import Feedback, reset_tries
from aehelpers.exercises.gans_diffusion import (
    check_forward_step,
    check_matching_step,
    check_sampling_steps_prediction,
)
from aehelpers.exercises.generative import (
    check_bernoulli_kl,
    check_brightness_axis,
    check_closest_sparsity_target,
    check_crossover_noise_level,
    check_denoising_noise_level,
    check_latent_loss,
)
from aehelpers.exercises.predictions import (
    check_capacity_prediction,
    check_filter_doubling_prediction,
    check_flip_prediction,
    check_tied_ratio_prediction,
)
from aehelpers.exercises.predictions_generative import (
    check_active_units_prediction,
    check_masking_prediction,
    check_sampling_prediction,
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
    "reset_tries",
    # 00
    "check_profile_lookup",
    "check_class_counts",
    # 01
    "check_reconstruction_mse",
    "check_pca_basis",
    "check_capacity_prediction",
    # 02
    "check_parameter_count",
    "check_beats_pca",
    "check_flip_prediction",
    # 03
    "check_tied_parameter_count",
    "check_frozen_classifier",
    "check_tied_decoder",
    "check_tied_ratio_prediction",
    # 04
    "check_transpose_output_sizes",
    "check_small_conv_autoencoder",
    "check_filter_doubling_prediction",
    # 05
    "check_crossover_noise_level",
    "check_denoising_noise_level",
    "check_masking_prediction",
    # 06
    "check_bernoulli_kl",
    "check_closest_sparsity_target",
    "check_active_units_prediction",
    # 07
    "check_latent_loss",
    "check_brightness_axis",
    "check_sampling_prediction",
    # 08
    "check_precision_at_k",
    "check_recall_threshold",
    "check_retrieval_size_prediction",
    # 09
    "check_forward_step",
    "check_matching_step",
    "check_sampling_steps_prediction",
]
