"""Exercise checks for chapter 09 (GANs and diffusion models).

Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises._measure import check_ratio_prediction, ratio, returned
from aehelpers.exercises.feedback import Feedback, placeholder, respond


def check_forward_step(function, images, schedule, *, step: int = 10, seed: int = 0,
                       show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check ``function(clean, step, noise, schedule)``: the forward process at ``step`` at once.

    ``clean`` and ``noise`` are batches of the same shape; the result must be
    sqrt(alpha-bar_t) clean + sqrt(1 - alpha-bar_t) noise. Introduced in 09_gans_and_diffusion.
    """
    import numpy as np

    from aehelpers._validate import check_images, check_int, check_seed
    from aehelpers.generators import check_schedule, diffuse, to_signed

    images = to_signed(check_images("images", images)[:8])
    schedule = check_schedule(schedule)
    step = check_int("step", step, minimum=0, maximum=len(schedule.betas) - 1)
    noise = np.random.default_rng(check_seed("seed", seed)).normal(
        size=images.shape).astype(np.float32)
    expected = diffuse(images, np.full(len(images), step), noise, schedule)
    keep = schedule.alphas_cumprod[step]
    reveal = (f"x_t = sqrt(alpha_bar[t]) * clean + sqrt(1 - alpha_bar[t]) * noise, with "
              f"alpha_bar = schedule.alphas_cumprod; at t = {step}, alpha_bar = {keep:.4f}, so "
              f"the image keeps a factor {np.sqrt(keep):.3f} and the noise gets "
              f"{np.sqrt(1 - keep):.3f}.")
    got = returned(function, "function(clean, step, noise, schedule)", images, step, noise,
                   schedule)
    blank = placeholder([("function", got, "a function that returns the noisy batch x_t")],
                        answer=lambda: reveal, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"function must return an array of numbers shaped like clean, got "
                        f"{type(got).__name__}") from None
    if got.shape != expected.shape:
        raise ValueError(f"function must return an array shaped like clean {expected.shape}, "
                         f"got {got.shape}")
    beta = schedule.betas[step]
    guesses = {  # common slips, each with its own hint
        "one step's beta": np.sqrt(1 - beta) * images + np.sqrt(beta) * noise,
        "no square roots": keep * images + (1 - keep) * noise,
    }
    hint = ("not yet: jumping straight to step t needs the product of (1 - beta) over every "
            "step up to t (schedule.alphas_cumprod), with a square root on each factor.")
    if np.allclose(got, guesses["one step's beta"], atol=1e-4):
        hint = ("that is one small step from x_(t-1), not the jump from x_0: use the product "
                "of (1 - beta) over all steps up to t, schedule.alphas_cumprod[t].")
    elif np.allclose(got, guesses["no square roots"], atol=1e-4):
        hint = ("the weights must keep the variance at 1: alpha_bar and 1 - alpha_bar are "
                "variances, so scale the image and the noise by their square roots.")
    return respond("check_forward_step", bool(np.allclose(got, expected, atol=1e-4)),
                   hint=hint, answer=reveal, correct=reveal, show_answer=show_answer,
                   verbose=verbose)


def check_matching_step(step, schedule, *, noise_level: float = 0.2,
                        show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check the step t whose noise matches Gaussian noise of std ``noise_level`` on [0, 1] images.

    Dividing x_t by sqrt(alpha-bar_t) gives the clean image in [-1, 1] plus noise of
    std sqrt((1 - alpha-bar_t) / alpha-bar_t), which is half that on [0, 1] images.
    The right step is the one whose equivalent level is closest. Introduced in
    09_gans_and_diffusion.
    """
    import numpy as np

    from aehelpers._validate import check_float, check_int
    from aehelpers.generators import check_schedule

    schedule = check_schedule(schedule)
    noise_level = check_float("noise_level", noise_level, minimum=0.0, open_min=True,
                              maximum=100.0)
    levels = 0.5 * np.sqrt(1.0 / schedule.signal_to_noise)
    best = int(np.argmin(np.abs(levels - noise_level)))
    reveal = (f"step {best}: there sqrt((1 - alpha_bar) / alpha_bar) / 2 = {levels[best]:.3f}, "
              f"the closest to {noise_level:g}.")
    blank = placeholder([("step", step, f"a step index from 0 to {len(levels) - 1}")],
                        answer=lambda: reveal, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    step = check_int("step", step, minimum=0, maximum=len(levels) - 1)
    if step < best:
        hint = (f"too early: at step {step} the equivalent noise level is {levels[step]:.3f}, "
                f"below {noise_level:g}.")
    else:
        hint = (f"too late: at step {step} the equivalent noise level is {levels[step]:.3f}, "
                f"above {noise_level:g}.")
    return respond("check_matching_step", step == best, hint=hint,
                   answer=lambda: f"{reveal} You answered {step}.", correct=reveal,
                   show_answer=show_answer, verbose=verbose)


def check_sampling_steps_prediction(prediction: str, model, classifier, real_images, *,
                                    few: int = 5, many: int = 25, num_images: int = 500,
                                    seed: int = 0, show_answer: bool = False,
                                    verbose: bool = True) -> Feedback:
    """Compare a prediction of the Fréchet distance with ``many`` sampling steps against ``few``.

    ``prediction`` is "lower", "same" (within 5%) or "higher": the distance of ``many``-step
    samples to ``real_images``, relative to that of ``few``-step samples, in
    ``classifier``'s features. Introduced in 09_gans_and_diffusion.
    """
    from aehelpers._validate import check_images, check_int, check_seed
    from aehelpers.generators import DiffusionModel, image_features, sample_diffusion
    from aehelpers.metrics import frechet_distance

    if not isinstance(model, DiffusionModel):
        raise TypeError(f"model must be an ae.generators.DiffusionModel, got "
                        f"{type(model).__name__}")
    total = len(model.schedule.betas)
    few = check_int("few", few, minimum=1, maximum=total - 1)
    many = check_int("many", many, minimum=few + 1, maximum=total)
    num_images = check_int("num_images", num_images, minimum=2, maximum=100_000)
    seed = check_seed("seed", seed)
    real = image_features(classifier, check_images("real_images", real_images)[:num_images])

    def distance(steps: int) -> float:
        images, _ = sample_diffusion(model, num_images=len(real), sampling_steps=steps,
                                     seed=seed)
        return frechet_distance(real, image_features(classifier, images))

    def measure() -> float:
        return ratio(distance(many), distance(few))

    reasons = {"too low": "more steps take smaller jumps, but each jump still lands on what this "
                          "small denoiser believes; the gain is not automatic.",
               "too high": "more steps give the denoiser more chances to correct its earlier "
                           "guesses, and smaller jumps between noise levels."}
    return check_ratio_prediction(
        "check_sampling_steps_prediction", prediction,
        what=f"the Fréchet distance with {many} sampling steps, compared with {few}",
        measure=measure, same=0.05,
        show=lambda r: f"a distance with {many} steps {r:.2f} times the distance with {few}",
        explain=f"Each step costs one call of the denoiser per image, so {many} steps cost "
                f"{many / few:g} times as much as {few}.",
        reasons=reasons, show_answer=show_answer, verbose=verbose)
