"""HallusionBench (Guan et al., CVPR 2024): yes/no questions on original and edited figures.

Data: the official `HallusionBench.json` (tianyi-lab/HallusionBench) with its image folder
(`<root>/<category>/<subcategory>/<set_id>_<figure_id>.png`), the Hugging Face dataset
lmms-lab/HallusionBench (splits `image` and `non_image`), or `synthetic[:N]`.
Questions with visual_input '0' have no image and are sent as text-only requests.
Groups follow the official utils.py: figure = (category, subcategory, set_id, figure_id),
VS questions without a figure excluded; question pair = (category, subcategory, set_id,
question_id) across figures; easy = visual_input != '2', hard = visual_input == '2' (the
official get_eval_pair_easy/_hard; their figure_id test has been commented out since
2023-11-16), which makes 625 easy and 504 hard questions. The official "easy/hard aAcc"
leaderboard columns are these pair accuracies (easy_aacc, hard_aacc); the question-level
shares are easy/hard_question_accuracy.
Answers are read by the `rule` protocol by default (VLMEvalKit's YOrN_Extraction): one
without a yes/no reading is 'unknown' and scored wrong; `strict` keeps such answers out of
the metrics as counted failures instead. Under the official `judge` protocol the official
assign_correctness applies: "unclear" is wrong, except on VS questions without a figure
(figure_id 0), where not knowing the answer counts as correct.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from mmalign_eval.contracts import GenerationParams, MediaRef, Sample
from mmalign_eval.data.synthetic_hallusion import ensure_synthetic_hallusion
from mmalign_eval.datasets import image_bytes, load_hub_split
from mmalign_eval.errors import DataError
from mmalign_eval.judges.records import JudgeTaskSpec
from mmalign_eval.judges.templates import load_template
from mmalign_eval.media import MediaError, MediaStore, media_from_file
from mmalign_eval.metrics.base import FloatArray, MetricSpec, Totals, ratio
from mmalign_eval.metrics.grouped import all_correct_accuracy, group_values
from mmalign_eval.sources import is_local_path, is_synthetic, synthetic_size
from mmalign_eval.task import (
    DataProvenance,
    DataRequest,
    LoadedData,
    ParsedAnswer,
    Protocol,
    TaskSpec,
    file_provenance,
    register,
)

HUB_REPO = "lmms-lab/HallusionBench"
HUB_SPLITS = ("image", "non_image")
OFFICIAL_FILE = "HallusionBench.json"
KEY_FIELDS = ("category", "subcategory", "set_id", "figure_id", "question_id")
PROMPT = "{question}"
_GROUPS = ("fig", "qpair", "easy", "hard")
OFFICIAL_JUDGE = "gpt-4"  # the official utils.evaluate_by_chatgpt default
_VERDICTS = {0: "judged incorrect", 1: "judged correct", 2: "judged unclear"}
UNKNOWN = "unknown"  # the rule protocol's label for an answer without a yes/no reading


def sample_id(row: Mapping[str, Any]) -> str:
    """The official per-question name: category_subcategory_set_figure_question."""
    return "_".join(str(row[field]) for field in KEY_FIELDS)


# -- answer protocol --------------------------------------------------------------------

_PUNCT = re.compile(r"[^\w\s]")


def read_yes_no(text: str) -> tuple[str | None, str | None]:
    """'yes' xor 'no' among the lowercased, punctuation-stripped words, or None and why."""
    words = _PUNCT.sub(" ", text.lower()).split()
    yes, no = "yes" in words, "no" in words
    if yes != no:
        return ("yes" if yes else "no"), None
    reason = "both 'yes' and 'no'" if yes else "neither 'yes' nor 'no'"
    return None, f"{reason} in {text.strip()[:60]!r}"


def parse_yes_no(text: str) -> ParsedAnswer:
    """The yes/no reading; without one the label is 'unknown', scored wrong (as officially)."""
    label, reason = read_yes_no(text)
    if label is not None:
        return ParsedAnswer(label)
    return ParsedAnswer(UNKNOWN, f"{reason}: scored wrong")


def parse_yes_no_strict(text: str) -> ParsedAnswer:
    """The yes/no reading; without one a failure, left out of the metrics."""
    label, reason = read_yes_no(text)
    return ParsedAnswer(label, reason)


def judge_verdict(text: str) -> int:
    """Official rule: 'incorrect' in the text -> 0, else 'correct' -> 1, else 2 (unclear)."""
    lowered = text.lower()
    if "incorrect" in lowered:
        return 0
    return 1 if "correct" in lowered else 2


def parse_judged(text: str) -> ParsedAnswer:
    """The judge's verdict; 'unclear' (or no verdict) counts as wrong, as officially."""
    verdict = judge_verdict(text)
    # Unclear items are scored, so the reason is the only trace of why they count as wrong.
    reason = f"judged unclear ({text.strip()[:40]!r}): scored wrong" if verdict == 2 else None
    return ParsedAnswer(_VERDICTS[verdict], reason)


PROTOCOLS = {
    "judge": Protocol(
        "judge",
        "the official check: a judge compares the answer with gt_answer_details and says "
        "correct, incorrect or unclear ('incorrect' is looked for first); unclear is wrong",
        parse_judged,
    ),
    "rule": Protocol(
        "rule",
        "rule-based yes/no extraction (as VLMEvalKit's YOrN_Extraction): the answer is 'yes' "
        "or 'no' when exactly one of the two words occurs; otherwise it is 'unknown' and "
        "scored wrong in every metric, as both official references do (unknown_rate counts "
        "them; the official script asks GPT-4 to judge instead)",
        parse_yes_no,
    ),
    "strict": Protocol(
        "strict",
        "the rule-based yes/no extraction of 'rule', but an answer with neither or both words "
        "is an unparseable failure: counted in failures and left out of every metric, so "
        "accuracies are over readable answers only (not comparable with published numbers)",
        parse_yes_no_strict,
    ),
}


# -- per-item values and metrics --------------------------------------------------------


def judged_correct(sample: Sample, verdict: str) -> bool:
    """The official assign_correctness: 'correct' is right, and so is 'unclear' on a VS
    question without a figure (without the figure, not knowing is the right answer)."""
    no_figure = sample.metadata["category"] == "VS" and sample.metadata["figure_id"] == "0"
    return verdict == _VERDICTS[1] or (verdict == _VERDICTS[2] and no_figure)


def item_values(sample: Sample, parsed: ParsedAnswer) -> dict[str, float]:
    """Question correctness plus its columns in each group it belongs to."""
    # The judge protocol's label is a verdict; the rule protocol's is the yes/no answer.
    label = parsed.label or ""
    judged = label in _VERDICTS.values()
    correct = judged_correct(sample, label) if judged else label == sample.target
    easy = sample.metadata["visual_input"] != "2"
    values = {
        "n": 1.0,
        "correct": float(correct),
        "unknown": float(parsed.label in (UNKNOWN, _VERDICTS[2])),
        "n_easy" if easy else "n_hard": 1.0,
        "correct_easy" if easy else "correct_hard": float(correct),
    }
    for prefix in _GROUPS:
        group = sample.metadata.get(f"{prefix}_group")
        if group is not None:
            size = int(sample.metadata[f"{prefix}_size"])
            values.update(group_values(prefix, str(group), size, correct))
    return values


def _share(count: str, n: str) -> Callable[[Totals], FloatArray]:
    """The ratio of two summed columns (an accuracy or a rate)."""

    def fn(t: Totals) -> FloatArray:
        return ratio(t[count], t[n])

    return fn


def hallusion_metrics() -> tuple[MetricSpec, ...]:
    """qAcc (primary), fAcc, aAcc, the easy/hard splits and the unknown-answer rate."""
    return (
        MetricSpec("qacc", all_correct_accuracy("qpair"), "higher", primary=True,
                   description="question pairs (same question over a set's figures) all correct"),
        MetricSpec("facc", all_correct_accuracy("fig"), "higher",
                   description="figures whose questions are all correct"),
        MetricSpec("aacc", _share("correct", "n"), "higher",
                   description="questions answered correctly"),
        MetricSpec("easy_aacc", all_correct_accuracy("easy"), "higher",
                   description="the official 'easy aAcc': question pairs restricted to "
                   "visual_input != '2' (original or no figure), all correct"),
        MetricSpec("hard_aacc", all_correct_accuracy("hard"), "higher",
                   description="the official 'hard aAcc': question pairs restricted to "
                   "visual_input == '2' (edited figures), all correct"),
        MetricSpec("easy_question_accuracy", _share("correct_easy", "n_easy"), "higher",
                   description="questions with visual_input != '2' answered correctly (not "
                   "an official column)"),
        MetricSpec("hard_question_accuracy", _share("correct_hard", "n_hard"), "higher",
                   description="questions with visual_input == '2' answered correctly (not "
                   "an official column)"),
        MetricSpec("unknown_rate", _share("unknown", "n"), "lower",
                   description="scored answers without a yes/no reading (rule: neither or "
                   "both words; judge: verdict unclear), counted wrong except unclear "
                   "verdicts on VS questions without a figure; 0 under strict, which makes "
                   "them failures"),
    )  # fmt: skip


# -- grouping ---------------------------------------------------------------------------


def group_keys(row: Mapping[str, Any]) -> dict[str, str | None]:
    """The official group names of one question (None: not in that grouping)."""
    cat, sub, set_id = str(row["category"]), str(row["subcategory"]), str(row["set_id"])
    figure, question = str(row["figure_id"]), str(row["question_id"])
    pair = f"{cat}_{sub}_{set_id}_{question}"
    no_figure = cat == "VS" and figure == "0"  # utils.get_eval_fig skips these
    edited = str(row["visual_input"]) == "2"  # get_eval_pair_easy/_hard split on this
    return {
        "fig": None if no_figure else f"{cat}_{sub}_{set_id}_{figure}",
        "qpair": pair,
        "easy": None if edited else pair,
        "hard": pair if edited else None,
    }


def group_metadata(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Each row's group names and group sizes, as sample metadata."""
    keyed = [group_keys(row) for row in rows]
    sizes = {p: Counter(k[p] for k in keyed if k[p] is not None) for p in _GROUPS}
    out = []
    for keys in keyed:
        meta: dict[str, str] = {}
        for prefix, group in keys.items():
            if group is not None:
                meta[f"{prefix}_group"] = group
                meta[f"{prefix}_size"] = str(sizes[prefix][group])
        out.append(meta)
    return out


# -- data -------------------------------------------------------------------------------


def build_samples(rows: list[Mapping[str, Any]], media: list[MediaRef | None]) -> list[Sample]:
    """Samples of official-format rows; clusters are sets, which contain whole groups."""
    samples = []
    seen: set[str] = set()
    for row, ref, groups in zip(rows, media, group_metadata(rows), strict=True):
        sid = sample_id(row)
        if sid in seen:
            raise DataError(f"HallusionBench question {sid} appears twice", "check the data file")
        seen.add(sid)
        answer = str(row["gt_answer"]).strip()
        if answer not in ("0", "1"):
            raise DataError(f"HallusionBench {sid} has gt_answer {answer!r}", "expected '0'/'1'")
        samples.append(
            Sample(
                id=sid,
                task="hallusionbench",
                question=str(row["question"]),
                target="yes" if answer == "1" else "no",
                media=() if ref is None else (ref,),
                cluster="_".join(str(row[f]) for f in KEY_FIELDS[:3]),
                metadata={
                    **{f: str(row[f]) for f in KEY_FIELDS},
                    "visual_input": str(row["visual_input"]),
                    "gt_answer_details": str(row.get("gt_answer_details") or ""),
                    **groups,
                },
            )
        )
    return samples


def _image_ref(root: Path | None, row: Mapping[str, Any]) -> MediaRef | None:
    """The official image location (utils.get_image_file_location); None: text-only."""
    if str(row["visual_input"]) == "0":
        return None
    name = f"{row['set_id']}_{row['figure_id']}.png"
    relative = f"{row['category']}/{row['subcategory']}/{name}"
    if root is None:
        return MediaRef(sha256=f"unread:{relative}", source=relative)
    try:
        return media_from_file(root / relative)
    except MediaError:
        # A missing image fails only its own question (recorded), not the run.
        return MediaRef(sha256=f"missing:{relative}", path=str(root / relative), source=relative)


def read_official(path: Path) -> list[Mapping[str, Any]]:
    """Rows of the official JSON list; every row needs the key fields."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"cannot read HallusionBench file {path}: {exc}", "check --data") from exc
    needed = (*KEY_FIELDS, "visual_input", "question", "gt_answer")
    if not isinstance(rows, list) or any(
        not isinstance(r, dict) or any(f not in r for f in needed) for r in rows
    ):
        raise DataError(f"{path} is not a list of HallusionBench rows", f"rows need {needed}")
    return rows


def load_official(path: Path, image_root: Path | None, kind: str = "local") -> LoadedData:
    """Samples of the official JSON plus an image root (None: labels only)."""
    rows = read_official(path)
    samples = build_samples(rows, [_image_ref(image_root, r) for r in rows])
    note = "synthetic HallusionBench-format data" if kind == "synthetic" else None
    return LoadedData(samples, file_provenance(path, len(samples), "official_files", note))


def _load_hub(request: DataRequest, repo: str) -> LoadedData:
    store = MediaStore(Path(request.cache_dir) / "media") if request.need_media else None
    rows: list[Mapping[str, Any]] = []
    media: list[MediaRef | None] = []
    fingerprints = []
    for split in HUB_SPLITS:
        dataset = load_hub_split(repo, None, split, request.revision)
        fingerprints.append(dataset._fingerprint)
        for row in dataset:
            image = row.get("image") if split == "image" else None
            rows.append(row)
            if image is None or store is None:
                media.append(_image_ref(None, row))
            else:
                media.append(store.put(image_bytes(image), source=sample_id(row)))
    samples = build_samples(rows, media)
    provenance = DataProvenance(
        kind="huggingface",
        location=f"{repo}:{'+'.join(HUB_SPLITS)}",
        revision=request.revision or "main",
        sha256="+".join(fingerprints),
        num_items=len(samples),
    )
    return LoadedData(samples, provenance)


def load(request: DataRequest) -> LoadedData:
    """HallusionBench from the official JSON, the Hub, or synthetic data."""
    source = request.source
    if source is not None and is_synthetic(source):
        size = synthetic_size(source, default=4)
        folder = ensure_synthetic_hallusion(Path(request.cache_dir) / "data", size)
        root = folder / "images" if request.need_media else None
        return load_official(folder / OFFICIAL_FILE, root, kind="synthetic")
    if source is not None and is_local_path(source):
        path = Path(source).expanduser()
        labels = path / OFFICIAL_FILE if path.is_dir() else path
        if not labels.is_file():
            raise DataError(f"HallusionBench file not found: {labels}", f"pass {OFFICIAL_FILE}")
        root = Path(request.image_dir) if request.image_dir else labels.parent / "images"
        return load_official(labels, root if request.need_media else None)
    return _load_hub(request, source or HUB_REPO)


def render_judge_prompt(sample: Sample, response: str) -> str:
    """The correctness check with the question, the reference details and the answer."""
    reference = str(sample.metadata.get("gt_answer_details") or sample.target)
    return JUDGE_TEMPLATE.render(question=sample.question, reference=reference, answer=response)


JUDGE_TEMPLATE = load_template(
    Path(__file__).with_name("hallusionbench_judge_v1.txt"), "hallusionbench", "1"
)
JUDGE = JudgeTaskSpec(
    template=JUDGE_TEMPLATE,
    official_model=OFFICIAL_JUDGE,
    official_backend="openai",
    render=render_judge_prompt,
    parse=judge_verdict,
    expected_output_tokens=5,
    choices=("correct", "incorrect", "unclear"),
)


@register
def hallusionbench() -> TaskSpec:
    """HallusionBench: qAcc, fAcc, aAcc and the easy/hard split."""
    return TaskSpec(
        name="hallusionbench",
        family="hallucination",
        version="3",
        description="HallusionBench: yes/no questions on original and edited figures, scored "
        "per question, per figure and per question pair",
        prompt_template=PROMPT,
        loader=load,
        protocols=PROTOCOLS,
        default_protocol="rule",
        metrics=hallusion_metrics(),
        item_values=item_values,
        generation=GenerationParams(max_new_tokens=128),
        judge=JUDGE,
        judge_protocols=frozenset({"judge"}),
        official_protocol="judge",
    )
