"""Entity-ruler patterns built from ``ruler_patterns.yaml``.

Phrase entries become phrase patterns (plus their genitive), abbreviations become case-sensitive
token patterns, and the MALGRUPP word lists are combined into token patterns of the Swedish shape
``<grupp> [och <grupp>] med [<bestämning>…] <tillstånd> [och|eller [<bestämning>…] <tillstånd>]``.
Every pattern has an ``id`` starting with ``ruler:`` so the extractor can tell ruler spans from
model spans.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from fsfdocs.ner.paths import PATTERNS_PATH

Pattern = dict[str, Any]


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = PATTERNS_PATH) -> dict[str, Any]:
    """The parsed YAML vocabulary."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def genitive(phrase: str) -> str:
    """Swedish genitive of a name: ``-s`` added, nothing after s/x/z, ``:s`` after capitals."""
    if phrase[-1] in "sxzSXZ":
        return phrase
    if phrase.split()[-1].isupper() or phrase[-1].isdigit():
        return phrase + ":s"
    return phrase + "s"


def build_patterns(path: Path = PATTERNS_PATH) -> list[Pattern]:
    """All entity-ruler patterns (ORG, PLACE, MALGRUPP) of the vocabulary at ``path``."""
    voc = load_vocabulary(path)
    out: list[Pattern] = []
    for label in ("ORG", "PLACE"):
        for phrase in voc[label]["phrases"]:
            for form in dict.fromkeys([phrase, genitive(phrase)]):
                out.append({"label": label, "pattern": form, "id": f"ruler:{label}"})
                if label == "ORG" and " " not in form and not form.isupper():
                    # Authorities are often written in lower case: "funktionsstödsförvaltningen".
                    out.append({"label": label, "pattern": [{"LOWER": form.lower()}],
                                "id": f"ruler:{label}"})
    org = voc["ORG"]
    for abbr in org.get("abbreviations", []):
        for form in dict.fromkeys([abbr, genitive(abbr)]):
            out.append({"label": "ORG", "pattern": [{"TEXT": form}], "id": "ruler:ORG"})
    suffixes = "|".join(org.get("name_suffixes", []))
    if suffixes:
        # A capitalised compound ending in an authority word: "Kulturförvaltningen".
        regex = rf"^[A-ZÅÄÖ][a-zåäöé]+({suffixes})$"
        out.append({"label": "ORG", "pattern": [{"TEXT": {"REGEX": regex}}], "id": "ruler:ORG"})
    municipal = "|".join(org.get("municipal_suffixes", []))
    if municipal:
        body = {"TEXT": {"REGEX": rf"^[a-zåäö]{{3,}}({municipal})$"}}
        coordinated = {"TEXT": {"REGEX": r"^[A-Za-zÅÄÖåäö]{3,}-$"}}
        for tokens in ([body], [coordinated, {"LOWER": "och"}, body]):
            out.append({"label": "ORG", "pattern": tokens, "id": "ruler:ORG"})
    if org.get("municipality_words"):
        out.append({
            "label": "ORG",
            "pattern": [
                {"TEXT": {"REGEX": r"^[A-ZÅÄÖ][a-zåäö]+$", "NOT_IN": org.get("not_place", [])}},
                {"LOWER": {"IN": org["municipality_words"]}},
            ],
            "id": "ruler:ORG",
        })
    out.extend(_malgrupp_patterns(voc["MALGRUPP"]))
    return out


def _malgrupp_patterns(voc: dict[str, Any]) -> list[Pattern]:
    out: list[Pattern] = [
        {"label": "MALGRUPP", "pattern": [{"LOWER": t} for t in phrase.lower().split()],
         "id": "ruler:MALGRUPP"}
        for phrase in voc["phrases"]
    ]
    number = {"TEXT": {"REGEX": r"^[1-9]$"}}
    for word in voc.get("numbered", []):
        listed = [{"LOWER": word}, number, {"ORTH": {"IN": [",", "och", "eller"]}, "OP": "?"},
                  {**number, "OP": "?"}, {"ORTH": {"IN": ["och", "eller"]}, "OP": "?"},
                  {**number, "OP": "?"}]
        out.append({"label": "MALGRUPP", "pattern": listed, "id": "ruler:MALGRUPP"})
    heads = {"LOWER": {"IN": voc["heads"]}}
    head_mod = {"LOWER": {"IN": voc["head_modifiers"]}, "OP": "*"}
    cond_mod = {"LOWER": {"IN": voc["condition_modifiers"]}, "OP": "*"}
    cond = {"LOWER": {"IN": voc["conditions"]}}
    conj = {"LOWER": {"IN": ["och", "eller", "samt"]}}
    lead = [head_mod, heads]
    for group in (lead, [*lead, {"LOWER": "och"}, head_mod, heads]):
        for connector in voc["connectors"]:
            base = [*group, *({"LOWER": w} for w in connector), cond_mod, cond]
            # Optionally a second, coordinated condition: "... med autism eller adhd".
            for tail in ([], [conj, cond_mod, cond]):
                out.append({"label": "MALGRUPP", "pattern": base + tail, "id": "ruler:MALGRUPP"})
    return out
