"""Document metadata from content: type, title, year, diarienummer, date, organisation.

Patterns and keyword lists are in ``doc_types.yaml``. Running headers/footers come first (they
identify the document on every page), then the title area (first lines), then the first pages.
"""

from __future__ import annotations

import re

from fsfdocs.model import DocumentMetadata
from fsfdocs.parse.furniture import strip_page_number
from fsfdocs.parse.rules import doc_type_rules


def _search(patterns: list[str], text: str) -> re.Match[str] | None:
    hits = [m for p in patterns if (m := re.search(p, text, re.I))]
    return min(hits, key=lambda m: m.start()) if hits else None


def detect_doc_type(title_area: str, scan: str) -> str:
    """``ansokan``, ``arsanalys``, ``tjansteskrivelse`` or ``ovrigt`` from title and keywords."""
    rules = doc_type_rules()["doc_types"]
    scores: dict[str, float] = {}
    for name, spec in rules.items():
        title_hits = sum(bool(re.search(p, title_area, re.I)) for p in spec["title_patterns"])
        kw_hits = sum(len(re.findall(p, scan, re.I)) > 0 for p in spec["keywords"])
        scores[name] = 3 * title_hits + kw_hits
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else "ovrigt"


def _year(
    doc_type: str, title_area: str, scan: str, date: str | None, body: str = ""
) -> int | None:
    rules = doc_type_rules()["metadata"]
    if doc_type == "arsanalys":
        m = re.search(rules["year_near_title"], title_area, re.I) or re.search(
            rules["year_near_title"], scan, re.I
        )
        if m:
            return int(m.group(1))
    if doc_type == "ansokan":
        m = re.search(rules["start_date_year"], body, re.I)
        if m:
            return int(m.group(1))
        hits = [m for p in rules["period_start_year"] if (m := re.search(p, body, re.I))]
        if hits:
            return int(min(hits, key=lambda m: m.start()).group(1))
        in_title = re.findall(rules["any_year"], title_area)
        if in_title:
            return int(in_title[0])
        years = re.findall(rules["any_year"], body)
        if years:
            return int(max(set(years), key=years.count))
    if date:
        return int(date[:4])
    years = [int(y) for y in re.findall(rules["any_year"], title_area + "\n" + scan)]
    return min(years) if doc_type == "ansokan" and years else (years[0] if years else None)


def _date(text: str) -> str | None:
    rules = doc_type_rules()["metadata"]
    iso = re.search(rules["iso_date"], text)
    txt = re.search(rules["text_date"], text, re.I)
    if txt and (not iso or txt.start() < iso.start()):
        month = rules["months"].index(txt.group(2).lower()) + 1
        return f"{txt.group(3)}-{month:02d}-{int(txt.group(1)):02d}"
    return iso.group(0) if iso else None


def detect_metadata(
    body: str, header: str | None, footer: str | None, first_lines: list[str]
) -> DocumentMetadata:
    """Metadata of a document from its running header/footer, first lines and first pages."""
    rules = doc_type_rules()
    meta_rules = rules["metadata"]
    furniture = "\n".join(strip_page_number(x) for x in (header, footer) if x)
    title_area = furniture + "\n" + "\n".join(first_lines[:6])
    scan = furniture + "\n" + body[: int(rules["scan_chars"])]
    doc_type = detect_doc_type(title_area, scan)
    raw_furniture = "\n".join(x for x in (header, footer) if x)
    dnr = _search(meta_rules["diarienummer"], raw_furniture) or _search(
        meta_rules["diarienummer"], scan
    )
    date = _date(furniture) or _date(scan)
    org = _search(meta_rules["organisation"], furniture) or _search(
        meta_rules["organisation"], title_area
    ) or _search(meta_rules["organisation"], scan)
    return DocumentMetadata(
        doc_type=doc_type,  # type: ignore[arg-type]
        title=_title(doc_type, furniture, first_lines),
        year=_year(
            doc_type, title_area, scan, date if doc_type == "tjansteskrivelse" else None, body
        ),
        diarienummer=dnr.group(1).strip() if dnr else None,
        date=date,
        organisation=org.group(1).strip() if org else None,
        running_header=header,
        running_footer=footer,
    )


def _title(doc_type: str, furniture: str, first_lines: list[str]) -> str | None:
    spec = doc_type_rules()["doc_types"].get(doc_type)
    patterns = spec["title_patterns"] if spec else []
    for line in first_lines[:8]:
        if any(re.search(p, line, re.I) for p in patterns) and len(line) < 150:
            return line.strip()
    for part in re.split(r"[|\n]", furniture):
        first = part.split(",")[0].strip()
        if first and any(re.search(p, first, re.I) for p in patterns):
            return first
    for line in first_lines[:3]:
        if line.strip():
            return line.strip()
    return None
