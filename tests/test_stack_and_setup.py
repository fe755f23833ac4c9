"""setup_notebook's effects, and the one-sentence stop for Keras 2 in every form."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import matplotlib as mpl
import numpy as np
import pytest

import aehelpers as ae
from aehelpers.notebook import SetupError


def test_setup_notebook_seeds_styles_quiets_and_reports(capsys):
    import tensorflow as tf

    mpl.rcdefaults()
    tf.get_logger().setLevel(logging.INFO)
    ae.setup_notebook(seed=7)
    first = np.random.rand(3), float(tf.random.uniform(()))
    out = capsys.readouterr().out
    ae.setup_notebook(seed=7, verbose=False)
    second = np.random.rand(3), float(tf.random.uniform(()))
    np.testing.assert_array_equal(first[0], second[0])
    assert first[1] == second[1]
    assert mpl.rcParams["image.cmap"] == "binary" and mpl.rcParams["font.size"] == 12
    assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] == ae.plots.PALETTE[0]
    assert tf.get_logger().level == logging.ERROR
    assert "TensorFlow" in out and "Keras" in out and "Run profile: ci" in out
    assert capsys.readouterr().out == ""  # verbose=False prints nothing


def _run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


def test_legacy_keras_switch_stops_with_one_sentence():
    result = _run("import aehelpers as ae; ae.setup_notebook()", TF_USE_LEGACY_KERAS="1")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("aehelpers.notebook.SetupError: TF_USE_LEGACY_KERAS is set")
    assert "pip install -U" in last and "keras>=3.11.3" in last


def test_keras_2_forced_over_tensorflow_stops_with_one_sentence(tmp_path):
    # What `pip install keras==2.15` over a new TensorFlow gives: `import keras` fails.
    fake = tmp_path / "keras"
    fake.mkdir()
    (fake / "__init__.py").write_text(textwrap.dedent("""
        raise AttributeError("module 'tensorflow._api.v2.compat.v2.__internal__' has no "
                             "attribute 'register_load_context_function'")
    """))
    result = _run("import aehelpers as ae; ae.setup_notebook()", PYTHONPATH=str(tmp_path))
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode != 0
    assert "SetupError: TensorFlow and Keras could not be imported together" in last
    assert "Keras 3" in last and "AttributeError" not in result.stderr.split("SetupError")[0][-300:]


def test_old_keras_versions_stop(monkeypatch):
    import keras

    for version in ("2.15.0", "3.3.3", "3.11.2"):
        monkeypatch.setattr(keras, "__version__", version)
        with pytest.raises(SetupError, match=r"Keras >= 3.11.3, found TensorFlow .* Keras "
                                             + version.replace(".", r"\.")):
            ae.notebook.check_versions()


def test_setup_error_renders_as_one_line_in_jupyter():
    error = SetupError("this workbook needs Keras 3.")
    assert error._render_traceback_() == ["SetupError: this workbook needs Keras 3."]


def test_a_tf_keras_model_is_refused_with_the_fix(images):
    legacy = type("Sequential", (), {"__module__": "tf_keras.src.engine.sequential"})()
    for call in (lambda: ae.training.predict(legacy, images),
                 lambda: ae.training.fit(legacy, images, model_key="stacked"),
                 lambda: ae.plots.plot_reconstructions(legacy, images),
                 lambda: ae.widgets.noise_explorer(legacy, images)):
        with pytest.raises(TypeError, match=r"is a Keras 2 \(tf_keras\) model.*Keras 3"):
            call()
