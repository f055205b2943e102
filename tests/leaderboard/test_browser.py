"""The exported HTML page in a real headless Chromium: loads offline, sorts, draws its plots.

Uses Debian's `chromium` through Playwright with the system executable (no browser download);
skips when either is missing. The screenshot is kept at tests/artifacts/leaderboard.png.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mmalign_eval.leaderboard.export_html import to_html
from mmalign_eval.leaderboard.io import load_board

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _column_values(page: object, index: int) -> list[str]:
    return page.eval_on_selector_all(  # type: ignore[attr-defined, no-any-return]
        "#board tbody tr.entry", f"rows => rows.map(r => r.cells[{index}].dataset.v)"
    )


def test_exported_page_works_offline_in_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    board = load_board("hallucination", Path("leaderboards"))
    assert board is not None
    page_path = tmp_path / "leaderboard.html"
    page_path.write_text(to_html(board), encoding="utf-8")
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1200})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        before = _column_values(page, 1)
        # Column 4 is the first benchmark (AMBER chair): click sorts ascending, again descending.
        page.click("#board thead tr:nth-child(2) th[data-col='3']")
        ascending = [float(v) for v in _column_values(page, 3) if v]
        assert ascending == sorted(ascending) and len(ascending) > 10
        assert _column_values(page, 1) != before
        page.click("#board thead tr:nth-child(2) th[data-col='3']")
        descending = [float(v) for v in _column_values(page, 3) if v]
        assert descending == sorted(descending, reverse=True)
        bars = page.locator("svg.bars rect").count()
        radar = page.locator("svg.radar polygon").count()
        assert bars > 10 and radar > 5
        box = page.locator("svg.radar polygon").first.bounding_box()
        assert box is not None and box["width"] > 5
        page.locator("details summary").first.click()
        assert page.locator("details[open] li").count() >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "leaderboard.png"), full_page=True)
        browser.close()
    assert errors == []
    assert all(url.startswith(("file://", "data:", "about:")) for url in requests), requests
