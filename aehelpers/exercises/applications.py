"""Exercise checks for chapter 08 (anomaly detection, retrieval, compression).

Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises._measure import check_ratio_prediction, ratio, returned
from aehelpers.exercises.feedback import Feedback, placeholder, respond


def check_precision_at_k(function, features, labels, *, k: int = 5, max_items: int = 500,
                         show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check ``function(features, labels, k)``: the mean share of same-class neighbours.

    Each item's ``k`` nearest other items (Euclidean) are its results; the item
    itself must not count. Introduced in 08_applications.
    """
    import numpy as np

    from aehelpers._validate import check_array, check_int
    from aehelpers.metrics import nearest_neighbours, precision_at_k

    max_items = check_int("max_items", max_items, minimum=2)
    features = check_array("features", features, ndim=2)
    labels = np.asarray(labels)
    if labels.shape != (len(features),):
        raise ValueError(f"labels must hold one label per row of features ({len(features)}), "
                         f"got shape {labels.shape}")
    features, labels = features[:max_items], labels[:max_items]
    k = check_int("k", k, minimum=1, maximum=len(features) - 1)
    expected = precision_at_k(features, labels, k=k)
    reveal = (f"precision@{k} of these {len(features)} items is {expected:.3f}: for each item, "
              f"find its {k} nearest other items, count those of its class, divide by {k}, "
              f"then average over the items.")
    got = returned(function, "function(features, labels, k)", features, labels, k)
    blank = placeholder([("function", got, "a function that returns precision@k as one "
                                           "number")], answer=lambda: reveal,
                        show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    try:
        got = float(got)
    except (TypeError, ValueError):
        raise TypeError(f"function must return one number (precision@k), got "
                        f"{type(got).__name__}") from None
    with_self = nearest_neighbours(features, features, k=k)  # the item itself comes first
    counted_self = float(np.mean(labels[with_self] == labels[:, None]))
    if abs(got - counted_self) < 1e-6 and abs(counted_self - expected) > 1e-6:
        hint = ("the nearest item to each query is the query itself, at distance 0: leave it "
                "out, or every item starts with one free same-class result.")
    elif not 0.0 <= got <= 1.0:
        hint = "a precision is a share of the results: it lies between 0 and 1."
    else:
        hint = ("not yet: sort each item's distances to all the others, keep the k smallest "
                "and compare their labels with the item's own.")
    return respond("check_precision_at_k", abs(got - expected) < 1e-6, hint=hint,
                   answer=lambda: f"{reveal} Your function returned {got:.3f}.",
                   correct=f"precision@{k} = {expected:.3f}.", show_answer=show_answer,
                   verbose=verbose)


def check_recall_threshold(scores, is_anomaly, threshold: float, *, recall: float = 0.9,
                           slack: float = 0.05, show_answer: bool = False,
                           verbose: bool = True) -> Feedback:
    """Check the highest threshold that still flags at least ``recall`` of the anomalies.

    Passes if the threshold reaches the recall and ``(1 + slack)`` times it does not.
    Introduced in 08_applications.
    """
    import numpy as np

    from aehelpers._validate import check_float
    from aehelpers.metrics import check_scores, confusion_at_threshold

    recall = check_float("recall", recall, minimum=0.0, maximum=1.0, open_min=True)
    slack = check_float("slack", slack, minimum=0.0, maximum=1.0)
    scores, flags = check_scores(scores, is_anomaly)
    anomalous = np.sort(scores[flags])
    best = float(anomalous[int(np.floor((1.0 - recall) * len(anomalous) + 1e-9))])

    def measured(value: float) -> tuple[float, float]:
        counts = confusion_at_threshold(scores, is_anomaly, value)
        flagged = counts["tp"] + counts["fp"]
        return (counts["tp"] / (counts["tp"] + counts["fn"]),
                counts["tp"] / flagged if flagged else float("nan"))

    def reveal() -> str:
        found, precision = measured(best)
        return (f"the highest threshold with recall >= {recall:.0%} is {best:.4f} (recall "
                f"{found:.1%}, precision {precision:.1%}): sort the anomalies' scores and "
                f"take the one that leaves {1 - recall:.0%} of them below it.")

    blank = placeholder([("threshold", threshold, f"a threshold (score) that flags at least "
                                                  f"{recall:.0%} of the anomalies")],
                        answer=reveal, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    threshold = check_float("threshold", threshold, minimum=0.0)
    found, precision = measured(threshold)
    higher, _ = measured(threshold * (1.0 + slack))
    passed = found >= recall and higher < recall
    if found < recall:
        hint = (f"too high: that threshold flags only {found:.1%} of the anomalies; lower it "
                f"until at least {recall:.0%} are flagged.")
    else:
        hint = (f"too low: it flags {found:.1%} of the anomalies, more than needed, and more "
                f"normal items with them; raise it as far as recall allows.")
    return respond("check_recall_threshold", passed, hint=hint,
                   answer=lambda: f"{reveal()} You answered {threshold:.4f}.",
                   correct=f"threshold {threshold:.4f} flags {found:.1%} of the anomalies with "
                           f"precision {precision:.1%}.",
                   show_answer=show_answer, verbose=verbose)


def check_retrieval_size_prediction(prediction: str, small_encoder, large_encoder, images,
                                    labels, *, k: int = 10, max_items: int = 2000,
                                    show_answer: bool = False, verbose: bool = True
                                    ) -> Feedback:
    """Compare a prediction of precision@k with smaller codings against larger ones.

    ``prediction`` is "lower", "same" (within 2%) or "higher": the small encoder's
    precision@k relative to the large one's. Introduced in 08_applications.
    """
    import numpy as np

    from aehelpers._validate import check_images, check_int
    from aehelpers.metrics import precision_at_k
    from aehelpers.models import check_encoder
    from aehelpers.training import predict

    check_encoder("small_encoder", small_encoder)
    check_encoder("large_encoder", large_encoder)
    k = check_int("k", k, minimum=1, maximum=1000)
    max_items = check_int("max_items", max_items, minimum=k + 1)
    images = check_images("images", images)
    labels = np.asarray(labels)
    if labels.shape != (len(images),):
        raise ValueError(f"labels must hold one label per image ({len(images)}), got shape "
                         f"{labels.shape}")
    if len(images) <= k:
        raise ValueError(f"images must hold more than k ({k}) images, got {len(images)}")
    images, labels = images[:max_items], labels[:max_items]

    def measure() -> float:
        small, large = (predict(e, images).reshape(len(images), -1)
                        for e in (small_encoder, large_encoder))
        return ratio(precision_at_k(small, labels, k=k), precision_at_k(large, labels, k=k))

    reasons = {"too low": "fewer numbers keep less detail, but a class is a coarse property: "
                          "the reconstruction loss spends its first numbers on the broad shape "
                          "that tells classes apart.",
               "too high": "the smaller bottleneck has to drop detail, and some of that detail "
                           "tells similar classes apart (shirts, pullovers, coats)."}
    return check_ratio_prediction(
        "check_retrieval_size_prediction", prediction,
        what="precision@k with the smaller codings, compared with the larger ones",
        measure=measure, same=0.02,
        show=lambda r: f"a precision@{k} {r:.3f} times the larger codings'",
        explain="Retrieval needs only what separates classes, which is far less than what "
                "rebuilding every pixel needs.",
        reasons=reasons, show_answer=show_answer, verbose=verbose)
