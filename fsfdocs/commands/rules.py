"""``fsfdocs rules``: the current rules version and the files it covers."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table


def rules() -> None:
    """Print the rules version (stored on every curated record) and the rule files it hashes."""
    from fsfdocs.versions import compute_rules_version

    rv = compute_rules_version()
    console = Console()
    console.print(f"rules_version [bold]{rv.version}[/] (extractor code version "
                  f"{rv.extractors_version})")
    table = Table("file", "sha256")
    for path, digest in rv.files:
        table.add_row(path, digest[:16])
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``rules`` to the CLI."""
    app.command("rules")(rules)
