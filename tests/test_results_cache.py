"""Cached experiment results (ae.remember) and restarting a compiled model (training.restart)."""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import textwrap
import warnings

import keras
import numpy as np
import pytest

import aehelpers as ae
from aehelpers import cache as cache_module

X = np.random.default_rng(1).random((6, 4)).astype("float32")


def _counted(result):
    """A measure that returns ``result`` and counts its calls."""
    calls = []

    def measure():
        calls.append(1)
        return result

    return measure, calls


def _results(folder):
    return sorted(folder.glob("*.result.json")) if folder.exists() else []


def _remember(measure, **kwargs):
    kwargs.setdefault("verbose", False)
    return ae.remember("experiment", measure, **kwargs)


def _module(tmp_path, name, source):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- ae.remember ------------------------------------------------------------------------------


def test_remember_measures_once_then_reads_the_first_run(cache, capsys):
    measure, calls = _counted({"accuracy": [0.5, 0.75], "loss": 1.25})
    first = ae.remember("experiment", measure, verbose=True, images=X, seed=3)
    assert calls == [1] and not first.from_cache and first.seconds >= 0
    assert first.result == {"accuracy": [0.5, 0.75], "loss": 1.25}
    assert len(_results(cache)) == 1
    capsys.readouterr()
    second = ae.remember("experiment", measure, verbose=True, images=X, seed=3)
    assert calls == [1] and second.from_cache
    assert second.result == {"accuracy": [0.5, 0.75], "loss": 1.25}
    assert second.seconds == first.seconds  # the measuring run's time, not the reading's
    assert "Read the experiment results from the cache" in capsys.readouterr().out


def test_every_input_and_every_function_is_part_of_the_key(cache, tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    measure, calls = _counted([1.0])
    inputs = {"images": X, "model": model, "steps": 30, "sizes": (20, 100)}
    _remember(measure, **inputs)
    assert _remember(measure, **inputs).from_cache and len(calls) == 1

    changed = X.copy()
    changed[2, 3] += 1e-3  # one element of the array
    assert not _remember(measure, **{**inputs, "images": changed}).from_cache
    assert not _remember(measure, **{**inputs, "steps": 31}).from_cache  # a scalar
    assert not _remember(measure, **{**inputs, "sizes": (20, 101)}).from_cache  # in a tuple
    assert not _remember(measure, **inputs, extra=None).from_cache  # one more input
    assert len(calls) == 5
    weights = model.get_weights()
    weights[0][1, 1] += 1.0
    model.set_weights(weights)  # the model's weights
    assert not _remember(measure, **inputs).from_cache and len(calls) == 6
    assert _remember(measure, **inputs).from_cache and len(calls) == 6

    one = _module(tmp_path, "helpers_one", "def helper(x):\n    return x + 1\n")
    two = _module(tmp_path, "helpers_two", "def helper(x):\n    return x + 2\n")
    same = _module(tmp_path, "helpers_same", "def helper(x):\n    return x + 1\n")
    assert not _remember(measure, code=(one.helper,), **inputs).from_cache
    assert not _remember(measure, code=(two.helper,), **inputs).from_cache  # another body
    assert _remember(measure, code=(same.helper,), **inputs).from_cache  # the same source
    assert len(calls) == 8

    def measure_other():
        calls.append(1)
        return [2.0]

    assert _remember(measure_other, **inputs).result == [2.0] and len(calls) == 9
    assert len(_results(cache)) == 9


def test_functions_without_a_source_file_are_keyed_by_their_code(cache):
    def made(body):  # as a function typed in a shell: inspect.getsource cannot read it
        namespace = {}
        exec(compile(f"def measure():\n    scale = lambda v: v * 2\n    return {body}\n",
                     "<typed in a shell>", "exec"), namespace)
        return namespace["measure"]

    first = _remember(made("[scale(1.0)]"))
    assert first.result == [2.0] and not first.from_cache
    assert _remember(made("[scale(1.0)]")).from_cache  # made again: same code, same key
    changed = _remember(made("[scale(1.5)]"))
    assert changed.result == [3.0] and not changed.from_cache


def test_classes_in_code_are_keyed_by_their_methods(cache, tmp_path):
    """A class the measurement uses: a changed method measures again, with or without source."""
    measure, calls = _counted([1.0])
    one = _module(tmp_path, "class_one", "class Recorder:\n    def record(self):\n"
                                         "        return 1\n")
    two = _module(tmp_path, "class_two", "class Recorder:\n    def record(self):\n"
                                         "        return 2\n")
    assert not _remember(measure, code=(one.Recorder,)).from_cache
    assert _remember(measure, code=(one.Recorder,)).from_cache
    assert not _remember(measure, code=(two.Recorder,)).from_cache and len(calls) == 2

    def made(body):  # as a class defined in a kernel: no source file to read
        namespace = {}
        exec(compile(f"class Recorder:\n    def record(self):\n        return {body}\n",
                     "<typed in a shell>", "exec"), namespace)
        return namespace["Recorder"]

    assert not _remember(measure, code=(made(3),)).from_cache
    assert _remember(measure, code=(made(3),)).from_cache  # made again: the same methods
    assert not _remember(measure, code=(made(4),)).from_cache and len(calls) == 4
    with pytest.raises(TypeError, match=r"code\[0\] must be a Python function .*or class"):
        _remember(measure, code=(dict,))  # a builtin class: no Python methods


def test_results_round_trip_exactly(cache):
    result = {"floats": [0.1, 1 / 3, math.pi, 1e-300, -2.5e300, 0.0],
              "ints": [0, -7, 2**60], "flags": [True, False], "nothing": None,
              "text": "fine-tuned ± spread", "nested": {"n20": [[0.25, 0.5], []], "n": {}}}
    measure, calls = _counted(result)
    first = _remember(measure)
    second = _remember(measure)
    assert second.from_cache and len(calls) == 1
    assert first.result == result and second.result == result
    assert [type(v) for v in second.result["ints"]] == [int, int, int]
    assert [type(v) for v in second.result["flags"]] == [bool, bool]
    assert second.result["floats"][1].hex() == (1 / 3).hex()


def test_numpy_numbers_and_tuples_are_stored_as_plain_values(cache):
    measure, calls = _counted({"accuracy": np.float32(0.25), "count": np.int64(7),
                               "passed": np.bool_(True), "pair": (np.float64(0.5), 2)})
    plain = {"accuracy": 0.25, "count": 7, "passed": True, "pair": [0.5, 2]}
    first = _remember(measure)
    second = _remember(measure)
    for measured in (first, second):
        assert measured.result == plain
        assert [type(measured.result[k]) for k in ("accuracy", "count", "passed")] == [
            float, int, bool]
    (path,) = _results(cache)
    text = path.read_text()
    assert '"accuracy": 0.25' in text and '"count": 7' in text and "float32" not in text


@pytest.mark.parametrize("result, error, message", [
    (np.zeros(3), TypeError, r"result must hold numbers.*got ndarray.*tolist"),
    (object(), TypeError, r"result must hold numbers.*got object"),
    ({1: 0.5}, TypeError, r"result must be a dict with string keys"),
    (float("nan"), ValueError, r"result must hold finite numbers, got nan"),
    ({"draws": [0.5, float("inf")]}, ValueError, r"result\['draws'\]\[1\] must hold finite"),
    ([{0.5}], TypeError, r"result\[0\] must hold numbers.*got set"),
], ids=["array", "object", "int keys", "nan", "inf inside", "set inside"])
def test_results_that_are_not_json_data_are_refused_and_never_written(cache, result, error,
                                                                      message):
    measure, calls = _counted(result)
    with pytest.raises(error, match=message):
        _remember(measure)
    assert len(calls) == 1 and not _results(cache)
    key = cache_module.make_key("experiment", {"n": 1})
    with pytest.raises(error, match=message):
        cache_module.save_result(key, {"n": 1}, result)
    assert not _results(cache)


def test_use_cache_false_neither_reads_nor_writes(cache):
    measure, calls = _counted([0.5])
    assert not _remember(measure, use_cache=False).from_cache
    assert not cache.exists()
    _remember(measure)  # now there is an entry
    (path,) = _results(cache)
    before = path.read_bytes()
    again = _remember(measure, use_cache=False)
    assert not again.from_cache and len(calls) == 3
    assert _results(cache) == [path] and path.read_bytes() == before


def _refuse_warnings():
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("error")
    return context


@pytest.mark.parametrize("damage", ["truncated", "another request", "not a result"])
def test_a_damaged_result_file_warns_and_is_measured_again(cache, damage):
    measure, calls = _counted({"accuracy": [0.5]})
    _remember(measure, seed=1)
    (path,) = _results(cache)
    text = path.read_text()
    if damage == "truncated":
        path.write_text(text[: len(text) // 2])
    else:
        entry = json.loads(text)
        if damage == "another request":
            entry["request"]["inputs"]["seed"] = 2
        else:
            entry["result"] = [0.5]  # valid JSON data, but not what remember stores
        path.write_text(json.dumps(entry))
    with pytest.warns(UserWarning, match="unusable|measuring"):
        again = _remember(measure, seed=1)
    assert not again.from_cache and again.result == {"accuracy": [0.5]} and len(calls) == 2
    json.loads(path.read_text())  # rewritten whole
    context = _refuse_warnings()
    try:
        assert _remember(measure, seed=1).from_cache and len(calls) == 2
    finally:
        context.__exit__(None, None, None)


def test_an_unwritable_cache_warns_and_still_returns_the_result(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(blocker / "cache"))  # its parent is a file
    measure, calls = _counted([0.5])
    with pytest.warns(UserWarning, match="Could not write the result"):
        measured = _remember(measure)
    assert measured.result == [0.5] and not measured.from_cache and len(calls) == 1


def test_permission_denied_warns_and_still_returns_the_result(cache, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache_module, "_atomic_write", refuse)  # as a read-only folder does
    measure, calls = _counted([0.5])
    with pytest.warns(UserWarning, match="Permission denied"):
        assert _remember(measure).result == [0.5]
    assert not _results(cache)


def _listing(folder):
    return sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir())


def test_shared_read_only_cache_is_read_first_and_never_written(cache, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(shared))
    measure, calls = _counted({"accuracy": 0.5})
    taught = _remember(measure, seed=1)  # the teacher fills it once
    shared.chmod(0o555)
    try:
        before = _listing(shared)
        monkeypatch.setenv("AEHELPERS_SHARED_CACHE_DIR", str(shared))
        monkeypatch.setenv("AEHELPERS_CACHE_DIR", str(cache))  # the student's own
        read = _remember(measure, seed=1)
        assert read.from_cache and read.seconds == taught.seconds and len(calls) == 1
        assert not cache.exists(), "a result found in the shared cache is not copied"
        assert _listing(shared) == before
        assert not _remember(measure, seed=2).from_cache  # missing there: measured, kept here
        assert len(_results(cache)) == 1 and _listing(shared) == before
    finally:
        shared.chmod(0o755)


def test_cache_entries_list_models_but_not_results(cache):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    key = cache_module.make_key("stacked", {"n": 1})
    assert cache_module.save(key, model, {"n": 1}, {"loss": [1.0]})
    _remember(_counted([0.5])[0])
    assert [p.name for p in cache_module.entries()] == [f"{key}.json"]
    assert len(_results(cache)) == 1


def test_load_and_save_result_directly(cache):
    key = cache_module.make_key("experiment", {"n": 1})
    assert cache_module.load_result(key, {"n": 1}) is None
    assert cache_module.save_result(key, {"n": 1}, {"a": [1, 2.5]})
    assert cache_module.load_result(key, {"n": 1}) == {"a": [1, 2.5]}
    with pytest.warns(UserWarning, match="another request"):
        assert cache_module.load_result(key, {"n": 2}) is None
    with pytest.raises(ValueError, match="key must be"):
        cache_module.load_result("../" + key, {"n": 1})
    with pytest.raises(TypeError, match="request must be a dict"):
        cache_module.save_result(key, None, [1])


def _needs_x(x):
    return [x]


@pytest.mark.parametrize("call, error, message", [
    (lambda m: ae.remember("../x", m), ValueError, "name must be 1-64 lowercase"),
    (lambda m: ae.remember("x", "measure"), TypeError, "measure must be a Python function"),
    (lambda m: ae.remember("x", _needs_x), TypeError,
     r"measure must take no arguments .*_needs_x\(x\)"),
    (lambda m: ae.remember("x", functools.partial(_needs_x, 1)), TypeError,
     "measure must be a Python function"),
    (lambda m: ae.remember("x", m, code=_needs_x), TypeError, "code must be a tuple"),
    (lambda m: ae.remember("x", m, code=(_needs_x, len)), TypeError,
     r"code\[1\] must be a Python function"),
    (lambda m: ae.remember("x", m, use_cache="yes"), TypeError,
     "use_cache must be True or False"),
    (lambda m: ae.remember("x", m, images=object()), TypeError,
     "images must be an array, a Keras model"),
    (lambda m: ae.remember("x", m, labels=np.array(["a", "b"])), TypeError,
     "labels must be an array of numbers"),
    (lambda m: ae.remember("x", m, sizes=(1, {})), TypeError, r"sizes\[1\] must be an array"),
], ids=["name", "string measure", "measure with an argument", "partial", "code not a tuple",
        "builtin in code", "use_cache", "object input", "string array", "dict in a tuple"])
def test_remember_rejects_bad_arguments_before_measuring(cache, call, error, message):
    measure, calls = _counted([0.5])
    with pytest.raises(error, match=message):
        call(measure)
    assert not calls and not cache.exists()


def test_numpy_scalars_and_nan_inputs_key_like_plain_ones(cache):
    measure, calls = _counted([0.5])
    _remember(measure, steps=3, rate=0.5, limit=float("nan"))
    assert _remember(measure, steps=np.int64(3), rate=np.float32(0.5),
                     limit=float("nan")).from_cache
    assert len(calls) == 1


# --- training.restart -------------------------------------------------------------------------

XS = np.random.default_rng(2).normal(size=(32, 4)).astype("float32")
YS = (XS @ np.array([[0.5], [-1.0], [0.25], [2.0]], "float32")).astype("float32")


class _Traces(keras.layers.Layer):
    """Counts its Python calls: inside a traced training step, only while tracing."""

    count = 0

    def call(self, x):
        type(self).count += 1
        return x


def _compiled(seed, *, traced=False):
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)]
    if traced:
        layers.insert(1, _Traces())
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Nadam(0.05), loss="mse")
    return model


def _fit(model):
    history = model.fit(XS, YS, epochs=3, batch_size=8, shuffle=False, verbose=0).history
    return history["loss"], model.get_weights()


def test_restart_trains_exactly_like_a_freshly_built_model():
    start = _compiled(0).get_weights()
    fresh = _compiled(1)
    fresh.set_weights(start)
    expected_loss, expected_weights = _fit(fresh)

    model = _compiled(2)  # other initial weights: restart replaces them
    for run in range(2):  # the second restart also resets momentum, velocity, iterations
        assert ae.training.restart(model, start) is model
        assert int(model.optimizer.iterations.numpy()) == 0
        loss, weights = _fit(model)
        assert loss == expected_loss, f"run {run}"
        for got, want in zip(weights, expected_weights, strict=True):
            np.testing.assert_array_equal(got, want)

    model.set_weights(start)  # new weights alone, the optimizer's state kept: not the same run
    assert _fit(model)[0] != expected_loss


def test_restart_resets_nadams_non_zero_state():
    model = _compiled(0)
    start = model.get_weights()
    ae.training.restart(model, start)
    fresh = [v.numpy().copy() for v in model.optimizer.variables]
    _fit(model)
    changed = [i for i, v in enumerate(model.optimizer.variables)
               if not np.array_equal(v.numpy(), fresh[i])]
    assert any(np.all(fresh[i] == 1.0) for i in changed), "Nadam's u_product starts at 1"
    ae.training.restart(model, start)
    for variable, value in zip(model.optimizer.variables, fresh, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value)


def test_restart_reuses_the_traced_training_step():
    model = _compiled(0, traced=True)
    start = model.get_weights()
    ae.training.restart(model, start)
    _fit(model)
    step, traced = model.train_function, _Traces.count
    for _ in range(2):
        ae.training.restart(model, start)
        _fit(model)
    assert model.train_function is step and _Traces.count == traced
    model.compile(optimizer=keras.optimizers.Nadam(0.05), loss="mse")  # the counter does count
    _fit(model)
    assert _Traces.count > traced


def test_restart_of_a_model_that_trained_before_is_refused():
    model = _compiled(0)
    start = model.get_weights()
    _fit(model)
    with pytest.raises(ValueError, match="model has trained already"):
        ae.training.restart(model, start)


def test_restart_needs_a_compiled_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="model must be compiled"):
        ae.training.restart(model, model.get_weights())
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        ae.training.restart("model", model.get_weights())


@pytest.mark.parametrize("change, error, message", [
    (lambda w: w[:-1], ValueError, r"weights must be a list of 4 arrays.*got 3$"),
    (lambda w: [*w, w[-1]], ValueError, "weights must be a list of 4 arrays.*got 5$"),
    (lambda w: {"kernel": w[0]}, TypeError, "weights must be a list of 4 arrays.*got dict"),
    (lambda w: [w[0].T, *w[1:]], ValueError,
     r"weights\[0\] must have shape \(4, 8\), got \(8, 4\)"),
    (lambda w: [w[0], w[1][:4], *w[2:]], ValueError, r"weights\[1\] must have shape \(8,\)"),
    (lambda w: [w[0], np.full(8, np.nan), *w[2:]], ValueError,
     r"weights\[1\] must not contain NaN"),
    (lambda w: [w[0].astype(str), *w[1:]], TypeError, r"weights\[0\] must be an array of numbers"),
    (lambda w: [None, *w[1:]], TypeError, r"weights\[0\] must be an array of numbers"),
    (lambda w: [[[1.0], [1.0, 2.0]], *w[1:]], TypeError, r"weights\[0\] must be an array"),
], ids=["one too few", "one too many", "a dict", "transposed", "too short", "nan", "strings",
        "none", "ragged"])
def test_restart_rejects_weights_that_do_not_fit(change, error, message):
    model = _compiled(0)
    before = model.get_weights()
    with pytest.raises(error, match=message):
        ae.training.restart(model, change(_compiled(1).get_weights()))
    for got, want in zip(model.get_weights(), before, strict=True):  # nothing was changed
        np.testing.assert_array_equal(got, want)
