"""`mmalign-eval leaderboard` end to end: a tiny-model run next to the published rows."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mmalign_eval.testing import run_cli

REPO = Path(__file__).resolve().parents[2]
USER_BOARDS = Path("results") / "leaderboards"  # the default for user boards
ARTIFACTS = REPO / "tests" / "artifacts"


def cli(cwd: Path, *args: str, columns: int = 250) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, *args, columns=columns)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def tiny_run(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny-model POPE run shared by the tests of this module."""
    out = tmp_path_factory.mktemp("runs")
    ok(
        cli(
            out,
            "run",
            "--model",
            "tiny",
            "--tasks",
            "pope",
            "--data",
            "synthetic:4",
            "--max-new-tokens",
            "4",
            "--output-dir",
            str(out),
            "--run-id",
            "tiny-pope",
        )
    )
    return out / "tiny-pope"


@pytest.fixture(scope="module")
def board_dir(tiny_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder whose results/leaderboards/ (the default for user boards) holds the
    shipped board plus the tiny run, copied there by the first add."""
    work = tmp_path_factory.mktemp("work")
    result = cli(
        work,
        "leaderboard",
        "add",
        str(tiny_run),
        "--board",
        "hallucination",
        "--method",
        "none",
        "--base",
        "LLaVA-1.5-7B",
        "--id",
        "tiny",
    )
    ok(result)
    assert "added tiny" in result.stderr
    return work


@pytest.mark.slow
def test_add_records_the_run_source_and_settings(board_dir: Path, tiny_run: Path) -> None:
    board = json.loads((board_dir / USER_BOARDS / "hallucination.json").read_text())
    entry = next(e for e in board["entries"] if e["id"] == "tiny")
    assert entry["source"]["kind"] == "run" and entry["source"]["run_id"] == "tiny-pope"
    assert len(entry["source"]["manifest_sha256"]) == 64
    adv = next(t for t in entry["results"] if t["task"] == "pope_adversarial")
    assert adv["settings"]["protocol"] == "official" and adv["settings"]["subset"] == "all"
    assert adv["settings"]["dataset_version"].startswith("synthetic: ")
    assert adv["settings"]["decoding"] == "greedy, max_new_tokens=4"
    assert next(m for m in adv["metrics"] if m["name"] == "f1")["ci"] is not None
    again = cli(
        board_dir, "leaderboard", "add", str(tiny_run), "--board", "hallucination", "--id", "tiny"
    )
    assert "replaced tiny" in ok(again) + again.stderr


@pytest.mark.slow
def test_show_puts_published_rows_and_the_run_side_by_side(board_dir: Path) -> None:
    tasks = "--tasks=amber,object_halbench,pope_adversarial"
    out = ok(
        cli(board_dir, "leaderboard", "show", "hallucination", "--sort", "pope_adversarial", tasks,
            columns=80)
    )  # fmt: skip
    assert "LLaVA-1.5-7B + OPA-DPO" in out and "run tiny-pope" in out
    assert "accuracy ↑" in out and "chair_s ↓" in out
    # The synthetic run's POPE settings differ from the papers': its own section and letter.
    flat = " ".join(out.split())  # lines wrap at 80 columns
    assert "settings c on pope_adversarial" in flat and "each section is ranked apart" in flat
    assert "synthetic: synthetic POPE" in flat
    # At 80 columns (a CI log) the benchmarks go to several tables; nothing is cut.
    assert all(len(line) <= 80 for line in out.splitlines()) and "…" not in out
    mixed = ok(
        cli(
            board_dir,
            "leaderboard",
            "show",
            "hallucination",
            "--sort",
            "pope_adversarial",
            "--mixed-settings",
            tasks,
        )
    )
    assert "settings c on pope_adversarial" not in mixed


@pytest.mark.slow
def test_diff_shows_changes_only_against_comparable_bases(board_dir: Path) -> None:
    out = ok(cli(board_dir, "leaderboard", "diff", "hallucination", "--base", "LLaVA-1.5-7B",
                 columns=80))  # fmt: skip
    assert "OPA-DPO" in out and "-42.67" in out  # ObjHal CHAIRs 13.00 - 55.67
    assert "no comparable base" in " ".join(out.split())  # the tiny run has no comparable base
    assert all(len(line) <= 80 for line in out.splitlines()) and "…" not in out
    missing = cli(board_dir, "leaderboard", "diff", "hallucination", "--base", "nobody")
    assert missing.returncode == 2 and "no method entries" in missing.stderr


@pytest.mark.slow
def test_export_md_csv_html(board_dir: Path) -> None:
    md = ok(cli(board_dir, "leaderboard", "export", "hallucination", "--format", "md"))
    assert md.startswith("# Leaderboard: hallucination") and "| LLaVA-1.5-13B + OPA-DPO |" in md
    rows = list(
        csv.DictReader(
            io.StringIO(
                ok(cli(board_dir, "leaderboard", "export", "hallucination", "--format", "csv"))
            )
        )
    )
    opa = [r for r in rows if r["entry"] == "opa-dpo/llava-1-5-7b" and r["metric"] == "chair_s"]
    assert opa[0]["value"] == "55.67" and opa[0]["dataset_version"].startswith("Object HalBench")
    # A page is written beside the user's boards unless --output says where.
    target = board_dir / USER_BOARDS / "hallucination.html"
    done = cli(board_dir, "leaderboard", "export", "hallucination", "--format", "html")
    assert ok(done) == "" and f"wrote {USER_BOARDS / 'hallucination.html'}" in done.stderr
    page = target.read_text()
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org", "")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(target, ARTIFACTS / "leaderboard.html")


@pytest.mark.slow
def test_import_lmms_through_the_cli(board_dir: Path) -> None:
    results = board_dir / "results_lmms.json"
    results.write_text(
        json.dumps(
            {
                "results": {"pope_adv": {"pope_accuracy,none": 0.8, "pope_yes_ratio,none": 0.5}},
                "model_name": "llava",
            }
        )
    )
    result = cli(board_dir, "leaderboard", "import-lmms", str(results), "--board", "lmms")
    ok(result)
    assert "refused: pope_adv: pope_yes_ratio" in result.stderr.replace("\n", " ")
    assert ok(cli(board_dir, "leaderboard", "validate", "lmms")).startswith("lmms: valid")


@pytest.mark.slow
def test_unknown_board_is_a_usage_error(tmp_path: Path) -> None:
    result = cli(tmp_path, "leaderboard", "show", "nope")
    assert result.returncode == 2 and "no leaderboard 'nope'" in result.stderr


def test_shipped_boards_are_read_only(tmp_path: Path, tiny_run: Path) -> None:
    shipped = REPO / "leaderboards" / "hallucination.json"
    before = shipped.read_bytes()
    result = cli(tmp_path, "leaderboard", "add", str(tiny_run), "--board", "hallucination",
                 "--boards-dir", str(REPO / "leaderboards"))  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "shipped with mmalign-eval; they are read-only" in result.stderr.replace("\n", " ")
    assert shipped.read_bytes() == before
    assert not (REPO / "leaderboards" / ".hallucination.lock").exists()
