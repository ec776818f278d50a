"""Raw PDFs, the parse cache and the curated store on S3: against a local moto S3 server.

The server runs in this process on 127.0.0.1 (a free port); the code under test reaches it only
through the standard AWS environment (``FSFDOCS_S3_ENDPOINT`` and the AWS credentials), like a
worker on another machine would.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from fsfdocs import storage
from fsfdocs.discovery import discover_raw_files, sha256_of
from fsfdocs.model import ParsedDocument
from fsfdocs.parse.cache import cache_path, load_parsed, save_parsed
from fsfdocs.store import Store, StoreLockTimeout, layout
from fsfdocs.store.lock import LOCK_NAME, s3_store_lock
from tests.conftest import RAW_DIR
from tests.test_store import make_doc

BUCKET = "fsfdocs-test"
TEXT_LAYER = ["ansokan-sociala-insatser-lokal-utveckling-2023.pdf",
              "finsam-ansokan-make-it-work-2020.pdf"]
ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
       "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    """A moto S3 server on 127.0.0.1 with one bucket; yields a boto3 client on it."""
    moto_server = pytest.importorskip("moto.server")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = {k: os.environ.get(k) for k in [*ENV, "FSFDOCS_S3_ENDPOINT"]}
    os.environ.update(ENV, FSFDOCS_S3_ENDPOINT=f"http://127.0.0.1:{port}")
    client = storage.s3_client()
    client.create_bucket(Bucket=BUCKET)
    try:
        yield client
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.stop()


def keys(client: Any, prefix: str) -> list[str]:
    """Every object key under ``prefix``."""
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


@pytest.fixture
def prefix() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


# ----------------------------------------------------------------------- atomic publish
def test_publish_copies_whole_object_and_removes_temp(s3: Any, prefix: str) -> None:
    store = Store(f"s3://{BUCKET}/{prefix}")
    data = pa.table({"x": list(range(1000))})
    tmp = store._write_tmp(data)
    assert keys(s3, f"{prefix}/") == [f"{prefix}/{tmp}"]  # only the temporary object exists
    store.fs.move(tmp, "t/doc_type=x/doc-1.parquet")
    assert keys(s3, f"{prefix}/") == [f"{prefix}/t/doc_type=x/doc-1.parquet"]  # no _tmp/ marker
    assert store.fs.read_parquet("t/doc_type=x/doc-1.parquet").equals(data)


def test_store_round_trip_and_duckdb_views(s3: Any, prefix: str) -> None:
    url = f"s3://{BUCKET}/{prefix}/curated"
    store = Store(url)
    assert store.replace_document_rows("a" * 64, "arsanalys", 2024, make_doc("a" * 64, seed=1),
                                       run_id="run-1", rules_version="rv1") == []
    assert store.replace_document_rows("b" * 64, "ansokan", 2023, make_doc("b" * 64, seed=2),
                                       run_id="run-1", rules_version="rv1") == []
    con = Store(url).connect()
    assert con.sql("SELECT doc_type, count(*) FROM amounts GROUP BY 1 ORDER BY 1").fetchall() \
        == [("ansokan", 20), ("arsanalys", 20)]
    assert con.sql("SELECT count(*) FROM documents").fetchone()[0] == 2
    assert con.sql("SELECT count(*) FROM checks").fetchone()[0] == 0  # empty table still a view
    # replacing one document rewrites only its rows; a re-extraction's history is queryable
    store.snapshot_history("run-2", "a" * 64, store.read_document_rows("a" * 64, ["amounts"]))
    store.replace_document_rows("a" * 64, "arsanalys", 2024, {"amounts": []}, run_id="run-2")
    con = store.connect()
    assert con.sql("SELECT count(*) FROM amounts").fetchone()[0] == 20
    assert con.sql("SELECT DISTINCT replaced_by FROM history_amounts").fetchall() == [("run-2",)]
    history = store.document_history("a" * 12)  # run-1's rows, partly replaced later
    assert [r["run_id"] for r in history] == ["run-1"]
    assert "rows replaced later" in history[0]["what"]
    store.compact()
    assert Store(url).read("amounts").num_rows == 20
    assert all(f.startswith("s3://") for f in store.table_files("amounts"))
    left = keys(s3, f"{prefix}/curated/")
    assert not [k for k in left if "/_tmp/" in k or "/_journal/" in k or k.endswith(LOCK_NAME)]


def test_interrupted_commit_is_rolled_forward_by_next_writer(s3: Any, prefix: str) -> None:
    url = f"s3://{BUCKET}/{prefix}"
    store = Store(url)
    tmp = store._write_tmp(pa.table({"x": [1, 2, 3]}))
    orphan = store._write_tmp(pa.table({"x": [9]}))
    # a writer killed after writing its journal, before applying it
    store.fs.write_json(f"{layout.JOURNAL_DIR}/dead.json",
                        {"moves": [[tmp, "t/doc-1.parquet"]], "deletes": []})
    with Store(url).lock():
        pass
    assert keys(s3, f"{prefix}/") == [f"{prefix}/t/doc-1.parquet"]
    assert store.fs.read_parquet("t/doc-1.parquet").column("x").to_pylist() == [1, 2, 3]
    assert not store.fs.exists(orphan)


# ----------------------------------------------------------------------- the S3 lock
def test_lock_is_exclusive_and_names_its_holder(s3: Any, prefix: str) -> None:
    key = f"{prefix}/{LOCK_NAME}"
    other = {"pid": 4242, "host": "worker-7", "since": "2026-01-01T00:00:00+00:00",
             "expires": time.time() + 600}
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(other).encode())
    with pytest.raises(StoreLockTimeout, match="pid 4242 on worker-7"):
        with Store(f"s3://{BUCKET}/{prefix}").lock(timeout_s=0.3):
            pass
    assert json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())["pid"] == 4242


def test_expired_lock_is_taken_over_and_released(s3: Any, prefix: str) -> None:
    key = f"{prefix}/{LOCK_NAME}"
    dead = {"pid": 1, "host": "gone", "since": "2026-01-01T00:00:00+00:00",
            "expires": time.time() - 1}
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(dead).encode())
    with Store(f"s3://{BUCKET}/{prefix}").lock(timeout_s=5):
        held = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
        assert (held["pid"], held["expires"] > time.time()) == (os.getpid(), True)
        with Store(f"s3://{BUCKET}/{prefix}").lock(timeout_s=0):  # re-entrant in a process
            pass
        assert keys(s3, key) == [key]
    assert keys(s3, key) == []


def test_lock_is_renewed_while_held(s3: Any, prefix: str) -> None:
    key = f"{prefix}/{LOCK_NAME}"
    with s3_store_lock(f"s3://{BUCKET}/{prefix}", timeout_s=1, lease_s=0.6):
        first = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())["expires"]
        time.sleep(0.9)
        later = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())["expires"]
        assert later > first and later > time.time()
    assert keys(s3, key) == []


# ----------------------------------------------------------------------- raw and cache
def test_discovery_lists_and_hashes_pdf_objects(s3: Any, prefix: str) -> None:
    pdf = RAW_DIR / TEXT_LAYER[0]
    s3.upload_file(str(pdf), BUCKET, f"{prefix}/raw/sub/{pdf.name}")
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/raw/late.pdf.part", Body=b"%PDF-")
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/raw/.hidden/x.pdf", Body=b"%PDF-")
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/raw/notes.txt", Body=b"x")
    found = discover_raw_files(f"s3://{BUCKET}/{prefix}/raw")
    assert [(str(f.path), f.sha256, f.size) for f in found.files] == [
        (f"s3://{BUCKET}/{prefix}/raw/sub/{pdf.name}", sha256_of(pdf), pdf.stat().st_size)]
    assert [f.name for f in found.files] == [pdf.name]
    assert [p.name for p in found.waiting] == ["late.pdf.part"]
    assert discover_raw_files(f"s3://{BUCKET}/{prefix}/raw", settle_s=3600).files == []
    with storage.local_copy(found.files[0].path) as local:
        assert sha256_of(local) == found.files[0].sha256
    assert not local.exists()  # the temporary copy is gone


def test_parse_cache_round_trip_on_s3(s3: Any, prefix: str) -> None:
    doc = ParsedDocument.from_text("Ansökan om medel\n\nVi söker 250 000 kr för 2024.")
    interim = f"s3://{BUCKET}/{prefix}/interim"
    assert load_parsed(doc.doc_id, interim) is None
    target = save_parsed(doc, interim)
    assert target == cache_path(doc.doc_id, interim) == f"{interim}/parsed/{doc.doc_id}.parquet"
    assert keys(s3, f"{prefix}/") == [f"{prefix}/interim/parsed/{doc.doc_id}.parquet"]
    back = load_parsed(doc.doc_id, interim)
    assert back is not None and back.text == doc.text and len(back.lines) == len(doc.lines)


# ----------------------------------------------------------------------- end to end
@pytest.mark.slow
def test_ingest_end_to_end_on_s3(s3: Any, prefix: str) -> None:
    from flows.ingest import run_ingest
    from fsfdocs.api import read_table
    from fsfdocs.cli import app

    for name in TEXT_LAYER:
        s3.upload_file(str(RAW_DIR / name), BUCKET, f"{prefix}/raw/{name}")
    base = f"s3://{BUCKET}/{prefix}"
    urls = {"raw_dir": f"{base}/raw", "curated_dir": f"{base}/curated",
            "interim_dir": f"{base}/interim"}
    first = run_ingest(**urls, workers=2)
    assert first.ok and sorted(first.new) == sorted(TEXT_LAYER)

    con = Store(urls["curated_dir"]).connect()
    docs = con.sql("SELECT file_name, source_path, doc_id, doc_type FROM documents "
                   "ORDER BY file_name").fetchall()
    assert [(d[0], d[1], d[3]) for d in docs] == [
        (n, f"{base}/raw/{n}", "ansokan") for n in sorted(TEXT_LAYER)]
    assert [d[2] for d in docs] == [sha256_of(RAW_DIR / n) for n in sorted(TEXT_LAYER)]
    n_amounts = con.sql("SELECT count(*) FROM amounts WHERE value_sek > 0").fetchone()[0]
    assert n_amounts > 0
    frame = read_table("amounts", curated=urls["curated_dir"])
    assert len(frame) == con.sql("SELECT count(*) FROM amounts").fetchone()[0]
    assert set(frame["doc_id"]) == {d[2] for d in docs}
    assert len(keys(s3, f"{prefix}/interim/parsed/")) == 2  # the parse cache, on S3 as well

    second = run_ingest(**urls, workers=2)  # idempotent: nothing new
    assert second.new == [] and sorted(second.skipped) == sorted(TEXT_LAYER)
    con = Store(urls["curated_dir"]).connect()
    assert con.sql("SELECT count(*) FROM documents").fetchone()[0] == 2
    assert con.sql("SELECT count(*) FROM runs").fetchone()[0] == 2
    left = keys(s3, f"{prefix}/")
    assert not [k for k in left if "/_tmp/" in k or "/_journal/" in k or k.endswith(LOCK_NAME)]

    result = CliRunner().invoke(app, ["query", "--curated", urls["curated_dir"], "--format",
                                      "csv", "SELECT count(*) AS n FROM documents"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["n", "2"]
