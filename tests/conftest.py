"""Test-session settings: a private, pre-migrated Prefect home; no analytics."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Before anything imports Prefect: each test process gets its own Prefect home, seeded with the
# database that `make setup` migrated, so the temporary server starts without migrating.
_home = Path(tempfile.mkdtemp(prefix="fsfdocs-prefect-"))
_seed = Path(os.environ.get("PREFECT_HOME", ROOT / ".prefect")) / "prefect.db"
if _seed.is_file():
    shutil.copy(_seed, _home / "prefect.db")
    (_home / ".migrated").touch()
os.environ["PREFECT_HOME"] = str(_home)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

RAW_DIR = ROOT / "data" / "raw"
TEST_DATA = ROOT / "tests" / "data"
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
