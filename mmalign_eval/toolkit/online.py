"""Is the Hugging Face Hub reachable? Asked once, before any download.

Without network, huggingface_hub and datasets retry each request with backoff (27 s
measured before their error). One short TCP connect to the Hub endpoint answers the
question up front; when it fails (or HF_HUB_OFFLINE is set), the libraries are switched to
offline mode, so what is in the local cache still loads and the rest fails at once with
the harness's own error.
"""

from __future__ import annotations

import os
import socket
import sys
from functools import cache
from urllib.parse import urlparse

PROBE_TIMEOUT_S = 3.0
_TRUE = {"1", "on", "yes", "true"}


def _env_offline() -> bool:
    names = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")
    return any(os.environ.get(n, "").strip().lower() in _TRUE for n in names)


def _endpoint() -> tuple[str, int]:
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    return url.hostname or "huggingface.co", url.port or (80 if url.scheme == "http" else 443)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def _go_offline() -> None:
    """Offline mode for this process, in the environment and in libraries already imported
    (they read the variables when first imported)."""
    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ[name] = "1"
    hub = sys.modules.get("huggingface_hub.constants")
    if hub is not None:
        hub.HF_HUB_OFFLINE = True  # type: ignore[attr-defined]
    config = sys.modules.get("datasets.config")
    if config is not None:
        config.HF_HUB_OFFLINE = True  # type: ignore[attr-defined]
        config.HF_DATASETS_OFFLINE = True  # type: ignore[attr-defined]


@cache
def _offline_reason() -> str:
    """Why the Hub is offline for this process ('' when it is reachable); asked once."""
    if _env_offline():
        _go_offline()
        return "offline mode: HF_HUB_OFFLINE is set"
    host, port = _endpoint()
    if _reachable(host, port):
        return ""
    _go_offline()
    return f"the Hub at {host}:{port} is unreachable"


def hub_online() -> bool:
    """Whether the Hub can be reached; when not, the process is switched to offline mode."""
    return not _offline_reason()


def offline_note() -> str:
    """The cause to put in a download error when the Hub is offline ('' when online)."""
    reason = _offline_reason()
    return f" ({reason})" if reason else ""
