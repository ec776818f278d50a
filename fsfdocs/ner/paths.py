"""Where the NER model, its training config, corpus and annotations live."""

from __future__ import annotations

import os
from pathlib import Path

from fsfdocs.settings import MODELS_DIR, PROJECT_ROOT

PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG_PATH = PACKAGE_DIR / "config.cfg"
PATTERNS_PATH = PACKAGE_DIR / "ruler_patterns.yaml"
DEFAULT_MODEL_DIR = MODELS_DIR / "ner_sv"
ANNOTATIONS_DIR = PROJECT_ROOT / "data" / "annotations"


def model_dir() -> Path:
    """The shipped pipeline, or ``FSFDOCS_NER_MODEL`` when set."""
    return Path(os.environ.get("FSFDOCS_NER_MODEL", DEFAULT_MODEL_DIR))


def webbnyheter_dir() -> Path:
    """The Webbnyheter 2012 corpus: ``FSFDOCS_NER_CORPUS`` or ``../shared/ner/webbnyheter2012``."""
    default = PROJECT_ROOT.parent / "shared" / "ner" / "webbnyheter2012"
    return Path(os.environ.get("FSFDOCS_NER_CORPUS", default))
