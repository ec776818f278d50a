"""Rule files: read from the folder in force, re-read when edited, fixed within a snapshot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from extractors.rules_loader import RuleFileError, load_rules, rules_snapshot


def _write(folder: Path, text: str, bump: int = 0) -> None:
    path = folder / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    st = path.stat()  # a distinct modification time, as a later edit would have
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000_000))


@pytest.fixture()
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    _write(a, "value: a1\n")
    _write(b, "value: b1\n")
    monkeypatch.setenv("FSFDOCS_RULES_DIR", str(a))
    return a, b


def test_an_edited_file_is_read_again(folders: tuple[Path, Path]) -> None:
    a, _ = folders
    assert load_rules("demo.yaml") == {"value": "a1"}
    _write(a, "value: a2\n", bump=5)
    assert load_rules("demo.yaml") == {"value": "a2"}
    with pytest.raises(RuleFileError, match="missing.yaml: rule file not found"):
        load_rules("missing.yaml")


def test_a_snapshot_keeps_one_version_of_each_file_until_it_ends(
    folders: tuple[Path, Path],
) -> None:
    a, _ = folders
    with rules_snapshot():
        assert load_rules("demo.yaml") == {"value": "a1"}
        _write(a, "value: a2\n", bump=5)  # edited while a document is being extracted
        assert load_rules("demo.yaml") == {"value": "a1"}
        with rules_snapshot():  # a nested block shares it
            assert load_rules("demo.yaml") == {"value": "a1"}
    assert load_rules("demo.yaml") == {"value": "a2"}


def test_a_snapshot_of_another_folder_overrides_the_one_in_force(
    folders: tuple[Path, Path],
) -> None:
    """A worker process started under one FSFDOCS_RULES_DIR extracts with its caller's."""
    _, b = folders
    with rules_snapshot(str(b)):
        assert load_rules("demo.yaml") == {"value": "b1"}
    assert load_rules("demo.yaml") == {"value": "a1"}
