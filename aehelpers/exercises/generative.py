"""Exercise checks for chapters 05-07 (denoising, sparse, variational).

Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises.feedback import Feedback, _feedback


def _psnr_curve(autoencoder, images, noise_levels, seed):
    """PSNR of the noisy input and of the denoised output at each noise level."""
    import numpy as np

    from aehelpers.data import add_gaussian_noise
    from aehelpers.metrics import psnr
    from aehelpers.training import predict

    rows = []
    for level in noise_levels:
        noisy = add_gaussian_noise(images, float(level), seed=seed)
        denoised = np.clip(predict(autoencoder, noisy), 0.0, 1.0)
        rows.append((psnr(images, noisy), psnr(images, denoised)))
    return np.array(rows)


def _check_denoising_inputs(autoencoder, images, max_images, seed):
    from aehelpers._validate import check_images, check_int, check_seed
    from aehelpers.models import check_autoencoder

    check_autoencoder("autoencoder", autoencoder)
    max_images = check_int("max_images", max_images, minimum=1)
    check_seed("seed", seed)
    return check_images("images", images)[:max_images]


def check_crossover_noise_level(autoencoder, images, answer: float, *, tolerance: float = 0.03,
                                max_images: int = 1000, seed: int = 0,
                                verbose: bool = True) -> Feedback:
    """Check the noise level at which the denoiser starts to beat its noisy input on PSNR.

    Introduced in 05_denoising_autoencoders.
    """
    import numpy as np

    from aehelpers._validate import check_float

    images = _check_denoising_inputs(autoencoder, images, max_images, seed)
    answer = check_float("answer", answer, minimum=0.0, maximum=1.0)
    tolerance = check_float("tolerance", tolerance, minimum=0.0, maximum=0.5)
    levels = np.round(np.arange(0.0, 0.51, 0.01), 2)
    curve = _psnr_curve(autoencoder, images, levels, seed)
    helps = curve[:, 1] > curve[:, 0]
    if not helps.any():
        return _feedback(False, "The denoiser never beats the noisy input below noise 0.5.",
                         success="", verbose=verbose,
                         hint="train it in the class profile; 2 ci epochs are not enough.")
    crossover = float(levels[np.argmax(helps)])
    measured = (f"You answered {answer:.2f}; the denoiser first beats the noisy input at "
                f"noise level {crossover:.2f} (measured on {len(images)} images).")
    return _feedback(abs(answer - crossover) <= tolerance, measured, verbose=verbose,
                     success="Below it, the model's own reconstruction error is larger than "
                             "the noise it removes.",
                     hint="compute both PSNR curves on a fine grid of noise levels and find "
                          "where the denoised curve rises above the noisy one.")


def check_denoising_noise_level(autoencoder, images, noise_level: float, *,
                                min_psnr: float = 18.0, step: float = 0.05,
                                max_images: int = 1000, seed: int = 0,
                                verbose: bool = True) -> Feedback:
    """Check a noise level the denoiser still handles with PSNR >= ``min_psnr`` (and +step not).

    Introduced in 05_denoising_autoencoders.
    """
    from aehelpers._validate import check_float

    images = _check_denoising_inputs(autoencoder, images, max_images, seed)
    noise_level = check_float("noise_level", noise_level, minimum=0.0, maximum=2.0)
    min_psnr = check_float("min_psnr", min_psnr, minimum=0.0, maximum=100.0)
    step = check_float("step", step, minimum=0.0, maximum=1.0, open_min=True)
    (_, at_answer), (_, above) = _psnr_curve(autoencoder, images,
                                             [noise_level, noise_level + step], seed)
    measured = (f"Denoised PSNR is {at_answer:.2f} dB at noise {noise_level:.2f} and "
                f"{above:.2f} dB at {noise_level + step:.2f} (goal: >= {min_psnr:g} dB).")
    if at_answer < min_psnr:
        return _feedback(False, measured, success="", verbose=verbose,
                         hint="that level is too high: try a smaller one.")
    return _feedback(above < min_psnr, measured, verbose=verbose,
                     success="That is (within one step) the highest level it handles.",
                     hint=f"it still handles {noise_level + step:.2f}: try a higher level.")


def check_bernoulli_kl(function, *, verbose: bool = True) -> Feedback:
    """Compare a learner's ``function(p, q)`` with the Bernoulli KL divergence (both terms).

    Introduced in 06_sparse_autoencoders.
    """
    import numpy as np

    from aehelpers._validate import check_callable
    from aehelpers.metrics import bernoulli_kl

    check_callable("function", function, usage="function(p, q), with p the target and q the "
                   "mean activations", num_args=2)
    q = np.linspace(0.01, 0.99, 99)
    errors, first_term_only = [], True
    for p in (0.05, 0.1, 0.3):
        got = np.asarray(function(p, q), dtype=np.float64)
        if got.shape != q.shape:
            return _feedback(False, f"function(p, q) returned shape {got.shape} for q of shape "
                             f"{q.shape}.", success="", verbose=verbose,
                             hint="compute elementwise with NumPy (np.log), no loops or sums.")
        errors.append(float(np.max(np.abs(got - bernoulli_kl(p, q)))))
        first_term_only &= bool(np.allclose(got, p * np.log(p / q)))
    measured = f"Largest difference from the reference: {max(errors):.2e}."
    hint = ("you have only the first term; add the second term (1-p) log((1-p)/(1-q))."
            if first_term_only else "KL(p||q) = p log(p/q) + (1-p) log((1-p)/(1-q)), "
            "with p the target and q the actual mean activation.")
    return _feedback(max(errors) < 1e-6, measured, verbose=verbose, hint=hint,
                     success="Both terms are right: the loss is 0 at q = p and grows "
                             "steeply as q moves away.")


def check_closest_sparsity_target(models, images, answer: float, *, goal: float = 0.05,
                                  verbose: bool = True) -> Feedback:
    """Check which trained target gives the measured mean activation closest to ``goal``.

    ``models`` maps each target sparsity to its trained sparse autoencoder.
    Introduced in 06_sparse_autoencoders.
    """
    from aehelpers._validate import check_float
    from aehelpers.explore import summarise_sparse_models

    goal = check_float("goal", goal, minimum=0.0, maximum=1.0)
    answer = check_float("answer", answer, minimum=0.0, maximum=1.0)
    summaries = summarise_sparse_models(models, images, num_images=1)
    if answer not in [s.target for s in summaries]:
        raise ValueError(f"answer must be one of the trained targets "
                         f"{[s.target for s in summaries]}, got {answer}")
    best = min(summaries, key=lambda s: abs(s.measured - goal))
    table = ", ".join(f"{s.target:g} -> {s.measured:.3f}" for s in summaries)
    return _feedback(answer == best.target, f"Measured mean activation per target: {table}.",
                     verbose=verbose,
                     success=f"{best.target:g} lands closest to {goal:g}.",
                     hint=f"measure each model's mean activation and pick the one nearest "
                          f"{goal:g}, not just the target with that name.")


def check_latent_loss(function, *, verbose: bool = True) -> Feedback:
    """Compare a learner's ``function(mean, log_var)`` with the VAE latent loss per example.

    Introduced in 07_variational_autoencoders.
    """
    import numpy as np

    from aehelpers._validate import check_callable
    from aehelpers.metrics import gaussian_kl

    check_callable("function", function, usage="function(mean, log_var)", num_args=2)
    rng = np.random.default_rng(7)
    mean, log_var = rng.normal(size=(6, 4)), rng.normal(scale=0.5, size=(6, 4))
    got = np.asarray(function(mean, log_var), dtype=np.float64)
    expected = gaussian_kl(mean, log_var)
    if got.shape != expected.shape:
        return _feedback(False, f"Got shape {got.shape}, expected {expected.shape} (one loss "
                         "per example).", success="", verbose=verbose,
                         hint="sum over the last axis (the coding dimensions) only.")
    error = float(np.max(np.abs(got - expected)))
    if np.allclose(got, -2.0 * expected):
        hint = "the sign and factor: the formula starts with -1/2."
    elif np.allclose(got, 0.5 * np.sum(log_var - np.exp(log_var) + mean**2, axis=-1)):
        hint = "check the sign of each term and the '1 +' inside the sum."
    else:
        hint = "-1/2 sum(1 + gamma - exp(gamma) - mu^2), with gamma = log sigma^2."
    return _feedback(error < 1e-6, f"Largest difference from the reference: {error:.2e}.",
                     verbose=verbose, hint=hint,
                     success="Right: it is 0 exactly when mu = 0 and gamma = 0 (the prior).")


def check_brightness_axis(decoder, axis: int, *, value_range: float = 2.0,
                          verbose: bool = True) -> Feedback:
    """Check that moving coding ``axis`` changes the decoded image's brightness the most.

    Passes for any of the two axes whose sweep from -range to +range changes the
    mean pixel value most. Introduced in 07_variational_autoencoders.
    """
    import numpy as np

    from aehelpers._validate import check_float, check_int
    from aehelpers.explore import codings_size, decode_codings

    size = codings_size(decoder)
    axis = check_int("axis", axis, minimum=0, maximum=size - 1)
    value_range = check_float("value_range", value_range, minimum=0.0, maximum=10.0,
                              open_min=True)
    ends = np.concatenate([-value_range * np.eye(size), value_range * np.eye(size)])
    brightness = decode_codings(decoder, ends).reshape(2, size, -1).mean(axis=-1)
    change = np.abs(brightness[1] - brightness[0])
    top = [int(i) for i in np.argsort(change)[::-1][:2]]
    measured = (f"Axis {axis} changes mean brightness by {change[axis]:.3f}; the largest "
                f"changes are on axes {top[0]} ({change[top[0]]:.3f}) and {top[1]} "
                f"({change[top[1]]:.3f}).")
    return _feedback(axis in top, measured, verbose=verbose,
                     success="You found a brightness axis.",
                     hint="move each slider of the latent explorer from -2 to +2 and watch "
                          "how much ink the image gains or loses.")
