"""Write leaderboards/hallucination.json from the published tables in ../shared/published.

The rows below are transcribed from /work/shared/published/README.md (itself transcribed from
the sources' table images); each row keeps its source, table, verification mark and footnote.
Rerun after correcting a number: `python scripts/seed_hallucination_board.py`.
"""

# ruff: noqa: E501
from __future__ import annotations

import re
from pathlib import Path

from mmalign_eval.leaderboard.io import save_board
from mmalign_eval.leaderboard.schema import (
    Benchmark,
    Board,
    Entry,
    Metric,
    PublicationSource,
    TaskEntry,
    TaskSettings,
)
from mmalign_eval.metrics.base import Direction, Scale

# (task, metric) -> direction, scale, n (items the value is a proportion over, when stated)
SPEC: dict[tuple[str, str], tuple[Direction, Scale, int | None]] = {
    ("amber", "chair"): ("lower", "percent", None),
    ("amber", "cover"): ("higher", "percent", None),
    ("amber", "hal_rate"): ("lower", "percent", 1004),
    ("amber", "cog"): ("lower", "percent", None),
    ("amber", "accuracy"): ("higher", "percent", None),
    ("amber", "precision"): ("higher", "percent", None),
    ("amber", "recall"): ("higher", "percent", None),
    ("amber", "f1"): ("higher", "percent", None),
    ("amber", "amber_score"): ("higher", "percent", None),
    ("mmhal_bench", "average_score"): ("higher", "score", None),
    ("mmhal_bench", "hallucination_rate"): ("lower", "fraction", None),
    ("mmhal_bench", "informativeness"): ("higher", "percent", None),
    ("object_halbench", "chair_s"): ("lower", "percent", 300),
    ("object_halbench", "chair_i"): ("lower", "percent", None),
    ("pope_adversarial", "accuracy"): ("higher", "percent", 3000),
    ("pope_adversarial", "precision"): ("higher", "percent", None),
    # The task's own metric names: the official leaderboard's five columns are exactly these.
    ("hallusionbench", "qacc"): ("higher", "percent", None),
    ("hallusionbench", "facc"): ("higher", "percent", None),
    ("hallusionbench", "easy_aacc"): ("higher", "percent", None),
    ("hallusionbench", "hard_aacc"): ("higher", "percent", None),
    ("hallusionbench", "aacc"): ("higher", "percent", None),
    ("shr", "shr"): ("lower", "percent", None),
    ("mme", "perception"): ("higher", "score", None),
    ("mme", "cognition"): ("higher", "score", None),
    ("mm_vet", "score"): ("higher", "score", None),
}
for _split in ("adversarial", "popular", "random"):
    for _name in ("accuracy", "precision", "recall", "f1", "yes_ratio"):
        _direction: Direction = "neither" if _name == "yes_ratio" else "higher"
        SPEC.setdefault((f"pope_{_split}", _name), (_direction, "percent", None))

BENCHMARKS = [
    Benchmark(task="amber", title="AMBER (generative)", category="hallucination", primary="chair"),
    Benchmark(
        task="mmhal_bench", title="MMHal-Bench", category="hallucination", primary="average_score"
    ),
    Benchmark(
        task="object_halbench", title="Object HalBench", category="hallucination", primary="chair_s"
    ),
    # accuracy, not our harness's f1: it is the POPE number every source here reports.
    Benchmark(
        task="pope_adversarial",
        title="POPE adversarial",
        category="hallucination",
        primary="accuracy",
    ),
    Benchmark(
        task="pope_popular", title="POPE popular", category="hallucination", primary="accuracy"
    ),
    Benchmark(
        task="pope_random", title="POPE random", category="hallucination", primary="accuracy"
    ),
    Benchmark(
        task="hallusionbench",
        title="HallusionBench",
        category="hallucination",
        primary="qacc",
    ),
    Benchmark(
        task="shr",
        title="SHR",
        category="hallucination",
        primary="shr",
        description="sentence-level hallucination ratio (HA-DPO)",
    ),
    Benchmark(task="mme", title="MME", category="reasoning", primary="perception"),
    Benchmark(task="mm_vet", title="MM-Vet", category="preference", primary="score"),
]

OPA = PublicationSource(
    title="OPA-DPO (CVPR 2025)",
    year=2025,
    table="main table (web_fig4.png)",
    link="https://opa-dpo.github.io/",
    mark="V",
)
OPA_SETTINGS = {
    "amber": TaskSettings(
        protocol="official AMBER code, generative task",
        judge="none",
        dataset_version="AMBER generative, 1,004 images",
        subset="all",
    ),
    "mmhal_bench": TaskSettings(
        protocol="GPT-4 rating 0-6; HalRate = share of ratings < 3",
        judge="GPT-4 (version not stated on the project page)",
    ),
    "object_halbench": TaskSettings(
        protocol="RLHF-V codebase", dataset_version="Object HalBench, 300 instances", subset="all"
    ),
    "pope_adversarial": TaskSettings(
        judge="none", dataset_version="POPE adversarial, 3,000 cases", subset="all"
    ),
}
OPA_COLUMNS = [
    ("amber", "chair"),
    ("amber", "cover"),
    ("amber", "hal_rate"),
    ("amber", "cog"),
    ("mmhal_bench", "average_score"),
    ("mmhal_bench", "hallucination_rate"),
    ("object_halbench", "chair_s"),
    ("object_halbench", "chair_i"),
    ("pope_adversarial", "accuracy"),
    ("pope_adversarial", "precision"),
]
FOOTNOTES = {
    "§": "§ (paper's meaning not on the page; probably reproduced from released checkpoints) [U]",
    "†": "† (probably numbers copied from the original paper) [U]",
    "‡": "‡ (meaning defined in the paper, not on the page) [U]",
    "*": "* (matches the mDPO paper's own LLaVA-7B numbers) [U]",
}
# base, method, footnote, data, feedback, then the OPA_COLUMNS values ('-': not reported)

OPA_ROWS = """
LLaVA-1.5-7B | - | § | | | 7.7 51.6 34.7 4.2 2.01 0.61 55.67 15.96 84.93 89.10
LLaVA-1.5-7B | LLaVA-RLHF | § | 122k | Self-Reward | 9.7 53.2 46.6 5.3 1.88 0.71 58.00 15.61 80.00 87.19
LLaVA-1.5-7B | HALVA | ‡ | 21.5k | GPT-4V | 6.6 53.0 32.2 3.4 2.25 0.54 41.40 11.70 - -
LLaVA-1.5-7B | mDPO | * | 10k | GPT-4V | 4.4 52.4 24.5 2.4 2.39 0.54 35.70 9.80 - 95.36
LLaVA-1.5-7B | HA-DPO | § | 6k | GPT-4 | 7.8 52.1 35.6 4.2 1.89 0.65 54.00 14.45 84.90 90.42
LLaVA-1.5-7B | POVID | § | 17k | GPT-4V | 7.4 51.3 34.3 3.9 2.08 0.60 50.67 15.28 84.77 89.01
LLaVA-1.5-7B | RLAIF-V | § | 16k | LLaVA-Next | 3.0 50.4 16.2 1.0 3.00 0.38 16.00 3.70 81.57 94.97
LLaVA-1.5-7B | OPA | | 4.8k | GPT-4V | 5.6 52.8 23.2 2.3 2.41 0.52 28.00 9.48 82.53 95.36
LLaVA-1.5-7B | OPA-DPO | | 4.8k | GPT-4V | 2.2 47.9 11.6 0.9 2.83 0.45 13.00 4.25 82.60 95.61
LLaVA-1.5-13B | - | § | | | 6.8 51.9 31.8 3.3 2.48 0.52 51.00 13.71 85.50 90.31
LLaVA-1.5-13B | LLaVA-RLHF | § | 122k | Self-Reward | 7.7 52.3 38.6 4.0 2.27 0.64 44.67 11.83 82.47 90.25
LLaVA-1.5-13B | RLHF-V (HD) | † | 1.4k | Human | 6.3 46.1 25.1 2.1 2.81 0.49 - - - -
LLaVA-1.5-13B | HSA-DPO | † | 8k | GPT-4/4V | 2.1 47.3 13.4 1.2 2.61 0.48 - - 84.00 80.20
LLaVA-1.5-13B | HALVA | ‡ | 21.5k | GPT-4V | 6.4 52.6 30.4 3.2 2.58 0.45 45.40 12.80 - -
LLaVA-1.5-13B | OPA | | 4.8k | GPT-4V | 5.2 54.1 21.4 2.2 2.75 0.45 31.33 8.88 83.60 96.24
LLaVA-1.5-13B | OPA-DPO | | 4.8k | GPT4V | 2.4 48.3 12.8 0.9 3.07 0.39 16.33 5.48 82.63 96.31
"""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _metric(task: str, name: str, value: str, note: str | None = None) -> Metric | None:
    if value in {"-"}:
        return None  # not reported: left out rather than stored as a number
    direction, scale, n = SPEC[(task, name)]
    return Metric(name=name, value=float(value), direction=direction, scale=scale, n=n, note=note)


def _tasks(
    values: dict[tuple[str, str], str],
    settings: dict[str, TaskSettings],
    notes: dict[tuple[str, str], str] | None = None,
) -> list[TaskEntry]:
    by_task: dict[str, list[Metric]] = {}
    for (task, name), value in values.items():
        metric = _metric(task, name, value, (notes or {}).get((task, name)))
        if metric is not None:
            by_task.setdefault(task, []).append(metric)
    return [
        TaskEntry(task=t, settings=settings.get(t, TaskSettings()), metrics=m)
        for t, m in by_task.items()
    ]


def _entry(
    prefix: str,
    base: str,
    method: str | None,
    source: PublicationSource,
    results: list[TaskEntry],
    details: dict[str, str] | None = None,
) -> Entry:
    model = f"{base} + {method}" if method else base
    return Entry(
        id=f"{prefix}/{_slug(model)}",
        model=model,
        base_model=base if method else None,
        method=method,
        source=source,
        details=details or {},
        results=results,
    )


def opa_entries() -> list[Entry]:
    """The LLaVA-1.5 rows of the OPA-DPO main table (Qwen-VL rows are not LLaVA variants)."""
    entries = []
    for line in OPA_ROWS.strip().splitlines():
        base, method, mark, data, feedback, numbers = (p.strip() for p in line.split("|"))
        values = dict(zip(OPA_COLUMNS, numbers.split(), strict=True))
        source = OPA.model_copy(update={"footnote": FOOTNOTES.get(mark)})
        details = {k: v for k, v in (("data", data), ("feedback", feedback)) if v}
        entries.append(
            _entry(
                "opa-dpo",
                base,
                None if method == "-" else method,
                source,
                _tasks(values, OPA_SETTINGS),
                details,
            )
        )
    return entries


HADPO = PublicationSource(
    title="HA-DPO (README)",
    year=2023,
    table="POPE results, LLaVA-1.5 (7B per README heading)",
    link="https://github.com/opendatalab/HA-DPO",
    mark="V",
)
HADPO_POPE = {
    "-": {
        "random": "89.60 88.77 90.66 89.70 51.06",
        "popular": "86.20 83.23 90.66 86.79 54.46",
        "adversarial": "79.76 74.43 90.66 81.75 60.90",
    },
    "HA-DPO": {
        "random": "90.53 92.99 87.66 90.25 47.13",
        "popular": "87.90 88.07 87.66 87.81 49.76",
        "adversarial": "81.46 77.99 87.66 82.54 56.20",
    },
}
HADPO_SHR = {"-": "36.7", "HA-DPO": "34.0"}


def hadpo_entries() -> list[Entry]:
    """LLaVA-1.5-7B and + HA-DPO on the three POPE splits and SHR (settings not stated)."""
    entries = []
    names = ("accuracy", "precision", "recall", "f1", "yes_ratio")
    pope_settings = TaskSettings(judge="none")
    for method, splits in HADPO_POPE.items():
        values = {
            (f"pope_{split}", name): value
            for split, row in splits.items()
            for name, value in zip(names, row.split(), strict=True)
        }
        values[("shr", "shr")] = HADPO_SHR[method]
        settings = {f"pope_{s}": pope_settings for s in splits}
        entries.append(
            _entry(
                "ha-dpo",
                "LLaVA-1.5-7B",
                None if method == "-" else method,
                HADPO,
                _tasks(values, settings),
            )
        )
    return entries


def other_entries() -> list[Entry]:
    """Single LLaVA-1.5 baseline rows of RLHF-V, Silkie, AMBER and HallusionBench tables."""
    base = "LLaVA-1.5 (size not stated)"
    rlhfv = PublicationSource(
        title="RLHF-V (CVPR 2024)",
        year=2024,
        table="Table 1 (BenchmarkPerformance.png)",
        link="https://github.com/RLHF-V/RLHF-V",
        mark="V",
    )
    rlhfv_values = {
        ("object_halbench", "chair_s"): "46.3",
        ("object_halbench", "chair_i"): "22.6",
        ("mmhal_bench", "informativeness"): "39.2",
        ("mmhal_bench", "hallucination_rate"): "52.1",
    }
    notes = {
        ("object_halbench", "chair_s"): "printed as 'Resp.' (response-level hallucination %)",
        ("object_halbench", "chair_i"): "printed as 'Mention' (mention-level hallucination %)",
        ("mmhal_bench", "hallucination_rate"): "printed as 'Resp.' hallucination %",
    }
    silkie = PublicationSource(
        title="Silkie / VLFeedback",
        year=2023,
        table="results table (silkie_ret.png)",
        link="https://github.com/vlf-silkie/VLFeedback",
        mark="V",
        footnote="† (meaning defined in the source, not transcribed) [U]",
    )
    silkie_values = {
        ("mme", "perception"): "1510.7",
        ("mme", "cognition"): "316.1",
        ("mmhal_bench", "average_score"): "2.42",
        ("mm_vet", "score"): "30.5",
    }
    return [
        _entry("rlhf-v", base, None, rlhfv, _tasks(rlhfv_values, {}, notes)),
        _entry("silkie", base, None, silkie, _tasks(silkie_values, {})),
        amber_entry(base),
        *hallusion_entries(),
    ]


def amber_entry(base: str) -> Entry:
    """AMBER's own LLaVA-1.5 baseline row."""
    amber = PublicationSource(
        title="AMBER (paper README)",
        year=2023,
        table="baseline table (result.jpg)",
        link="https://github.com/junyangwang0410/AMBER",
        mark="V",
    )
    names = ("chair", "cover", "hal_rate", "cog", "accuracy", "precision", "recall", "f1")
    row = ["7.8", "51.0", "36.4", "4.2", "72.0", "93.2", "62.4", "74.7", "83.5"]
    values = {("amber", n): v for n, v in zip((*names, "amber_score"), row, strict=True)}
    return _entry("amber", base, None, amber, _tasks(values, {"amber": TaskSettings(judge="none")}))


def hallusion_entries() -> list[Entry]:
    """HallusionBench's LLaVA-1.5 rows: the same answers judged by humans and by GPT."""
    source = PublicationSource(
        title="HallusionBench (README leaderboard)",
        year=2024,
        table="leaderboard",
        link="https://github.com/tianyi-lab/HallusionBench",
        mark="V",
    )
    # Columns "qAcc, fAcc, easy aAcc, hard aAcc, aAcc"; easy/hard aAcc are pair accuracies.
    names = ("qacc", "facc", "easy_aacc", "hard_aacc", "aacc")
    rows = {
        "human": "9.45 25.43 50.77 29.07 47.12",
        "GPT (as printed: 'GPT Eval')": "10.55 24.86 49.67 29.77 46.94",
    }
    entries = []
    for judge, row in rows.items():
        values = {("hallusionbench", n): v for n, v in zip(names, row.split(), strict=True)}
        entry = _entry(
            "hallusionbench",
            "LLaVA-1.5 (size not stated)",
            None,
            source,
            _tasks(values, {"hallusionbench": TaskSettings(judge=judge)}),
        )
        entries.append(entry.model_copy(update={"id": f"{entry.id}-{_slug(judge)[:5]}"}))
    return entries


def build() -> Board:
    """The seeded board."""
    return Board(
        name="hallucination",
        description="LLaVA-1.5-7B/13B and aligned variants on hallucination benchmarks: "
        "published rows (with sources) and harness runs.",
        benchmarks=BENCHMARKS,
        entries=[*opa_entries(), *hadpo_entries(), *other_entries()],
    )


if __name__ == "__main__":
    print(save_board(build(), Path(__file__).resolve().parents[1] / "leaderboards"))
