"""The FLOP counter of benchmarks/model_flops.py, against counts worked out by hand."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import keras
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "model_flops.py"


@pytest.fixture(scope="module")
def flops():
    spec = importlib.util.spec_from_file_location("model_flops", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def _model(shape, *layers):
    return keras.Sequential([keras.Input(shape), *layers])


def test_dense_counts_two_flops_per_weight(flops):
    model = _model((784,), keras.layers.Dense(30))
    assert flops.forward_flops(model) == 2 * 784 * 30 == 47_040
    assert flops.training_flops(model, 10) == 3 * 47_040 * 10


def test_conv2d_counts_per_output_position(flops):
    same = _model((28, 28, 1), keras.layers.Conv2D(16, 3, padding="same"))
    assert flops.forward_flops(same) == 2 * 3 * 3 * 1 * 16 * 28 * 28 == 225_792
    # 10x10x4, 3x3 kernel, stride 2, valid: a 4x4x8 output.
    strided = _model((10, 10, 4), keras.layers.Conv2D(8, 3, strides=2))
    assert flops.forward_flops(strided) == 2 * 3 * 3 * 4 * 8 * 4 * 4 == 9_216


def test_conv2d_transpose_counts_per_input_position(flops):
    # The conv decoder's first layer: 3x3x16 -> 7x7x32 (stride 2, valid).
    valid = _model((3, 3, 16), keras.layers.Conv2DTranspose(32, 3, strides=2))
    assert tuple(valid.layers[-1].output.shape[1:]) == (7, 7, 32)
    assert flops.forward_flops(valid) == 2 * 3 * 3 * 16 * 32 * 3 * 3 == 82_944
    # Not the output-position count (2*9*16*32*7*7), which the stride would inflate ~4x.
    assert flops.forward_flops(valid) != 2 * 3 * 3 * 16 * 32 * 7 * 7
    same = _model((7, 7, 32), keras.layers.Conv2DTranspose(16, 3, strides=2, padding="same"))
    assert flops.forward_flops(same) == 2 * 3 * 3 * 32 * 16 * 7 * 7 == 451_584


def test_dense_transpose_counts_like_dense_and_is_not_counted_twice(flops):
    from aehelpers.layers import DenseTranspose

    dense = keras.layers.Dense(30)
    encoder = _model((784,), dense)
    decoder = _model((30,), DenseTranspose(dense))
    assert flops.forward_flops(decoder) == 2 * 30 * 784 == 47_040
    assert flops.forward_flops(keras.Sequential([encoder, decoder])) == 2 * 47_040


def test_layers_without_a_kernel_count_nothing(flops):
    model = _model((28, 28), keras.layers.Reshape((28, 28, 1)), keras.layers.MaxPooling2D(2),
                   keras.layers.Dropout(0.5), keras.layers.GaussianNoise(0.1),
                   keras.layers.Flatten())
    assert flops.forward_flops(model) == 0


def test_an_unknown_layer_with_a_kernel_raises(flops):
    model = _model((10, 3), keras.layers.Conv1D(4, 3))
    with pytest.raises(ValueError, match="no FLOP formula"):
        flops.forward_flops(model)


def test_the_stacked_autoencoder_is_54_gflop_per_class_epoch(flops):
    import aehelpers as ae

    model = ae.models.build_stacked_autoencoder().autoencoder
    per_example = 2 * (784 * 100 + 100 * 30 + 30 * 100 + 100 * 784)
    assert per_example == 325_600
    assert flops.forward_flops(model) == per_example
    assert flops.training_flops(model, 55_000) == 3 * 325_600 * 55_000 == 53_724_000_000


def test_the_default_models_are_the_chapters_image_models(flops):
    from aehelpers.registry import MODELS

    assert "linear" not in flops.MODELS
    chosen = {flops.MODELS[label][0].name for label in flops.DEFAULT_MODELS}
    assert chosen == set(MODELS) - {"linear"}


def test_the_bound_is_named_from_the_measured_shares(flops):
    assert flops.bound(10.0, 6.0, 1.0).startswith(flops.COMPUTE)
    assert flops.bound(10.0, 1.0, 6.0).startswith(flops.OVERHEAD)
    assert flops.bound(10.0, 1.0, 2.0).startswith(flops.LAYERS)
