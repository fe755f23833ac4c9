"""Exercise checks for chapters 03-04 (pretraining, tied and greedy, convolutional).

Imports live inside the checks: ``import aehelpers`` must stay light (no TensorFlow).
"""

from __future__ import annotations

from aehelpers.exercises._measure import all_layers, count_weights, image_model, keras_model
from aehelpers.exercises.feedback import Feedback, is_placeholder, placeholder, respond

_PIXELS = 28 * 28


def check_tied_parameter_count(count: int, *, hidden_units=(200, 50),
                               show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check a hand count of the parameters of a tied autoencoder 784-...-784.

    Introduced in 03_pretraining_tied_greedy.
    """
    from aehelpers._validate import check_int

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
    answer = (f"the tied {architecture} autoencoder has {right:,} parameters: {kernels:,} in "
              f"the kernels (each stored once), {encoder_biases:,} encoder biases and "
              f"{decoder_biases:,} decoder biases.")
    blank = placeholder([("count", count, f"the number of parameters of the tied "
                                          f"{architecture} autoencoder")],
                        answer=lambda: answer, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    count = check_int("count", count, minimum=0)
    if count == kernels:
        hint = "you counted each kernel once, good; the biases are missing."
    elif count == kernels + encoder_biases:
        hint = "the decoder layers have biases of their own, and you left them out."
    elif count == 2 * kernels + encoder_biases + decoder_biases:
        hint = "the decoder reuses the encoder's kernels: count each kernel only once."
    else:
        hint = (f"that is {'too high' if count > right else 'too low'}: count each kernel "
                "once, then one bias per output unit in every encoder and decoder layer.")
    return respond(f"check_tied_parameter_count({architecture})", count == right, hint=hint,
                   answer=f"{answer} You have {count:,}.",
                   correct="the kernels are stored once, the biases are not tied.",
                   show_answer=show_answer, verbose=verbose)


def check_frozen_classifier(classifier, encoder, *, num_classes: int = 10,
                            show_answer: bool = False, verbose: bool = True) -> Feedback:
    """Check a classifier that reuses ``encoder``'s pretrained weights, frozen, under a new head.

    Introduced in 03_pretraining_tied_greedy.
    """
    import numpy as np

    from aehelpers._validate import check_int
    from aehelpers.models import check_encoder

    encoder = check_encoder("encoder", encoder)
    num_classes = check_int("num_classes", num_classes, minimum=2)
    answer = ("clone the encoder, copy its weights with body.set_weights(encoder.get_weights()), "
              "freeze it with body.trainable = False, then add a trainable "
              f"keras.layers.Dense({num_classes}, activation=\"softmax\") head.")
    blank = placeholder([("classifier", classifier, "a classifier: the pretrained encoder, "
                                                    "frozen, under a softmax head")],
                        answer=lambda: answer, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    classifier = keras_model("classifier", classifier)
    outputs = classifier.outputs[0].shape[-1] if classifier.outputs else None
    frozen = [np.asarray(w) for w in classifier.non_trainable_weights]
    trainable = [np.asarray(w) for w in classifier.trainable_weights]

    def found(pretrained, pool):
        return any(p.shape == pretrained.shape and np.allclose(p, pretrained) for p in pool)

    pretrained = encoder.get_weights()
    copied = sum(found(p, frozen + trainable) for p in pretrained)
    kept_frozen = sum(found(p, frozen) for p in pretrained)
    if outputs != num_classes:
        hint = f"it outputs {outputs} values: a classifier needs one probability per class."
    elif copied < len(pretrained):
        hint = ("its encoder starts from random weights, not from what the autoencoder "
                "learned.")
    elif kept_frozen < len(pretrained):
        hint = ("its encoder is still trainable, so the first noisy gradients of the new head "
                "would scramble the pretrained features.")
    elif not trainable:
        hint = "everything is frozen, the head too: nothing would learn from the labels."
    else:
        return respond("check_frozen_classifier", True, hint="", answer="",
                       correct=f"{count_weights(classifier.non_trainable_weights):,} "
                               "pretrained parameters frozen, "
                               f"{count_weights(classifier.trainable_weights):,} in the head "
                               "learn from the few labels.",
                       show_answer=show_answer, verbose=verbose)
    return respond("check_frozen_classifier", False, correct="", hint=hint,
                   answer=f"{hint[:-1]}; {answer}",
                   show_answer=show_answer, verbose=verbose)


def check_tied_decoder(encoder, decoder, *, show_answer: bool = False,
                       verbose: bool = True) -> Feedback:
    """Check that every decoder layer reuses an encoder kernel, in mirrored order.

    Introduced in 03_pretraining_tied_greedy.
    """
    import keras
    import numpy as np

    from aehelpers.layers import DenseTranspose
    from aehelpers.models import check_chain, check_encoder

    encoder = check_encoder("encoder", encoder)
    denses = [layer for layer in encoder.layers if isinstance(layer, keras.layers.Dense)]
    if not denses:
        raise ValueError("encoder must contain Dense layers")
    answer = ("the decoder is " + ", ".join(
        f"DenseTranspose(encoder Dense layer {len(denses) - i})" for i in range(len(denses)))
        + ", then keras.layers.Reshape((28, 28)): decoder layer L reuses the kernel of "
        "encoder layer N - L + 1, ReLU on all but the last.")
    blank = placeholder([("decoder", decoder, "a keras.Sequential decoder made of "
                                              "ae.layers.DenseTranspose layers")],
                        answer=lambda: answer, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    decoder = keras_model("decoder", decoder)
    check_chain(encoder, decoder)  # the decoder's output shape is judged below, as feedback
    steps = [layer for layer in decoder.layers
             if isinstance(layer, keras.layers.Dense | DenseTranspose)]
    tied = [isinstance(layer, DenseTranspose) and index < len(denses)
            and layer.dense.kernel is denses[-1 - index].kernel
            for index, layer in enumerate(steps)]
    images = np.zeros((1, 28, 28), dtype="float32")
    shape = tuple(keras.ops.shape(decoder(encoder(images))))
    untied = [i + 1 for i, ok in enumerate(tied) if not ok]
    if untied:
        hint = (f"decoder layer {untied[0]} does not reuse the mirrored encoder kernel "
                "(W_L = W_(N-L+1)^T: the first decoder layer mirrors the last encoder layer).")
    elif len(steps) != len(denses):
        hint = "the decoder needs exactly one tied layer per encoder Dense layer."
    elif shape != images.shape:
        hint = (f"the autoencoder outputs shape {shape[1:]}, not 28 x 28 images: end the "
                "decoder with keras.layers.Reshape((28, 28)).")
    else:
        return respond("check_tied_decoder", True, hint="", answer="",
                       correct="every kernel is stored once and used twice ("
                               f"{count_weights([*encoder.weights, *decoder.weights]):,} "
                               "parameters).",
                       show_answer=show_answer, verbose=verbose)
    return respond("check_tied_decoder", False, correct="", hint=hint,
                   answer=f"{hint[:-1]}; {answer}",
                   show_answer=show_answer, verbose=verbose)


def check_transpose_output_sizes(sizes: dict, *, kernel_size: int = 3, strides: int = 2,
                                 show_answer: bool = False, verbose: bool = True) -> Feedback:
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
    actual = {}
    for key in sizes:
        if (not isinstance(key, tuple) or len(key) != 2 or key[1] not in ("same", "valid")):
            raise ValueError(f"sizes keys must be (width, 'same' or 'valid'), got {key!r}")
        width = check_int("sizes key width", key[0], minimum=1)
        layer = keras.layers.Conv2DTranspose(1, kernel_size, strides=strides, padding=key[1])
        actual[key] = layer.compute_output_shape((None, width, width, 1))[1]
    answer = ("the output widths are " + "; ".join(
        f"{w} with padding={p!r} gives {actual[(w, p)]}" for w, p in sizes)
        + f" ('same': width x {strides}; 'valid': (width - 1) x {strides} + {kernel_size}).")
    blanks = [v for v in sizes.values() if v is None or v is Ellipsis]
    blank = placeholder([("sizes", blanks[0] if blanks else 0,
                          "the output width you predict, in every entry of the dict")],
                        answer=lambda: answer, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    wrong = []
    for key, predicted in sizes.items():
        predicted = check_int(f"sizes[{key!r}]", predicted, minimum=0)
        if predicted != actual[key]:
            side = "too high" if predicted > actual[key] else "too low"
            wrong.append(f"{key[0]} with padding={key[1]!r} is {side}")
    return respond("check_transpose_output_sizes", not wrong, show_answer=show_answer,
                   verbose=verbose, answer=answer,
                   correct=f"all {len(sizes)} widths are right: you can plan a decoder's "
                           "shapes by hand.",
                   hint=f"{len(wrong)} of {len(sizes)} widths are off ({'; '.join(wrong)}): "
                        "check them against the two formulas of section 3.")


def check_small_conv_autoencoder(encoder, decoder, *, max_params: int = 20_000,
                                 codings_size: int = 30, show_answer: bool = False,
                                 verbose: bool = True) -> Feedback:
    """Check a convolutional autoencoder with ``codings_size`` codings and at most ``max_params``.

    Introduced in 04_convolutional_autoencoders.
    """
    import keras
    import numpy as np

    from aehelpers._validate import check_int
    from aehelpers.models import check_chain

    max_params = check_int("max_params", max_params, minimum=1)
    codings_size = check_int("codings_size", codings_size, minimum=1)

    def answer() -> str:
        from aehelpers.models import build_conv_autoencoder

        small = build_conv_autoencoder(filters=(8, 16, 32), codings_size=codings_size)
        return (f"ae.models.build_conv_autoencoder(filters=(8, 16, 32)) has "
                f"{small.autoencoder.count_params():,} parameters: a convolution's kernel "
                "grows with its input filters times its output filters, so halving every "
                "filter count leaves about a third.")

    both = is_placeholder(encoder) and is_placeholder(decoder)
    blanks = ([("encoder", encoder, "your convolutional encoder and its decoder")] if both
              else [("encoder", encoder, "your convolutional encoder"),
                    ("decoder", decoder, "its decoder")])
    blank = placeholder(blanks,
                        answer=answer, show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    # Shapes of the codings and the output are judged below, as feedback.
    encoder = image_model("encoder", encoder)
    decoder = keras_model("decoder", decoder)
    check_chain(encoder, decoder)
    images = np.zeros((2, 28, 28), dtype="float32")
    codings_shape = tuple(keras.ops.shape(encoder(images)))
    output_shape = tuple(keras.ops.shape(decoder(encoder(images))))
    params = count_weights([*encoder.weights, *decoder.weights])
    convolutional = any(isinstance(layer, keras.layers.Conv2D) for layer in all_layers(encoder))
    if not convolutional:
        hint = "the encoder has no Conv2D layers: this is a dense autoencoder."
    elif codings_shape != (2, codings_size):
        hint = (f"its codings have shape {codings_shape[1:]}, not {codings_size} numbers per "
                "image.")
    elif output_shape != images.shape:
        hint = (f"it outputs shape {output_shape[1:]}, not 28 x 28 images: end the decoder "
                "with keras.layers.Reshape((28, 28)).")
    elif params > max_params:
        hint = (f"it has {params:,} parameters, over the {max_params:,} allowed: fewer filters "
                "per layer shrink every kernel.")
    else:
        return respond("check_small_conv_autoencoder", True, hint="", answer="",
                       correct=f"{params:,} parameters, {codings_size} codings, 28 x 28 "
                               "outputs: small and still shaped right.",
                       show_answer=show_answer, verbose=verbose)
    return respond("check_small_conv_autoencoder", False, correct="", hint=hint,
                   answer=lambda: f"{hint[:-1]}; {answer()}",
                   show_answer=show_answer, verbose=verbose)
