"""Analyst commands over the curated store: ``query``, ``tables``, ``shell``, ``compact``.

All of them run DuckDB in-process over views named after the tables (see
:mod:`fsfdocs.store.views`) and take ``--curated DIR``.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from fsfdocs.settings import DEFAULT_CURATED

CURATED = typer.Option(str(DEFAULT_CURATED), "--curated",
                       help="Curated Parquet store (a folder or s3://bucket/prefix).")


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def _connect(curated: str) -> Any:
    from fsfdocs.store import Store

    return Store(curated).connect()


def _cell(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def print_relation(console: Console, rel: Any, max_rows: int) -> None:
    """Print a DuckDB relation as a rich table (first ``max_rows`` rows)."""
    columns = rel.columns
    rows = rel.limit(max_rows + 1).fetchall()
    table = Table(show_header=True, header_style="bold")
    for name, typ in zip(columns, rel.types, strict=True):
        numeric = str(typ).upper() in {"BIGINT", "INTEGER", "DOUBLE", "HUGEINT", "DECIMAL",
                                       "SMALLINT", "FLOAT"} or str(typ).startswith("DECIMAL")
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for row in rows[:max_rows]:
        table.add_row(*(_cell(v) for v in row))
    console.print(table)
    more = "" if len(rows) <= max_rows else f" (first {max_rows} shown; use --max-rows)"
    console.print(f"[dim]{min(len(rows), max_rows)} rows{more}[/]")


def _copy_options(fmt: Format) -> str:
    return {Format.csv: "FORMAT csv, HEADER true", Format.json: "FORMAT json, ARRAY true",
            Format.parquet: "FORMAT parquet"}[fmt]


def query(
    sql: str = typer.Argument(..., help="SQL over the views (documents, amounts, …)."),
    curated: str = CURATED,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write results here."),
    max_rows: int = typer.Option(100, help="Rows to print in table format."),
) -> None:
    """Run SQL with DuckDB over the curated tables; print or write the result."""
    import duckdb

    con = _connect(curated)
    try:
        rel = con.sql(sql)
    except duckdb.Error as exc:
        Console(stderr=True).print(f"[red]SQL error:[/] {exc}")
        raise typer.Exit(2) from None
    if rel is None:  # a statement without result (e.g. SET)
        return
    if fmt is Format.table and output is None:
        print_relation(Console(), rel, max_rows)
        return
    if fmt is Format.table:
        fmt = Format.csv
    if fmt is Format.parquet and output is None:
        Console(stderr=True).print("[red]error:[/] --format parquet needs --output FILE")
        raise typer.Exit(2)
    if output is None:  # csv / json to stdout
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"out.{fmt.value}"
            rel.to_view("__result")
            con.execute(f"COPY (SELECT * FROM __result) TO '{path}' ({_copy_options(fmt)})")
            sys.stdout.write(path.read_text(encoding="utf-8"))
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    rel.to_view("__result")
    target = str(output).replace("'", "''")
    con.execute(f"COPY (SELECT * FROM __result) TO '{target}' ({_copy_options(fmt)})")
    n = con.sql("SELECT count(*) FROM __result").fetchone()[0]
    Console(stderr=True).print(f"wrote {n} rows to {output}")


def tables(curated: str = CURATED) -> None:
    """List the curated tables with their row counts, files and columns."""
    from fsfdocs.store import Store

    store = Store(curated)
    con = store.connect()
    out = Table(title=f"Tables in {curated}", show_header=True, header_style="bold")
    for col, justify in (("table", "left"), ("rows", "right"), ("files", "right"),
                         ("columns", "left")):
        out.add_column(col, justify=justify, overflow="fold")
    from schemas import SCHEMAS

    for name, schema in SCHEMAS.items():
        n = con.sql(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        out.add_row(name, str(n), str(len(store.table_files(name))), ", ".join(schema.names))
    Console().print(out)


SHELL_HELP = """Enter SQL ending with ';'. Commands: .tables  .schema TABLE  .help  .quit"""


def run_shell(con: Any, lines: Any, console: Console, interactive: bool) -> int:
    """Read SQL statements from ``lines`` and print their results; returns the error count."""
    import duckdb

    buffer: list[str] = []
    errors = 0

    def prompt() -> None:
        if interactive:
            console.print("fsfdocs> " if not buffer else "   ...> ", end="")

    prompt()
    for raw in lines:
        line = raw.rstrip("\n")
        stripped = line.strip()
        if not buffer and stripped.startswith("."):
            cmd, _, arg = stripped.partition(" ")
            if cmd in (".quit", ".exit"):
                break
            if cmd == ".help":
                console.print(SHELL_HELP)
            elif cmd == ".tables":
                console.print("  ".join(r[0] for r in con.sql("SHOW TABLES").fetchall()))
            elif cmd == ".schema" and arg:
                print_relation(console, con.sql(f'DESCRIBE "{arg.strip()}"'), 200)
            else:
                console.print(f"[red]unknown command[/] {stripped} ({SHELL_HELP})")
                errors += 1
            prompt()
            continue
        if stripped:
            buffer.append(line)
        if buffer and stripped.endswith(";"):
            sql = "\n".join(buffer)
            buffer.clear()
            try:
                rel = con.sql(sql)
                if rel is not None:
                    print_relation(console, rel, 100)
            except duckdb.Error as exc:
                console.print(f"[red]error:[/] {exc}")
                errors += 1
        prompt()
    return errors


def shell(curated: str = CURATED) -> None:
    """Interactive DuckDB SQL session with the curated views defined (reads stdin)."""
    con = _connect(curated)
    console = Console()
    interactive = sys.stdin.isatty()
    if interactive:
        console.print(f"fsfdocs shell on {curated}. {SHELL_HELP}")
    errors = run_shell(con, sys.stdin, console, interactive)
    raise typer.Exit(1 if errors and not interactive else 0)


def compact(
    curated: str = CURATED,
    lock_timeout: float = typer.Option(600.0, help="Seconds to wait for the store lock."),
) -> None:
    """Merge the store's small Parquet files (rows unchanged)."""
    from fsfdocs.store import Store, StoreLockTimeout

    store = Store(curated, lock_timeout_s=lock_timeout)
    try:
        stats = store.compact()
    except StoreLockTimeout as exc:
        Console(stderr=True).print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    out = Table(title="compact", show_header=True)
    for col in ("table", "files before", "files after"):
        out.add_column(col)
    for name, (before, after) in stats.items():
        out.add_row(name, str(before), str(after))
    Console().print(out)


def register(app: typer.Typer) -> None:
    """Add ``query``, ``tables``, ``shell`` and ``compact`` to the CLI."""
    app.command("query")(query)
    app.command("tables")(tables)
    app.command("shell")(shell)
    app.command("compact")(compact)
