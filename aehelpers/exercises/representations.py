"""Exercise checks for chapters 00-02 (start, representations and PCA, stacked autoencoders).

Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises._measure import as_counts, direction, pca_and_autoencoder_mse
from aehelpers.exercises.feedback import Feedback, placeholder, respond


def check_profile_lookup(name: str, train_size: int, stacked_epochs: int, *,
                         show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check the training-set size and stacked-autoencoder epochs read for profile ``name``.

    Introduced in 00_start_here.
    """
    from aehelpers._validate import check_choice, check_int
    from aehelpers.profiles import PROFILES

    name = check_choice("name", name, tuple(PROFILES))
    profile = PROFILES[name]
    right_size, right_epochs = profile.train_size, profile.training("stacked").epochs
    answer = (f"the {name!r} profile has {right_size:,} training images "
              f"(profile.train_size) and trains the stacked autoencoder for {right_epochs} "
              "epochs (profile.training('stacked').epochs).")
    blank = placeholder([("train_size", train_size, f"the number of training images in the "
                                                     f"{name!r} profile"),
                         ("stacked_epochs", stacked_epochs, "the stacked autoencoder's epochs")],
                        answer=lambda: answer, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    train_size = check_int("train_size", train_size, minimum=0)
    stacked_epochs = check_int("stacked_epochs", stacked_epochs, minimum=0)
    wrong = [f"{label} is {direction(value, right)}" for label, value, right in
             [("train_size", train_size, right_size),
              ("stacked_epochs", stacked_epochs, right_epochs)] if value != right]
    return respond(f"check_profile_lookup({name!r})", not wrong, show_answer=show_answer,
                   verbose=verbose,
                   correct="every chapter reads these numbers from the profile, so one "
                           "environment variable resizes the whole workbook.",
                   hint=" and ".join(wrong) + f"; both are attributes of the object that "
                        f"ae.get_profile({name!r}) returns (see the table of run profiles).",
                   answer=answer)


def check_class_counts(counts, labels, *, show_answer: bool = False,
                       verbose: bool = True) -> Feedback:
    """Check ``counts[k]``, the number of entries of ``labels`` equal to class ``k`` (10 classes).

    Introduced in 00_start_here.
    """
    import numpy as np

    from aehelpers.data import CLASS_NAMES

    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or labels.size == 0:
        raise TypeError(f"labels must be a non-empty 1-D array of integers, got shape "
                        f"{labels.shape} and dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= len(CLASS_NAMES):
        raise ValueError(f"labels must lie in [0, {len(CLASS_NAMES) - 1}], "
                         f"got [{labels.min()}, {labels.max()}]")
    right = np.bincount(labels, minlength=len(CLASS_NAMES))
    table = ", ".join(f"{CLASS_NAMES[k]} {right[k]:,}" for k in range(len(CLASS_NAMES)))
    answer = f"the counts are {table}: np.bincount(labels, minlength=10) counts all ten at once."
    blank = placeholder([("counts", counts, "a list of 10 counts, how many labels equal 0, 1, "
                                            "..., 9")],
                        answer=lambda: answer, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    counts = as_counts("counts", counts, len(CLASS_NAMES))
    wrong = np.flatnonzero(counts != right)
    if wrong.size == 0:
        rarest, commonest = int(np.argmin(right)), int(np.argmax(right))
        correct = (f"all 10 counts are right (rarest {CLASS_NAMES[rarest]}, commonest "
                   f"{CLASS_NAMES[commonest]}): the classes are close to balanced.")
        return respond("check_class_counts", True, correct=correct, hint="", answer="",
                       show_answer=show_answer, verbose=verbose)
    off = "; ".join(f"{CLASS_NAMES[k]} {direction(counts[k], right[k])}" for k in wrong[:4])
    more = f" and {wrong.size - 4} more" if wrong.size > 4 else ""
    total = ("they add up to more images than there are labels" if counts.sum() > labels.size
             else "they add up to fewer images than there are labels"
             if counts.sum() < labels.size else "the total is right, the split is not")
    return respond("check_class_counts", False, correct="", answer=answer,
                   hint=f"{wrong.size} of 10 counts are off ({off}{more}); {total}. "
                        "Count the labels equal to each class k separately.",
                   show_answer=show_answer, verbose=verbose)


def check_reconstruction_mse(value: float, inputs, reconstructions, *,
                             show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check a hand-computed reconstruction MSE: the mean of the squared differences.

    Introduced in 01_representations_and_pca.
    """
    import numpy as np

    from aehelpers._validate import check_array, check_float

    inputs = check_array("inputs", inputs).astype(np.float64)
    reconstructions = check_array("reconstructions", reconstructions).astype(np.float64)
    if inputs.shape != reconstructions.shape:
        raise ValueError(f"inputs and reconstructions must have the same shape, "
                         f"got {inputs.shape} and {reconstructions.shape}")
    errors = inputs - reconstructions
    right = float(np.mean(errors**2))
    answer = (f"the MSE of these reconstructions is {right:.6f}: "
              "np.mean((inputs - reconstructions) ** 2).")
    blank = placeholder([("value", value, "the reconstruction loss of section 2, computed "
                                          "with NumPy")],
                        answer=lambda: answer, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    value = check_float("value", value)
    passed = bool(np.isclose(value, right, rtol=1e-3, atol=1e-9))
    per_row = float(np.mean(np.sum(errors.reshape(len(errors), -1) ** 2, axis=1)))
    mistakes = [
        (float(np.mean(np.abs(errors))), "that is the mean absolute error, not the mean "
                                         "squared error."),
        (float(np.sqrt(right)), "that is the root of the mean squared error (the RMSE), "
                                "one step too far."),
        (float(np.sum(errors**2)), "that is a sum over every number, and the loss is an "
                                   "average."),
        (per_row, "you summed over each row's features before averaging over the rows; the "
                  "loss averages over every number."),
        (float(np.mean(errors)), "positive and negative differences cancel out in that "
                                 "number: the loss makes every difference count."),
    ]
    hint = next((text for wrong, text in mistakes if np.isclose(value, wrong, rtol=1e-3)),
                f"that is {direction(value, right)}; compare with the loss formula of "
                "section 2.")
    return respond("check_reconstruction_mse", passed, hint=hint,
                   answer=f"{answer} You have {value:.6f}.",
                   correct="squared differences, averaged over every number: the "
                           "reconstruction loss the autoencoder minimises.",
                   show_answer=show_answer, verbose=verbose)


def check_pca_basis(basis, data, *, max_angle: float = 5.0, show_answer: bool = False,
                    verbose: bool = True) -> Feedback:
    """Check that the rows of ``basis`` span the plane PCA finds for ``data``.

    The plane is compared through its largest principal angle with PCA's first
    ``len(basis)`` components. Introduced in 01_representations_and_pca.
    """
    import numpy as np

    from aehelpers._validate import check_array, check_float
    from aehelpers.metrics import principal_angles

    data = check_array("data", data, ndim=2, min_items=2).astype(np.float64)
    max_angle = check_float("max_angle", max_angle, minimum=0.0, maximum=90.0, open_min=True)
    answer = ("PCA's plane is spanned by the first rows of Vt from "
              "np.linalg.svd(data - data.mean(axis=0), full_matrices=False): centre the "
              "data first, then take the top rows.")
    blank = placeholder([("basis", basis, "the rows of Vt (from an SVD) that span PCA's plane, "
                                          "one row per direction")],
                        answer=lambda: answer, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    basis = check_array("basis", basis, ndim=2).astype(np.float64)
    if basis.shape[1] != data.shape[1]:
        raise ValueError(f"basis rows must have {data.shape[1]} entries like the rows of data, "
                         f"got shape {basis.shape}")
    if len(basis) >= data.shape[1]:
        raise ValueError(f"basis must hold fewer than {data.shape[1]} rows (a subspace), "
                         f"got {len(basis)}")
    if np.linalg.matrix_rank(basis) < len(basis):
        raise ValueError("basis rows must be linearly independent")
    k = len(basis)
    centred = np.linalg.svd(data - data.mean(axis=0), full_matrices=False)[2][:k]
    angle = float(principal_angles(basis, centred)[0])
    uncentred = np.linalg.svd(data, full_matrices=False)[2][:k]
    if float(principal_angles(basis, uncentred)[0]) < max_angle:
        hint = ("that is the plane of the data as it lies, tilted towards the data's mean, "
                "but PCA measures spread around the mean.")
    else:
        hint = (f"your subspace is {angle:.1f} degrees from PCA's (the goal is under "
                f"{max_angle:g}): PCA keeps the directions along which the data spreads most.")
    return respond("check_pca_basis", angle < max_angle, hint=hint,
                   answer=f"your subspace is {angle:.1f} degrees from PCA's; {answer}",
                   correct=f"your subspace is {angle:.2f} degrees from PCA's: the same "
                           "subspace, up to a rotation inside it.",
                   show_answer=show_answer, verbose=verbose)


def check_parameter_count(count: int, *, layer_sizes=(784, 100, 30, 100, 784),
                          show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check a hand count of the parameters of a dense network with ``layer_sizes`` units.

    Introduced in 02_stacked_autoencoders.
    """
    from aehelpers._validate import check_int

    if isinstance(layer_sizes, int | str) or len(layer_sizes) < 2:
        raise TypeError(f"layer_sizes must be a sequence of at least 2 integers, "
                        f"got {layer_sizes!r}")
    sizes = [check_int(f"layer_sizes[{i}]", size, minimum=1)
             for i, size in enumerate(layer_sizes)]
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    weights = sum(a * b for a, b in pairs)
    right = weights + sum(sizes[1:])
    architecture = "-".join(map(str, sizes))
    sum_text = " + ".join(f"({a} + 1) x {b}" for a, b in pairs)
    answer = f"the {architecture} network has {right:,} parameters: {sum_text}."
    blank = placeholder([("count", count, f"the number of parameters of the {architecture} "
                                          "network (weights and biases)")],
                        answer=lambda: answer, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    count = check_int("count", count, minimum=0)
    if count == weights:
        hint = "you counted the weights but not the biases."
    elif count == weights + sum(sizes[:-1]):
        hint = "a Dense layer has one bias per output unit, not one per input."
    else:
        hint = (f"that is {direction(count, right)}: count each Dense layer's weights "
                "(units in x units out) and its biases, then add the layers up.")
    return respond(f"check_parameter_count({architecture})", count == right, hint=hint,
                   answer=f"{answer} You have {count:,}.",
                   correct="each Dense layer holds inputs x outputs weights plus one bias per "
                           "output unit.", show_answer=show_answer, verbose=verbose)


def check_beats_pca(autoencoder, x_train, x_valid, *, max_train_images: int = 5_000,
                    max_codings_size: int | None = None, show_answer: bool = False,
                    verbose: bool = True) -> Feedback:
    """Check that ``autoencoder`` reconstructs ``x_valid`` better than PCA with as many components.

    PCA is fitted on at most ``max_train_images`` of ``x_train``; with
    ``max_codings_size`` the autoencoder must also use at most that many codings.
    Introduced in 02_stacked_autoencoders.
    """
    from aehelpers._validate import check_images, check_int

    x_train = check_images("x_train", x_train)
    x_valid = check_images("x_valid", x_valid)
    max_train_images = check_int("max_train_images", max_train_images, minimum=2)
    if max_codings_size is not None:
        max_codings_size = check_int("max_codings_size", max_codings_size, minimum=1)
    size = ("a codings_size of your choice" if max_codings_size is None
            else f"at most {max_codings_size} codings")
    blank = placeholder([("autoencoder", autoencoder, f"a stacked autoencoder you trained with "
                                                      f"{size}")],
                        answer=None, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    size, pca, mine = pca_and_autoencoder_mse(autoencoder, x_train[:max_train_images], x_valid)
    measured = (f"your codings_size={size} autoencoder reaches validation MSE {mine:.4f}, PCA "
                f"with {size} components {pca:.4f} on the same {len(x_valid):,} images")
    if max_codings_size is not None and size > max_codings_size:
        return respond("check_beats_pca", False, show_answer=show_answer, verbose=verbose,
                       correct="", hint=f"this autoencoder has {size} codings: the challenge "
                                        f"is to beat PCA with at most {max_codings_size}.",
                       answer=f"{measured}; the challenge is to do it with at most "
                              f"{max_codings_size} codings: train it with a smaller "
                              "codings_size.")
    return respond("check_beats_pca", mine <= pca, show_answer=show_answer, verbose=verbose,
                   correct=f"{measured}, {100 * (1 - mine / pca):.0f}% lower: its nonlinear "
                           "layers use the same budget of numbers better than a flat plane.",
                   hint=f"with {size} codings it does worse than a linear projection with as "
                        "many numbers: it needs more training (more epochs, or the class "
                        "profile) or a wider hidden layer.",
                   answer=f"{measured}: train it longer (the class profile) or widen its "
                          "hidden layer, e.g. hidden_units=(300,).")
