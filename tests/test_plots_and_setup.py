import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

import aehelpers as ae
from aehelpers import plots


def _image_count(fig: Figure) -> int:
    return sum(len(ax.images) for ax in fig.axes)


def test_image_grid(images):
    fig = plots.plot_image_grid(images[:10], titles=[str(i) for i in range(10)], num_cols=5)
    assert isinstance(fig, Figure) and _image_count(fig) == 10
    assert [ax.get_title() for ax in fig.axes if ax.images][:2] == ["0", "1"]
    with pytest.raises(ValueError, match="titles"):
        plots.plot_image_grid(images[:3], titles=["a"])
    with pytest.raises(ValueError, match="images must have shape"):
        plots.plot_image_grid(np.zeros((2, 5, 5)))


def test_reconstructions_show_originals_and_outputs(images):
    *_, model = ae.models.build_stacked_autoencoder()
    fig = plots.plot_reconstructions(model, images, num_images=4)
    assert _image_count(fig) == 8
    top, bottom = fig.axes[0].images[0].get_array(), fig.axes[4].images[0].get_array()
    np.testing.assert_allclose(top, images[0])
    assert not np.allclose(bottom, images[0])
    with pytest.raises(ValueError, match="num_images"):
        plots.plot_reconstructions(model, images, num_images=0)


def test_history_plot():
    fig = plots.plot_history({"loss": [3.0, 2.0, 1.0], "val_loss": [3.5, 2.5, 1.5]})
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2 and list(lines[0].get_ydata()) == [3.0, 2.0, 1.0]
    assert fig.axes[0].get_xlabel() == "epoch" and fig.axes[0].get_title()
    with pytest.raises(ValueError, match="not in the history"):
        plots.plot_history({"loss": [1.0]}, keys=["kl_loss"])
    with pytest.raises(TypeError, match="history"):
        plots.plot_history([])


def test_codings_scatter_with_thumbnails(images):
    points = np.random.default_rng(0).normal(size=(16, 2))
    labels = np.arange(16) % 10
    fig = plots.plot_codings_2d(points, labels, class_names=ae.CLASS_NAMES, images=images,
                                num_thumbnails=5)
    ax = fig.axes[0]
    assert len(ax.collections) == 10 and 1 <= len(ax.artists) <= 5
    assert ax.get_legend().get_texts()[0].get_text() == "T-shirt/top"
    with pytest.raises(ValueError, match="labels"):
        plots.plot_codings_2d(points, labels[:3])


def test_sparsity_figures():
    fig = plots.plot_sparsity_losses(0.1)
    kl_line, mae_line, mse_line = fig.axes[0].get_lines()[:3]
    q = kl_line.get_xdata()
    for line in (kl_line, mae_line, mse_line):  # every loss is smallest at the target
        assert min(line.get_ydata()) >= 0 and abs(q[np.argmin(line.get_ydata())] - 0.1) < 0.003
    codings = np.full((100, 50), 0.05)
    codings[:, :5] = 0.91  # 10% of all activations strongly on, the rest dim
    fig = plots.plot_activation_histogram(codings, target=0.1)
    heights = [patch.get_height() for patch in fig.axes[0].patches]
    assert heights[2] == pytest.approx(0.9) and heights[36] == pytest.approx(0.1)  # 0.05, 0.91
    assert sum(heights) == pytest.approx(1.0) and fig.axes[0].get_yscale() == "log"
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "target 0.1" in legend and "above 0.5: 10.00%" in legend and "mean 0.136" in legend
    with pytest.raises(ValueError, match="target"):
        plots.plot_sparsity_losses(1.0)


def test_setup_notebook_prints_versions_and_profile(capsys):
    ae.setup_notebook(seed=1)
    out = capsys.readouterr().out
    assert "TensorFlow" in out and "Keras 3" in out and "Run profile: ci" in out


def test_seed_gives_the_same_numbers():
    ae.set_seed(5)
    first = np.random.rand(3)
    ae.set_seed(5)
    np.testing.assert_array_equal(first, np.random.rand(3))
    with pytest.raises(ValueError, match="seed"):
        ae.set_seed(-1)


def test_old_tensorflow_stops_with_a_clear_message(monkeypatch):
    import tensorflow as tf

    monkeypatch.setattr(tf, "__version__", "2.15.0")
    with pytest.raises(RuntimeError, match=r"TensorFlow >= 2.16 with Keras >= 3.11.3.*pip install"):
        ae.notebook.check_versions()


def test_old_python_and_widgets_are_reported(monkeypatch):
    import ipywidgets

    monkeypatch.setattr(ipywidgets, "__version__", "7.6.5")
    with pytest.warns(UserWarning, match=r"ipywidgets >= 7.7 \(found 7.6.5\)"):
        ae.notebook.check_versions()
    monkeypatch.setattr(sys, "version_info", (3, 9, 0))
    with pytest.raises(RuntimeError, match="Python >= 3.10"):
        ae.notebook.check_versions()


def test_import_is_light_and_has_no_side_effects():
    code = ("import sys, aehelpers as ae; assert 'tensorflow' not in sys.modules; "
            "assert callable(ae.setup_notebook); print(ae.__version__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ae.__version__


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no attribute 'gan'"):
        ae.gan  # noqa: B018
