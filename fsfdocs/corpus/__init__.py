"""The generated, committed PDF corpus: sources in ``corpus/src``, reportlab renderer, scans and
bad inputs. ``python -m fsfdocs.corpus`` regenerates everything deterministically."""

from fsfdocs.corpus.build import build_corpus

__all__ = ["build_corpus"]
