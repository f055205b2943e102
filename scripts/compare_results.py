"""Compare two run folders number by number: are their results the same?

Used to check that a refactoring changed no result: every task's metrics (value and
interval), counts, failures, protocol, prompt and data hash in results.json, and every
item's status, response and per-item scores in samples.jsonl. Fields that name where or
when a run happened (timestamps, run ids, cache locations) are reported apart, not as
differences.

    python scripts/compare_results.py results/before results/after
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# Fields that say where or when, not what: differences are listed, never counted.
CONTEXT_FIELDS = {"created_at", "run_id", "harness_version", "location", "version_note", "key"}
ITEM_FIELDS = ("status", "response", "scores", "target", "prompt", "cluster")


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _flatten(inner, f"{path}[{index}]", out)
    else:
        out[path] = value


def _by_name(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return {row[key]: row for row in rows}


def results_differences(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(differences, context differences) between two results.json documents."""
    differences: list[str] = []
    context: list[str] = []
    for section, key in (("tasks", "task"), ("groups", "group")):
        left, right = _by_name(a.get(section, []), key), _by_name(b.get(section, []), key)
        for name in sorted(set(left) | set(right)):
            if name not in left or name not in right:
                differences.append(f"{section}: {name} only in {'B' if name in right else 'A'}")
                continue
            flat_a: dict[str, Any] = {}
            flat_b: dict[str, Any] = {}
            _flatten(left[name], name, flat_a)
            _flatten(right[name], name, flat_b)
            for field in sorted(set(flat_a) | set(flat_b)):
                va, vb = flat_a.get(field), flat_b.get(field)
                if va != vb:
                    leaf = field.rsplit(".", 1)[-1]
                    line = f"{field}: {va!r} -> {vb!r}"
                    (context if leaf in CONTEXT_FIELDS else differences).append(line)
    return differences, context


def _samples(folder: Path) -> dict[tuple[str, str], dict[str, Any]]:
    rows = [json.loads(line) for line in (folder / "samples.jsonl").read_text().splitlines()]
    return {(row["task"], row["id"]): row for row in rows}


def sample_differences(a: Path, b: Path) -> tuple[list[str], list[str]]:
    """(differences, parsed-value changes) between two samples.jsonl files."""
    left, right = _samples(a), _samples(b)
    differences = [f"item {k} only in {'B' if k in right else 'A'}" for k in set(left) ^ set(right)]
    parsed = []
    for key in sorted(set(left) & set(right)):
        for field in ITEM_FIELDS:
            if left[key].get(field) != right[key].get(field):
                differences.append(f"item {key} {field}: {left[key].get(field)!r} -> "
                                   f"{right[key].get(field)!r}")  # fmt: skip
        if left[key].get("parsed") != right[key].get("parsed"):
            parsed.append(
                f"item {key}: {left[key].get('parsed')!r} -> {right[key].get('parsed')!r}"
            )
    return differences, parsed


def main(argv: list[str] | None = None) -> int:
    """Print the comparison; exit 1 when any result differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path, help="run folder A (before)")
    parser.add_argument("b", type=Path, help="run folder B (after)")
    args = parser.parse_args(argv)
    results = [json.loads((f / "results.json").read_text()) for f in (args.a, args.b)]
    differences, context = results_differences(*results)
    item_differences, parsed = sample_differences(args.a, args.b)
    tasks = len(results[0]["tasks"])
    items = len(_samples(args.a))
    print(f"compared {tasks} tasks, {len(results[0].get('groups', []))} groups, {items} items")
    for title, lines in (
        ("results that differ", differences),
        ("items that differ", item_differences),
        ("parsed values recorded differently (not a result)", parsed),
        ("context that differs (where and when, not a result)", context),
    ):
        print(f"{title}: {len(lines)}")
        for line in lines[:20]:
            print(f"  {line[:160]}{' ...' if len(line) > 160 else ''}")
    return 1 if differences or item_differences else 0


if __name__ == "__main__":
    sys.exit(main())
