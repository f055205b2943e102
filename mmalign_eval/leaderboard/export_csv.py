"""CSV export: one row per entry and task metric, long format, settings in columns."""

from __future__ import annotations

import csv
import io

from mmalign_eval.leaderboard.rank import settings_key, settings_letters
from mmalign_eval.leaderboard.schema import Board

HEADER = [
    "entry",
    "model",
    "base_model",
    "method",
    "source",
    "task",
    "category",
    "metric",
    "primary",
    "value",
    "direction",
    "scale",
    "ci_low",
    "ci_high",
    "n",
    "settings_group",
    "protocol",
    "judge",
    "decoding",
    "dataset_version",
    "subset",
]


def to_csv(board: Board) -> str:
    """The board as CSV; long format so every metric and its settings fit one row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for entry in board.entries:
        for result in entry.results:
            benchmark = board.benchmark(result.task)
            letter = settings_letters(board, result.task).get(
                settings_key(entry, result.task) or ()
            )
            s = result.settings
            for m in result.metrics:
                writer.writerow(
                    [
                        entry.id,
                        entry.model,
                        entry.base_model or "",
                        entry.method or "",
                        entry.source_label,
                        result.task,
                        benchmark.category if benchmark else "",
                        m.name,
                        bool(benchmark and benchmark.primary == m.name),
                        "" if m.value is None else m.value,
                        m.direction,
                        m.scale,
                        m.ci.low if m.ci else "",
                        m.ci.high if m.ci else "",
                        m.n or result.n or "",
                        letter or "",
                        s.protocol or "",
                        s.judge or "",
                        s.decoding or "",
                        s.dataset_version or "",
                        s.subset or "",
                    ]
                )
    return buffer.getvalue()
