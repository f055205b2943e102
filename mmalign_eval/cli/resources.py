"""`mmalign-eval resources fetch | wordnet | status`: NLP resources metrics need, fetched ahead."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from mmalign_eval import resources
from mmalign_eval.cli.console import err, out

resources_app = typer.Typer(
    rich_markup_mode=None,  # plain click help fits 80 columns (see cli/__init__.py)
    no_args_is_help=True,
    help="NLP resources (NLTK data, spaCy word vectors) that some metrics need offline.",
)


def declared() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The NLTK packages and spaCy models the registered tasks' protocols need."""
    from mmalign_eval.registry import build_registry

    tasks = build_registry().tasks.values()
    return resources.union([p.needs for t in tasks for p in t.protocols if p.needs is not None])


@resources_app.command("fetch")
def fetch(
    nltk: Annotated[bool, typer.Option(help="Fetch the NLTK packages.")] = True,
    spacy_model: Annotated[
        list[str] | None,
        typer.Option(
            help="spaCy models to fetch (default: those tasks need, when spaCy is installed)."
        ),
    ] = None,
) -> None:
    """Download the resources on a connected machine (NLTK into the harness cache)."""
    packages, needed_models = declared()
    models = list(spacy_model or [])
    if spacy_model is None:
        if importlib.util.find_spec("spacy") is not None:
            models = list(needed_models)
        elif needed_models:
            err.print(
                f"spaCy is not installed: skipping {', '.join(needed_models)} "
                f"({escape(resources.SPACY_INSTALL_HINT)})"
            )
    packages = packages if nltk else ()
    resources.fetch(packages, models)
    if packages:
        err.print(f"NLTK data in {resources.nltk_data_dir()}")
    _print_status(models or list(needed_models))


@resources_app.command("wordnet")
def wordnet(
    source: Annotated[
        Path,
        typer.Option(
            "--from",
            help="A WordNet 3.0 dict folder (Debian: apt-get install "
            f"{resources.DEBIAN_WORDNET_PACKAGES}).",
        ),
    ] = resources.DEBIAN_WORDNET_DIR,
) -> None:
    """Install NLTK's wordnet from a local WordNet 3.0 folder (no download needed)."""
    target = resources.install_wordnet_dict(source)
    err.print(f"WordNet copied from {escape(str(source))} to {escape(str(target))}")


@resources_app.command("status")
def status() -> None:
    """Which resources are present; exits 1 when any is missing."""
    if not _print_status(list(declared()[1])):
        raise typer.Exit(1)


def _print_status(models: list[str]) -> bool:
    rows = resources.status(declared()[0], models)
    table = Table("resource", "kind", "present", "detail")
    for row in rows:
        table.add_row(row.name, row.kind, "yes" if row.present else "no", escape(row.detail))
    out.print(table)
    return all(row.present for row in rows)
