"""Manual check: opening a chapter in JupyterLab and saving it unchanged rewrites no byte.

    .venv/bin/python tests/browser/check_open_and_save.py [CHAPTER ...]

For each chapter (default: every notebook in notebooks/) it opens a temporary
copy in JupyterLab on 127.0.0.1 in headless Chromium, waits for the kernel,
reports whether the tab is marked modified, saves with Ctrl+S (as RISE does
before a slideshow) and compares the file with the committed bytes. Exits 1 on
any difference. The fast, browserless form of this check is
``test_saving_an_unchanged_notebook_rewrites_nothing`` in test_launch_and_slides.py.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from check_offline_slides import ROOT, lab_on_a_copy, offline_page, wait_for

KERNEL_IDLE = ("() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
               "?.dataset.status === 'idle'")
TAB_MODIFIED = "() => !!document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')"


def check(browser, url: str, path: Path) -> bool:
    committed = path.read_bytes()
    written = path.stat().st_mtime_ns
    page = offline_page(browser, [])
    page.goto(f"{url}/lab/tree/{path.name}?reset")  # ?reset: only this tab, no restored layout
    idle = wait_for(page, KERNEL_IDLE, 90)
    page.wait_for_timeout(2000)  # let late kernel-info updates land before judging "modified"
    modified = page.evaluate(TAB_MODIFIED)
    page.locator(".jp-NotebookPanel:visible .jp-Cell").first.click()
    page.keyboard.press("Control+s")
    saved = wait_for(page, f"() => !({TAB_MODIFIED})()", 10)
    page.wait_for_timeout(1000)
    rewritten = path.stat().st_mtime_ns != written
    same = path.read_bytes() == committed
    print(f"{path.name}: kernel idle={idle} modified on open={modified} saved={saved} "
          f"file rewritten={rewritten} bytes unchanged={same} console errors={page.errors}")
    if not same:
        diff = difflib.unified_diff(committed.decode().splitlines(),
                                    path.read_bytes().decode().splitlines(), lineterm="", n=1)
        print("\n".join(list(diff)[:20]))
    page.context.close()
    return idle and not modified and rewritten and same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*")
    args = parser.parse_args(argv)
    chapters = args.chapters or sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    ok = True
    with lab_on_a_copy() as (root, url, browser):
        for chapter in chapters:
            ok &= check(browser, url, root / chapter)
    print("OK: opening and saving rewrites nothing" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
