"""Project paths and process-wide settings (Prefect home, analytics, thread limits)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW = Path("data/raw")
DEFAULT_CURATED = Path("data/curated")
DEFAULT_INTERIM = Path("data/interim")
MODELS_DIR = PROJECT_ROOT / "models"
RULES_DIR = PROJECT_ROOT / "extractors" / "rules"


def rules_dir() -> str:
    """The rule folder in force: ``FSFDOCS_RULES_DIR`` when set (tests, rule experiments)."""
    return os.environ.get("FSFDOCS_RULES_DIR") or str(RULES_DIR)


def prefect_home() -> Path:
    """The Prefect home in force: ``$PREFECT_HOME`` or ``.prefect/`` in the project."""
    return Path(os.environ.get("PREFECT_HOME") or PROJECT_ROOT / ".prefect")


def configure_environment() -> None:
    """Set defaults every fsfdocs process needs, before Prefect is imported.

    Prefect runs with its embedded temporary server and its home inside the project (or wherever
    ``PREFECT_HOME`` already points); analytics are off; tesseract uses one thread per process.
    """
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
    # fsfdocs uses no Prefect blocks; registering them slows every server start.
    os.environ.setdefault("PREFECT_API_BLOCKS_REGISTER_ON_START", "false")
    if (Path(os.environ["PREFECT_HOME"]) / ".migrated").is_file():
        # scripts/setup.sh migrated this database at install time (see docs/adr/0005).
        os.environ.setdefault("PREFECT_API_DATABASE_MIGRATE_ON_START", "false")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    # The first start of the temporary server migrates its SQLite database: allow for it.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
