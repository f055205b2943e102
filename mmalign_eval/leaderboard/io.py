"""Finding, reading, validating and writing leaderboard files."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from mmalign_eval.errors import HarnessError, UsageError
from mmalign_eval.leaderboard.schema import BOARD_SCHEMA_VERSION, Board
from mmalign_eval.results import write_json

# The user's boards, beside the runs; a shipped board is copied here on its first `add`.
DEFAULT_BOARDS_DIR = Path("results") / "leaderboards"
# Shipped boards are package data of mmalign_eval_leaderboards (the repository's
# leaderboards/ folder), so a non-editable install still finds `hallucination`. They are
# read-only inputs: writing there would ship a user's rows in the next wheel.
PACKAGED_BOARDS = "mmalign_eval_leaderboards"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_name(name: str) -> str:
    """A board name usable as a file name, or a usage error."""
    if not _NAME.match(name):
        raise UsageError(f"invalid board name '{name}'", "use letters, digits, '-', '_' and '.'")
    return name


def board_path(name: str, boards_dir: Path) -> Path:
    """Where the board NAME lives (or will be written) in the boards folder."""
    return boards_dir / f"{check_name(name)}.json"


def packaged_board_text(name: str) -> str | None:
    """The text of a board shipped with the package, or None."""
    try:
        root = resources.files(PACKAGED_BOARDS)
    except ModuleNotFoundError:
        return None
    item = root / f"{name}.json"
    return item.read_text(encoding="utf-8") if item.is_file() else None


def parse_board(text: str, origin: str) -> Board:
    """Validate a board's JSON text against the schema."""
    try:
        return Board.model_validate_json(text)
    except ValidationError as exc:
        raise HarnessError(
            f"{origin} does not follow the leaderboard schema {BOARD_SCHEMA_VERSION}:\n{exc}",
            "see leaderboards/README.md for the schema",
        ) from exc


def load_board(name: str, boards_dir: Path, *, missing_ok: bool = False) -> Board | None:
    """The board from the boards folder, else the shipped copy; None if absent and missing_ok."""
    path = board_path(name, boards_dir)
    if path.is_file():
        return parse_board(path.read_text(encoding="utf-8"), str(path))
    text = packaged_board_text(name)
    if text is not None:
        return parse_board(text, f"packaged board {name}")
    if missing_ok:
        return None
    raise UsageError(
        f"no leaderboard '{name}' in {boards_dir}/", "add an entry with `leaderboard add`"
    )


def require_board(name: str, boards_dir: Path) -> Board:
    """The board, or a usage error naming where it was looked for."""
    board = load_board(name, boards_dir)
    assert board is not None  # load_board raises when missing_ok is False
    return board


def shipped_dir() -> Path | None:
    """The folder of the shipped boards, when the package is installed from files."""
    try:
        root = resources.files(PACKAGED_BOARDS)
    except ModuleNotFoundError:
        return None
    return Path(str(root)) if Path(str(root)).is_dir() else None


def check_user_dir(boards_dir: Path) -> None:
    """Refuse to write into the shipped boards' folder."""
    shipped = shipped_dir()
    if shipped is not None and boards_dir.resolve() == shipped.resolve():
        raise UsageError(
            f"{boards_dir}/ holds the leaderboards shipped with mmalign-eval; they are read-only",
            f"leave out --boards-dir (your boards go to {DEFAULT_BOARDS_DIR}/, starting from "
            "the shipped copy) or pass a folder of your own",
        )


def save_board(board: Board, boards_dir: Path) -> Path:
    """Write the board atomically to <boards_dir>/<name>.json (never a shipped board's)."""
    check_user_dir(boards_dir)
    path = board_path(board.name, boards_dir)
    write_json(path, board)
    return path
