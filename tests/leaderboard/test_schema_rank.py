"""Leaderboard records, comparability, ranks, diffs and the lmms-eval import mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmalign_eval.errors import UsageError
from mmalign_eval.leaderboard.diff import board_changes
from mmalign_eval.leaderboard.io import load_board, save_board
from mmalign_eval.leaderboard.lmms_import import find_samples, import_lmms
from mmalign_eval.leaderboard.rank import mixed_tasks, rank_board, settings_letters
from mmalign_eval.leaderboard.schema import (
    Board,
    Entry,
    Interval,
    Metric,
    PublicationSource,
    TaskEntry,
    TaskSettings,
)

PAPER = PublicationSource(title="Paper A", year=2024, table="Table 1", mark="V")
OTHER = PublicationSource(title="Paper B", year=2024, table="Table 2", mark="S")
STATED = TaskSettings(protocol="official", judge="none", dataset_version="v1", subset="all")


def _entry(
    eid: str,
    value: float,
    *,
    settings: TaskSettings = STATED,
    source=PAPER,
    base: str | None = None,
    method: str | None = None,
    n: int | None = None,
    ci: Interval | None = None,
) -> Entry:
    metric = Metric(name="acc", value=value, direction="higher", scale="percent", n=n, ci=ci)
    return Entry(
        id=eid,
        model=eid if method is None else f"{base} + {method}",
        base_model=base,
        method=method,
        source=source,
        results=[TaskEntry(task="t", settings=settings, metrics=[metric])],
    )


def _board(*entries: Entry) -> Board:
    from mmalign_eval.leaderboard.schema import Benchmark

    return Board(
        name="b", benchmarks=[Benchmark(task="t", title="T", primary="acc")], entries=list(entries)
    )


def test_board_round_trips_through_json(tmp_path: Path) -> None:
    board = _board(_entry("x", 50.0, ci=Interval(low=48.0, high=52.0)), _entry("y", 60.0, n=300))
    save_board(board, tmp_path)
    assert load_board("b", tmp_path) == board
    assert json.loads((tmp_path / "b.json").read_text())["schema_version"] == "1.0"


def test_duplicate_entry_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate entry ids"):
        _board(_entry("x", 1.0), _entry("x", 2.0))


def test_shipped_hallucination_board_is_valid_and_cites_every_row() -> None:
    board = load_board("hallucination", Path("/nonexistent"))  # falls back to package data
    assert board is not None and len(board.entries) >= 20
    for entry in board.entries:
        assert isinstance(entry.source, PublicationSource) and entry.source.mark in "VSU"
    base = board.entry("opa-dpo/llava-1-5-7b")
    assert base is not None
    chair_s = base.task("object_halbench").metric("chair_s")  # type: ignore[union-attr]
    assert chair_s is not None and chair_s.value == 55.67


def test_differing_settings_get_their_own_letter_and_section() -> None:
    judged = STATED.model_copy(update={"judge": "gpt-4o-mini"})
    board = _board(_entry("x", 50.0), _entry("y", 60.0), _entry("z", 90.0, settings=judged))
    assert settings_letters(board, "t") == {
        STATED.comparability_key(): "a",
        judged.comparability_key(): "b",
    }
    assert mixed_tasks(board) == ["t"]
    separate = rank_board(board, "t", "acc", mixed=False)
    assert [[r.entry.id for r in s] for s in separate] == [["y", "x"], ["z"]]
    together = rank_board(board, "t", "acc", mixed=True)
    assert [r.entry.id for r in together[0]] == ["z", "y", "x"]


def test_unstated_settings_match_only_within_one_source() -> None:
    unknown = TaskSettings(judge="none")
    board = _board(
        _entry("x", 50.0, settings=unknown),
        _entry("y", 60.0, settings=unknown),
        _entry("z", 70.0, settings=unknown, source=OTHER),
    )
    assert len(settings_letters(board, "t")) == 2
    decoding_only = STATED.model_copy(update={"decoding": "beam 3"})
    assert (
        len(
            settings_letters(
                _board(_entry("x", 1.0), _entry("y", 2.0, settings=decoding_only)), "t"
            )
        )
        == 1
    )


def test_ranks_group_differences_that_are_not_significant() -> None:
    # n=300 proportions: 50 vs 52 is within noise, 50 vs 70 is not.
    board = _board(_entry("a", 52.0, n=300), _entry("b", 50.0, n=300), _entry("c", 30.0, n=300))
    rows = rank_board(board, "t", "acc", mixed=False)[0]
    assert [(r.entry.id, r.rank_label) for r in rows] == [("a", "1="), ("b", "1="), ("c", "3")]
    unknown = rank_board(_board(_entry("a", 52.0), _entry("b", 50.0)), "t", "acc", mixed=False)
    assert [r.rank_label for r in unknown[0]] == ["1", "~2"]


def test_diff_pairs_each_method_with_a_comparable_base() -> None:
    judged = STATED.model_copy(update={"judge": "gpt-4"})
    board = _board(
        _entry("base", 50.0, n=1000),
        _entry("m1", 60.0, base="base", method="m1", n=1000),
        _entry("m2", 40.0, base="base", method="m2", settings=judged),
    )
    first, second = (changes[0] for changes in board_changes(board, "base"))
    assert first.delta == pytest.approx(10.0) and first.better and first.significant
    assert second.delta is None and second.reason == "no comparable base"


def _lmms_results(tmp_path: Path) -> Path:
    """A hand-made lmms-eval results file in its published layout."""
    config = {
        "dataset_path": "lmms-lab/POPE",
        "dataset_name": "Full",
        "test_split": "adversarial",
        "generation_kwargs": {"max_new_tokens": 128, "temperature": 0, "do_sample": False},
    }
    data = {
        "results": {
            "pope_adv": {
                "alias": "pope_adv",
                "pope_accuracy,none": 0.85,
                "pope_accuracy_stderr,none": "N/A",
                "pope_precision,none": 0.9,
                "pope_recall,none": 0.8,
                "pope_f1_score,none": 0.847,
                "pope_yes_ratio,none": 0.5,
            },
            "pope": {"alias": "pope", "pope_accuracy,none": 0.86},
            "mme": {"alias": "mme", "mme_cognition_score,none": 300.0},
        },
        "configs": {"pope_adv": config},
        "n-samples": {"pope_adv": {"original": 3000, "effective": 4}},
        "config": {"model": "llava", "model_args": "pretrained=liuhaotian/llava-v1.5-7b"},
        "model_name": "llava-v1.5-7b",
        "lmms_eval_version": "0.3.0",
    }
    path = tmp_path / "results_2025.json"
    path.write_text(json.dumps(data))
    return path


def _samples(tmp_path: Path) -> Path:
    path = tmp_path / "llava__samples_pope_adv_2025.jsonl"
    preds = ["yes", "no", "yes.", "yes"]
    lines = [
        {"doc_id": i, "pope_accuracy": {"prediction": p, "ground_truth": "yes"}}
        for i, p in enumerate(preds)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_lmms_import_maps_same_meaning_and_refuses_the_rest(tmp_path: Path) -> None:
    imported = import_lmms(
        _lmms_results(tmp_path), {}, entry_id=None, model=None, method=None, base=None
    )
    task = imported.entry.task("pope_adversarial")
    assert task is not None and task.n == 4
    assert {m.name: m.value for m in task.metrics} == {
        "accuracy": 0.85,
        "precision": 0.9,
        "recall": 0.8,
        "f1": 0.847,
    }
    assert task.settings.protocol is not None and "lmms-eval exact match" in task.settings.protocol
    assert task.settings.dataset_version == "huggingface: lmms-lab/POPE/Full"
    refused = "\n".join(imported.refused)
    assert "pope_yes_ratio" in refused and "gold 'yes' labels" in refused
    assert "pope: " in refused and "pools the three splits" in refused
    assert "mme: no task of ours" in refused
    assert imported.entry.model == "llava-v1.5-7b"


def test_lmms_import_recomputes_yes_ratio_from_samples(tmp_path: Path) -> None:
    results = _lmms_results(tmp_path)
    sample = _samples(tmp_path)
    assert find_samples(results, []) == {"pope_adv": sample}
    imported = import_lmms(
        results, find_samples(results, []), entry_id="e", model=None, method=None, base=None
    )
    yes = imported.entry.task("pope_adversarial").metric("yes_ratio")  # type: ignore[union-attr]
    assert yes is not None and yes.value == 0.5 and yes.n == 4  # "yes." is not "yes" there


def test_lmms_import_with_nothing_mappable_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"results": {"mme": {"mme_cognition_score,none": 1.0}}}))
    with pytest.raises(UsageError, match="nothing in"):
        import_lmms(path, {}, entry_id=None, model=None, method=None, base=None)


def test_shipped_board_is_what_the_seed_script_writes() -> None:
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "seed_hallucination_board.py"
    spec = importlib.util.spec_from_file_location("seed_hallucination_board", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == load_board("hallucination", script.parents[1] / "leaderboards")
