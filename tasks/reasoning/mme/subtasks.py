"""MME's subtasks as the official calculation.py lists them, and how an item is named."""

from __future__ import annotations

from mmalign_eval import DataError

# eval_tool/calculation.py eval_type_dict, in its order (the order the scores are summed in).
PERCEPTION: tuple[str, ...] = (
    "existence", "count", "position", "color", "posters", "celebrity", "scene", "landmark",
    "artwork", "OCR",
)  # fmt: skip
COGNITION: tuple[str, ...] = (
    "commonsense_reasoning", "numerical_calculation", "text_translation", "code_reasoning",
)  # fmt: skip
SUBTASKS: tuple[str, ...] = PERCEPTION + COGNITION
ANSWERS = ("yes", "no")
PAIR_SIZE = 2  # every MME image has exactly two questions, one answered yes and one no


def image_key(subtask: str, image: str) -> str:
    """An image's name across subtasks: `<subtask>/<file>`, lmms-lab/MME's question_id."""
    return f"{subtask}/{image}"


def sample_id(subtask: str, image: str, answer: str) -> str:
    """A question's id: its image and its answer (an image has one yes and one no question)."""
    return f"{image_key(subtask, image)}:{answer}"


def check_subtask(name: str, where: str) -> str:
    """The subtask name, or a DataError naming the official ones."""
    if name not in SUBTASKS:
        raise DataError(
            f"{where} names the unknown MME subtask {name!r}",
            f"MME's subtasks are {', '.join(SUBTASKS)}",
        )
    return name


def check_answer(value: str, where: str) -> str:
    """A ground-truth answer as the official script compares it: 'yes' or 'no', lowercased."""
    answer = value.lower()
    if answer not in ANSWERS:
        raise DataError(f"{where} has the answer {value!r}", "MME answers are Yes or No")
    return answer
