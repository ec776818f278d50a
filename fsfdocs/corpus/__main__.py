"""``python -m fsfdocs.corpus [OUT_ROOT]``: regenerate the whole corpus (default: repo root)."""

import sys
from pathlib import Path

from fsfdocs.corpus.build import build_corpus

root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
for path in build_corpus(root):
    print(path)
