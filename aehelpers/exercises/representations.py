"""Exercise checks for chapters 00-02 (start, representations and PCA, stacked autoencoders).

Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises.feedback import Feedback, _feedback


def _counts(name: str, value: object, length: int):
    """Return ``value`` as a 1-D integer array of ``length`` entries, or raise naming ``name``."""
    import numpy as np

    array = np.asarray(value)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.integer)
                                     or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must hold numbers, got {type(value).__name__}")
    if array.shape != (length,):
        raise ValueError(f"{name} must hold {length} numbers, got shape {array.shape}")
    if np.issubdtype(array.dtype, np.floating) and not np.all(array == np.round(array)):
        raise ValueError(f"{name} must hold whole numbers (counts), got {array.tolist()}")
    if np.any(array < 0):
        raise ValueError(f"{name} must hold counts of 0 or more, got {array.tolist()}")
    return array.astype(np.int64)


def check_profile_lookup(name: str, train_size: int, stacked_epochs: int, *,
                         verbose: bool = True) -> Feedback:
    """Check the training-set size and stacked-autoencoder epochs read for profile ``name``.

    Introduced in 00_start_here.
    """
    from aehelpers._validate import check_choice, check_int
    from aehelpers.profiles import PROFILES

    name = check_choice("name", name, tuple(PROFILES))
    train_size = check_int("train_size", train_size, minimum=0)
    stacked_epochs = check_int("stacked_epochs", stacked_epochs, minimum=0)
    profile = PROFILES[name]
    right_size, right_epochs = profile.train_size, profile.training("stacked").epochs
    measured = (f"For the {name!r} profile you found {train_size:,} training images and "
                f"{stacked_epochs} epochs for the stacked autoencoder;")
    wrong = []
    if train_size != right_size:
        wrong.append(f"the training set has {right_size:,} images")
    if stacked_epochs != right_epochs:
        wrong.append(f"the stacked autoencoder trains for {right_epochs} epochs")
    if not wrong:
        return _feedback(True, measured + " both are right.",
                         success="Every chapter reads these numbers from the profile, so one "
                                 "environment variable resizes the whole workbook.",
                         hint="", verbose=verbose)
    return _feedback(False, measured + " but " + " and ".join(wrong) + ".", success="",
                     hint=f"read them with profile = ae.get_profile({name!r}), then "
                          "profile.train_size and profile.training('stacked').epochs.",
                     verbose=verbose)


def check_class_counts(counts, labels, *, verbose: bool = True) -> Feedback:
    """Check ``counts[k]``, the number of entries of ``labels`` equal to class ``k`` (10 classes).

    Introduced in 00_start_here.
    """
    import numpy as np

    from aehelpers.data import CLASS_NAMES

    counts = _counts("counts", counts, len(CLASS_NAMES))
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or labels.size == 0:
        raise TypeError(f"labels must be a non-empty 1-D array of integers, got shape "
                        f"{labels.shape} and dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= len(CLASS_NAMES):
        raise ValueError(f"labels must lie in [0, {len(CLASS_NAMES) - 1}], "
                         f"got [{labels.min()}, {labels.max()}]")
    right = np.bincount(labels, minlength=len(CLASS_NAMES))
    measured = (f"Your counts add up to {int(counts.sum()):,} images; "
                f"the labels hold {labels.size:,}.")
    wrong = np.flatnonzero(counts != right)
    if wrong.size == 0:
        rarest, commonest = int(np.argmin(right)), int(np.argmax(right))
        return _feedback(True, measured, verbose=verbose, hint="",
                         success=f"All 10 counts are right (rarest: {CLASS_NAMES[rarest]} with "
                                 f"{right[rarest]:,}, commonest: {CLASS_NAMES[commonest]} with "
                                 f"{right[commonest]:,}): the classes are close to balanced.")
    examples = "; ".join(f"{CLASS_NAMES[k]}: you have {counts[k]:,}, it is {right[k]:,}"
                         for k in wrong[:3])
    more = f" (and {wrong.size - 3} more)" if wrong.size > 3 else ""
    return _feedback(False, f"{measured} {wrong.size} of 10 counts are off: {examples}{more}.",
                     success="", verbose=verbose,
                     hint="np.sum(labels == k) counts class k; np.bincount(labels, minlength=10) "
                          "counts all ten at once.")


def check_reconstruction_mse(value: float, inputs, reconstructions, *,
                             verbose: bool = True) -> Feedback:
    """Check a hand-computed reconstruction MSE: the mean of the squared differences.

    Introduced in 01_representations_and_pca.
    """
    import numpy as np

    from aehelpers._validate import check_array, check_float

    value = check_float("value", value)
    inputs = check_array("inputs", inputs).astype(np.float64)
    reconstructions = check_array("reconstructions", reconstructions).astype(np.float64)
    if inputs.shape != reconstructions.shape:
        raise ValueError(f"inputs and reconstructions must have the same shape, "
                         f"got {inputs.shape} and {reconstructions.shape}")
    errors = inputs - reconstructions
    right = float(np.mean(errors**2))
    measured = f"You computed {value:.6f}; the MSE of these reconstructions is {right:.6f}."
    if np.isclose(value, right, rtol=1e-3, atol=1e-9):
        return _feedback(True, measured, verbose=verbose, hint="",
                         success="Squared differences, averaged over every number: that is "
                                 "the reconstruction loss the autoencoder minimises.")
    per_row = float(np.mean(np.sum(errors.reshape(len(errors), -1) ** 2, axis=1)))
    mistakes = [
        (float(np.mean(np.abs(errors))), "that is the mean ABSOLUTE error: square the "
                                         "differences instead of taking their absolute value."),
        (float(np.sqrt(right)), "that is the ROOT of the MSE (RMSE): drop the square root."),
        (float(np.sum(errors**2)), "that is the SUM of squared errors: take the mean instead."),
        (per_row, "you summed over each row's features, then averaged over rows: "
                  "average over every number instead."),
        (float(np.mean(errors)), "you forgot to square the differences, so positive and "
                                 "negative errors cancel."),
    ]
    hint = next((text for wrong, text in mistakes if np.isclose(value, wrong, rtol=1e-3)),
                "compute np.mean((inputs - reconstructions) ** 2).")
    return _feedback(False, measured, success="", hint=hint, verbose=verbose)


def check_pca_basis(basis, data, *, max_angle: float = 5.0, verbose: bool = True) -> Feedback:
    """Check that the rows of ``basis`` span the plane PCA finds for ``data``.

    The plane is compared through its largest principal angle with PCA's
    first ``len(basis)`` components. Introduced in 01_representations_and_pca.
    """
    import numpy as np

    from aehelpers._validate import check_array, check_float
    from aehelpers.metrics import principal_angles

    basis = check_array("basis", basis, ndim=2).astype(np.float64)
    data = check_array("data", data, ndim=2, min_items=2).astype(np.float64)
    max_angle = check_float("max_angle", max_angle, minimum=0.0, maximum=90.0, open_min=True)
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
    measured = (f"Your {k} basis vector(s) span a subspace {angle:.2f} degrees from PCA's "
                f"(largest principal angle); the target is below {max_angle:g} degrees.")
    if angle < max_angle:
        return _feedback(True, measured, verbose=verbose, hint="",
                         success="Same subspace as PCA, up to a rotation inside it.")
    uncentred = np.linalg.svd(data, full_matrices=False)[2][:k]
    if float(principal_angles(basis, uncentred)[0]) < max_angle:
        hint = ("that is the plane of the UNCENTRED data, tilted towards the data's mean: "
                "subtract data.mean(axis=0) before the SVD.")
    else:
        hint = (f"take the first {k} rows of Vt from "
                "np.linalg.svd(data - data.mean(axis=0), full_matrices=False).")
    return _feedback(False, measured, success="", hint=hint, verbose=verbose)


def check_parameter_count(count: int, *, layer_sizes=(784, 100, 30, 100, 784),
                          verbose: bool = True) -> Feedback:
    """Check a hand count of the parameters of a dense network with ``layer_sizes`` units.

    Introduced in 02_stacked_autoencoders.
    """
    from aehelpers._validate import check_int

    count = check_int("count", count, minimum=0)
    if isinstance(layer_sizes, int | str) or len(layer_sizes) < 2:
        raise TypeError(f"layer_sizes must be a sequence of at least 2 integers, "
                        f"got {layer_sizes!r}")
    sizes = [check_int(f"layer_sizes[{i}]", size, minimum=1)
             for i, size in enumerate(layer_sizes)]
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    weights = sum(a * b for a, b in pairs)
    right = weights + sum(sizes[1:])
    architecture = "-".join(map(str, sizes))
    measured = f"You counted {count:,} parameters for the {architecture} network; it has {right:,}."
    if count == right:
        return _feedback(True, measured, verbose=verbose, hint="",
                         success="Each Dense layer holds inputs x outputs weights plus one "
                                 "bias per output unit.")
    if count == weights:
        hint = f"you counted the weights only: add one bias per output unit ({right - weights:,})."
    elif count == weights + sum(sizes[:-1]):
        hint = "a Dense layer has one bias per OUTPUT unit, not per input."
    else:
        hint = ("add up, layer by layer, (units in + 1) x units out; for the first layer "
                f"that is ({sizes[0]} + 1) x {sizes[1]} = {(sizes[0] + 1) * sizes[1]:,}.")
    return _feedback(False, measured, success="", hint=hint, verbose=verbose)


def check_beats_pca(autoencoder, x_train, x_valid, *, max_train_images: int = 5_000,
                    verbose: bool = True) -> Feedback:
    """Check that ``autoencoder`` reconstructs ``x_valid`` better than PCA with as many components.

    PCA is fitted on at most ``max_train_images`` of ``x_train``.
    Introduced in 02_stacked_autoencoders.
    """
    import keras
    import numpy as np
    from sklearn.decomposition import PCA

    from aehelpers._validate import check_images, check_int
    from aehelpers.explore import check_autoencoder, check_encoder
    from aehelpers.training import predict

    check_autoencoder("autoencoder", autoencoder)
    encoder = getattr(autoencoder, "encoder", None)
    if encoder is None and isinstance(autoencoder, keras.Sequential):
        encoder = autoencoder.layers[0]  # Sequential([encoder, decoder])
    check_encoder("the autoencoder's first part", encoder)
    x_train = check_images("x_train", x_train)
    x_valid = check_images("x_valid", x_valid)
    max_train_images = check_int("max_train_images", max_train_images, minimum=2)
    codings = predict(encoder, x_valid[:1])
    size = int(np.shape(codings[-1] if isinstance(codings, list) else codings)[-1])
    fit_on = x_train[:max_train_images].reshape(-1, x_train[0].size)
    if len(fit_on) <= size:
        raise ValueError(f"x_train must hold more than {size} images to fit PCA with {size} "
                         f"components, got {len(fit_on)}")
    pca = PCA(n_components=size, random_state=42).fit(fit_on)
    flat_valid = x_valid.reshape(len(x_valid), -1)
    pca_mse = float(np.mean((pca.inverse_transform(pca.transform(flat_valid)) - flat_valid) ** 2))
    ae_mse = float(np.mean((predict(autoencoder, x_valid).reshape(len(x_valid), -1)
                            - flat_valid) ** 2))
    measured = (f"Your codings_size={size} autoencoder reaches val MSE {ae_mse:.4f}; PCA with "
                f"{size} components reaches {pca_mse:.4f} on the same {len(x_valid):,} images.")
    if ae_mse <= pca_mse:
        return _feedback(True, measured, verbose=verbose, hint="",
                         success=f"The autoencoder's error is {100 * (1 - ae_mse / pca_mse):.0f}% "
                                 "lower: its nonlinear layers use the same budget of numbers "
                                 "better than a flat plane.")
    return _feedback(False, measured, success="", verbose=verbose,
                     hint="it does worse than a linear projection: train it longer (more "
                          "epochs, or the class profile instead of ci) or widen the hidden "
                          "layer, e.g. hidden_units=(300,).")


