"""Import an lmms-eval results JSON (and its samples JSONL) as a leaderboard entry.

Names are mapped only where lmms-eval computes the same quantity as this harness; the rest is
refused with the reason, never guessed. lmms-eval's POPE reads an answer as `yes`/`no` only
when the whole lower-cased response is exactly that word (its protocol is recorded, so such
numbers are flagged against official-protocol ones), reports precision 0 where it is
undefined, and its `pope_yes_ratio` counts gold "yes" labels instead of predicted ones.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.leaderboard.schema import (
    Benchmark,
    Entry,
    ImportSource,
    Metric,
    TaskEntry,
    TaskSettings,
)

TASKS = {"pope_adv": "pope_adversarial", "pope_pop": "pope_popular", "pope_random": "pope_random"}
METRICS = {
    "pope_accuracy": "accuracy",
    "pope_precision": "precision",
    "pope_recall": "recall",
    "pope_f1_score": "f1",
}
REFUSED_TASKS = {
    "pope": "lmms-eval's 'pope' pools the three splits into one set; ours reports each split "
    "and the mean over splits, which differ from a pooled F1",
    "pope_full": "lmms-eval's 'pope_full' pools the three splits; ours reports each split",
}
YES_RATIO_REASON = (
    "pope_yes_ratio: lmms-eval counts gold 'yes' labels (always 0.5 on POPE), not predicted "
    "'yes' answers as ours does; recomputed from the samples file when one is given"
)
PROTOCOL = "lmms-eval exact match (lower-cased, stripped response must equal 'yes' or 'no')"


@dataclass(frozen=True)
class Imported:
    """The entry, its columns and what was refused."""

    entry: Entry
    benchmarks: list[Benchmark]
    refused: list[str]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"file not found: {path}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise DataError(f"{path} has no 'results' object", "pass lmms-eval's results_*.json")
    return data


def _samples_predictions(path: Path) -> list[str]:
    """The parsed predictions lmms-eval logged for POPE (from any of its metric records)."""
    preds = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        detail = record.get("pope_accuracy") or record.get("pope_yes_ratio") or {}
        preds.append(str(detail.get("prediction", "")))
    return preds


def _settings(config: dict[str, Any]) -> TaskSettings:
    gen = config.get("generation_kwargs") or {}
    decoding = ", ".join(f"{k}={v}" for k, v in sorted(gen.items())) or None
    path, name = config.get("dataset_path"), config.get("dataset_name")
    split = config.get("test_split")
    revision = (config.get("dataset_kwargs") or {}).get("revision")
    dataset = (
        f"huggingface: {path}" + (f"/{name}" if name else "") + (f"@{revision}" if revision else "")
    )
    return TaskSettings(
        protocol=PROTOCOL,
        judge="none",
        decoding=decoding,
        dataset_version=dataset if path else None,
        subset=f"split {split}" if split else None,
    )


def _metrics(theirs: dict[str, Any], refused: list[str], task: str) -> list[Metric]:
    metrics = []
    for key, value in theirs.items():
        name, _, _filter = key.partition(",")
        if name == "alias" or name.endswith("_stderr"):
            continue  # lmms-eval writes 'N/A' here for these aggregations
        if name == "pope_yes_ratio":
            refused.append(f"{task}: {YES_RATIO_REASON}")
        elif name not in METRICS:
            refused.append(f"{task}: {name}: no metric of ours means the same")
        elif name == "pope_precision" and value == 0:
            refused.append(
                f"{task}: pope_precision is 0, which lmms-eval also reports when "
                "nothing was predicted 'yes' (undefined); not imported"
            )
        else:
            metrics.append(
                Metric(name=METRICS[name], value=float(value), direction="higher", scale="fraction")
            )
    return metrics


def _yes_ratio(preds: list[str]) -> Metric:
    return Metric(
        name="yes_ratio",
        value=sum(p == "yes" for p in preds) / len(preds),
        direction="neither",
        scale="fraction",
        n=len(preds),
        note="recomputed from lmms-eval's logged predictions",
    )


def import_lmms(
    path: Path,
    samples: dict[str, Path],
    *,
    entry_id: str | None,
    model: str | None,
    method: str | None,
    base: str | None,
) -> Imported:
    """An entry from an lmms-eval results file; samples maps lmms-eval task names to JSONL."""
    data = _read_json(path)
    configs = data.get("configs") or {}
    counts = data.get("n-samples") or {}
    refused: list[str] = []
    results: list[TaskEntry] = []
    for task, theirs in sorted(data["results"].items()):
        if task not in TASKS:
            refused.append(f"{task}: {REFUSED_TASKS.get(task, 'no task of ours means the same')}")
            continue
        metrics = _metrics(theirs, refused, task)
        if task in samples:
            metrics.append(_yes_ratio(_samples_predictions(samples[task])))
        n = (counts.get(task) or {}).get("effective")
        if metrics:
            results.append(
                TaskEntry(
                    task=TASKS[task],
                    settings=_settings(configs.get(task, {})),
                    n=n,
                    metrics=metrics,
                )
            )
    if not results:
        raise UsageError(f"nothing in {path} maps to a task of ours", "; ".join(refused))
    config = data.get("config") or {}
    name = model or str(data.get("model_name") or config.get("model_args") or config.get("model"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    source = ImportSource(
        harness=f"lmms-eval {data.get('lmms_eval_version', '')}".strip(),
        path=str(path),
        sha256=digest,
        refused=refused,
    )
    entry = Entry(
        id=entry_id or f"lmms-eval/{digest[:12]}",
        model=name,
        base_model=base,
        method=method,
        source=source,
        results=results,
    )
    columns = [
        Benchmark(task=t.task, title=t.task, category="hallucination", primary="f1")
        for t in results
    ]
    return Imported(entry, columns, refused)


def find_samples(results_path: Path, explicit: list[Path]) -> dict[str, Path]:
    """Samples files by lmms-eval task: given ones, else samples_<task>_*.jsonl beside results."""
    candidates = explicit or sorted(results_path.parent.glob("*samples_*.jsonl"))
    found: dict[str, Path] = {}
    for candidate in candidates:
        stem = candidate.stem.split("samples_", 1)[-1]
        task = next((t for t in sorted(TASKS, key=len, reverse=True) if stem.startswith(t)), None)
        if task is not None:
            found[task] = candidate
    return found
