"""Exercise checks for chapters 05-07 (denoising, sparse, variational).

Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises._measure import denoising_inputs, psnr_curve, returned
from aehelpers.exercises.feedback import Feedback, placeholder, respond


def check_crossover_noise_level(autoencoder, images, answer: float, *, tolerance: float = 0.03,
                                max_images: int = 1000, seed: int = 0,
                                show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check the noise level at which the denoiser starts to beat its noisy input on PSNR.

    Introduced in 05_denoising_autoencoders.
    """
    import numpy as np

    from aehelpers._validate import check_float

    images = denoising_inputs(autoencoder, images, max_images, seed)
    tolerance = check_float("tolerance", tolerance, minimum=0.0, maximum=0.5)
    levels = np.round(np.arange(0.0, 0.51, 0.01), 2)

    def crossover() -> float | None:
        helps = np.diff(psnr_curve(autoencoder, images, levels, seed), axis=1)[:, 0] > 0
        return float(levels[np.argmax(helps)]) if helps.any() else None

    def reveal(level: float | None) -> str:
        if level is None:
            return ("this denoiser never beats its noisy input below noise 0.5: train it "
                    "longer, in the class profile.")
        return (f"the denoiser first beats the noisy input at noise level {level:.2f} "
                f"(measured on {len(images)} images); below it, the model's own "
                "reconstruction error is larger than the noise it removes.")

    blank = placeholder([("answer", answer, "the smallest noise level at which the denoised "
                                            "PSNR is higher than the noisy input's")],
                        answer=lambda: reveal(crossover()), show_answer=show_answer,
                        verbose=verbose)
    if blank is not None:
        return blank
    answer = check_float("answer", answer, minimum=0.0, maximum=1.0)
    level = crossover()
    if level is None:
        hint = ("this denoiser never beats its noisy input below noise 0.5, whatever the "
                "answer: it needs more training (the class profile).")
    elif answer > level:
        hint = ("too high: at that level the denoiser already beats its noisy input by a "
                "margin; look lower, where the two PSNR curves cross.")
    else:
        hint = ("too low: at that level the noisy input is still closer to the clean image "
                "than the denoiser's output is.")
    passed = level is not None and abs(answer - level) <= tolerance
    return respond("check_crossover_noise_level", passed, hint=hint,
                   answer=lambda: f"{reveal(level)} You answered {answer:.2f}.",
                   correct=reveal(level), show_answer=show_answer, verbose=verbose)


def check_denoising_noise_level(autoencoder, images, noise_level: float, *,
                                min_psnr: float = 18.0, step: float = 0.05,
                                max_images: int = 1000, seed: int = 0,
                                show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check a noise level the denoiser still handles with PSNR >= ``min_psnr`` (and +step not).

    Introduced in 05_denoising_autoencoders.
    """
    import numpy as np

    from aehelpers._validate import check_float

    images = denoising_inputs(autoencoder, images, max_images, seed)
    min_psnr = check_float("min_psnr", min_psnr, minimum=0.0, maximum=100.0)
    step = check_float("step", step, minimum=0.0, maximum=1.0, open_min=True)

    def reveal() -> str:
        levels = np.round(np.arange(0.0, 2.0 + step / 2, step), 6)
        denoised = psnr_curve(autoencoder, images, levels, seed)[:, 1]
        handled = np.flatnonzero(denoised >= min_psnr)
        if handled.size == 0:
            return f"the denoiser never reaches {min_psnr:g} dB, even without noise."
        if handled[-1] == len(levels) - 1:
            return f"the denoiser reaches {min_psnr:g} dB at every noise level up to 2."
        last = handled[-1]
        return (f"the highest level it handles is {levels[last]:.2f} ({denoised[last]:.2f} dB; "
                f"{denoised[last + 1]:.2f} dB at {levels[last + 1]:.2f}).")

    blank = placeholder([("noise_level", noise_level, f"the highest noise level (in steps of "
                                                      f"{step:g}) at which the denoised PSNR "
                                                      f"is still at least {min_psnr:g} dB")],
                        answer=reveal, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    noise_level = check_float("noise_level", noise_level, minimum=0.0, maximum=2.0)
    (_, at_answer), (_, above) = psnr_curve(autoencoder, images,
                                             [noise_level, noise_level + step], seed)
    if at_answer < min_psnr:
        hint = f"too high: at that level the denoised PSNR is already below {min_psnr:g} dB."
    else:
        hint = (f"too low: the denoiser still reaches {min_psnr:g} dB one step higher; "
                "drag the noise slider up until the denoised PSNR drops below the goal.")
    return respond(f"check_denoising_noise_level({min_psnr:g} dB)", at_answer >= min_psnr > above,
                   hint=hint, show_answer=show_answer, verbose=verbose,
                   answer=lambda: f"{reveal()} You answered {noise_level:.2f}.",
                   correct=f"{at_answer:.2f} dB at noise {noise_level:.2f}, {above:.2f} dB one "
                           "step higher: that is the highest level it handles.")


def check_bernoulli_kl(function, *, show_answer: bool = False,
                       verbose: bool = True) -> Feedback:
    """Compare a learner's ``function(p, q)`` with the Bernoulli KL divergence (both terms).

    Introduced in 06_sparse_autoencoders.
    """
    import numpy as np

    from aehelpers.metrics import bernoulli_kl

    formula = ("KL(p||q) = p log(p/q) + (1-p) log((1-p)/(1-q)), with p the target and q the "
               "mean activation: np.log works elementwise on q.")
    q = np.linspace(0.01, 0.99, 99)
    result = returned(function, "function(p, q), with p the target and q the mean "
                                   "activations", 0.1, q)
    blank = placeholder([("function", result, "the Bernoulli KL divergence of section 2 "
                                                "(in your function's return line)")],
                        answer=lambda: formula, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    results = {p: np.asarray(function(p, q), dtype=np.float64) for p in (0.05, 0.1, 0.3)}
    if any(result.shape != q.shape for result in results.values()):
        shape = next(r.shape for r in results.values() if r.shape != q.shape)
        hint = (f"function(p, q) returned shape {shape} for q of shape {q.shape}: compute "
                "elementwise, one value per q, with no sum.")
        return respond("check_bernoulli_kl", False, hint=hint, correct="", verbose=verbose,
                       answer=f"{hint[:-1]}; {formula}", show_answer=show_answer)
    error = max(float(np.max(np.abs(r - bernoulli_kl(p, q)))) for p, r in results.items())

    def like(reference) -> bool:
        return all(np.allclose(r, reference(p)) for p, r in results.items())

    if like(lambda p: p * np.log(p / q)):
        hint = ("you have the first term only, the 'fires' outcome; the 'stays silent' "
                "outcome needs a term too.")
    elif like(lambda p: q * np.log(q / p) + (1 - q) * np.log((1 - q) / (1 - p))):
        hint = "p and q are swapped: p is the target, q the measured mean activation."
    elif like(lambda p: -bernoulli_kl(p, q)):
        hint = "the sign is flipped: a KL divergence is never negative."
    else:
        hint = (f"your function differs from the reference by up to {error:.2g}; compare "
                "each of its two terms with the formula of section 2.")
    return respond("check_bernoulli_kl", error < 1e-6, hint=hint, show_answer=show_answer,
                   verbose=verbose, answer=f"{formula} Yours differs by up to {error:.2g}.",
                   correct="both terms are right: the loss is 0 at q = p and grows steeply as "
                           "q moves away.")


def check_closest_sparsity_target(models, images, answer: float, *, goal: float = 0.05,
                                  show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check which trained target gives the measured mean activation closest to ``goal``.

    ``models`` maps each target sparsity to its trained sparse autoencoder.
    Introduced in 06_sparse_autoencoders.
    """
    from aehelpers._validate import check_float
    from aehelpers.explore import summarise_sparse_models

    goal = check_float("goal", goal, minimum=0.0, maximum=1.0)
    summaries = summarise_sparse_models(models, images, num_images=1)
    targets = [s.target for s in summaries]
    best = min(summaries, key=lambda s: abs(s.measured - goal))
    table = ", ".join(f"{s.target:g} -> {s.measured:.3f}" for s in summaries)
    reveal = (f"the measured mean activations are {table}, so the model trained at "
              f"{best.target:g} lands closest to {goal:g}.")
    blank = placeholder([("answer", answer, f"the trained target whose measured mean "
                                            f"activation is closest to {goal:g}")],
                        answer=lambda: reveal, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    answer = check_float("answer", answer, minimum=0.0, maximum=1.0)
    if answer not in targets:
        raise ValueError(f"answer must be one of the trained targets {targets}, got {answer}")
    side = "a lower" if best.target < answer else "a higher"
    return respond(f"check_closest_sparsity_target({goal:g})", answer == best.target, answer=reveal,
                   hint=f"the model trained at {answer:g} is not the closest; {side} target "
                        "lands nearer. Compare the measured column, not the names.",
                   correct=f"{reveal[0].upper()}{reveal[1:]}".replace("The measured", "measured"),
                   show_answer=show_answer, verbose=verbose)


def check_latent_loss(function, *, show_answer: bool = False,
                      verbose: bool = True) -> Feedback:
    """Compare a learner's ``function(mean, log_var)`` with the VAE latent loss per example.

    Introduced in 07_variational_autoencoders.
    """
    import numpy as np

    from aehelpers.metrics import gaussian_kl

    formula = ("-1/2 sum(1 + gamma - exp(gamma) - mu^2) over the last axis, with gamma = "
               "log sigma^2: -0.5 * np.sum(1 + log_var - np.exp(log_var) - mean**2, axis=-1).")
    rng = np.random.default_rng(7)
    mean, log_var = rng.normal(size=(6, 4)), rng.normal(scale=0.5, size=(6, 4))
    result = returned(function, "function(mean, log_var)", mean, log_var)
    blank = placeholder([("function", result, "the latent loss of section 3, one value per "
                                                "example (in your function's return line)")],
                        answer=lambda: formula, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    got = np.asarray(result, dtype=np.float64)
    expected = gaussian_kl(mean, log_var)
    if got.shape != expected.shape:
        hint = (f"it returned shape {got.shape} for {len(mean)} examples: one loss per "
                "example, so sum over the coding dimensions only.")
        return respond("check_latent_loss", False, hint=hint, correct="", verbose=verbose,
                       answer=f"{hint[:-1]}; {formula}", show_answer=show_answer)
    error = float(np.max(np.abs(got - expected)))
    if np.allclose(got, -2.0 * expected):
        hint = "the sign and the factor in front of the sum are off."
    elif np.allclose(got, expected - 0.5 * mean.shape[-1]):
        hint = "one term inside the sum is missing: the loss must be 0 at mu = 0, gamma = 0."
    elif np.allclose(got, 0.5 * np.sum(log_var - np.exp(log_var) + mean**2, axis=-1)):
        hint = "check the sign of each term, and the '1 +' inside the sum."
    else:
        hint = (f"it differs from the reference by up to {error:.2g}: compare it term by term "
                "with the gamma form of section 3.")
    return respond("check_latent_loss", error < 1e-6, hint=hint, show_answer=show_answer,
                   verbose=verbose, answer=f"{formula} Yours differs by up to {error:.2g}.",
                   correct="it is 0 exactly when mu = 0 and gamma = 0 (the prior).")


def check_brightness_axis(decoder, axis: int, *, value_range: float = 2.0,
                          show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check that moving coding ``axis`` changes the decoded image's brightness the most.

    Passes for any of the two axes whose sweep from -range to +range changes the
    mean pixel value most. Introduced in 07_variational_autoencoders.
    """
    import numpy as np

    from aehelpers._validate import check_float, check_int
    from aehelpers.explore import codings_size, decode_codings

    size = codings_size(decoder)
    value_range = check_float("value_range", value_range, minimum=0.0, maximum=10.0,
                              open_min=True)
    ends = np.concatenate([-value_range * np.eye(size), value_range * np.eye(size)])
    brightness = decode_codings(decoder, ends).reshape(2, size, -1).mean(axis=-1)
    change = np.abs(brightness[1] - brightness[0])
    top = [int(i) for i in np.argsort(change)[::-1][:2]]
    reveal = (f"the largest brightness changes are on axes {top[0]} ({change[top[0]]:.3f}) "
              f"and {top[1]} ({change[top[1]]:.3f}), from -{value_range:g} to "
              f"+{value_range:g}.")
    blank = placeholder([("axis", axis, f"the coding dimension (0 to {size - 1}) that changes "
                                        "the ink the most")],
                        answer=lambda: reveal, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    axis = check_int("axis", axis, minimum=0, maximum=size - 1)
    return respond("check_brightness_axis", axis in top, show_answer=show_answer,
                   verbose=verbose, answer=f"{reveal} Axis {axis} changes it by "
                                           f"{change[axis]:.3f}.",
                   correct=f"axis {axis} changes the mean brightness by {change[axis]:.3f}, "
                           "one of the two largest changes.",
                   hint=f"axis {axis} changes the brightness less than the best axes do; move "
                        "each slider from end to end and watch which one adds the most ink.")
