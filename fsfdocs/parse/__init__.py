"""The parse layer: PDF files to :class:`fsfdocs.model.ParsedDocument` (text layer or OCR)."""

from fsfdocs.parse.errors import (
    CorruptPDFError,
    EmptyFileError,
    EncryptedPDFError,
    NoContentError,
    NotPDFError,
    OCRError,
    ParseError,
)
from fsfdocs.parse.parse_pdf import parse_pdf
from fsfdocs.parse.version import PARSER_VERSION

__all__ = [
    "PARSER_VERSION",
    "CorruptPDFError",
    "EmptyFileError",
    "EncryptedPDFError",
    "NoContentError",
    "NotPDFError",
    "OCRError",
    "ParseError",
    "parse_pdf",
]
