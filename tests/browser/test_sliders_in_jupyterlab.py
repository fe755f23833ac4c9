"""Chapters 05-09 in a real browser: run all cells, move every slider, pick in every dropdown
and toggle of a panel, and see the picture change.

JupyterLab runs on 127.0.0.1 with the ``ci`` profile; Debian's Chromium is
driven by Playwright. Every wait is an explicit condition with a deadline.
"""

from __future__ import annotations

import json
import tempfile
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHAPTERS = ["05_denoising_autoencoders.ipynb", "06_sparse_autoencoders.ipynb",
            "07_variational_autoencoders.ipynb", "08_applications.ipynb",
            "09_gans_and_diffusion.ipynb"]
RUN_TIMEOUT_MS = 300_000
REDRAW_TIMEOUT_MS = 20_000

# True once every code cell has an execution number and the kernel is idle,
# or as soon as any cell shows an error (the test then reports it).
ALL_RUN = """() => {
  if (errorTexts().length) return true;
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
    .map(e => e.textContent.trim());
  const status = document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status;
  return prompts.length > 0 && prompts.every(t => /^\\[\\d+\\]:$/.test(t)) && status === 'idle';
}"""
ERROR_TEXTS = """window.errorTexts = () =>
  [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => e.textContent).filter(t => /Traceback|Error/.test(t));"""
# The image shown by the panel that holds a given slider: the explorer lays
# out [controls | picture] in one HBox, the picture an <img> in an Output widget.
PANEL_IMAGE = """(slider) => {
  let node = slider;
  const isPanel = (n) => n.classList.contains('widget-hbox') &&
    n.querySelector('.widget-output img');
  while (node && !isPanel(node)) node = node.parentElement;
  const img = node && node.querySelector('.widget-output img');
  return img ? img.getAttribute('src') : null;
}"""


# Panels that need a horizontal scrollbar at this window width: the output area holding a
# panel is narrower than what the panel draws.
OVERFLOWING_PANELS = """() => [...document.querySelectorAll('.jp-OutputArea-output')]
  .filter(o => o.querySelector('.widget-hbox') && o.scrollWidth > o.clientWidth + 1)
  .map(o => `${o.scrollWidth} px of panel in ${o.clientWidth} px`)"""

STATE = """() => [document.querySelector('.jp-Notebook-ExecutionIndicator')?.textContent,
  [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent.trim())
  .join(' ')]"""
SCREENSHOTS = Path(tempfile.gettempdir())


def _start_session(url: str, name: str) -> None:
    """Start the notebook's kernel through the REST API, so no kernel dialog appears."""
    body = json.dumps({"path": name, "type": "notebook", "name": name,
                       "kernel": {"name": "python3"}}).encode()
    request = urllib.request.Request(f"{url}/api/sessions", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status in (200, 201)


def _run_all(page, url: str, name: str) -> None:
    _start_session(url, name)
    page.goto(f"{url}/lab/tree/{name}?reset")  # a fresh workspace: only this notebook
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=120_000)
    # JupyterLab sometimes still asks which kernel to use; answer it if it does.
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:
        dialog.wait_for(state="visible", timeout=3_000)
        dialog.get_by_role("button", name="Select", exact=True).click()
        dialog.wait_for(state="hidden", timeout=10_000)
    except PlaywrightTimeout:
        pass
    page.evaluate(ERROR_TEXTS)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    try:
        page.wait_for_function(ALL_RUN, timeout=RUN_TIMEOUT_MS, polling=500)
    except Exception:
        state = page.evaluate(STATE)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        raise AssertionError(f"{name}: cells did not finish: {state}") from None
    errors = page.evaluate("errorTexts()")
    assert not errors, f"{name}: a cell failed:\n{errors[0][:2000]}"


def _stop_sessions(url: str) -> None:
    """Shut down every kernel this test started, so chapters do not pile up."""
    with urllib.request.urlopen(f"{url}/api/sessions", timeout=30) as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(f"{url}/api/sessions/{session['id']}", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def _direction(handle) -> int:
    """+1 if the slider can still move up, else -1 (a slider at its maximum moves down)."""
    now, high = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemax"))
    return 1 if now < high else -1


def _wait_for_new_picture(page, handle, before: str, how: str) -> str:
    page.wait_for_function(f"([h, before]) => ({PANEL_IMAGE})(h) !== before",
                           arg=[handle, before], timeout=REDRAW_TIMEOUT_MS, polling=50)
    after = handle.evaluate(PANEL_IMAGE)
    assert after and after != before, f"picture did not change after {how}"
    return after


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_slider_moves_its_picture(browser, jupyter_url, name):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        _run_all(page, jupyter_url, name)
        overflowing = page.evaluate(OVERFLOWING_PANELS)
        assert not overflowing, f"{name}: a panel needs a scrollbar: {overflowing}"
        handles = page.locator(".widget-slider .noUi-handle")
        count = handles.count()
        assert count >= 1, f"{name}: no slider found"
        for index in range(count):
            handle = handles.nth(index).element_handle()
            handle.scroll_into_view_if_needed()
            before = handle.evaluate(PANEL_IMAGE)
            assert before and before.startswith("data:image/png"), f"slider {index}: no picture"
            # 1. keyboard: focus the handle and step it
            handle.focus()
            page.keyboard.press("ArrowRight" if _direction(handle) > 0 else "ArrowLeft")
            after_keys = _wait_for_new_picture(page, handle, before, f"keys on slider {index}")
            # 2. mouse: drag the handle a good way along its track
            box = handle.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + 45 * _direction(handle), y, steps=5)
            page.mouse.up()
            _wait_for_new_picture(page, handle, after_keys, f"dragging slider {index}")
        _pick_in_every_choice(page)
    finally:
        context.close()
        _stop_sessions(jupyter_url)


def _pick_in_every_choice(page) -> None:
    """Choose another option in each panel's dropdowns and toggle buttons; see the picture."""
    dropdowns = page.locator(".widget-hbox .widget-dropdown select")
    for index in range(dropdowns.count()):
        select = dropdowns.nth(index).element_handle()
        select.scroll_into_view_if_needed()
        before = select.evaluate(PANEL_IMAGE)
        assert before, f"dropdown {index}: no picture"
        options = select.evaluate("s => [...s.options].map(o => o.value)")
        current = select.evaluate("s => s.value")
        select.select_option(value=next(v for v in options if v != current))
        _wait_for_new_picture(page, select, before, f"choosing in dropdown {index}")
    toggles = page.locator(".widget-hbox .widget-toggle-buttons")
    for index in range(toggles.count()):
        group = toggles.nth(index)
        other = group.locator("button:not(.mod-active)").first.element_handle()
        before = other.evaluate(PANEL_IMAGE)
        assert before, f"toggle {index}: no picture"
        other.click()
        _wait_for_new_picture(page, other, before, f"clicking toggle {index}")


LIVE_NOTEBOOK = "live_training_view.ipynb"
# Record every picture the training cell's output shows while it runs.
WATCH_PICTURES = """() => {
  window.trainingPictures = new Set();
  new MutationObserver(() => {
    document.querySelectorAll('.jp-CodeCell .jp-RenderedImage img')
      .forEach(img => window.trainingPictures.add(img.getAttribute('src')));
  }).observe(document.body, {subtree: true, childList: true, attributes: true});
}"""


def test_live_training_view_updates_while_a_model_trains(browser, jupyter_url, notebook_dir):
    import nbformat

    cells = ["import aehelpers as ae\nae.setup_notebook()\ndata = ae.load_fashion_mnist()",
             'result = ae.train_autoencoder("stacked", data, use_cache=False)']
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, notebook_dir / LIVE_NOTEBOOK)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.add_init_script(f"window.addEventListener('load', {WATCH_PICTURES})")
        _run_all(page, jupyter_url, LIVE_NOTEBOOK)
        pictures = page.evaluate("[...window.trainingPictures]")
        # The first picture, then one per epoch, replaced in place (one image at the end).
        assert len(pictures) >= 2, f"the training view did not update: {len(pictures)}"
        assert page.locator(".jp-CodeCell .jp-RenderedImage img").count() == 1
        lines = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter"
                             ".stdout']").all_inner_texts()
        assert any("epoch   2/2" in text for text in lines), lines
    finally:
        context.close()
        _stop_sessions(jupyter_url)
