"""`mmalign-eval leaderboard add | show | diff | export | import-lmms | validate`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from mmalign_eval.cli.console import err, out
from mmalign_eval.cli.groups import OptionGroup, option_groups
from mmalign_eval.leaderboard.io import DEFAULT_BOARDS_DIR

leaderboard_app = typer.Typer(
    rich_markup_mode=None,  # plain click help fits 80 columns (see cli/__init__.py)
    no_args_is_help=True,
    help="Compare runs and published rows side by side, with the settings behind each number.",
)

BoardsDir = Annotated[
    Path,
    typer.Option(
        "--boards-dir",
        help="Folder of your leaderboard files; boards not there are read from the shipped ones.",
    ),
]
BoardOpt = Annotated[str, typer.Option("--board", help="Leaderboard name (file <name>.json).")]


@dataclass(frozen=True)
class RankOptions(OptionGroup):
    """How show and export order the board's entries."""

    sort: Annotated[
        str | None, typer.Option("--sort", help="TASK or TASK:METRIC (default: first column).")
    ] = None
    mixed_settings: Annotated[
        bool,
        typer.Option(
            "--mixed-settings/--separate-settings",
            help="Rank entries whose settings differ on the sorted benchmark together (marked).",
        ),
    ] = False


class ExportFormat(str, Enum):
    """Export formats."""

    md = "md"
    csv = "csv"
    html = "html"


def _store(board_name: str, boards_dir: Path, entry: object, benchmarks: list[object]) -> None:
    from mmalign_eval.leaderboard.build import add_entry
    from mmalign_eval.leaderboard.io import check_name, check_user_dir, load_board, save_board
    from mmalign_eval.leaderboard.schema import Benchmark, Board, Entry
    from mmalign_eval.locks import exclusive

    assert isinstance(entry, Entry)
    columns = [b for b in benchmarks if isinstance(b, Benchmark)]
    name = check_name(board_name)
    check_user_dir(boards_dir)
    # Read, add and write under one lock: concurrent adds wait their turn, none is lost.
    with exclusive(boards_dir / f".{name}.lock", f"leaderboard {name}", wait_s=300):
        board = load_board(name, boards_dir, missing_ok=True) or Board(name=name)
        board, replaced = add_entry(board, entry, columns)
        path = save_board(board, boards_dir)
    err.print(f"{'replaced' if replaced else 'added'} {entry.id} in {path}")


@leaderboard_app.command()
def add(
    run: Annotated[Path, typer.Argument(help="A run folder (or its results.json).")],
    board: BoardOpt,
    method: Annotated[str | None, typer.Option(help="Alignment method; omit for a base.")] = None,
    base: Annotated[str | None, typer.Option(help="Base model the method was applied to.")] = None,
    model: Annotated[str | None, typer.Option(help="Row name (default: the run's model).")] = None,
    entry_id: Annotated[
        str | None, typer.Option("--id", help="Entry id (default: run id).")
    ] = None,
    boards_dir: BoardsDir = DEFAULT_BOARDS_DIR,
) -> None:
    """Add a harness run to a leaderboard (replacing an entry with the same id)."""
    from mmalign_eval.leaderboard.build import entry_from_run

    entry, columns = entry_from_run(run, entry_id=entry_id, model=model, method=method, base=base)
    _store(board, boards_dir, entry, list(columns))


@leaderboard_app.command("import-lmms")
def import_lmms(
    results: Annotated[Path, typer.Argument(help="lmms-eval results_*.json.")],
    board: BoardOpt,
    samples: Annotated[
        list[Path] | None, typer.Option(help="samples_<task>_*.jsonl (default: found beside).")
    ] = None,
    method: Annotated[str | None, typer.Option(help="Alignment method; omit for a base.")] = None,
    base: Annotated[str | None, typer.Option(help="Base model the method was applied to.")] = None,
    model: Annotated[str | None, typer.Option(help="Row name (default: from the file).")] = None,
    entry_id: Annotated[
        str | None, typer.Option("--id", help="Entry id (default: from the file).")
    ] = None,
    boards_dir: BoardsDir = DEFAULT_BOARDS_DIR,
) -> None:
    """Import an lmms-eval results file; metrics that mean something else are refused."""
    from mmalign_eval.leaderboard.lmms_import import find_samples
    from mmalign_eval.leaderboard.lmms_import import import_lmms as do_import

    found = find_samples(results, samples or [])
    imported = do_import(results, found, entry_id=entry_id, model=model, method=method, base=base)
    for reason in imported.refused:
        err.print(f"[yellow]refused:[/] {reason}", highlight=False, soft_wrap=True)
    _store(board, boards_dir, imported.entry, list(imported.benchmarks))


def _print_settings(board_name: str, cols: list[object]) -> None:
    """Each benchmark's settings sets, one line per letter (lines wrap, nothing is cut)."""
    from mmalign_eval.leaderboard.view import Column

    out.print(f"[bold]settings per benchmark ({board_name})[/]")
    for col in cols:
        assert isinstance(col, Column)
        for key, letter in col.letters.items():
            stated = [k or "not stated" for k in key[:4]]
            if len(key) > 4:  # unknown settings only match within their own source
                stated[-1] += f" (only within {key[4]})"
            fields = zip(("protocol", "judge", "data", "subset"), stated, strict=True)
            text = "; ".join(f"{name} {value}" for name, value in fields)
            out.print(f"{col.benchmark.task} {letter}: {text}", highlight=False)


@leaderboard_app.command()
@option_groups
def show(
    *,
    name: Annotated[str, typer.Argument(help="Leaderboard name.")],
    ranking: RankOptions,
    tasks: Annotated[
        str | None, typer.Option("--tasks", help="Comma-separated benchmarks to show.")
    ] = None,
    boards_dir: BoardsDir = DEFAULT_BOARDS_DIR,
) -> None:
    """Print the board: one column per benchmark's primary metric, ranks in groups."""
    from mmalign_eval.cli.wide import WideRow, WideTable, print_wide
    from mmalign_eval.leaderboard.io import require_board
    from mmalign_eval.leaderboard.view import cell, columns, section_label, sections

    board = require_board(name, boards_dir)
    cols = columns(board, [t.strip() for t in tasks.split(",")] if tasks else None)
    task, metric, parts = sections(board, ranking.sort, ranking.mixed_settings)
    sources: dict[str, int] = {}
    rows: list[WideRow] = []
    for index, ranked in enumerate(parts):
        if index:
            rows.append(WideRow((), section=section_label(ranked[0].letter, task)))
        for row in ranked:
            source = sources.setdefault(row.entry.source_label, len(sources) + 1)
            values = [cell(row.entry, c) for c in cols]
            rows.append(WideRow(
                (row.rank_label, row.entry.model, str(source)),
                tuple(f"[yellow]{v.text}[/]" if v.flagged else v.text for v in values),
            ))  # fmt: skip
    headers = tuple(f"{c.benchmark.category}\n{c.header}" for c in cols)
    title = f"{board.name}: sorted by {task} {metric}"
    print_wide(WideTable(title, ("#", "model", "src"), headers, rows), out)
    _print_sources(sources)
    out.print(
        "rank: '=' shares the rank (difference not significant at 5%), '~' order by value "
        "only (no uncertainty known); a letter after a value names its settings (below); "
        "each section is ranked apart"
    )
    _print_settings(board.name, list(cols))


@leaderboard_app.command()
def diff(
    name: Annotated[str, typer.Argument(help="Leaderboard name.")],
    base: Annotated[str, typer.Option(help="Base model, e.g. LLaVA-1.5-7B.")],
    boards_dir: BoardsDir = DEFAULT_BOARDS_DIR,
) -> None:
    """Each method's change against its base model per benchmark (green better, red worse)."""
    from mmalign_eval.cli.wide import WideRow, WideTable, print_wide
    from mmalign_eval.errors import UsageError
    from mmalign_eval.leaderboard.diff import board_changes
    from mmalign_eval.leaderboard.io import require_board
    from mmalign_eval.leaderboard.view import ARROWS, columns

    board = require_board(name, boards_dir)
    rows = board_changes(board, base)
    if not rows:
        raise UsageError(
            f"no method entries with base model '{base}' in {name}",
            "entries name their base with `leaderboard add --base`",
        )
    cols = {c.benchmark.task for c in columns(board)}
    shown = [b for b in board.benchmarks if b.task in cols]
    sources: dict[str, int] = {}
    lines = []
    for changes in rows:
        entry = changes[0].entry
        source = sources.setdefault(entry.source_label, len(sources) + 1)
        cells = tuple(_change_text(ch) for ch in changes if ch.task in cols)
        lines.append(WideRow((entry.method or entry.model, str(source)), cells))
    headers = tuple(f"{b.title}\n{b.primary}" for b in shown)
    title = f"{board.name}: change against {base} (method - base)"
    print_wide(WideTable(title, ("method", "src"), headers, lines), out)
    _print_sources(sources)
    out.print(
        f"green: better ({ARROWS['higher']}/{ARROWS['lower']} per metric), red: worse; "
        "* significant at 5%; 'no comparable base': no base entry with the same settings"
    )


def _print_sources(sources: dict[str, int]) -> None:
    """The sources the `src` column numbers, one per line (long titles never squeeze it)."""
    for label, number in sources.items():
        out.print(f"src {number}: {label}", highlight=False)


def _change_text(change: object) -> str:
    from mmalign_eval.leaderboard.diff import Change

    assert isinstance(change, Change)
    delta = change.delta
    if delta is None:
        return f"[dim]{change.reason or '-'}[/]"
    star = "*" if change.significant else ""
    colour = {True: "green", False: "red"}.get(change.better) if change.better is not None else None
    text = f"{delta:+.2f}{star}"
    return f"[{colour}]{text}[/]" if colour else text


@leaderboard_app.command()
@option_groups
def export(
    *,
    name: Annotated[str, typer.Argument(help="Leaderboard name.")],
    format: Annotated[ExportFormat, typer.Option("--format", help="md, csv or html.")],
    output: Annotated[
        Path | None,
        typer.Option(
            help="File to write (default: stdout; html: results/leaderboards/<name>.html)."
        ),
    ] = None,
    ranking: RankOptions,
    boards_dir: BoardsDir = DEFAULT_BOARDS_DIR,
) -> None:
    """Export the board as Markdown, CSV or one self-contained HTML page."""
    from mmalign_eval.leaderboard.export_csv import to_csv
    from mmalign_eval.leaderboard.export_html import to_html
    from mmalign_eval.leaderboard.export_md import to_markdown
    from mmalign_eval.leaderboard.io import require_board

    board = require_board(name, boards_dir)
    if format is ExportFormat.csv:
        text = to_csv(board)
    elif format is ExportFormat.md:
        text = to_markdown(board, ranking.sort, ranking.mixed_settings)
    else:
        text = to_html(board, ranking.sort, ranking.mixed_settings)
    if output is None and format is ExportFormat.html:
        output = DEFAULT_BOARDS_DIR / f"{name}.html"  # a page, not text for a terminal
    if output is None:
        print(text, end="")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    err.print(f"wrote {output}")


@leaderboard_app.command("validate")
def validate_board(
    name: Annotated[str, typer.Argument(help="Leaderboard name.")],
    boards_dir: BoardsDir = DEFAULT_BOARDS_DIR,
) -> None:
    """Check a leaderboard file against the schema."""
    from mmalign_eval.leaderboard.io import require_board

    board = require_board(name, boards_dir)
    out.print(
        f"{name}: valid leaderboard schema {board.schema_version}, "
        f"{len(board.entries)} entries, {len(board.benchmarks)} benchmarks"
    )
