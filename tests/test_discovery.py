"""Finding PDFs to ingest: hashes, hidden and partial files, files still being written."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from fsfdocs.discovery import discover_raw_files, largest_first


def test_discovery_hashes_and_filters(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.pdf").write_bytes(b"%PDF-a")
    (tmp_path / "sub" / "B.PDF").write_bytes(b"%PDF-b")
    (tmp_path / ".hidden.pdf").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "c.pdf.part").write_bytes(b"%PDF-c")
    found = discover_raw_files(tmp_path)
    assert [f.name for f in found.files] == ["a.pdf", "B.PDF"]
    assert found.files[0].sha256 == hashlib.sha256(b"%PDF-a").hexdigest()
    assert [p.name for p in found.waiting] == ["c.pdf.part"]


def test_largest_files_are_processed_first_ties_by_path(tmp_path: Path) -> None:
    for name, size in (("a.pdf", 10), ("b.pdf", 300), ("c.pdf", 10), ("d.pdf", 20)):
        (tmp_path / name).write_bytes(b"%" * size)
    found = discover_raw_files(tmp_path).files
    assert [f.name for f in found] == ["a.pdf", "b.pdf", "c.pdf", "d.pdf"]
    assert [f.name for f in largest_first(found)] == ["b.pdf", "d.pdf", "a.pdf", "c.pdf"]


def test_recently_modified_file_waits(tmp_path: Path) -> None:
    old, fresh = tmp_path / "old.pdf", tmp_path / "fresh.pdf"
    old.write_bytes(b"%PDF-old")
    fresh.write_bytes(b"%PDF-fresh")
    past = time.time() - 120
    os.utime(old, (past, past))
    found = discover_raw_files(tmp_path, settle_s=30)
    assert [f.name for f in found.files] == ["old.pdf"]
    assert [p.name for p in found.waiting] == ["fresh.pdf"]
