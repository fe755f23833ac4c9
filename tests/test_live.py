"""The live training view: one picture updated per epoch, a clean static picture at the end."""

from __future__ import annotations

import base64

import keras
import numpy as np
import pytest

import aehelpers as ae
from aehelpers import live, training


class _Handle:
    def __init__(self, store):
        self.store = store

    def update(self, bundle, raw=False):
        self.store.append(bundle)


@pytest.fixture()
def shown(monkeypatch):
    """Capture what the view displays, as a kernel's display() would receive it."""
    store = []

    def display(bundle, raw=False, display_id=False):
        store.append(bundle)
        return _Handle(store)

    monkeypatch.setattr("IPython.display.display", display)
    return store


def test_view_updates_once_per_epoch_with_curves_and_reconstructions(images, shown):
    *_, model = ae.models.build_stacked_autoencoder()
    view = live.TrainingView(3, images=images[:4], title="stacked", max_share=None)
    history = training.fit(model, images, model_key="stacked", profile="ci", epochs=3,
                           validation_data=(images,), verbose=False, callbacks=[view])
    # A line of text at once, then one picture per epoch, each replacing the last.
    assert len(shown) == 1 + 3 and shown[0] == {"text/plain": "<training view: epoch 0/3>"}
    pictures = [base64.b64decode(b["image/png"]) for b in shown[1:]]
    assert all(p.startswith(b"\x89PNG") for p in pictures) and len(set(pictures)) == 3
    assert shown[-1]["text/plain"] == "<training view: epoch 3/3>"
    assert view.history["val_loss"] == pytest.approx(history["val_loss"])
    # The bottom row shows the model's current reconstructions of the fixed images.
    np.testing.assert_allclose(view._artists[0].get_array(),
                               np.clip(np.asarray(model(images[:1]))[0], 0, 1), atol=1e-6)
    assert view.seconds > 0


def test_models_that_do_not_rebuild_images_get_curves_only(shown):
    *_, linear = ae.models.build_linear_autoencoder()
    view = live.TrainingView(2, max_share=None)
    points = ae.data.make_3d_dataset(num_points=64)
    training.fit(linear, points, model_key="linear", profile="ci", epochs=2, verbose=False,
                 callbacks=[view])
    assert len(shown) == 3 and view._artists == []


def test_drawing_stays_within_its_share_and_always_shows_the_first_and_last_epoch(shown):
    *_, linear = ae.models.build_linear_autoencoder()
    view = live.TrainingView(5, max_share=1e-9)  # no picture is affordable in between
    points = ae.data.make_3d_dataset(num_points=64)
    training.fit(linear, points, model_key="linear", profile="ci", epochs=5, verbose=False,
                 callbacks=[view])
    # The line of text, the first epoch and the last epoch.
    assert [b["text/plain"] for b in shown] == ["<training view: epoch 0/5>",
                                                "<training view: epoch 1/5>",
                                                "<training view: epoch 5/5>"]
    assert len(view.history["loss"]) == 5  # every epoch is still recorded
    with pytest.raises(ValueError, match="max_share"):
        live.TrainingView(5, max_share=0)


def test_fit_shows_the_view_only_when_plugged_in_and_verbose(images, shown, monkeypatch):
    *_, model = ae.models.build_stacked_autoencoder()
    monkeypatch.setattr(live, "in_kernel", lambda: True)
    training.use_live_view(live.view_for)
    try:
        training.fit(model, images, model_key="stacked", profile="ci", epochs=2,
                     validation_data=(images,))
        assert len(shown) == 3
        training.fit(model, images, model_key="stacked", profile="ci", epochs=2, verbose=False)
        assert len(shown) == 3  # verbose=False: no view
        monkeypatch.setenv("AE_LIVE_VIEW", "0")
        training.fit(model, images, model_key="stacked", profile="ci", epochs=2)
        assert len(shown) == 3  # turned off
    finally:
        training.use_live_view(None)
    with pytest.raises(TypeError, match="factory"):
        training.use_live_view("view")


def test_no_view_outside_a_kernel(images):
    *_, model = ae.models.build_stacked_autoencoder()
    assert live.view_for(model, 2, images) is None  # pytest is not a Jupyter kernel


def test_setup_notebook_plugs_the_view_in_and_out():
    ae.setup_notebook(verbose=False)
    assert training._live_view is live.view_for
    ae.setup_notebook(verbose=False, live_training=False)
    assert training._live_view is None
    with pytest.raises(TypeError, match="live_training"):
        ae.setup_notebook(verbose=False, live_training="yes")


class _StopAfter(keras.callbacks.Callback):
    def __init__(self, epochs):
        super().__init__()
        self.stop_at = epochs

    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = epoch + 1 >= self.stop_at


@pytest.mark.parametrize(("max_share", "pictures"), [
    (None, ["epoch 1/6", "epoch 2/6", "epoch 3/6"]),  # every epoch drawn: the end adds none
    (1e-9, ["epoch 1/6", "epoch 3/6"]),  # epoch 3 not drawn when it ended: the end draws it
])
def test_training_stopped_early_shows_its_last_epoch_once(shown, max_share, pictures):
    *_, linear = ae.models.build_linear_autoencoder()
    view = live.TrainingView(6, max_share=max_share)
    points = ae.data.make_3d_dataset(num_points=64)
    history = training.fit(linear, points, model_key="linear", profile="ci", epochs=6,
                           verbose=False, callbacks=[view, _StopAfter(3)])
    assert len(history["loss"]) == 3
    assert [b["text/plain"] for b in shown] == ["<training view: epoch 0/6>"] + [
        f"<training view: {p}>" for p in pictures]
