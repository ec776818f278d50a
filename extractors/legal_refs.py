"""Legal references: explicit provisions (``LSS 9 § 8``, ``5 kap. 7 § SoL``) and LSS insatser
named in prose (implicit ``LSS 9 § 10`` for *daglig verksamhet*).

Rules live in ``extractors/rules/legal_refs.yaml`` (laws, names, statute numbers, confidences)
and ``extractors/rules/insatser.yaml`` (insats phrases); the policy for edge cases is written
there. Every function here is pure: text in, record dicts out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extractors.literal_scan import ScanText, scan
from extractors.rules_loader import load_rules
from fsfdocs.model import ParsedDocument

Record = dict[str, Any]

# LSS 9 § point → insats (the vocabulary of the curated table).
LSS9_INSATS = {
    "1": "radgivning",
    "2": "personlig_assistans",
    "3": "ledsagarservice",
    "4": "kontaktperson",
    "5": "avlosarservice",
    "6": "korttidsvistelse",
    "7": "korttidstillsyn",
    "8": "boende_barn",
    "9": "bostad_vuxna",
    "10": "daglig_verksamhet",
}

_PARA_SIGN = r"[§$]"  # OCR reads § as $ on scanned pages
_DASH = r"[-–—‐‑]"
_PNUM = r"\d{1,3}(?:\s?[a-z](?![a-zåäö]))?"  # 9, 9 a, 28 f
_PLIST = rf"{_PNUM}(?:\s*(?:{_DASH}|,|och|samt)\s*(?:{_PNUM}|[a-z](?![a-zåäö])))*"
_CHAP = r"(?P<chap>\d{1,2}(?:\s?[a-z](?![a-zåäö]))?)\s*kap(?:\.|itlet\b|\b)"
_STYCKE = r"(?:\s*(?:första|andra|tredje|fjärde|femte|\d)\s+st(?:ycket|\.))?"
_POINT = (
    r"(?:\s*(?:punkt(?:en)?|p\.?)\s*(?P<pt_a>\d{1,2})(?!\d)"
    r"|\s*(?P<pt_b>\d{1,2})(?![\d,.]\d|\d)(?!\s*(?:kap|[§$%]|procent|år|kr|tkr|st\b))"
    r"(?:\s*(?:p\.|punkt(?:en)?))?)?"
)
# A provision: "[5 kap.] 9 [a] §[§] [8]", "[5 kap.] §7", "§ 9:8", or a chapter on its own.
_PROVISION = re.compile(
    rf"(?:{_CHAP}\s*)?"
    rf"(?:(?P<plist>{_PLIST})\s*(?P<signs>{_PARA_SIGN}{{1,2}}){_STYCKE}{_POINT}"
    rf"|{_PARA_SIGN}{{1,2}}\s*(?P<pnum>{_PNUM})(?:\s*:\s*(?P<pt_c>\d{{1,2}})(?!\d))?"
    rf")?",
    re.IGNORECASE,
)
_PROVISION_START = re.compile(rf"\d|{_PARA_SIGN}")
_CHAIN_GAP = re.compile(r"^\s*(?:,|och|samt|eller|resp\.|respektive)\s*$")
_BLOCK_BREAK = re.compile(r"\n[ \t\xa0]*\n")


@dataclass
class _LawMention:
    start: int
    end: int
    law: str | None
    statute: str | None  # the statute number cited in the text, if any
    series: bool = False


@dataclass
class _Provision:
    start: int
    end: int
    chapter: str | None
    paragraphs: list[str]
    point: str | None


@lru_cache(maxsize=4)
def _law_table(_key: int) -> dict[str, Any]:
    rules = load_rules("legal_refs.yaml")
    laws = rules["laws"]
    by_sfs: dict[str, str] = {}
    names: list[tuple[re.Pattern[str], str]] = []
    for law in laws:
        abbr = law["abbreviation"]
        for sfs in [law.get("sfs")] + list(law.get("sfs_aliases") or []):
            if sfs:
                by_sfs[sfs] = abbr
        for name in law.get("names") or []:
            names.append((re.compile(rf"\b{name}\b", re.IGNORECASE), abbr))
    plain = [law["abbreviation"] for law in laws if not law.get("series")]
    series = [law["abbreviation"] for law in laws if law.get("series")]
    abbr_re = re.compile(
        r"(?<![\w-])(?P<abbr>" + "|".join(re.escape(a) for a in plain) + r")(?![\w-])"
    )
    series_re = re.compile(
        r"(?<![\w-])(?P<abbr>"
        + "|".join(re.escape(a) for a in series)
        + r")\s*(?P<num>\d{4}\s*:\s*\d{1,4})(?!\d)"
    )
    # "Lag (1993:387)", "Socialtjänstlag (2001:453)", "lagen (1993:387)", "SFS 1993:387"
    statute_re = re.compile(
        r"\b(?:[\wåäöÅÄÖ-]*(?:lag(?:en)?|balk(?:en)?|förordning(?:en)?)\s*"
        r"\((?P<sfs>\d{4}:\d{1,4})\)|SFS\s*(?P<sfs2>\d{4}:\d{1,4}))",
        re.IGNORECASE,
    )
    return {
        "defaults": {law["abbreviation"]: law.get("sfs") for law in laws},
        "by_sfs": by_sfs,
        "names": names,
        "abbr_re": abbr_re,
        "series_re": series_re,
        "statute_re": statute_re,
        "confidence": rules["confidence"],
    }


def _laws() -> dict[str, Any]:
    # Keyed on the YAML content's identity so an edited rule file is picked up.
    return _law_table(id(load_rules("legal_refs.yaml")))


def find_law_mentions(text: str) -> list[_LawMention]:
    """Every law named in ``text``: abbreviations, full names, statute citations, series."""
    t = _laws()
    found: list[_LawMention] = []
    for m in t["abbr_re"].finditer(text):
        found.append(_LawMention(m.start(), m.end(), m["abbr"], None))
    for m in t["series_re"].finditer(text):
        num = re.sub(r"\s", "", m["num"])
        found.append(_LawMention(m.start(), m.end(), f"{m['abbr']} {num}", num, series=True))
    target = ScanText(text)
    for rx, abbr in t["names"]:
        for m in scan(rx, target):
            found.append(_LawMention(m.start(), m.end(), abbr, None))
    for m in t["statute_re"].finditer(text):
        sfs = m["sfs"] or m["sfs2"]
        found.append(_LawMention(m.start(), m.end(), t["by_sfs"].get(sfs), sfs))
    # Merge overlapping mentions ("Lag (1993:387) om stöd och service ..."): keep the longest,
    # with any statute number a shorter one cited.
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    merged: list[_LawMention] = []
    for lm in found:
        if merged and lm.start < merged[-1].end:
            last = merged[-1]
            last.end = max(last.end, lm.end)
            last.statute = last.statute or lm.statute
            last.law = last.law or lm.law
            continue
        merged.append(lm)
    return merged


def _expand_paragraphs(plist: str) -> list[str]:
    """``"28 f–g"`` → ``["28 f", "28 g"]``; ``"3-5"`` → 3, 4, 5; ``"9 och 10"`` → 9, 10."""
    tokens = re.findall(rf"\d+(?:\s?[a-z](?![a-zåäö]))?|[a-z](?![a-zåäö])|{_DASH}", plist, re.I)
    out: list[str] = []
    base: str | None = None
    pending_range = False
    for tok in tokens:
        if re.fullmatch(_DASH, tok):
            pending_range = True
            continue
        m = re.fullmatch(r"(\d+)\s?([a-z])?", tok, re.I)
        if m:
            num, letter = m.group(1), (m.group(2) or "").lower()
            if pending_range and out and re.fullmatch(r"\d+", out[-1]) and not letter:
                out.extend(str(n) for n in range(int(out[-1]) + 1, int(num) + 1))
            else:
                out.append(f"{num} {letter}" if letter else num)
            base = num
        elif base is not None:  # a bare letter: "28 f–g", "28 f och g"
            letter = tok.lower()
            prev = out[-1].split(" ")
            if pending_range and len(prev) == 2 and len(prev[1]) == 1:
                start = ord(prev[1]) + 1
                out.extend(f"{base} {chr(c)}" for c in range(start, ord(letter) + 1))
            else:
                out.append(f"{base} {letter}")
        pending_range = False
    return out


def find_provisions(text: str) -> list[_Provision]:
    """Every paragraph / chapter reference in ``text`` (law not yet resolved)."""
    out: list[_Provision] = []
    pos = 0
    while True:
        m0 = _PROVISION_START.search(text, pos)
        if not m0:
            break
        start = m0.start()
        # Begin only at a token start, not inside a number ("2011:9", "12").
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in ":,.") and text[
            start
        ] not in "§$":
            pos = start + 1
            continue
        m = _PROVISION.match(text, start)
        if not m or m.end() == start or not (m["signs"] or m["pnum"] or m["chap"]):
            pos = start + 1
            continue
        end = m.end()
        if m["signs"]:
            paragraphs = _expand_paragraphs(m["plist"])
            point = m["pt_a"] or m["pt_b"]
        elif m["pnum"]:
            paragraphs = [re.sub(r"\s+", " ", m["pnum"]).lower()]
            point = m["pt_c"]
        else:  # a chapter on its own ("51 kap.")
            paragraphs = []
            point = None
        if len(paragraphs) != 1:
            point = None  # a point belongs to a single paragraph
        chap = re.sub(r"\s+", " ", m["chap"]).lower() if m["chap"] else None
        out.append(_Provision(start, end, chap, paragraphs, point))
        pos = end
    return out


def _adjacent_after(p_end: int, text: str, laws: list[_LawMention]) -> _LawMention | None:
    for lm in laws:
        if lm.start >= p_end and re.fullmatch(r"\s*(?:i\s+|enligt\s+)?", text[p_end : lm.start]):
            return lm
        if lm.start > p_end + 12:
            break
    return None


def _adjacent_before(p_start: int, text: str, laws: list[_LawMention]) -> _LawMention | None:
    for lm in reversed(laws):
        if lm.end <= p_start:
            if re.fullmatch(r"\s*,?\s*", text[lm.end : p_start]):
                return lm
            return None
    return None


def _in_context(p_start: int, text: str, laws: list[_LawMention]) -> _LawMention | None:
    for lm in reversed(laws):
        if lm.end <= p_start and lm.law:
            if _BLOCK_BREAK.search(text, lm.end, p_start):
                return None
            return lm
    return None


def _canonical(
    law: str | None, chapter: str | None, paragraph: str | None, point: str | None
) -> str:
    parts = [law] if law else []
    if chapter:
        parts.append(f"{chapter} kap.")
    if paragraph:
        parts.append(f"{paragraph} §")
        if point:
            parts.append(point)
    return " ".join(parts)


def extract_explicit_refs(text: str) -> list[Record]:
    """Explicit references: one record per paragraph/point, plus statute citations."""
    t = _laws()
    conf = t["confidence"]
    laws = find_law_mentions(text)
    provisions = find_provisions(text)
    # Drop "provisions" that are part of a law mention ("SOSFS 2011:9", "Lag (1993:387)").
    provisions = [
        p for p in provisions if not any(lm.start <= p.start < lm.end for lm in laws)
    ]
    # Chains of coordinated provisions share their law ("9 § och 28 f-g §§ LSS").
    chains: list[list[_Provision]] = []
    for p in provisions:
        if chains and _CHAIN_GAP.match(text[chains[-1][-1].end : p.start]):
            chains[-1].append(p)
        else:
            chains.append([p])

    used_laws: set[int] = set()
    records: list[Record] = []
    for chain in chains:
        after = _adjacent_after(chain[-1].end, text, laws)
        before = _adjacent_before(chain[0].start, text, laws)
        adjacent = after or before
        law_m = adjacent or _in_context(chain[0].start, text, laws)
        if adjacent:
            confidence = conf["law_adjacent"]
            used_laws.add(id(adjacent))
        else:
            confidence = conf["law_in_context"] if law_m else conf["no_law"]
        chapter = None
        for i, p in enumerate(chain):
            if not p.paragraphs and (adjacent is None or adjacent.law is None):
                continue  # "51 kap." counts only next to a named law
            chapter = p.chapter or chapter
            start, end = p.start, p.end
            if after is not None and adjacent is after and i == len(chain) - 1:
                end = after.end
            if before is not None and adjacent is before and i == 0:
                start = before.start
            law = law_m.law if law_m else None
            statute = law_m.statute if law_m else None
            statute = statute or (t["defaults"].get(law) if law else None)
            for para in p.paragraphs or [None]:
                insats = LSS9_INSATS.get(p.point or "") if law == "LSS" and para == "9" else None
                records.append(
                    {
                        "law": law.split(" ")[0] if law else None,
                        "statute": statute,
                        "chapter": chapter,
                        "paragraph": para,
                        "point": p.point,
                        "canonical": _canonical(law, chapter, para, p.point),
                        "kind": "explicit",
                        "insats": insats,
                        "char_start": start,
                        "char_end": end,
                        "raw_text": text[start:end],
                        "extractor": "legal_rule",
                        "confidence": confidence,
                    }
                )
    # Statute citations not attached to a provision.
    for lm in laws:
        if id(lm) in used_laws or not lm.statute or not lm.law:
            continue
        law = lm.law
        records.append(
            {
                "law": law.split(" ")[0],
                "statute": lm.statute,
                "chapter": None,
                "paragraph": None,
                "point": None,
                "canonical": law,
                "kind": "explicit",
                "insats": None,
                "char_start": lm.start,
                "char_end": lm.end,
                "raw_text": text[lm.start : lm.end],
                "extractor": "legal_rule",
                "confidence": conf["statute_citation"],
            }
        )
    records.sort(key=lambda r: (r["char_start"], r["char_end"]))
    return records


def extract_legal_refs(doc: ParsedDocument) -> list[dict]:
    """All legal references of ``doc``: explicit provisions and implicit LSS insatser.

    Tables are rendered into ``doc.text``, so scanning the text once covers every table cell
    without counting it twice.
    """
    explicit = extract_explicit_refs(doc.text)
    implicit = extract_implicit_refs(doc.text, explicit)
    out = explicit + implicit
    out.sort(key=lambda r: (r["char_start"], r["char_end"], r["kind"]))
    return out


# --- Implicit references: LSS insatser named in prose --------------------------------------


@dataclass
class _InsatsRule:
    regex: re.Pattern[str]
    confidence: float
    insats: str | None  # None: bostad med särskild service, resolved by context
    entry: dict[str, Any]
    after: re.Pattern[str] | None = None
    before: re.Pattern[str] | None = None
    not_after: re.Pattern[str] | None = None


def _word_regex(body: str) -> re.Pattern[str]:
    end = "" if body.endswith(r"\w*") else r"(?![\w])"
    return re.compile(rf"(?<![\w]){body}{end}", re.IGNORECASE)


@lru_cache(maxsize=4)
def _insats_table(_key: int) -> dict[str, Any]:
    rules = load_rules("insatser.yaml")
    items: list[_InsatsRule] = []

    def ctx(p: dict[str, Any], key: str) -> re.Pattern[str] | None:
        return re.compile(p[key], re.IGNORECASE) if p.get(key) else None

    for entry in rules["insatser"]:
        for p in entry["patterns"]:
            items.append(
                _InsatsRule(
                    _word_regex(p["regex"]),
                    float(p["confidence"]),
                    entry["insats"],
                    entry,
                    ctx(p, "after"),
                    ctx(p, "before"),
                    ctx(p, "not_after"),
                )
            )
    bostad = rules["bostad"]
    for p in bostad["patterns"]:
        items.append(_InsatsRule(_word_regex(p["regex"]), float(p["confidence"]), None, bostad))
    law_alts = [re.escape(a) for a in rules["qualifier_laws"]]
    names = rules.get("qualifier_law_names") or {}
    qual_law = "|".join(law_alts + [f"(?i:{n})" for n in names.values()])
    qualifier = re.compile(
        rf"[ \t\xa0]*(?:\n[ \t\xa0]*)?(?:(?i:enligt|inom|i)\s+)?"
        rf"(?P<laws>(?:{qual_law})(?:\s*(?:och|/|,|samt)\s*(?:{qual_law}))*)(?![\w])"
    )
    return {
        "items": items,
        "bostad": bostad,
        "resolve": [(re.compile(r["after"], re.I), r["insats"]) for r in bostad["resolve"]],
        "qualifier": qualifier,
        "names": {k: re.compile(v, re.IGNORECASE) for k, v in names.items()},
    }


def _insatser() -> dict[str, Any]:
    return _insats_table(id(load_rules("insatser.yaml")))


def _qualifying_laws(text: str, end: int, table: dict[str, Any]) -> set[str]:
    """Laws named right after an insats mention ("SFB", "enligt SoL", "SFB och LSS")."""
    m = table["qualifier"].match(text, end, min(len(text), end + 120))
    if not m:
        return set()
    found = set(re.findall(r"(?<![\w])(?:LSS|SFB|SoL|HSL)(?![\w])", m["laws"]))
    for abbr, rx in table["names"].items():
        if rx.search(m["laws"]):
            found.add(abbr)
    return found


def _implicit_record(
    text: str, start: int, end: int, insats: str, confidence: float, entry: dict[str, Any] | None
) -> Record:
    if entry is not None and entry.get("law"):  # an insats granted under another law (SFB)
        law, chapter, para, point = entry["law"], entry.get("chapter"), None, None
        canonical, statute = entry["canonical"], entry.get("statute")
    else:
        point = next(k for k, v in LSS9_INSATS.items() if v == insats)
        law, chapter, para, canonical = "LSS", None, "9", f"LSS 9 § {point}"
        statute = _laws()["defaults"].get("LSS")
    return {
        "law": law,
        "statute": statute,
        "chapter": chapter,
        "paragraph": para,
        "point": point,
        "canonical": canonical,
        "kind": "implicit",
        "insats": insats,
        "char_start": start,
        "char_end": end,
        "raw_text": text[start:end],
        "extractor": "lss_rule",
        "confidence": confidence,
    }


_GAP_TO_EXPLICIT = re.compile(r"^(?:\s*\(\s*|[^.;:]{0,40}?\b(?:enligt|i|jfr\.?)\s*|\s*)$", re.I)


def extract_implicit_refs(text: str, explicit: list[Record] | None = None) -> list[Record]:
    """LSS insatser named in prose, one record per mention (kind ``implicit``).

    ``explicit`` (records of :func:`extract_explicit_refs`) lets a mention followed by an
    explicit reference to the same insats ("ledsagarservice enligt LSS 9§3") be left out.
    """
    table = _insatser()
    matches: list[tuple[int, int, _InsatsRule]] = []
    target = ScanText(text)
    for rule in table["items"]:
        for m in scan(rule.regex, target):
            if rule.after and not rule.after.match(text, m.end()):
                continue
            if rule.not_after and rule.not_after.match(text, m.end()):
                continue
            if rule.before and not rule.before.search(text[max(0, m.start() - 40) : m.start()]):
                continue
            matches.append((m.start(), m.end(), rule))
    # Longest match wins where patterns overlap.
    matches.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    accepted: list[tuple[int, int, _InsatsRule]] = []
    for mt in matches:
        if accepted and mt[0] < accepted[-1][1]:
            continue
        accepted.append(mt)

    explicit = explicit or []
    records: list[Record] = []
    abbreviations: dict[str, str] = {}
    definition_spans: list[tuple[int, int]] = []
    for start, end, rule in accepted:
        insats, confidence = rule.insats, rule.confidence
        if insats is None:  # bostad med särskild service: children or adults?
            insats = next((i for rx, i in table["resolve"] if rx.match(text, end)), None)
            if insats is None:
                insats = table["bostad"]["default"]
                confidence = min(confidence, float(table["bostad"]["default_confidence"]))
        if rule.entry.get("define_abbreviation"):
            d = re.compile(r"\s*\((?P<abbr>[A-ZÅÄÖ]{2,6})\)").match(text, end)
            if d:
                abbreviations[d["abbr"]] = insats
                definition_spans.append((d.start("abbr"), d.end("abbr")))
        if any(
            r["insats"] == insats
            and r["char_start"] >= end
            and _GAP_TO_EXPLICIT.match(text[end : r["char_start"]])
            for r in explicit
        ):
            continue  # the explicit reference right after carries this insats
        laws = _qualifying_laws(text, end, table)
        entry = rule.entry if rule.entry.get("law") else None
        if not laws or "LSS" in laws or entry is not None:
            records.append(_implicit_record(text, start, end, insats, confidence, entry))
        other = (rule.entry.get("other_law") or {}) if entry is None else {}
        for law, spec in other.items():
            if law in laws:
                records.append(_implicit_record(text, start, end, insats, confidence, spec))

    # Abbreviations the document defined: "DV", "DV-insatsen", "DV-brukare", "DV´s".
    for abbr, insats in abbreviations.items():
        rx = re.compile(rf"(?<![\w]){re.escape(abbr)}(?:[-‐‑][\wåäö]+|[´'’]s)?(?![\w])")
        for m in rx.finditer(text):
            if any(s <= m.start() < e for s, e in definition_spans):
                continue
            if any(s <= m.start() < e for s, e, _ in accepted):
                continue
            records.append(_implicit_record(text, m.start(), m.end(), insats, 0.85, None))
    records.sort(key=lambda r: r["char_start"])
    return records
