"""The ``fsfdocs`` console script.

Each group of commands lives in a module of :mod:`fsfdocs.commands` with a ``register(app)``
function, so this file stays a table of contents and start-up imports nothing heavy.
"""

from __future__ import annotations

import importlib

import typer

from fsfdocs.settings import configure_environment

configure_environment()

app = typer.Typer(
    help="fsfdocs: PDF documents of Funktionsstödsförvaltningen to clean, queryable Parquet.",
    no_args_is_help=True,
    add_completion=False,
)

COMMAND_MODULES = ("ingest", "store", "ner", "evaluate", "rules", "reextract", "serve")

for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"fsfdocs.commands.{_name}")
    except ModuleNotFoundError as exc:  # a command group not built yet
        if exc.name != f"fsfdocs.commands.{_name}":
            raise
        continue
    _module.register(app)


if __name__ == "__main__":
    app()
