"""Training with the profile's settings: compile, fit, bulk predict, greedy layer-wise training.

Nothing here knows model names or the cache: :mod:`aehelpers.zoo` puts the
registry, this module and :mod:`aehelpers.cache` together.
"""

from __future__ import annotations

import functools
import math
import time
import weakref

import keras
import numpy as np

from aehelpers._validate import (
    check_array,
    check_float,
    check_images,
    check_int,
    check_metrics,
    check_model,
    naming,
)
from aehelpers.metrics import mse
from aehelpers.models import IMAGE_SHAPE, Autoencoder, check_autoencoder, io_shapes
from aehelpers.profiles import COSINE_FLOOR, Profile, get_profile

# Run this many training steps per call into TensorFlow: same maths, far less Python
# overhead per batch (a stacked-AE epoch on 2 cores: 8.8 s -> 4.7 s at batch 32,
# 3.5 s -> 2.1 s at batch 128; benchmarks/training_options.py).
STEPS_PER_EXECUTION = 16
_OPTIMIZERS = {"nadam": keras.optimizers.Nadam, "sgd": keras.optimizers.SGD,
               "momentum": functools.partial(keras.optimizers.SGD, momentum=0.9)}
# A factory (model, epochs, validation inputs) -> callback or None, plugged in from above by
# ae.setup_notebook (the live training view of aehelpers.live); None: compact lines only.
_live_view = None


def use_live_view(factory) -> None:
    """Make every ``fit`` with ``verbose=True`` also show ``factory``'s view (None: no view).

    Introduced in 02_stacked_autoencoders.
    """
    global _live_view
    if factory is not None and not callable(factory):
        raise TypeError(f"factory must be callable or None, got {type(factory).__name__}")
    _live_view = factory


class EpochPrinter(keras.callbacks.Callback):
    """Print one short line per epoch (at most about ten lines per run), never a progress bar."""

    def __init__(self, epochs: int, *, max_lines: int = 10, labels: dict | None = None):
        super().__init__()
        self.labels = dict(labels or {})  # {log key: printed name}: print only these
        self.epochs = check_int("epochs", epochs, minimum=1, maximum=10_000)
        max_lines = check_int("max_lines", max_lines, minimum=1)
        self.every = max(1, -(-self.epochs // max_lines))
        self._start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every and done != self.epochs:
            return
        # Training numbers first, then their validation twins, in a stable order.
        logs = {self.labels.get(k, k): v for k, v in (logs or {}).items()
                if not self.labels or k in self.labels}
        keys = sorted(logs, key=lambda k: (k.startswith("val_"), k != "loss", k))
        values = "  ".join(f"{k} {logs[k]:.4f}" for k in keys)
        seconds = time.perf_counter() - self._start
        print(f"epoch {done:>3}/{self.epochs}  {values}  ({seconds:.1f} s)")


def learning_rate_for(model_key: str, *, profile: str | Profile | None = None,
                      learning_rate: float | None = None):
    """Return the optimizer's learning rate: ``learning_rate`` if given, else the profile's."""
    if learning_rate is not None:
        return check_float("learning_rate", learning_rate, minimum=0.0, maximum=10.0,
                           open_min=True)
    run_profile = get_profile(profile)
    settings = run_profile.training(model_key)
    if settings.schedule == "constant":
        return settings.learning_rate
    steps = settings.epochs * math.ceil(run_profile.train_size / settings.batch_size)
    return keras.optimizers.schedules.CosineDecay(settings.learning_rate, decay_steps=steps,
                                                  alpha=COSINE_FLOOR)


def compile_autoencoder(model: keras.Model, *, model_key: str,
                        profile: str | Profile | None = None,
                        learning_rate: float | None = None, metrics=()) -> keras.Model:
    """Compile ``model`` on MSE with the optimizer and learning rate of ``model_key``'s profile.

    Introduced in 02_stacked_autoencoders.
    """
    model = check_model("model", model)
    metrics = check_metrics("metrics", metrics)
    settings = get_profile(profile).training(model_key)
    rate = learning_rate_for(model_key, profile=profile, learning_rate=learning_rate)
    # A model with its own compute_loss (the VAE) owns its loss terms.
    own_loss = type(model).compute_loss is not keras.Model.compute_loss
    model.compile(loss=None if own_loss else "mse",
                  optimizer=_OPTIMIZERS[settings.optimizer](learning_rate=rate),
                  metrics=list(metrics) or None, steps_per_execution=STEPS_PER_EXECUTION)
    return model


def _inputs(name: str, value, model: keras.Model) -> np.ndarray:
    """Check an input batch: images in [0, 1] for image models, finite numbers otherwise."""
    inputs, _ = io_shapes(model)
    expected = inputs[0] if len(inputs) == 1 else None
    if expected == IMAGE_SHAPE:
        return check_images(name, value)
    array = check_array(name, value)
    if expected is not None and tuple(array.shape[1:]) != expected:
        raise ValueError(f"{name} must have shape (n, {', '.join(map(str, expected))}) for "
                         f"this model, got {array.shape}")
    return array


def fit(model: keras.Model, x_train, y_train=None, *, model_key: str,
        validation_data: tuple | None = None, profile: str | Profile | None = None,
        epochs: int | None = None, batch_size: int | None = None,
        learning_rate: float | None = None, verbose: bool = True,
        callbacks: list | None = None) -> dict[str, list[float]]:
    """Train ``model`` with the profile's epochs and batch size; return the history dict.

    ``y_train`` defaults to ``x_train`` (an autoencoder reconstructs its input).
    A model not compiled yet is compiled for ``model_key`` first.
    Introduced in 02_stacked_autoencoders.
    """
    model = check_model("model", model)
    if learning_rate is not None and getattr(model, "compiled", False):
        raise ValueError("learning_rate only applies when fit compiles the model, and model is "
                         "already compiled: leave learning_rate out, or recompile it with "
                         "ae.training.compile_autoencoder(model, model_key=..., "
                         "learning_rate=...) before fit")
    settings = get_profile(profile).training(model_key)
    epochs = settings.epochs if epochs is None else check_int("epochs", epochs, minimum=1,
                                                              maximum=10_000)
    batch_size = settings.batch_size if batch_size is None else check_int(
        "batch_size", batch_size, minimum=1, maximum=1_000_000)
    x_train, y_train = _examples(("x_train", "y_train"), x_train, y_train, model)
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or not 1 <= len(validation_data) <= 2:
            raise TypeError("validation_data must be a tuple (x_valid,) or (x_valid, y_valid)")
        validation_data = _examples(("validation_data[0]", "validation_data[1]"),
                                    validation_data[0], (list(validation_data) + [None])[1],
                                    model)
    if not isinstance(callbacks, list | tuple | None) or not all(
            isinstance(c, keras.callbacks.Callback) for c in callbacks or ()):
        raise TypeError(f"callbacks must be a list of keras.callbacks.Callback objects, "
                        f"got {callbacks!r:.60}")
    if not getattr(model, "compiled", False):
        compile_autoencoder(model, model_key=model_key, profile=profile,
                            learning_rate=learning_rate)
    progress = [EpochPrinter(epochs)] if verbose else []
    view = _live_view(model, epochs, None if validation_data is None else validation_data[0]) \
        if verbose and _live_view is not None else None
    progress += [view] if view is not None else []
    if validation_data is not None:
        validation_data = _tensors(*validation_data)
    history = model.fit(*_tensors(x_train, y_train), epochs=epochs, batch_size=batch_size,
                        validation_data=validation_data, verbose=0,
                        callbacks=[*progress, *(callbacks or [])])
    return {k: [float(v) for v in values] for k, values in history.history.items()}


class EpochTimer(keras.callbacks.Callback):
    """Record the wall-clock seconds of every epoch in ``seconds``.

    Introduced in 04_convolutional_autoencoders.
    """

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def warm_up(model: keras.Model, x_train, *, model_key: str,
            profile: str | Profile | None = None) -> None:
    """Trace every training step an epoch of ``model`` uses, by training it briefly.

    One epoch over one whole call of ``STEPS_PER_EXECUTION`` batches plus a partial batch:
    an epoch runs both kinds of call, and each is traced the first time it runs. One batch
    alone would trace only the one-step call, and a timed epoch after it would still pay for
    tracing the full call. The model must be compiled; its weights change (a few steps).
    Introduced in 04_convolutional_autoencoders.
    """
    model = check_model("model", model)
    if not getattr(model, "compiled", False):
        raise ValueError("model must be compiled before warm_up (compile_autoencoder does it)")
    x_train, _ = _examples(("x_train", "y_train"), x_train, None, model)
    batch_size = get_profile(profile).training(model_key).batch_size
    examples = x_train[:batch_size * STEPS_PER_EXECUTION + max(1, batch_size // 2)]
    fit(model, examples, model_key=model_key, profile=profile, epochs=1, verbose=False)


def timed_examples(num_examples: int, batch_size: int, fraction: float) -> int:
    """How many examples ``time_epoch`` times: ``fraction`` of them, in whole calls of steps.

    A call runs ``STEPS_PER_EXECUTION`` full batches; rounding to whole calls keeps every
    timed step on the training step traced for full calls. At least one call, at most all
    the examples. Introduced in 04_convolutional_autoencoders.
    """
    num_examples = check_int("num_examples", num_examples, minimum=1, maximum=100_000_000)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=1_000_000)
    fraction = check_float("fraction", fraction, minimum=0.0, open_min=True, maximum=1.0)
    call = batch_size * STEPS_PER_EXECUTION
    calls = max(1, round(fraction * num_examples / call))
    return min(num_examples, calls * call)


def time_epoch(model: keras.Model, x_train, *, model_key: str,
               profile: str | Profile | None = None, fraction: float = 0.5) -> float:
    """Seconds one training epoch over all of ``x_train`` takes once the step is built.

    Trains ``model`` first with ``warm_up``, which traces every training step an epoch
    uses, then for one timed epoch on the first ``fraction`` of ``x_train``
    (``timed_examples``), scaled to the whole set. Steps all cost about the same, so half an
    epoch, scaled, measures a whole one at half the cost; the epoch's fixed cost (its data
    iterator) is scaled too, which a smaller fraction would magnify: on 2 cores a quarter
    epoch overstated the stacked model's 1.8 s epoch by 12% (benchmarks/epoch_timing.py).
    Afterwards the model's weights and its optimizer's state are put back, so a trained
    model ends as it was and can be timed where its step is already traced (compiled first
    for ``model_key`` if it was not).
    Introduced in 04_convolutional_autoencoders.
    """
    model = check_model("model", model)
    fraction = check_float("fraction", fraction, minimum=0.0, open_min=True, maximum=1.0)
    x_train, _ = _examples(("x_train", "y_train"), x_train, None, model)
    batch_size = get_profile(profile).training(model_key).batch_size
    if not getattr(model, "compiled", False):
        compile_autoencoder(model, model_key=model_key, profile=profile)
    optimizer = model.optimizer
    if not optimizer.built:  # build it now, so its fresh state is there to put back
        optimizer.build(model.trainable_variables)
    weights = model.get_weights()
    state = [keras.ops.convert_to_numpy(v) for v in optimizer.variables]
    try:
        warm_up(model, x_train, model_key=model_key, profile=profile)
        timed = timed_examples(len(x_train), batch_size, fraction)
        timer = EpochTimer()
        fit(model, x_train[:timed], model_key=model_key, profile=profile, epochs=1,
            verbose=False, callbacks=[timer])
    finally:
        model.set_weights(weights)
        for variable, value in zip(optimizer.variables, state, strict=True):
            variable.assign(value)
    return timer.seconds[0] * len(x_train) / timed


class _Together(keras.Model):
    """Compiled models trained as one: each step feeds one batch to every member.

    The loss is the sum of the members' own losses (``compute_loss``: the compiled MSE plus
    any penalty or KL term), and their weights are disjoint, so each member gets exactly the
    gradient it would get alone; logs are the members' own, keyed ``"<index>/<name>"``.
    """

    def __init__(self, members: list):
        super().__init__(name="together")
        self.members = list(members)
        self.member_losses = [keras.metrics.Mean(name=f"loss_{i}") for i in range(len(members))]

    def call(self, inputs, training=False):
        return [member(inputs, training=training) for member in self.members]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        total = 0.0
        for member, prediction, tracker in zip(self.members, y_pred, self.member_losses,
                                               strict=True):
            loss = member.compute_loss(x=x, y=y, y_pred=prediction, sample_weight=sample_weight,
                                       training=training)
            tracker.update_state(loss, sample_weight=keras.ops.shape(x)[0])  # as Keras does
            total = total + loss
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        logs = {}
        for index, (member, prediction, tracker) in enumerate(zip(
                self.members, y_pred, self.member_losses, strict=True)):
            member_logs = {**member.compute_metrics(x, y, prediction, sample_weight),
                           "loss": tracker.result()}
            logs.update({f"{index}/{name}": value for name, value in member_logs.items()})
        return logs

    @property
    def metrics(self):  # Keras resets these every epoch; it skips the members' own
        found = [*super().metrics, *self.member_losses,
                 *(metric for member in self.members for metric in member.metrics)]
        return list({id(metric): metric for metric in found}.values())


def fit_together(models, x_train, *, model_key: str, validation_data: tuple | None = None,
                 profile: str | Profile | None = None, epochs: int | None = None,
                 verbose: bool = True) -> list[dict]:
    """Train several compiled autoencoders of one kind at once; return a history per model.

    Each training step feeds a batch once and updates every model by its own compiled loss
    (with any penalty or KL term), in the order of batches ``fit`` would use, with one
    optimizer set up as ``compile_autoencoder`` sets it up for ``model_key``. The weights are
    disjoint, so each model gets the very gradient it would get alone. Feeding the batch and
    dispatching the step once instead of once per model saves some of the fixed cost of a
    step: chapter 06's five sparse models train in 0.87 of the time here
    (benchmarks/joint_training.py).
    Each model draws its random numbers (a VAE's sampling) from its own layers' generators
    as it would alone, so the workbook's models end bit for bit as ``fit`` leaves them (a
    model drawing from Keras's global generator would not). Every model must reconstruct
    ``x_train``. Introduced in 06_sparse_autoencoders.
    """
    if not isinstance(models, list | tuple) or not models:
        raise TypeError(f"models must be a non-empty list of compiled Keras models, got "
                        f"{type(models).__name__}")
    for index, model in enumerate(models):
        check_model(f"models[{index}]", model)
        if not getattr(model, "compiled", False):
            raise ValueError(f"models[{index}] must be compiled first, with its loss and "
                             "metrics (ae.training.compile_autoencoder)")
    if len({id(model) for model in models}) != len(models):
        raise ValueError("models must be different models: one model listed twice would "
                         "train twice per step")
    settings = get_profile(profile).training(model_key)
    epochs = settings.epochs if epochs is None else check_int("epochs", epochs, minimum=1,
                                                              maximum=10_000)
    # Every model is checked as fit checks it: a subclassed model is probed with one call,
    # which draws from a VAE's random stream, so the same checks leave each model's stream
    # where fit would, and the training that follows draws the same numbers.
    for index, model in enumerate(models):
        with naming(f"checking models[{index}]"):
            checked, _ = _examples(("x_train", "y_train"), x_train, None, model)
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 1:
            raise TypeError("validation_data must be a tuple (x_valid,)")
        for index, model in enumerate(models):
            with naming(f"checking models[{index}]"):
                valid, _ = _examples(("validation_data[0]", "y"), validation_data[0], None,
                                     model)
        validation_data = _tensors(valid, valid)
    for model in models:  # build each model's metrics outside the traced step, without
        # calling the model (a call would draw from its random stream)
        model.compute_metrics(checked[:2], checked[:2], checked[:2])
        model.reset_metrics()
    together = _Together(models)
    together.compile(optimizer=_OPTIMIZERS[settings.optimizer](
        learning_rate=learning_rate_for(model_key, profile=profile)),
        steps_per_execution=STEPS_PER_EXECUTION)
    labels = {"0/loss": "loss", "val_0/loss": "val_loss"}  # the first model's, as fit prints
    printer = [EpochPrinter(epochs, labels=labels)] if verbose else []
    history = together.fit(*_tensors(checked, checked), epochs=epochs,
                           batch_size=settings.batch_size, validation_data=validation_data,
                           verbose=0, callbacks=printer).history
    histories = [{} for _ in models]
    for name, values in history.items():  # "val_2/mse" -> model 2's "val_mse"
        index, metric = name.removeprefix("val_").split("/", 1)
        prefix = "val_" if name.startswith("val_") else ""
        histories[int(index)][prefix + metric] = [float(v) for v in values]
    return histories


def _tensors(x: np.ndarray, y: np.ndarray) -> tuple:
    """Inputs and targets as tensors, converted once: Keras converts every array it is given,
    so an autoencoder's ``fit(x, x)`` would hold two copies of the training set (170 MB each
    for Fashion-MNIST); one tensor passed twice is one copy, and trains bit for bit the same."""
    x_tensor = keras.ops.convert_to_tensor(x)
    return x_tensor, x_tensor if y is x else keras.ops.convert_to_tensor(y)


def _examples(names: tuple[str, str], x, y, model: keras.Model) -> tuple[np.ndarray, np.ndarray]:
    """Check inputs and targets: y defaults to x, which the model must then reconstruct."""
    x = _inputs(names[0], x, model)
    outputs = io_shapes(model)[1]
    if len(outputs) != 1:
        raise ValueError(f"model must have one output to be fitted, got {len(outputs)} "
                         f"{outputs} (a VAE encoder? fit the whole autoencoder)")
    if y is None:
        if len(outputs[0]) != x.ndim - 1 or any(size not in (None, actual) for size, actual
                                                in zip(outputs[0], x.shape[1:], strict=True)):
            raise ValueError(f"model must reconstruct its inputs to be fitted without "
                             f"{names[1]}: it maps {tuple(x.shape[1:])} to {outputs[0]} (an "
                             f"encoder? fit the autoencoder)")
        return x, x
    # Image outputs need image targets, checked as the inputs are; others (class labels) differ.
    y = (check_images(names[1], y) if outputs[0] == IMAGE_SHAPE
         else check_array(names[1], y))
    if len(y) != len(x):
        raise ValueError(f"{names[0]} and {names[1]} must have the same length, "
                         f"got {len(x)} and {len(y)}")
    return x, y


# Each restarted model's optimizer state as it was freshly built, before any step.
_FRESH_OPTIMIZER_STATE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def restart(model: keras.Model, weights) -> keras.Model:
    """Give a compiled ``model`` new ``weights`` and a fresh optimizer; return the model.

    Training then starts exactly as a newly built model with these weights would, but
    reuses the training step Keras already traced: tracing costs seconds on a CPU, more
    than many short trainings. Use it to repeat an experiment over seeds or data draws.
    Introduced in 03_pretraining_tied_greedy.
    """
    model = check_model("model", model)
    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise ValueError("model must be compiled before restart: call model.compile(...) once, "
                         "then restart it for every run")
    current = model.get_weights()
    wanted = f"weights must be a list of {len(current)} arrays, as model.get_weights() returns"
    if not isinstance(weights, list | tuple):
        raise TypeError(f"{wanted}, got {type(weights).__name__}")
    if len(weights) != len(current):
        raise ValueError(f"{wanted}, got {len(weights)}")
    arrays = []
    for index, (new, old) in enumerate(zip(weights, current, strict=True)):
        try:
            array = np.asarray(new)
        except (TypeError, ValueError):  # a ragged list
            array = np.asarray(None)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"weights[{index}] must be an array of numbers, got "
                            f"{type(new).__name__} {new!r:.40}")
        if array.shape != old.shape:
            raise ValueError(f"weights[{index}] must have shape {old.shape}, got {array.shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"weights[{index}] must not contain NaN or inf")
        arrays.append(array.astype(old.dtype))
    optimizer = model.optimizer
    if optimizer not in _FRESH_OPTIMIZER_STATE:
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        if int(optimizer.iterations.numpy()) != 0:
            raise ValueError("model has trained already, so its optimizer's fresh state is "
                             "lost: restart a newly compiled model before its first fit, "
                             "then again before every later run")
        _FRESH_OPTIMIZER_STATE[optimizer] = [v.numpy() for v in optimizer.variables]
    model.set_weights(arrays)
    for variable, value in zip(optimizer.variables, _FRESH_OPTIMIZER_STATE[optimizer],
                               strict=True):
        variable.assign(value)
    return model


def predict(model: keras.Model, inputs, *, batch_size: int = 2048):
    """Call ``model`` directly on ``inputs`` in chunks and return NumPy (no ``predict`` overhead).

    The one bulk path of the workbook. For models with several outputs (the
    VAE encoder), return a list of arrays. Introduced in 01_representations_and_pca.
    """
    model = check_model("model", model)
    inputs = _inputs("inputs", inputs, model)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=1_000_000)
    chunks = [model(inputs[i:i + batch_size], training=False)
              for i in range(0, len(inputs), batch_size)]
    if isinstance(chunks[0], list | tuple):
        return [np.concatenate([keras.ops.convert_to_numpy(c[j]) for c in chunks])
                for j in range(len(chunks[0]))]
    return np.concatenate([keras.ops.convert_to_numpy(c) for c in chunks])


def reconstruction_mse(autoencoder: keras.Model, images) -> float:
    """Return the mean squared error between ``images`` and ``autoencoder``'s reconstructions.

    Introduced in 03_pretraining_tied_greedy.
    """
    autoencoder = check_autoencoder("autoencoder", autoencoder)
    images = check_images("images", images)
    return mse(images, predict(autoencoder, images))


def train_greedy_layerwise(parts: Autoencoder, x_train, x_valid, *,
                           profile: str | Profile | None = None,
                           learning_rate: float | None = None,
                           verbose: bool = True) -> dict[str, list[float]]:
    """Train a greedy stack (``build_greedy_autoencoder``) one shallow autoencoder at a time.

    Phase k learns to reconstruct the codings of phase k-1 (phase 1: the
    pixels), using the stack's own ``greedy_encoder_k``/``greedy_decoder_k``
    layers, so the stack is trained when this returns. History keys are
    prefixed ``phase1_``, ``phase2_`` ... Introduced in 03_pretraining_tied_greedy.
    """
    if not isinstance(parts, Autoencoder):
        raise TypeError("parts must be the Autoencoder returned by "
                        f"ae.models.build_greedy_autoencoder, got {type(parts).__name__}")
    for field, part in zip(parts._fields, parts, strict=True):
        check_model(f"parts.{field}", part)
    coders = [layer for layer in parts.encoder.layers if layer.name.startswith("greedy_encoder_")]
    if not coders:
        raise ValueError("parts must come from ae.models.build_greedy_autoencoder "
                         "(no greedy_encoder_k layers found)")
    inputs_train = check_images("x_train", x_train).reshape(len(x_train), -1)
    inputs_valid = check_images("x_valid", x_valid).reshape(len(x_valid), -1)
    history = {}
    for phase, coder in enumerate(coders, start=1):
        uncoder = parts.decoder.get_layer(f"greedy_decoder_{phase}")
        size = inputs_train.shape[1]
        shallow = keras.Sequential([keras.Input((size,)), coder, uncoder],
                                   name=f"greedy_phase_{phase}")
        if verbose:
            print(f"Phase {phase}: {size} -> {coder.units} -> {size}")
        phase_history = fit(shallow, inputs_train, model_key="greedy", profile=profile,
                            learning_rate=learning_rate, validation_data=(inputs_valid,),
                            verbose=verbose)
        history.update({f"phase{phase}_{k}": v for k, v in phase_history.items()})
        coding = keras.Sequential([keras.Input((size,)), coder])
        inputs_train, inputs_valid = predict(coding, inputs_train), predict(coding, inputs_valid)
    compile_autoencoder(parts.autoencoder, model_key="greedy", profile=profile,
                        learning_rate=learning_rate)
    return history
