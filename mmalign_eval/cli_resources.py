"""`mmalign-eval resources fetch | wordnet | status`: NLP resources metrics need, fetched ahead."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mmalign_eval import resources

resources_app = typer.Typer(
    no_args_is_help=True,
    help="NLP resources (NLTK data, spaCy word vectors) that some metrics need offline.",
)
_out = Console()
_err = Console(stderr=True)


@resources_app.command("fetch")
def fetch(
    nltk: Annotated[bool, typer.Option(help="Fetch the NLTK packages.")] = True,
    spacy_model: Annotated[
        list[str] | None,
        typer.Option(help="spaCy models to fetch (default: AMBER's, when spaCy is installed)."),
    ] = None,
) -> None:
    """Download the resources on a connected machine (NLTK into the harness cache)."""
    models = list(spacy_model or [])
    if spacy_model is None:
        if importlib.util.find_spec("spacy") is not None:
            models = [resources.AMBER_SPACY_MODEL]
        else:
            _err.print(
                f"spaCy is not installed: skipping {resources.AMBER_SPACY_MODEL} "
                f"(AMBER generative needs it; {escape(resources.SPACY_EXTRA_HINT)})"
            )
    packages = resources.NLTK_PACKAGES if nltk else ()
    resources.fetch(packages, models)
    if packages:
        _err.print(f"NLTK data in {resources.nltk_data_dir()}")
    _print_status(models or [resources.AMBER_SPACY_MODEL])


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
    _err.print(f"WordNet copied from {escape(str(source))} to {escape(str(target))}")


@resources_app.command("status")
def status() -> None:
    """Which resources are present; exits 1 when any is missing."""
    if not _print_status([resources.AMBER_SPACY_MODEL]):
        raise typer.Exit(1)


def _print_status(models: list[str]) -> bool:
    rows = resources.status(resources.NLTK_PACKAGES, models)
    table = Table("resource", "kind", "present", "detail")
    for row in rows:
        table.add_row(row.name, row.kind, "yes" if row.present else "no", escape(row.detail))
    _out.print(table)
    return all(row.present for row in rows)
