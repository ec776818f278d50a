"""Run identifiers and the ``runs`` record every flow writes when it finishes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fsfdocs.versions import PIPELINE_VERSION


def new_run_id(started: datetime) -> str:
    """A sortable, unique run id: start time plus a random suffix."""
    return f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def run_record(
    run_id: str, flow: str, started: datetime, *, new: int, skipped: int, failed: int,
    pages: int, ocr_pages: int, rules_version: str, duration_s: float,
) -> dict[str, Any]:
    """The ``runs`` row of one finished flow run."""
    return {
        "run_id": run_id,
        "flow": flow,
        "started_at": started,
        "finished_at": datetime.now(UTC),
        "docs_new": new,
        "docs_skipped": skipped,
        "docs_failed": failed,
        "pages": pages,
        "ocr_pages": ocr_pages,
        "rules_version": rules_version,
        "pipeline_version": PIPELINE_VERSION,
        "duration_s": duration_s,
    }
