"""The architecture diagrams: they draw, say what they promise, stay readable and validate."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from aehelpers import diagrams

# Each diagram and words a learner must find in it.
PROMISES = {
    diagrams.draw_autoencoder: ["input", "encoder", "codings", "decoder", "reconstruction",
                                "784 pixels", r"\|x - \hat{x}\|^2"],
    diagrams.draw_stacked_autoencoder: ["encoder", "codings", "decoder"],
    diagrams.draw_denoising_autoencoder: ["clean", "corrupted", "add noise", "drop pixels",
                                          "training only", "encoder", "decoder"],
    diagrams.draw_sparse_autoencoder: ["codings", "active", "near 0", "mean activation",
                                       "10%", "reconstruction + sparsity penalty"],
    diagrams.draw_variational_autoencoder: [r"\mu", r"\gamma = \log\sigma^2", "epsilon",
                                            r"\mathcal{N}(0, I)", r"\beta", "KL", "decoder"],
}
DRAWINGS = list(PROMISES)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig: Figure) -> list[Text]:
    """Every piece of text drawn: titles, labels, annotations (the hidden axes have none)."""
    found = [*fig.texts, *(t for ax in fig.axes for t in (ax.title, *ax.texts))]
    return [text for text in found if text.get_visible() and text.get_text().strip()]


@pytest.mark.parametrize("draw", DRAWINGS, ids=lambda draw: draw.__name__)
def test_each_diagram_is_a_titled_figure_with_its_labels(draw):
    fig = draw()
    assert isinstance(fig, Figure) and fig.axes
    ax = fig.axes[0]
    assert ax.get_title() and not ax.axison
    words = " ".join(text.get_text() for text in _texts(fig))
    missing = [word for word in PROMISES[draw] if word not in words]
    assert not missing, f"{draw.__name__} does not show {missing}"


def test_the_denoising_loss_names_the_clean_input():
    words = " ".join(t.get_text() for t in _texts(diagrams.draw_denoising_autoencoder()))
    assert "loss compares" in words and "clean $x$" in words


TWELVE_LAYERS = (100_000, 50_000, 9_999, 4_096, 1_000, 30, 2, 300, 3_000, 9_999, 50_000, 100_000)


@pytest.mark.parametrize("draw", [*DRAWINGS, lambda: diagrams.draw_stacked_autoencoder(
    TWELVE_LAYERS)], ids=[*(draw.__name__ for draw in DRAWINGS), "twelve_layers"])
def test_text_is_large_separate_and_inside_the_figure(draw):
    fig = draw()
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    texts = _texts(fig)
    assert min(text.get_fontsize() for text in texts) >= 10
    boxes = [(text.get_text(), text.get_window_extent(renderer)) for text in texts]
    figure_box = fig.bbox
    for label, box in boxes:
        assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1, f"{label!r} is clipped"
        assert figure_box.y0 <= box.y0 and box.y1 <= figure_box.y1, f"{label!r} is clipped"
    for (first, one), (second, other) in itertools.combinations(boxes, 2):
        assert not one.overlaps(other), f"{first!r} overlaps {second!r}"


@pytest.mark.parametrize("draw", DRAWINGS, ids=lambda draw: draw.__name__)
def test_drawing_into_a_given_ax_returns_its_figure(draw):
    fig, (_, ax) = plt.subplots(1, 2, figsize=(18, 3))
    assert draw(ax=ax) is fig
    assert len(fig.axes) == 2 and ax.patches


@pytest.mark.parametrize("draw", DRAWINGS, ids=lambda draw: draw.__name__)
def test_an_ax_that_is_not_axes_is_refused(draw):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        draw(ax="left")


def _bar_heights(fig: Figure) -> list[float]:
    bars = [p for p in fig.axes[0].patches if (p.get_gid() or "").startswith("layer-")]
    bars.sort(key=lambda patch: int(patch.get_gid().removeprefix("layer-")))
    return [bar.get_height() for bar in bars]


@pytest.mark.parametrize("sizes", [(784, 100, 30, 100, 784), (784, 300, 150, 300, 784),
                                   (20, 5, 20), (784, 512, 128, 16, 2, 16, 256, 784)])
def test_stacked_bars_label_every_size_and_grow_with_it(sizes):
    fig = diagrams.draw_stacked_autoencoder(sizes)
    words = " ".join(t.get_text() for t in _texts(fig))
    assert all(f"{size:,}" in words for size in sizes)
    heights = _bar_heights(fig)
    assert len(heights) == len(sizes)
    pairs = itertools.combinations(zip(sizes, heights, strict=True), 2)
    for (size_a, height_a), (size_b, height_b) in pairs:
        if size_a < size_b:
            assert height_a < height_b
        elif size_a == size_b:
            assert height_a == pytest.approx(height_b)


def test_stacked_codings_brace_sits_on_the_smallest_inner_layer():
    fig = diagrams.draw_stacked_autoencoder((2, 50, 10, 80))  # asymmetric, tiny input
    codings = next(t for t in _texts(fig) if t.get_text() == "codings")
    bars = [p for p in fig.axes[0].patches if p.get_gid() == "layer-2"]
    assert bars and codings.get_position()[0] == pytest.approx(bars[0].get_center()[0])


@pytest.mark.parametrize("bad, error", [
    ((784, 30), ValueError), ([], ValueError), (tuple(range(1, 20)), ValueError),
    ((784, 0, 784), ValueError), ((784, -3, 784), ValueError), ((784, 30.5, 784), TypeError),
    ((784, True, 784), TypeError), ("784", TypeError), (784, TypeError), (None, TypeError),
])
def test_stacked_rejects_bad_layer_sizes_naming_the_argument(bad, error):
    with pytest.raises(error, match="layer_sizes"):
        diagrams.draw_stacked_autoencoder(bad)


def test_docstrings_name_the_chapter_that_introduces_each_diagram():
    chapters = {
        diagrams.draw_autoencoder: "01_representations_and_pca",
        diagrams.draw_stacked_autoencoder: "02_stacked_autoencoders",
        diagrams.draw_denoising_autoencoder: "05_denoising_autoencoders",
        diagrams.draw_sparse_autoencoder: "06_sparse_autoencoders",
        diagrams.draw_variational_autoencoder: "07_variational_autoencoders",
    }
    for draw, chapter in chapters.items():
        assert draw.__doc__.strip().endswith(f"Introduced in {chapter}."), draw.__name__
