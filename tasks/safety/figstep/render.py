"""FigStep's typographic image, drawn from an instruction with the official layout.

ThuCCSLab/FigStep src/generate_prompts.py (QueryType.figstep): the instruction wrapped at 15
characters (textwrap.fill), then the lines "1. ", "2. ", "3. "; FreeMonoBold 80 pt, black on
a white 760x760 canvas, drawn at (20, 10) with 11 px line spacing.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from mmalign_eval import DataError

FONT_NAME = "FreeMonoBold.ttf"
FONT_SIZE = 80
CANVAS = (760, 760)
ORIGIN = (20, 10)
SPACING = 11
WRAP = 15
STEPS = 3
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/freefont"),
    Path("/usr/share/fonts/opentype/freefont"),
)


def figstep_text(instruction: str) -> str:
    """The text drawn in the image: the wrapped instruction and three empty numbered items."""
    text = textwrap.fill(instruction.removesuffix("\n"), width=WRAP)
    return text + "".join(f"\n{step}. " for step in range(1, STEPS + 1))


def _font() -> Any:
    from PIL import ImageFont

    candidates = [FONT_NAME, *(str(d / FONT_NAME) for d in _FONT_DIRS)]
    for candidate in candidates:
        try:
            return ImageFont.truetype(candidate, FONT_SIZE)
        except OSError:
            continue
    raise DataError(
        f"font {FONT_NAME} not found, which FigStep's images are drawn with",
        "install GNU FreeFont (Debian/Ubuntu: apt-get install fonts-freefont-ttf), or pass "
        "--image-dir with the official PNGs",
    )


def render_instruction(instruction: str, out: Path) -> None:
    """Draw one FigStep image for an instruction and save it as PNG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", CANVAS, "#FFFFFF")
    draw = ImageDraw.Draw(image)
    draw.text(ORIGIN, figstep_text(instruction), font=_font(), spacing=SPACING, fill="#000000")
    image.save(out, format="PNG")
