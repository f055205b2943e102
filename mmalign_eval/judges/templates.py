"""Judge templates: versioned text assets whose sha256 is recorded with every judged number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from mmalign_eval.hashing import sha256_text

_FIELD = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class JudgeTemplate:
    """A named, versioned prompt template with `{field}` placeholders."""

    name: str
    version: str
    text: str

    @cached_property
    def sha256(self) -> str:
        """Hash of the exact template text (part of the judge cache key)."""
        return sha256_text(self.text)

    def render(self, **fields: str) -> str:
        """The template with its placeholders filled; other braces are left alone."""
        # One pass, so a value that itself contains "{question}" is never substituted again.
        return _FIELD.sub(lambda m: fields.get(m.group(1), m.group(0)), self.text)


def load_template(path: Path, name: str, version: str) -> JudgeTemplate:
    """Read a template asset shipped next to a task module."""
    return JudgeTemplate(name=name, version=version, text=path.read_text(encoding="utf-8"))
