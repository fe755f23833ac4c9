"""Private helpers the exercise checks share: argument checks, counts and measurements.

Imports live inside the functions: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises.feedback import check_prediction, is_placeholder

ORDER = ("zero", "lower", "same", "higher")


def keras_model(name: str, value: object):
    import keras

    if not isinstance(value, keras.Model):
        raise TypeError(f"{name} must be a keras.Model, got {type(value).__name__}")
    return value


def image_model(name: str, value: object):
    """Return ``value`` if it is a model taking 28x28 images, with one output."""
    from aehelpers.models import IMAGE_SHAPE, io_shapes

    inputs, outputs = io_shapes(keras_model(name, value))
    if inputs != [IMAGE_SHAPE] or len(outputs) != 1:
        raise TypeError(f"{name} must take 28x28 images and give one output, got a model from "
                        f"{inputs} to {outputs}")
    return value


def count_weights(weights) -> int:
    """Count the numbers in ``weights``, each shared variable once."""
    import numpy as np

    unique = {id(w): w for w in weights}
    return sum(int(np.prod(w.shape)) for w in unique.values())


def all_layers(model):
    """Yield the layers of ``model``, descending into nested models."""
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from all_layers(layer)


def as_counts(name: str, value: object, length: int):
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


def direction(value: float, right: float) -> str:
    return "too high" if value > right else "too low"


def pca_and_autoencoder_mse(autoencoder, x_train, x_valid) -> tuple[int, float, float]:
    """Return the codings size, PCA's validation MSE with that many components, and the model's."""
    import keras
    import numpy as np
    from sklearn.decomposition import PCA

    from aehelpers.explore import check_autoencoder, check_encoder
    from aehelpers.training import predict

    check_autoencoder("autoencoder", autoencoder)
    encoder = getattr(autoencoder, "encoder", None)
    if encoder is None and isinstance(autoencoder, keras.Sequential):
        encoder = autoencoder.layers[0]  # Sequential([encoder, decoder])
    check_encoder("the autoencoder's first part", encoder)
    codings = predict(encoder, x_valid[:1])
    size = int(np.shape(codings[-1] if isinstance(codings, list) else codings)[-1])
    fit_on = x_train.reshape(len(x_train), -1)
    if len(fit_on) <= size:
        raise ValueError(f"x_train must hold more than {size} images to fit PCA with {size} "
                         f"components, got {len(fit_on)}")
    pca = PCA(n_components=size, random_state=42).fit(fit_on)
    flat = x_valid.reshape(len(x_valid), -1)
    pca_mse = float(np.mean((pca.inverse_transform(pca.transform(flat)) - flat) ** 2))
    mine = float(np.mean((predict(autoencoder, x_valid).reshape(len(x_valid), -1) - flat) ** 2))
    return size, pca_mse, mine


def psnr_curve(autoencoder, images, noise_levels, seed):
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


def denoising_inputs(autoencoder, images, max_images, seed):
    from aehelpers._validate import check_images, check_int, check_seed
    from aehelpers.models import check_autoencoder

    check_autoencoder("autoencoder", autoencoder)
    max_images = check_int("max_images", max_images, minimum=1)
    check_seed("seed", seed)
    return check_images("images", images)[:max_images]


def returned(function, usage: str, *args):
    """Return the placeholder ``function`` is (or still returns), else what it returns.

    A function that is not a placeholder is checked first (``usage`` shows the call).
    """
    from aehelpers._validate import check_callable

    if is_placeholder(function):
        return function
    check_callable("function", function, usage=usage, num_args=len(args))
    return function(*args)


def side(prediction, right, order=ORDER) -> str:
    """'too low' or 'too high': where a choice or a number lies from the right one."""
    if isinstance(prediction, str):
        return "too low" if order.index(prediction) < order.index(right) else "too high"
    return "too low" if prediction < right else "too high"


def ratio(new: float, old: float) -> float:
    """Return new / old, with 0 / 0 as 1 (no change) and x / 0 as infinity."""
    if old > 0:
        return float(new / old)
    return 1.0 if new == 0 else float("inf")


def compare(ratio: float, *, same: float) -> str:
    """Classify ``ratio`` (new / old) as lower, same (within ``same``) or higher."""
    return "same" if abs(ratio - 1) <= same else "lower" if ratio < 1 else "higher"


def vector_model(name: str, value, width: int, data_name: str = "points"):
    """Return ``value`` if it is a Keras model from ``width`` numbers to ``width`` numbers.

    ``width`` is the row length of the learner's data, named ``data_name`` in the message.
    """
    from aehelpers._validate import check_model
    from aehelpers.models import io_shapes

    model = check_model(name, value)
    inputs, outputs = io_shapes(model)
    if inputs != [(width,)] or outputs != [(width,)]:
        raise TypeError(f"{name} must be an autoencoder from {width} numbers to {width} "
                        f"numbers, as many as each row of {data_name} holds; got a model from "
                        f"{inputs} to {outputs}")
    return model


RATIO_CHOICES = ("lower", "same", "higher")


def check_ratio_prediction(checker: str, prediction, *, what: str, measure, same: float,
                           show, explain: str, reasons: dict, show_answer: bool,
                           verbose: bool):
    """A "lower / same / higher" prediction of ``measure()``, a ratio new / old.

    "same" means within ``same`` of 1; ``reasons`` holds the hint for a prediction
    "too low" and "too high", ``show`` formats the ratio for the answer.
    """
    def verdict(value: float) -> str:
        return compare(value, same=same)

    return check_prediction(
        checker, prediction, choices=RATIO_CHOICES,
        what=f'"lower", "same" or "higher": {what}', measure=measure, classify=verdict,
        show=show, explain=lambda _: explain,
        hint=lambda p, r: f"{side(p, verdict(r), RATIO_CHOICES)}: "
                          f"{reasons[side(p, verdict(r), RATIO_CHOICES)]}",
        show_answer=show_answer, verbose=verbose)
