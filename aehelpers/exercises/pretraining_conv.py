"""Exercise checks for chapters 03-04 (pretraining, tied and greedy, convolutional).

Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises.feedback import Feedback, _feedback

_PIXELS = 28 * 28


def _model(name: str, value: object):
    import keras

    if not isinstance(value, keras.Model):
        raise TypeError(f"{name} must be a keras.Model, got {type(value).__name__}")
    return value


def _image_model(name: str, value: object):
    """Return ``value`` if it is a model taking 28x28 images, with one output."""
    from aehelpers.models import IMAGE_SHAPE, io_shapes

    inputs, outputs = io_shapes(_model(name, value))
    if inputs != [IMAGE_SHAPE] or len(outputs) != 1:
        raise TypeError(f"{name} must take 28x28 images and give one output, got a model from "
                        f"{inputs} to {outputs}")
    return value


def _count(weights) -> int:
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
    sizes = [_PIXELS, *(check_int(f"hidden_units[{i}]", u, minimum=1)
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
    from aehelpers.models import check_encoder

    classifier = _model("classifier", classifier)
    encoder = check_encoder("encoder", encoder)
    num_classes = check_int("num_classes", num_classes, minimum=2)
    outputs = classifier.outputs[0].shape[-1] if classifier.outputs else None
    frozen = [np.asarray(w) for w in classifier.non_trainable_weights]
    trainable = [np.asarray(w) for w in classifier.trainable_weights]

    def found(pretrained, pool):

        return any(p.shape == pretrained.shape and np.allclose(p, pretrained) for p in pool)

    pretrained = encoder.get_weights()
    copied = sum(found(p, frozen + trainable) for p in pretrained)
    kept_frozen = sum(found(p, frozen) for p in pretrained)
    num_trainable = _count(classifier.trainable_weights)
    num_frozen = _count(classifier.non_trainable_weights)
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
    from aehelpers.models import check_chain, check_encoder

    encoder = check_encoder("encoder", encoder)
    decoder = _model("decoder", decoder)
    denses = [layer for layer in encoder.layers if isinstance(layer, keras.layers.Dense)]
    if not denses:
        raise ValueError("encoder must contain Dense layers")
    check_chain(encoder, decoder)  # the decoder's output shape is judged below, as feedback
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
                f"autoencoder has {_count(weights):,} parameters and outputs shape {shape}.")
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
    from aehelpers.models import check_chain

    # Shapes of the codings and the output are judged below, as feedback.
    encoder = _image_model("encoder", encoder)
    decoder = _model("decoder", decoder)
    check_chain(encoder, decoder)
    max_params = check_int("max_params", max_params, minimum=1)
    codings_size = check_int("codings_size", codings_size, minimum=1)
    images = np.zeros((2, 28, 28), dtype="float32")
    codings_shape = tuple(keras.ops.shape(encoder(images)))
    output_shape = tuple(keras.ops.shape(decoder(encoder(images))))
    params = _count([*encoder.weights, *decoder.weights])
    convolutional = any(isinstance(layer, keras.layers.Conv2D)
                        for layer in _layers(encoder))
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


def _layers(model):
    """Yield the layers of ``model``, descending into nested models."""
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _layers(layer)


