"""Errors the parse layer raises: each names the file and says what is wrong in plain words."""

from __future__ import annotations


class ParseError(Exception):
    """A PDF could not be parsed. ``str(err)`` is ``"<file name>: <what is wrong>"``."""

    reason = "the file could not be parsed"

    def __init__(self, file_name: str, detail: str | None = None) -> None:
        self.file_name = file_name
        self.detail = detail or self.reason
        super().__init__(f"{file_name}: {self.detail}")


class EmptyFileError(ParseError):
    """The file has zero bytes."""

    reason = "the file is empty (0 bytes); export or copy the PDF again"


class NotPDFError(ParseError):
    """The file is not a PDF (HTML, an image, random bytes...)."""

    reason = "the file is not a PDF"


class EncryptedPDFError(ParseError):
    """The PDF needs a password to be opened."""

    reason = "the PDF is password-protected; remove the password and drop it again"


class CorruptPDFError(ParseError):
    """The PDF is damaged or truncated."""

    reason = "the PDF is damaged or truncated and cannot be read; export it again"


class NoContentError(ParseError):
    """No page holds any text or image."""

    reason = "the PDF has no text and no images on any page; there is nothing to read"


class OCRError(ParseError):
    """A scanned page could not be read by OCR (tesseract missing or failing)."""

    reason = "OCR of a scanned page failed"
