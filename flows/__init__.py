"""Prefect flows: ingest, re-extraction and scheduled serving. Prefect is imported only here."""
