"""Command line: `mmalign-eval run | score | judge | tasks | validate | schema | compare |
check | leaderboard | resources`.

Exit codes: 0 done; 1 failures above the threshold or a fatal error; 2 usage error (check
also 3: inconclusive).

Layout, imports only downward: console (consoles, error lines), groups (the option-group
mechanism) and options (option types and groups shared by commands), engine (the engine
registry behind --model) <- one module per command or command family (run, score, judge,
stats, info, leaderboard, resources) <- this module, which assembles the typer app.
"""

from __future__ import annotations

import logging
import os
import sys

import click
import typer

# Modules, not their commands: `from mmalign_eval.cli.run import run` here would shadow the
# submodule mmalign_eval.cli.run with the function (and break patching it by name).
from mmalign_eval.cli import info, judge, leaderboard, resources, run, score, stats
from mmalign_eval.cli.console import err, report_error
from mmalign_eval.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, HarnessError, write_error

__all__ = ["app", "main", "run_cli"]

app = typer.Typer(
    # Plain click help: it wraps option help under the option names, where rich panels at
    # 80 columns (a CI log) squeeze the help into a narrow column and cut words.
    rich_markup_mode=None,
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Evaluate aligned multimodal LLMs on hallucination, safety, reasoning and preference.",
)
app.add_typer(leaderboard.leaderboard_app, name="leaderboard")
app.add_typer(resources.resources_app, name="resources")
# Registration order is the order `mmalign-eval --help` lists the commands in.
app.command()(run.run)
app.command()(score.score)
app.command("judge")(judge.judge)
app.command("tasks")(info.list_tasks)
app.command()(info.validate)
app.command()(info.schema)
app.command()(stats.compare)
app.command()(stats.check)


def run_cli() -> int:
    """Run the command line and return its exit code (usable in-process, e.g. by tests)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    debug = os.environ.get("MMALIGN_EVAL_DEBUG") == "1"
    try:
        code = app(standalone_mode=False)
    except (click.exceptions.ClickException, typer.TyperException) as exc:
        # typer vendors its own click; bad options and unknown commands arrive as either.
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        code = int(getattr(exc, "exit_code", EXIT_USAGE))
    except (click.exceptions.Abort, typer.Abort, KeyboardInterrupt):
        err.print(
            "[red]interrupted:[/] rerun the same command to resume; every answer and judgement "
            "received so far is kept"
        )
        code = 130
    except HarnessError as exc:
        report_error(exc)
        code = exc.exit_code
    except Exception as exc:  # a crash must never exit 0, and users get one line, not a trace
        known = write_error(exc) if isinstance(exc, OSError) else None
        if known is not None and not debug:
            report_error(known)
            return known.exit_code
        if debug:
            raise
        err.print(
            f"[red]internal error:[/] {type(exc).__name__}: {exc}", highlight=False, soft_wrap=True
        )
        err.print("[dim]hint:[/] set MMALIGN_EVAL_DEBUG=1 for the traceback and report it")
        code = EXIT_FAILURE
    return code if isinstance(code, int) else EXIT_OK


def main() -> None:
    """Console entry point: run, flush, and exit without the interpreter's teardown.

    Every file the harness writes is closed (atomically renamed, journal fsynced) before
    this point; tearing down torch and thousands of objects only cost ~1 s per command.
    """
    code = run_cli()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
