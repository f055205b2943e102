"""The exported HTML page in a real headless Chromium: loads offline, sorts, lays out, draws.

Uses Debian's `chromium` through Playwright with the system executable (no browser download);
skips when either is missing. Screenshots at 1280 px are kept in tests/artifacts/
(leaderboard.png: the shipped board, full page; leaderboard-small.png: the test board).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.leaderboard.export_html import to_html
from mmalign_eval.leaderboard.io import load_board
from mmalign_eval.leaderboard.rank import metric_of
from mmalign_eval.leaderboard.schema import (
    Benchmark,
    Board,
    Entry,
    Interval,
    Metric,
    PublicationSource,
    TaskEntry,
    TaskSettings,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WIDTH = 1280
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
RANK = re.compile(r"^(~?\d+=?|-)$")

# Every <text> of every SVG must lie inside its SVG's box, and every chart inside its card.
LAYOUT_JS = """() => {
  const out = [], inside = (a, b) => a.left >= b.left - 0.5 && a.top >= b.top - 0.5 &&
    a.right <= b.right + 0.5 && a.bottom <= b.bottom + 0.5;
  document.querySelectorAll('svg').forEach(svg => {
    const box = svg.getBoundingClientRect();
    svg.querySelectorAll('text').forEach(t => {
      if (!inside(t.getBoundingClientRect(), box)) out.push('text: ' + t.textContent);
    });
  });
  document.querySelectorAll('.card').forEach(card => {
    if (card.scrollWidth > card.clientWidth) out.push('card: ' + card.textContent.slice(0, 40));
    const svg = card.querySelector('svg');
    if (svg && !inside(svg.getBoundingClientRect(), card.getBoundingClientRect()))
      out.push('svg outside card: ' + card.textContent.slice(0, 40));
  });
  return out;
}"""
# A cell's content box (not its row's height, which the tallest cell of the row decides).
MODEL_CELLS_JS = """() => Array.from(document.querySelectorAll('#board td.model')).map(td => {
  const range = document.createRange(); range.selectNodeContents(td);
  const name = td.querySelector('b').getBoundingClientRect();
  return {width: td.getBoundingClientRect().width, height: range.getBoundingClientRect().height,
          name: name.height, line: parseFloat(getComputedStyle(td).lineHeight)};
})"""
POLYGON_AREA_JS = """points => {
  const p = points.trim().split(/\\s+/).map(s => s.split(',').map(Number));
  let a = 0;
  p.forEach((q, i) => { const r = p[(i + 1) % p.length]; a += q[0] * r[1] - r[0] * q[1]; });
  return Math.abs(a) / 2;
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Page:
    """A page of the export opened offline, recording console errors and every request."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": WIDTH, "height": 1000})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else 0)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def column(self, index: int) -> list[str]:
        return self.page.eval_on_selector_all(  # type: ignore[no-any-return]
            "#board tbody tr.entry", f"rows => rows.map(r => r.cells[{index}].dataset.v)"
        )

    def texts(self, selector: str) -> list[str]:
        script = "els => els.map(e => e.textContent)"
        return self.page.eval_on_selector_all(selector, script)  # type: ignore[no-any-return]

    def check_clean(self) -> None:
        assert self.errors == []
        assert all(u.startswith(("file://", "data:", "about:")) for u in self.requests), (
            self.requests
        )

    def check_layout(self) -> None:
        assert self.page.evaluate(LAYOUT_JS) == []
        # No horizontal overflow at 1280 px: neither the page nor the table in its wrapper.
        assert self.page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        wide = self.page.evaluate(
            "() => { const w = document.querySelector('.tablewrap');"
            " return [w.scrollWidth, w.clientWidth]; }"
        )
        assert wide[0] <= wide[1], wide

    def scatter_points(self) -> list[str]:
        return self.page.eval_on_selector_all(  # type: ignore[no-any-return]
            "#scatter .pt", "els => els.map(e => e.dataset.entry)"
        )


def _both(board: Board, x: str, y: str) -> set[str]:
    """Ids of entries with a value for both scatter metrics ('task:metric' keys)."""

    def has(entry: Entry, key: str) -> bool:
        metric = metric_of(entry, *key.split(":", 1))
        return metric is not None and metric.value is not None

    return {e.id for e in board.entries if has(e, x) and has(e, y)}


def _shipped(browser: Any, tmp_path: Path) -> tuple[Board, Page]:
    """The shipped hallucination board's page, opened at 1280 px."""
    board = load_board("hallucination", Path("leaderboards"))
    assert board is not None
    path = tmp_path / "leaderboard.html"
    path.write_text(to_html(board), encoding="utf-8")
    return board, Page(browser, path)


def test_shipped_page_layout_ranks_and_legends(browser: Any, tmp_path: Path) -> None:
    board, view = _shipped(browser, tmp_path)
    page = view.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "leaderboard.png"), full_page=True)
    view.check_layout()

    # Model column: readable width, a name on at most two lines, the cell at most three.
    cells = page.evaluate(MODEL_CELLS_JS)
    assert len(cells) == len(board.entries)
    for c in cells:
        assert c["width"] > 120 and c["name"] <= 2 * c["line"] + 1, c
        assert c["height"] <= 3 * c["line"] + 2, c
    assert "on LLaVA-1.5-7B" in view.texts("#board td.model small")
    assert "base model" in view.texts("#board td.model small")

    # Ranks: ties as '1=', order-by-value-only as '~3', never a bare '?'; a legend for both.
    ranks = view.texts("#board td.rank")
    assert all(RANK.match(r) for r in ranks), ranks
    assert any(r.startswith("~") for r in ranks)
    legend = page.text_content("#legend-ranks + dd") or ""
    assert "1=" in legend and "z-test at 5%" in legend and "~3" in legend
    settings = page.text_content("#legend-settings + dd") or ""
    assert "most common settings" in settings and page.locator("#settings-groups tr").count() > 2
    view.check_clean()
    page.close()


def test_shipped_page_scatter_sorting_and_charts(browser: Any, tmp_path: Path) -> None:
    board, view = _shipped(browser, tmp_path)
    page = view.page
    # Scatter: two different metrics by default, one point per entry that has both.
    x, y = page.input_value("#scatter-x"), page.input_value("#scatter-y")
    assert x != y and x.split(":")[0] != y.split(":")[0]
    shown = _both(board, x, y)
    assert sorted(view.scatter_points()) == sorted(shown) and len(shown) > 5
    axis = view.texts("#scatter .axislabel")
    assert len(axis) == 2 and all(("↑" in a or "↓" in a) for a in axis)
    titles = view.texts("#scatter .pt title")
    assert any("LLaVA-1.5-7B + OPA-DPO" in t for t in titles)
    page.select_option("#scatter-x", "pope_adversarial:accuracy")
    assert sorted(view.scatter_points()) == sorted(_both(board, "pope_adversarial:accuracy", y))
    assert view.texts("#scatter .axislabel") != axis
    view.check_layout()

    # Sorting: column 3 is the first benchmark (AMBER chair), ascending then descending.
    before = view.column(1)
    page.click("#board thead tr:nth-child(2) th[data-col='3']")
    ascending = [float(v) for v in view.column(3) if v]
    assert ascending == sorted(ascending) and len(ascending) > 10
    assert view.column(1) != before
    page.click("#board thead tr:nth-child(2) th[data-col='3']")
    descending = [float(v) for v in view.column(3) if v]
    assert descending == sorted(descending, reverse=True)
    assert "descending" in (page.text_content("#sorted") or "")

    assert page.locator("svg.bars rect").count() > 10
    assert page.locator("svg.radar polygon.score").count() > 5
    # Radar titles and axis labels are whole (check_layout has them inside their boxes).
    captions = view.texts("figure[data-entry] figcaption b")
    assert "LLaVA-1.5-13B + LLaVA-RLHF" in captions
    assert {"AMBER (generative)", "POPE adversarial"} <= set(view.texts("svg.radar tspan"))
    box = page.locator("svg.radar polygon.score").first.bounding_box()
    assert box is not None and box["width"] > 5
    page.locator("td.source details summary").first.click()
    assert page.locator("details[open] li").count() >= 1
    view.check_clean()
    page.close()


def _result(task: str, name: str, value: float, direction: str) -> TaskEntry:
    """One number with a 95% CI of +-1 point, under the same fully stated settings for all."""
    settings = TaskSettings(
        protocol="official", judge="none", decoding="greedy", dataset_version="v1", subset="all"
    )
    ci = Interval(low=value - 1.0, high=value + 1.0)
    metric = Metric(name=name, value=value, direction=direction, scale="percent", ci=ci)
    return TaskEntry(task=task, settings=settings, metrics=[metric])


def small_board() -> Board:
    """Four entries with CIs on four benchmarks; 'worst' has the worst value on every one."""
    tasks = [
        ("pope_adversarial", "accuracy", "higher", "hallucination"),
        ("amber", "chair", "lower", "hallucination"),
        ("mmhal_bench", "score", "higher", "hallucination"),
        ("mme", "perception", "higher", "reasoning"),
    ]
    values = {  # pope, amber, mmhal, mme; 'best' and 'close' tie on POPE (overlapping CIs)
        "best": (86.0, 3.0, 3.1, 80.0),
        "close": (85.5, 4.0, 2.9, 78.0),
        "base": (80.0, 7.0, 2.2, 82.0),
        "worst": (70.0, 12.0, 1.5, 60.0),
    }
    source = PublicationSource(title="Test paper", table="Table 1", mark="V")
    entries = []
    for key, row in values.items():
        is_base = key == "base"
        results = [
            _result(task, metric, value, direction)
            for (task, metric, direction, _), value in zip(tasks, row, strict=True)
        ]
        entries.append(
            Entry(
                id=key,
                model="Base-7B" if is_base else f"Base-7B + {key.title()}-DPO",
                base_model=None if is_base else "Base-7B",
                method=None if is_base else f"{key.title()}-DPO",
                source=source,
                results=results,
            )
        )
    benchmarks = [
        Benchmark(task=t, title=t.replace("_", " "), category=c, primary=m) for t, m, _, c in tasks
    ]
    return Board(name="small", benchmarks=benchmarks, entries=entries)


def test_ties_alignment_tax_and_an_all_worst_radar(browser: Any, tmp_path: Path) -> None:
    board = small_board()
    path = tmp_path / "small.html"
    path.write_text(to_html(board, sort="pope_adversarial"), encoding="utf-8")
    view = Page(browser, path)
    page = view.page
    page.screenshot(path=str(ARTIFACTS / "leaderboard-small.png"), full_page=True)
    view.check_layout()
    assert view.texts("#board td.rank") == ["1=", "1=", "3", "4"]
    assert page.locator("#legend-ranks").count() == 1
    # The alignment tax by default: a hallucination metric against the reasoning one.
    x, y = page.input_value("#scatter-x"), page.input_value("#scatter-y")
    assert x.startswith(("pope_adversarial:", "amber:", "mmhal_bench:")) and y == "mme:perception"
    assert sorted(view.scatter_points()) == ["base", "best", "close", "worst"]
    page.select_option("#scatter-y", "amber:chair")
    assert len(view.scatter_points()) == 4 and page.get_attribute("#scatter", "data-points") == "4"
    # Worst everywhere: the polygon sits on the inner ring, not collapsed at the centre.
    worst = page.locator("figure[data-entry='worst'] polygon.score")
    area = page.evaluate(POLYGON_AREA_JS, worst.get_attribute("points"))
    assert area > 50
    box = worst.bounding_box()
    assert box is not None and box["width"] > 5 and box["height"] > 5
    view.check_clean()
    page.close()
