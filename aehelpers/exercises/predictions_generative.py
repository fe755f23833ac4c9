""""Predict first, then run" for chapters 05-07 (denoising, sparse, variational).

Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises._measure import check_ratio_prediction, ratio, side
from aehelpers.exercises.feedback import Feedback, check_prediction

CHANGES = ("worse", "same", "better")


def check_masking_prediction(prediction: str, autoencoder, images, *, rate: float = 0.5,
                             max_images: int = 1000, seed: int = 0,
                             show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Compare a prediction of what a Gaussian denoiser does to images with pixels blanked.

    A fraction ``rate`` of the pixels is set to 0; ``prediction`` is "better", "same"
    (within 0.5 dB) or "worse": the denoised PSNR against the damaged input's.
    Introduced in 05_denoising_autoencoders.
    """
    import numpy as np

    from aehelpers._validate import check_float, check_images, check_int, check_seed
    from aehelpers.metrics import psnr
    from aehelpers.models import check_autoencoder
    from aehelpers.training import predict

    check_autoencoder("autoencoder", autoencoder)
    max_images = check_int("max_images", max_images, minimum=1)
    images = check_images("images", images)[:max_images]
    rate = check_float("rate", rate, minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    seed = check_seed("seed", seed)

    def measure() -> float:
        keep = np.random.default_rng(seed).random(images.shape) >= rate
        damaged = (images * keep).astype(np.float32)
        denoised = np.clip(predict(autoencoder, damaged), 0.0, 1.0)
        return psnr(images, denoised) - psnr(images, damaged)

    def classify(gain: float) -> str:
        return "same" if abs(gain) <= 0.5 else "better" if gain > 0 else "worse"

    reasons = {"too low": "it never saw a blank pixel in training, but it learned to pull any "
                          "damaged image back towards a plausible garment, and blank pixels "
                          "are damage too.",
               "too high": "its output can be no better than its own reconstruction error: "
                           "compare how much this damage costs with what a 30-number "
                           "bottleneck loses on a clean image (section 3)."}

    def explain(gain: float) -> str:
        if gain > 0.5:
            return ("Denoising is not tied to one kind of noise: the bottleneck keeps what is "
                    "typical of garments and drops the rest, whatever the damage.")
        return ("With this much damage the denoiser's own reconstruction error is about as "
                "large as what it repairs, or larger, just as for low Gaussian noise in "
                "section 3.")

    return check_prediction(
        "check_masking_prediction", prediction, choices=CHANGES,
        what='"better", "same" or "worse": the denoised images\' PSNR against the damaged ones\'',
        measure=measure, classify=classify,
        show=lambda g: f"a change of {g:+.1f} dB from the damaged images' PSNR to the "
                       "denoised ones'",
        explain=explain,
        hint=lambda p, g: f"{side(p, classify(g), CHANGES)}: "
                          f"{reasons[side(p, classify(g), CHANGES)]}",
        show_answer=show_answer, verbose=verbose)


def check_active_units_prediction(prediction: float, encoder, images, *,
                                  threshold: float = 0.5, show_answer: bool = False,
                                  verbose: bool = True) -> Feedback:
    """Compare a predicted number of coding units above ``threshold`` per image with the measure.

    Introduced in 06_sparse_autoencoders.
    """
    import numpy as np

    from aehelpers._validate import check_float, check_images
    from aehelpers.models import check_encoder
    from aehelpers.training import predict

    encoder = check_encoder("encoder", encoder)
    images = check_images("images", images)
    threshold = check_float("threshold", threshold, minimum=0.0, maximum=1.0, open_min=True)
    codings = {}

    def measure() -> float:
        if "all" not in codings:
            codings["all"] = predict(encoder, images)
        return float(np.mean(np.sum(codings["all"] > threshold, axis=1)))

    reasons = {"too high": f"fewer activations reach {threshold:g} than that: the model meets "
                           "its target mostly with values near the target; read the share of "
                           f"activations above {threshold:g} in the histogram of all "
                           "activations (section 5) and multiply it by the number of units.",
               "too low": f"more activations reach {threshold:g} than that: the histogram of all "
                          "activations (section 5) has a tail above the target; multiply its "
                          f"share above {threshold:g} by the number of units."}
    return check_prediction(
        "check_active_units_prediction", prediction, minimum=0.0,
        tolerance=lambda n: max(1.5, 0.3 * n),
        what=f"how many coding units you expect above {threshold:g} in a typical image",
        measure=measure, show=lambda n: f"{n:.2f} units above {threshold:g} per image on average",
        explain=lambda n: "The penalty controls each unit's mean activation; the model meets it "
                          "with many activations near the target and a thin tail of stronger "
                          "ones, not with a few units fully on.",
        hint=lambda p, n: f"{side(p, n)}: {reasons[side(p, n)]}",
        show_answer=show_answer, verbose=verbose)


def check_sampling_prediction(prediction: str, encoder, decoder, images, *,
                              show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Compare a prediction of the MSE when decoding the means instead of a random draw.

    ``prediction`` is "lower", "same" (within 3%) or "higher": the MSE of decoding
    mu, relative to decoding the sampled codings. Introduced in 07_variational_autoencoders.
    """
    from aehelpers._validate import check_images, check_model
    from aehelpers.metrics import mse
    from aehelpers.models import check_chain
    from aehelpers.training import predict

    encoder = check_model("encoder", encoder)
    if len(encoder.outputs) != 3:
        raise TypeError("encoder must be a VAE encoder with 3 outputs (mean, log_var, "
                        f"codings), got {len(encoder.outputs)} output(s)")
    check_chain(encoder, decoder)
    images = check_images("images", images)

    def measure() -> float:
        mean, _, sampled = predict(encoder, images)
        return ratio(mse(images, predict(decoder, mean)), mse(images, predict(decoder, sampled)))

    reasons = {"too low": "for the dimensions the decoder uses, sigma is small, so the random "
                          "draws barely move the codings.",
               "too high": "a draw moves each coding about sigma away from mu, and the decoder "
                           "cannot tell which way it was pushed; mu is the middle of the draws "
                           "it was trained on."}
    return check_ratio_prediction(
        "check_sampling_prediction", prediction,
        what="the MSE when decoding mu, compared with a random draw", measure=measure,
        same=0.03, show=lambda r: f"an MSE from mu {r:.2f} times the MSE from a random draw",
        explain="Sampling adds noise to the codings; it keeps the latent space smooth while "
                "training, and costs some precision when rebuilding.",
        reasons=reasons, show_answer=show_answer, verbose=verbose)
