"""Chat messages as OpenAI-compatible servers take them: text parts and images as base64
data URLs with their MIME type. Shared by evaluated models and judges behind servers."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mmalign_eval.contracts import ImagePart, MediaRef, Message
from mmalign_eval.media import MediaError

_MAGIC = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


def data_url(media: MediaRef) -> str:
    """The image as a data URL with its MIME type (other formats are sent as PNG)."""
    if media.state != "ready" or media.path is None:
        raise MediaError(f"image file not found or unreadable: {media.path or media.source}")
    try:
        data = Path(media.path).read_bytes()
    except OSError as exc:
        raise MediaError(f"cannot read image {media.path}: {exc.strerror or exc}") from exc
    mime = next((m for magic, m in _MAGIC.items() if data.startswith(magic)), None)
    if mime is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    if mime is None:
        data, mime = _as_png(data, media), "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _as_png(data: bytes, media: MediaRef) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            out = io.BytesIO()
            image.convert("RGB").save(out, format="PNG")
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MediaError(f"corrupt or unreadable image {media.path}: {exc}") from exc


def message_payloads(
    messages: Sequence[Message], detail: str | None = None, plain_text: bool = False
) -> list[dict[str, Any]]:
    """The `messages` of a chat-completions body; an unreadable image raises MediaError.

    plain_text: a message without images is sent as one string (as judges always were).
    """
    out: list[dict[str, Any]] = []
    for message in messages:
        if plain_text and not any(isinstance(p, ImagePart) for p in message.content):
            text = "\n".join(p.text for p in message.content if not isinstance(p, ImagePart))
            out.append({"role": message.role, "content": text})
            continue
        content: list[dict[str, Any]] = []
        for part in message.content:
            if isinstance(part, ImagePart):
                image: dict[str, Any] = {"url": data_url(part.media)}
                if detail is not None:
                    image["detail"] = detail
                content.append({"type": "image_url", "image_url": image})
            else:
                content.append({"type": "text", "text": part.text})
        out.append({"role": message.role, "content": content})
    return out
