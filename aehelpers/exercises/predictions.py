""""Predict first, then run": one exercise per chapter 01-07.

The learner writes a prediction in a placeholder before the cell measures the thing in
their own models and data; :func:`aehelpers.exercises.feedback.check_prediction` compares
the two. Each check here only says how to measure, and why a prediction is off.
Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises._measure import (
    ORDER,
    compare,
    count_weights,
    keras_model,
    ratio,
    side,
    vector_model,
)
from aehelpers.exercises.feedback import Feedback, check_prediction


def check_capacity_prediction(prediction: str, model, baseline, points, *,
                              show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Compare a predicted loss of a trained 3->3 linear autoencoder with the 3->2 ``baseline``.

    ``prediction`` is "zero" (a copier), "lower", "same" or "higher".
    Introduced in 01_representations_and_pca.
    """
    from aehelpers._validate import check_array
    from aehelpers.metrics import mse
    from aehelpers.training import predict

    points = check_array("points", points, ndim=2, min_items=2)
    for name, value in (("model", model), ("baseline", baseline)):
        vector_model(name, value, points.shape[1])

    def measure() -> float:
        return ratio(mse(points, predict(model, points)),
                     mse(points, predict(baseline, points)))

    reasons = {"too low": "an exact copy needs the two kernels to undo each other exactly, and "
                          "gradient descent only approaches that; this run stopped short of it.",
               "too high": "with three codings nothing has to be dropped, and every step that "
                           "keeps more of the thin third direction lowers the loss: think about "
                           "where that ends."}
    return check_prediction(
        "check_capacity_prediction", prediction, choices=ORDER,
        what='"zero", "lower", "same" or "higher": the 3->3 model\'s loss compared with the '
             "3->2 model's",
        measure=measure, classify=_capacity,
        show=lambda r: f"a loss {r:.2f} times the 3->2 model's",
        explain=_capacity_explained,
        hint=lambda p, r: f"{side(p, _capacity(r))}: {reasons[side(p, _capacity(r))]}",
        show_answer=show_answer, verbose=verbose)


def _capacity_explained(ratio: float) -> str:
    """Say what a 3->3 / 3->2 loss ratio shows about training towards copying."""
    if ratio < 0.05:
        return ("Training found (almost) the copier: nothing had to be dropped, and every step "
                "that kept more of the third direction lowered the loss.")
    if ratio < 1:
        return ("Training moves towards copying: every step that keeps more of the third "
                "direction lowers the loss, yet it has not become the exact copier.")
    return ""


def _capacity(ratio: float) -> str:
    """Classify a 3->3 / 3->2 loss ratio: a copier, lower, about the same or higher."""
    return "zero" if ratio < 0.05 else compare(ratio, same=0.2)


def check_flip_prediction(prediction: float, autoencoder, images, *, show_answer: bool = False,
                          verbose: bool = True) -> Feedback:
    """Compare a predicted factor by which flipping images upside down raises the MSE.

    Introduced in 02_stacked_autoencoders.
    """
    from aehelpers._validate import check_images
    from aehelpers.models import check_autoencoder
    from aehelpers.training import reconstruction_mse

    check_autoencoder("autoencoder", autoencoder)
    images = check_images("images", images)

    def measure() -> float:
        flipped = images[:, ::-1].copy()
        return ratio(reconstruction_mse(autoencoder, flipped),
                     reconstruction_mse(autoencoder, images))

    reasons = {"too low": "a dense network has no notion of up and down: every pixel position "
                          "is a separate input, and soles, collars and sleeves now sit where it "
                          "never saw them.",
               "too high": "many garments look much the same upside down (bags, trousers, "
                           "dresses), so a good part of each flipped image is still familiar."}
    return check_prediction(
        "check_flip_prediction", prediction, factor=1.5, minimum=0.0,
        what="how many times larger you expect the MSE on upside-down images to be",
        measure=measure, show=lambda r: f"an MSE {r:.2f} times larger upside down",
        explain=lambda r: "The autoencoder learned upright garments only: it is data-specific, "
                          "like the 3->2 model of chapter 01 on random points.",
        hint=lambda p, r: f"{side(p, r)}: {reasons[side(p, r)]}",
        show_answer=show_answer, verbose=verbose)


def check_tied_ratio_prediction(prediction: float, tied, untied, *, show_answer: bool = False,
                                verbose: bool = True) -> Feedback:
    """Compare a predicted tied/untied parameter ratio with the two models' counts.

    Introduced in 03_pretraining_tied_greedy.
    """

    tied, untied = keras_model("tied", tied), keras_model("untied", untied)

    def measure() -> float:
        return ratio(count_weights(tied.weights), count_weights(untied.weights))

    def hint(p: float, r: float) -> str:
        if p < r:
            return ("too low: tying shares the kernels only, each stored once instead of "
                    "twice; every layer keeps its own biases.")
        if p >= 0.6:
            return ("too high: the kernels are almost all of the parameters, and tying stores "
                    "each of them once instead of twice.")
        return ("too high: the unshared biases push the ratio above one half, but in wider "
                "layers they are a smaller share of the parameters than in 784-100-30.")

    return check_prediction(
        "check_tied_ratio_prediction", prediction, tolerance=0.001, minimum=0.0,
        what="the tied model's parameter count divided by the untied one's, to three decimals",
        measure=measure, show=lambda r: f"a ratio of {r:.4f}",
        explain=lambda r: "Half the kernels, all the biases: a little over one half, closer "
                          "to it the wider the layers.",
        hint=hint, show_answer=show_answer, verbose=verbose)


def check_filter_doubling_prediction(prediction: float, doubled, original, *,
                                     show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Compare a predicted growth factor of the parameters when every filter count doubles.

    Introduced in 04_convolutional_autoencoders.
    """

    doubled, original = keras_model("doubled", doubled), keras_model("original", original)
    reasons = {"too low": "a convolution's kernel holds 3 x 3 x input filters x output filters "
                          "weights, so a layer between two doubled layers grows four times.",
               "too high": "not every layer grows with both sides: the first convolution has "
                           "one input channel, the last transposed convolution one output "
                           "channel, and the codings layer keeps its 30 maps."}
    return check_prediction(
        "check_filter_doubling_prediction", prediction, tolerance=0.4, minimum=0.0,
        what="how many times more parameters you expect after doubling every filter count",
        measure=lambda: ratio(count_weights(doubled.weights), count_weights(original.weights)),
        show=lambda r: f"{r:.2f} times the parameters",
        explain=lambda r: "Layers between two doubled layers grow four times, layers with a "
                          "fixed side only twice: the total lands in between.",
        hint=lambda p, r: f"{side(p, r)}: {reasons[side(p, r)]}",
        show_answer=show_answer, verbose=verbose)
