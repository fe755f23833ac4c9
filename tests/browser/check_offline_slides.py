"""Manual check: a chapter's slides render with every request off this machine blocked.

    .venv/bin/python tests/browser/check_offline_slides.py [CHAPTER ...] [--shots DIR]

For each chapter (default 02_stacked_autoencoders.ipynb) it starts JupyterLab on
127.0.0.1 over a temporary copy of notebooks/, then in headless Chromium, with
every request to a host other than 127.0.0.1 aborted and recorded:

- opens ``/rise/<chapter>`` (the JupyterLab RISE slideshow) and reports the
  slides, fragments and typeset formulas, and whether the right arrow moves on;
- opens the chapter in JupyterLab and reports its typeset formulas;
- opens the ``jupyter nbconvert --to slides`` deck the same way, for comparison.

It prints one line per page with the blocked requests, exits 1 if the RISE
slideshow did not render, and checks the copied chapter was not rewritten.
Not part of the test suite: a browser, a server and a kernel take about a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from nbconvert import SlidesExporter
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SETTINGS = {  # no news pop-up: it would also ask the internet
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": '{"fetchNews": "false"}',
}
# MathJax 3 (JupyterLab, RISE) writes <mjx-container>; MathJax 2 (nbconvert) .MathJax_CHTML.
FORMULAS = "() => document.querySelectorAll('mjx-container, .MathJax_CHTML, .MathJax').length"
SLIDES = "() => document.querySelectorAll('.reveal .slides section').length"
FRAGMENTS = "() => document.querySelectorAll('.reveal .slides .fragment').length"
READY = "() => !!document.querySelector('.reveal.ready')"
PRESENT = "() => document.querySelector('.reveal .slides section.present:not(.stack)')?.innerText"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_lab(root: Path, runtime: Path) -> tuple[subprocess.Popen, str]:
    """Start JupyterLab on 127.0.0.1 serving ``root``; return the process and its URL."""
    for name, text in SETTINGS.items():
        (runtime / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (runtime / "settings" / name).write_text(text)
    port = free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime),
           "JUPYTER_CONFIG_DIR": str(runtime / "config")}
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
               "--ServerApp.password=", f"--ServerApp.root_dir={root}", "--allow-root",
               f"--LabServerApp.workspaces_dir={runtime / 'ws'}",
               f"--LabApp.user_settings_dir={runtime / 'settings'}"]
    log = open(runtime / "server.log", "w")  # noqa: SIM115 - the server holds it until stopped
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2):
                return server, url
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                stop(server)
                raise RuntimeError((runtime / "server.log").read_text()[-3000:]) from None
            time.sleep(0.25)  # polling a port


def stop(process: subprocess.Popen) -> None:
    """Stop the server and the kernels it started (it leads its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def offline_page(browser, blocked: list[str]):
    """Return a page on which every request to another host is aborted and noted.

    The page's console errors, less those from the blocked requests, go in ``page.errors``.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 800})

    def route(route):
        parts = urlparse(route.request.url)
        if parts.scheme in ("file", "data", "blob") or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: message.type == "error"
            and "ERR_FAILED" not in message.text and page.errors.append(message.text[:200]))
    return page


def wait_for(page, condition: str, timeout_s: float) -> bool:
    try:
        page.wait_for_function(condition, timeout=timeout_s * 1000)
        return True
    except Exception:  # noqa: BLE001 - a timeout is a result here, reported below
        return False


def check_rise(browser, url: str, chapter: str, shots: Path) -> bool:
    blocked: list[str] = []
    page = offline_page(browser, blocked)
    page.goto(f"{url}/rise/{chapter}")
    ready = wait_for(page, f"() => ({READY})() && ({SLIDES})() >= 5", 90)
    typeset = wait_for(page, f"() => ({FORMULAS})() > 0", 30)
    first = page.evaluate(PRESENT)
    page.keyboard.press("ArrowRight")
    moved = wait_for(page, f"() => ({PRESENT})() !== {first!r}", 10) if first else False
    page.screenshot(path=str(shots / f"rise_{Path(chapter).stem}.png"))
    fragments = page.evaluate(FRAGMENTS)
    print(f"RISE {chapter}: reveal ready={ready} slides={page.evaluate(SLIDES)} "
          f"fragments={fragments} formulas={page.evaluate(FORMULAS)} arrow-moves={moved} "
          f"blocked={sorted(set(blocked))} console errors={page.errors}")
    page.context.close()
    return ready and typeset and moved and fragments > 0


def check_lab(browser, url: str, chapter: str) -> None:
    blocked: list[str] = []
    page = offline_page(browser, blocked)
    page.goto(f"{url}/lab/tree/{chapter}")
    typeset = wait_for(page, f"() => ({FORMULAS})() > 0", 90)
    print(f"JupyterLab {chapter}: formulas typeset={typeset} ({page.evaluate(FORMULAS)}) "
          f"blocked={sorted(set(blocked))} console errors={page.errors}")
    page.context.close()


def check_nbconvert(browser, path: Path, shots: Path) -> None:
    body, _ = SlidesExporter().from_filename(str(path))
    deck = shots / f"{path.stem}.slides.html"
    deck.write_text(body, encoding="utf-8")
    blocked: list[str] = []
    page = offline_page(browser, blocked)
    page.goto(deck.as_uri())
    ready = wait_for(page, READY, 20)
    print(f"nbconvert deck {path.name}: reveal ready={ready} formulas={page.evaluate(FORMULAS)} "
          f"blocked={sorted(set(blocked))}")
    page.screenshot(path=str(shots / f"nbconvert_{path.stem}.png"))
    page.context.close()


@contextlib.contextmanager
def lab_on_a_copy():
    """Serve a temporary copy of notebooks/ with JupyterLab on 127.0.0.1 and open headless
    Chromium (Debian's: Playwright's own download does not work here); yield (copy, url,
    browser), and stop both afterwards."""
    with tempfile.TemporaryDirectory() as temp:
        temp = Path(temp)
        root = temp / "notebooks"
        shutil.copytree(ROOT / "notebooks", root)
        (temp / "runtime").mkdir()
        server, url = start_lab(root, temp / "runtime")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
                try:
                    yield root, url, browser
                finally:
                    browser.close()
        finally:
            stop(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", default=["02_stacked_autoencoders.ipynb"])
    parser.add_argument("--shots", type=Path, default=None, help="folder for screenshots")
    args = parser.parse_args(argv)
    ok = True
    with lab_on_a_copy() as (root, url, browser):
        shots = args.shots or root.parent
        shots.mkdir(parents=True, exist_ok=True)
        before = {name: (root / name).read_bytes() for name in args.chapters}
        for chapter in args.chapters:
            ok &= check_rise(browser, url, chapter, shots)
            check_lab(browser, url, chapter)
            check_nbconvert(browser, ROOT / "notebooks" / chapter, shots)
        for name, data in before.items():
            unchanged = (root / name).read_bytes() == data
            print(f"{name} unchanged after opening: {unchanged}")
            ok &= unchanged
    print("OK: RISE slides render offline" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
