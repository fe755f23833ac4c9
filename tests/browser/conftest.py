"""A JupyterLab server on 127.0.0.1 and headless Chromium driven by Playwright.

Both are stopped by their process ids, whatever happens in the tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def find_chromium() -> str | None:
    """Return Debian's Chromium, or another Chromium-family browser on PATH."""
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """Stop a process and everything it started (it leads its own process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


# JupyterLab settings for a test: every cell in the DOM (no virtual scrolling),
# and no news pop-up over the panels.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": '{"windowingMode": "none"}',
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": '{"fetchNews": "false"}',
}


@pytest.fixture(scope="session")
def notebook_dir(tmp_path_factory):
    """A copy of notebooks/: JupyterLab autosaves, and the committed outputs must not change."""
    target = tmp_path_factory.mktemp("workbook") / "notebooks"
    shutil.copytree(ROOT / "notebooks", target)
    for path in target.glob("*.ipynb"):  # start blank: every prompt and panel comes from this run
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, path)
    return target


@pytest.fixture(scope="session")
def jupyter_url(tmp_path_factory, notebook_dir):
    port = _free_port()
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    for name, text in LAB_SETTINGS.items():
        (runtime / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (runtime / "settings" / name).write_text(text)
    env = {**os.environ, "AE_PROFILE": os.environ.get("AE_PROFILE", "ci"),
           "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(runtime / "config")}
    log = open(runtime / "server.log", "w")  # noqa: SIM115 - closed below
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
               "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={notebook_dir}",
               "--allow-root",
               "--LabServerApp.workspaces_dir=" + str(runtime / "ws"),
               "--LabApp.user_settings_dir=" + str(runtime / "settings")]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not start:\n" +
                                   (runtime / "server.log").read_text()[-3000:])
            time.sleep(0.25)  # polling a port, not waiting for the page
        yield url
    finally:
        _stop(server)
        log.close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = find_chromium()
    if executable is None:
        pytest.fail("Chromium not found: install Debian's `chromium` (.ci/run does) "
                    "or set CHROMIUM_PATH")
    with sync_api.sync_playwright() as playwright:
        # A unique, ignored switch marks this run's Chromium processes so that
        # teardown can find and stop them by process id.
        marker = f"--aeworkbook-test-run={uuid.uuid4().hex}"
        instance = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=[*CHROMIUM_FLAGS, marker])
        pids = [p.pid for p in psutil.process_iter(["cmdline"])
                if marker in (p.info["cmdline"] or [])]
        try:
            yield instance
        finally:
            try:
                instance.close()
            finally:
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
