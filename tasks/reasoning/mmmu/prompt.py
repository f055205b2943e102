"""The official prompt (construct_prompt with configs/llava1.5.yaml) and the images a
question refers to by its `<image k>` placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from mmalign_eval.toolkit.prompts import lettered

# configs/llava1.5.yaml, as YAML reads its folded strings ("{}\n{}\nAnswer ..."); the
# task_instructions there are empty, so nothing comes before the question.
CHOICE_INSTRUCTION = "Answer with the option's letter from the given choices directly."
OPEN_INSTRUCTION = "Answer the question using a single word or phrase."
IMAGE_COLUMNS = tuple(f"image_{k}" for k in range(1, 8))
_PLACEHOLDER = re.compile(r"<image (\d+)>")


def official_prompt(question: str, options: Mapping[str, str] | None) -> str:
    """The question, then for multiple choice one `(A) text` line per option and a blank
    line (each option line ends with a newline), then the instruction."""
    if options is None:
        return f"{question}\n{OPEN_INSTRUCTION}"
    return f"{question}\n{lettered(options, 'paren')}\n\n{CHOICE_INSTRUCTION}"


def referenced_images(texts: Iterable[str], present: Iterable[str]) -> tuple[str, ...]:
    """The image columns the question and options name (`<image 2>` -> image_2), in number
    order, each once; when they name none, every image the item has."""
    numbers = sorted({int(n) for text in texts for n in _PLACEHOLDER.findall(text)})
    named = tuple(f"image_{n}" for n in numbers if 1 <= n <= len(IMAGE_COLUMNS))
    return named or tuple(column for column in IMAGE_COLUMNS if column in set(present))
