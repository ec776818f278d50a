"""Rule and NER extractors: pure functions from a ParsedDocument to curated records.

Rules live in ``extractors/rules/*.yaml``; bump :data:`EXTRACTORS_VERSION` when extractor code
changes its output, so ``rules_version`` (see :mod:`fsfdocs.versions`) changes with it.
"""

EXTRACTORS_VERSION = "3"
