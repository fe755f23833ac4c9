"""Automatic feedback behind each chapter's exercises.

Every ``check_...`` function measures the learner's answer, prints what is
right, what is wrong and a hint, and returns a :class:`Feedback`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    """The outcome of one exercise check."""

    passed: bool
    message: str

    def __str__(self) -> str:
        return f"{'Correct' if self.passed else 'Not yet'}: {self.message}"


def _feedback(passed: bool, measured: str, *, success: str, hint: str,
              verbose: bool = True) -> Feedback:
    """Build (and print) feedback: what was measured, then praise or a hint."""
    message = f"{measured} {success if passed else 'Hint: ' + hint}"
    feedback = Feedback(passed, message)
    if verbose:
        print(feedback)
    return feedback


# --- Chapters 03-04 ---
# Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).

_C34_PIXELS = 28 * 28


def _c34_model(name: str, value: object):
    import keras

    if not isinstance(value, keras.Model):
        raise TypeError(f"{name} must be a keras.Model, got {type(value).__name__}")
    return value


def _c34_count(weights) -> int:
    """Count the numbers in ``weights``, each shared variable once."""
    import numpy as np

    unique = {id(w): w for w in weights}
    return sum(int(np.prod(w.shape)) for w in unique.values())


def check_tied_parameter_count(count: int, *, hidden_units=(200, 50),
                               verbose: bool = True) -> Feedback:
    """Check a hand count of the parameters of a tied autoencoder 784-...-784.

    Introduced in 03_pretraining_tied_greedy.
    """
    from aehelpers._validate import check_int

    count = check_int("count", count, minimum=0)
    if isinstance(hidden_units, int | str) or not hidden_units:
        raise TypeError(f"hidden_units must be a non-empty sequence of integers, "
                        f"got {hidden_units!r}")
    sizes = [_C34_PIXELS, *(check_int(f"hidden_units[{i}]", u, minimum=1)
                              for i, u in enumerate(hidden_units))]
    kernels = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    encoder_biases = sum(sizes[1:])
    decoder_biases = sum(sizes[:-1])
    right = kernels + encoder_biases + decoder_biases
    architecture = "-".join(map(str, [*sizes, *sizes[-2::-1]]))
    measured = f"You counted {count:,} parameters for the tied {architecture} autoencoder;"
    if count == right:
        return _feedback(True, measured + " that is exactly right.",
                         success="The kernels are stored once, the biases are not tied.",
                         hint="", verbose=verbose)
    if count == kernels:
        hint = "you counted the kernels once, good; now add the biases of every layer."
    elif count == kernels + encoder_biases:
        hint = ("each DenseTranspose has its own bias vector, as long as its output "
                f"(together {decoder_biases:,} more numbers).")
    elif count == 2 * kernels + encoder_biases + decoder_biases:
        hint = "the decoder reuses the encoder's kernels: count each kernel only once."
    else:
        hint = ("count each kernel once (inputs x outputs per encoder layer), then one bias "
                "per output unit in every encoder AND decoder layer.")
    return _feedback(False, measured + f" the model has {right:,}.", success="", hint=hint,
                     verbose=verbose)


def check_frozen_classifier(classifier, encoder, *, num_classes: int = 10,
                            verbose: bool = True) -> Feedback:
    """Check a classifier that reuses ``encoder``'s pretrained weights, frozen, under a new head.

    Introduced in 03_pretraining_tied_greedy.
    """
    import numpy as np

    from aehelpers._validate import check_int

    classifier = _c34_model("classifier", classifier)
    encoder = _c34_model("encoder", encoder)
    num_classes = check_int("num_classes", num_classes, minimum=2)
    outputs = classifier.outputs[0].shape[-1] if classifier.outputs else None
    frozen = [np.asarray(w) for w in classifier.non_trainable_weights]
    trainable = [np.asarray(w) for w in classifier.trainable_weights]

    def found(pretrained, pool):

        return any(p.shape == pretrained.shape and np.allclose(p, pretrained) for p in pool)

    pretrained = encoder.get_weights()
    copied = sum(found(p, frozen + trainable) for p in pretrained)
    kept_frozen = sum(found(p, frozen) for p in pretrained)
    num_trainable = _c34_count(classifier.trainable_weights)
    num_frozen = _c34_count(classifier.non_trainable_weights)
    measured = (f"Your classifier outputs {outputs} values, has {num_trainable:,} trainable "
                f"and {num_frozen:,} frozen parameters, "
                f"and holds {copied} of the encoder's {len(pretrained)} pretrained weight arrays "
                f"({kept_frozen} frozen).")
    if outputs != num_classes:
        hint = f"end with keras.layers.Dense({num_classes}, activation=\"softmax\")."
    elif copied < len(pretrained):
        hint = ("start from the pretrained weights: clone the encoder and copy them with "
                "body.set_weights(encoder.get_weights()) (or use the encoder itself).")
    elif kept_frozen < len(pretrained):
        hint = "freeze the encoder (body.trainable = False) before you compile the classifier."
    elif not trainable:
        hint = "leave the new softmax head trainable: only the encoder is frozen."
    else:
        return _feedback(True, measured, success="Only the head will learn from the few labels.",
                         hint="", verbose=verbose)
    return _feedback(False, measured, success="", hint=hint, verbose=verbose)


def check_tied_decoder(encoder, decoder, *, verbose: bool = True) -> Feedback:
    """Check that every decoder layer reuses an encoder kernel, in mirrored order.

    Introduced in 03_pretraining_tied_greedy.
    """
    import keras
    import numpy as np

    from aehelpers.layers import DenseTranspose

    encoder = _c34_model("encoder", encoder)
    decoder = _c34_model("decoder", decoder)
    denses = [layer for layer in encoder.layers if isinstance(layer, keras.layers.Dense)]
    if not denses:
        raise ValueError("encoder must contain Dense layers")
    steps = [layer for layer in decoder.layers
             if isinstance(layer, keras.layers.Dense | DenseTranspose)]
    tied = [isinstance(layer, DenseTranspose) and index < len(denses)
            and layer.dense.kernel is denses[-1 - index].kernel
            for index, layer in enumerate(steps)]
    images = np.zeros((1, 28, 28), dtype="float32")
    shape = tuple(keras.ops.shape(decoder(encoder(images))))
    weights = [*encoder.weights, *decoder.weights]
    measured = (f"Your decoder has {len(steps)} weight layers for {len(denses)} encoder layers; "
                f"{sum(tied)} reuse the mirrored encoder kernel (W_L = W_(N-L+1)^T); the "
                f"autoencoder has {_c34_count(weights):,} parameters and outputs shape {shape}.")
    if len(steps) == len(denses) and all(tied) and shape == images.shape:
        return _feedback(True, measured, success="Every kernel is stored once and used twice.",
                         hint="", verbose=verbose)
    untied = [i + 1 for i, ok in enumerate(tied) if not ok]
    if untied:
        first = untied[0]
        hint = (f"decoder layer {first} should be ae.layers.DenseTranspose(dense) where dense "
                f"is encoder Dense layer {len(denses) + 1 - first} (the first decoder layer "
                "reuses the last encoder layer).")
    elif len(steps) != len(denses):
        hint = f"use exactly one DenseTranspose per encoder Dense layer ({len(denses)})."
    else:
        hint = "end the decoder with keras.layers.Reshape((28, 28)) so it outputs images."
    return _feedback(False, measured, success="", hint=hint, verbose=verbose)


def check_transpose_output_sizes(sizes: dict, *, kernel_size: int = 3, strides: int = 2,
                                 verbose: bool = True) -> Feedback:
    """Check predicted output widths of a Conv2DTranspose, keyed by (input width, padding).

    Introduced in 04_convolutional_autoencoders.
    """
    import keras

    from aehelpers._validate import check_int

    if not isinstance(sizes, dict) or not sizes:
        raise TypeError(f"sizes must be a non-empty dict {{(width, padding): predicted width}}, "
                        f"got {type(sizes).__name__}")
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    strides = check_int("strides", strides, minimum=1)
    wrong = []
    for key, predicted in sizes.items():
        if (not isinstance(key, tuple) or len(key) != 2 or key[1] not in ("same", "valid")):
            raise ValueError(f"sizes keys must be (width, 'same' or 'valid'), got {key!r}")
        width = check_int("sizes key width", key[0], minimum=1)
        predicted = check_int(f"sizes[{key!r}]", predicted, minimum=0)
        layer = keras.layers.Conv2DTranspose(1, kernel_size, strides=strides, padding=key[1])
        actual = layer.compute_output_shape((None, width, width, 1))[1]
        if actual != predicted:
            wrong.append(f"{width} with padding={key[1]!r} gives {actual}, not {predicted}")
    measured = (f"{len(sizes) - len(wrong)} of {len(sizes)} widths right (kernel {kernel_size}, "
                f"stride {strides}).")
    if not wrong:
        return _feedback(True, measured, success="You can plan a decoder's shapes by hand.",
                         hint="", verbose=verbose)
    return _feedback(False, measured + " Measured: " + "; ".join(wrong) + ".", success="",
                     hint=(f"'same' gives width x {strides}; 'valid' gives "
                           f"(width - 1) x {strides} + {kernel_size}."), verbose=verbose)


def check_small_conv_autoencoder(encoder, decoder, *, max_params: int = 20_000,
                                 codings_size: int = 30, verbose: bool = True) -> Feedback:
    """Check a convolutional autoencoder with ``codings_size`` codings and at most ``max_params``.

    Introduced in 04_convolutional_autoencoders.
    """
    import keras
    import numpy as np

    from aehelpers._validate import check_int

    encoder = _c34_model("encoder", encoder)
    decoder = _c34_model("decoder", decoder)
    max_params = check_int("max_params", max_params, minimum=1)
    codings_size = check_int("codings_size", codings_size, minimum=1)
    images = np.zeros((2, 28, 28), dtype="float32")
    codings_shape = tuple(keras.ops.shape(encoder(images)))
    output_shape = tuple(keras.ops.shape(decoder(encoder(images))))
    params = _c34_count([*encoder.weights, *decoder.weights])
    convolutional = any(isinstance(layer, keras.layers.Conv2D)
                        for layer in _c34_layers(encoder))
    measured = (f"Your autoencoder has {params:,} parameters, codings of shape "
                f"{codings_shape[1:]} and outputs of shape {output_shape[1:]}; the target is "
                f"at most {max_params:,} parameters, {codings_size} codings, 28 x 28 outputs.")
    if not convolutional:
        hint = ("the encoder should use keras.layers.Conv2D layers "
                "(start from ae.models.build_conv_autoencoder).")
    elif codings_shape != (2, codings_size):
        hint = f"end the encoder with {codings_size} feature maps and GlobalAveragePooling2D."
    elif output_shape != images.shape:
        hint = "end the decoder with Conv2DTranspose(1, ...) and Reshape((28, 28))."
    elif params > max_params:
        hint = "fewer filters per layer shrink every kernel: try filters=(8, 16, 32)."
    else:
        return _feedback(True, measured, success="Small and still shaped right.", hint="",
                         verbose=verbose)
    return _feedback(False, measured, success="", hint=hint, verbose=verbose)


def _c34_layers(model):
    """Yield the layers of ``model``, descending into nested models."""
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _c34_layers(layer)


# --- Chapters 00-02 ---
# Imports live inside the checks, as above, so ``import aehelpers`` stays light.


def _c02_counts(name: str, value: object, length: int):
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

    counts = _c02_counts("counts", counts, len(CLASS_NAMES))
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

    from aehelpers._validate import check_array, check_int
    from aehelpers.models import split_autoencoder
    from aehelpers.training import predict

    if not isinstance(autoencoder, keras.Model):
        raise TypeError(f"autoencoder must be a keras.Model, got {type(autoencoder).__name__}")
    encoder, _ = split_autoencoder(autoencoder)
    x_train = check_array("x_train", x_train, ndim=3, min_items=2)
    x_valid = check_array("x_valid", x_valid, ndim=3)
    if x_train.shape[1:] != x_valid.shape[1:]:
        raise ValueError(f"x_train and x_valid must hold images of one shape, "
                         f"got {x_train.shape[1:]} and {x_valid.shape[1:]}")
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


# --- Chapters 05-07 ---

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


def _check_denoising_inputs(autoencoder, images, max_images):
    import keras

    from aehelpers._validate import check_images, check_int

    if not isinstance(autoencoder, keras.Model):
        raise TypeError(f"autoencoder must be a keras.Model, got {type(autoencoder).__name__}")
    max_images = check_int("max_images", max_images, minimum=1)
    return check_images("images", images)[:max_images]


def check_crossover_noise_level(autoencoder, images, answer: float, *, tolerance: float = 0.03,
                                max_images: int = 1000, seed: int = 0,
                                verbose: bool = True) -> Feedback:
    """Check the noise level at which the denoiser starts to beat its noisy input on PSNR.

    Introduced in 05_denoising_autoencoders.
    """
    import numpy as np

    from aehelpers._validate import check_float

    images = _check_denoising_inputs(autoencoder, images, max_images)
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

    images = _check_denoising_inputs(autoencoder, images, max_images)
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

    from aehelpers.metrics import bernoulli_kl

    if not callable(function):
        raise TypeError(f"function must be callable as function(p, q), got "
                        f"{type(function).__name__}")
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

    from aehelpers.metrics import gaussian_kl

    if not callable(function):
        raise TypeError(f"function must be callable as function(mean, log_var), got "
                        f"{type(function).__name__}")
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
    import keras
    import numpy as np

    from aehelpers._validate import check_float, check_int
    from aehelpers.models import decode_codings

    if not isinstance(decoder, keras.Model):
        raise TypeError(f"decoder must be a keras.Model, got {type(decoder).__name__}")
    size = decoder.inputs[0].shape[-1]
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
